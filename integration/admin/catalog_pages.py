"""RetailCRM buttons on the catalog's own pages (C2, D1, D2), added from this side.

The catalog app knows nothing of RetailCRM (dependencies point catalog ← integration), so the
buttons are added by extending its admin classes here.
"""

from django.contrib import admin
from django_object_actions import DjangoObjectActions

from catalog.admin import PriceAdmin, ProductAdmin, ProductGroupAdmin, StockBalanceAdmin
from catalog.models import Price, Product, ProductGroup, StockBalance
from integration.admin.buttons import PermittedButtons, job_button


class CatalogButtons(PermittedButtons, DjangoObjectActions):
    # import-export's list template hides every tool from users without "add"; ours shows the buttons they may press.
    import_export_change_list_template = "admin/integration/catalog_change_list.html"


class PriceExportAdmin(CatalogButtons, PriceAdmin):
    changelist_actions = ("run_export_prices",)
    run_export_prices = job_button("export-prices")


class StockExportAdmin(CatalogButtons, StockBalanceAdmin):
    changelist_actions = ("run_export_stock",)
    run_export_stock = job_button("export-stock")


class ProductGroupCatalogAdmin(CatalogButtons, ProductGroupAdmin):
    changelist_actions = ("run_generate_catalog",)
    run_generate_catalog = job_button("generate-catalog")


class ProductCatalogAdmin(CatalogButtons, ProductAdmin):
    changelist_actions = ("run_generate_catalog",)
    run_generate_catalog = job_button("generate-catalog")


for model, model_admin in ((Price, PriceExportAdmin), (StockBalance, StockExportAdmin),
                           (ProductGroup, ProductGroupCatalogAdmin), (Product, ProductCatalogAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
