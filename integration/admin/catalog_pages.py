"""RetailCRM export buttons on the catalog's own pages (D1/D2), added from this side.

The catalog app knows nothing of RetailCRM (dependencies point catalog ← integration), so the
buttons are added by extending its admin classes here.
"""

from django.contrib import admin
from django_object_actions import DjangoObjectActions

from catalog.admin import PriceAdmin, StockBalanceAdmin
from catalog.models import Price, StockBalance
from integration.admin.buttons import job_button


class PriceExportAdmin(DjangoObjectActions, PriceAdmin):
    changelist_actions = ("run_export_prices",)
    run_export_prices = job_button("export-prices")


class StockExportAdmin(DjangoObjectActions, StockBalanceAdmin):
    changelist_actions = ("run_export_stock",)
    run_export_stock = job_button("export-stock")


for model, model_admin in ((Price, PriceExportAdmin), (StockBalance, StockExportAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
