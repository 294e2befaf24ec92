"""RetailCRM buttons on the catalog's own pages (C2, D1, D2), added from this side.

The catalog app knows nothing of RetailCRM (dependencies point catalog ← integration), so the
buttons are added by extending its admin classes here.
"""

from django.contrib import admin
from django_object_actions import DjangoObjectActions

from catalog.admin import PriceAdmin, ProductAdmin, ProductGroupAdmin, StockBalanceAdmin
from catalog.models import Price, Product, ProductGroup, StockBalance
from integration.admin.buttons import PermittedButtons, job_button


class PriceExportAdmin(PermittedButtons, DjangoObjectActions, PriceAdmin):
    changelist_actions = ("run_export_prices",)
    run_export_prices = job_button("export-prices")


class StockExportAdmin(PermittedButtons, DjangoObjectActions, StockBalanceAdmin):
    changelist_actions = ("run_export_stock",)
    run_export_stock = job_button("export-stock")


class ProductGroupCatalogAdmin(PermittedButtons, DjangoObjectActions, ProductGroupAdmin):
    changelist_actions = ("run_generate_catalog",)
    run_generate_catalog = job_button("generate-catalog")


class ProductCatalogAdmin(PermittedButtons, DjangoObjectActions, ProductAdmin):
    changelist_actions = ("run_generate_catalog",)
    run_generate_catalog = job_button("generate-catalog")


for model, model_admin in ((Price, PriceExportAdmin), (StockBalance, StockExportAdmin),
                           (ProductGroup, ProductGroupCatalogAdmin), (Product, ProductCatalogAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
