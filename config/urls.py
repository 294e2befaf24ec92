from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from integration.views import health

admin.site.site_header = admin.site.site_title = _("RetailCRM back office")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
]
