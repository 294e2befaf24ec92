from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from integration.retailcrm.feed.views import icml_feed
from integration.views import health
from integration.retailcrm.webhooks import retailcrm_webhook

admin.site.site_header = admin.site.site_title = _("RetailCRM back office")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("health/", health, name="health"),
    # E7: RetailCRM triggers call these; the token form needs no headers, the plain one uses HTTP Basic.
    path("webhooks/retailcrm/<str:token>/", retailcrm_webhook, name="retailcrm-webhook"),
    path("webhooks/retailcrm/", retailcrm_webhook, name="retailcrm-webhook-basic"),
    # C3: the ICML catalog RetailCRM downloads (the token is the secret part of the address).
    path("feeds/icml/<str:token>/<slug:shop>.xml", icml_feed, name="icml-feed"),
    # The language switch in the admin header posts here (Django's set_language; remembered in a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
