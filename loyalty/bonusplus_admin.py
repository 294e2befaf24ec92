"""BonusPlus in the console (H1–H4): settings, the cashier code on the user's page, the product list's
upload button, and the order page's "БонусПлюс" and "Информация о бонусах".

Pages of other rooms get their buttons by subclassing whatever admin is registered for them now,
so integration, catalog and auth never import BonusPlus and other branches' buttons stay.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy as _
from django_object_actions import DjangoObjectActions, action
from solo.admin import SingletonModelAdmin

from catalog.models import Product
from integration.admin.buttons import PermittedButtons, enqueue_from_admin, requires
from integration.documents.models.orders import Order, Sale
from integration.exchange.models import JobRun
from integration.exchange.permissions import user_may
from loyalty.bonusplus import errors, views
from loyalty.bonusplus.cashiers import require_cashier
from loyalty.bonusplus.factory import client_from_settings
from loyalty.bonusplus.jobs import EXPORT_CATALOG, USE_BONUSPLUS
from loyalty.bonusplus.models import BonusPlusSettings, Cashier


class WriteOnlyField(forms.CharField):
    """Typed in, never shown; left empty it keeps the stored key (and the history does not say "changed")."""

    def has_changed(self, initial, data):
        return bool(data)


class BonusPlusSettingsForm(forms.ModelForm):
    api_key = WriteOnlyField(label=_("BonusPlus API key"), required=False, strip=True,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))
    clear_api_key = forms.BooleanField(label=_("Remove the stored API key"), required=False)

    class Meta:
        model = BonusPlusSettings
        fields = ("base_url", "api_key", "store", "sms_required", "sms_skip_seconds")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.masked_api_key if self.instance.pk else ""
        self.fields["api_key"].help_text = (
            gettext("Stored: %(key)s. Leave empty to keep it.") % {"key": stored} if stored
            else gettext("As shown in the BonusPlus cabinet (integrations → BonusPlus API)."))

    def save(self, commit=True):
        instance = super().save(commit=False)
        if self.cleaned_data.get("clear_api_key"):
            instance.api_key = ""
        elif not self.cleaned_data.get("api_key"):
            instance.api_key = BonusPlusSettings.objects.filter(pk=instance.pk).values_list("api_key", flat=True).first() or ""
        if commit:
            instance.save()
        return instance


@admin.register(BonusPlusSettings)
class BonusPlusSettingsAdmin(PermittedButtons, DjangoObjectActions, SingletonModelAdmin):
    form = BonusPlusSettingsForm
    fields = ("base_url", "api_key", "clear_api_key", "store", "sms_required", "sms_skip_seconds")
    change_actions = ("check_connection",)

    @action(label=_("Check connection"), description=_("Ask BonusPlus for the account with the stored key"))
    @requires("loyalty.change_bonusplussettings")
    def check_connection(self, request, obj):
        try:
            with client_from_settings(obj) as client:
                account = client.account()
        except errors.BonusPlusError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("BonusPlus answered: account %(name)s, balance %(balance)s.") % {
                "name": account.get("username") or "—", "balance": account.get("balance", "—")})
        return HttpResponseRedirect(reverse("admin:loyalty_bonusplussettings_change"))


class CashierInline(admin.StackedInline):
    model = Cashier
    can_delete = False
    max_num = 1
    verbose_name = verbose_name_plural = _("BonusPlus cashier code")
    fields = ("code",)


def _extend(model, build):
    """Re-register ``model`` with a subclass of its current admin made by ``build(base)``."""
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    admin.site.register(model, build(base))


def _with_buttons(base):
    """The bases for a class adding object-action buttons to ``base`` (which may have them already)."""
    mixins = [] if issubclass(base, PermittedButtons) else [PermittedButtons]
    if not issubclass(base, DjangoObjectActions):
        mixins.append(DjangoObjectActions)
    return (*mixins, base)


def _user_admin(base):
    return type("BonusPlusUserAdmin", (base,), {"__module__": __name__, "inlines": (*base.inlines, CashierInline)})


def _refused_without_cashier(request, back: str):
    """004 §2: the catalog is uploaded as the user's cashier; without a code nothing is queued (the redirect)."""
    try:
        require_cashier(request.user)
    except errors.BonusPlusError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(back)
    return None


def _product_admin(base):
    @action(label=_("Upload the catalog to BonusPlus"), description=_("Upload groups and products to BonusPlus"))
    @requires(EXPORT_CATALOG)
    def run_bonusplus_export_catalog(self, request, obj=None):
        back = reverse("admin:catalog_product_changelist")
        return _refused_without_cashier(request, back) or enqueue_from_admin(
            request, "bonusplus-export-catalog", back_url=back)

    run_bonusplus_export_catalog.job_kind = "bonusplus-export-catalog"  # disabled until BonusPlus is set up
    return type("BonusPlusProductAdmin", _with_buttons(base), {
        "__module__": __name__,
        "changelist_actions": (*getattr(base, "changelist_actions", ()), "run_bonusplus_export_catalog"),
        "run_bonusplus_export_catalog": run_bonusplus_export_catalog,
    })


def _order_admin(base):
    @action(label=_("BonusPlus"), description=_("Find the card, calculate and apply bonuses and discount"))
    @requires(USE_BONUSPLUS)
    def bonusplus_window(self, request, obj):
        return HttpResponseRedirect(reverse("admin:bonusplus_order_window", args=[obj.pk]))

    @action(label=_("Bonus information"), description=_("Bonus data of this order"))
    @requires(USE_BONUSPLUS)
    def bonusplus_info(self, request, obj):
        return HttpResponseRedirect(reverse("admin:bonusplus_order_info", args=[obj.pk]))

    def get_urls(self):
        own = [
            path("<int:order_id>/bonusplus/", self.admin_site.admin_view(views.order_window),
                 name="bonusplus_order_window"),
            path("<int:order_id>/bonusplus/info/", self.admin_site.admin_view(views.order_info),
                 name="bonusplus_order_info"),
        ]
        return own + super(cls, self).get_urls()

    cls = type("BonusPlusOrderAdmin", _with_buttons(base), {
        "__module__": __name__,
        "change_actions": (*getattr(base, "change_actions", ()), "bonusplus_window", "bonusplus_info"),
        "bonusplus_window": bonusplus_window, "bonusplus_info": bonusplus_info, "get_urls": get_urls,
    })
    return cls


def _sale_admin(base):
    @action(label=_("Bonus information"), description=_("Bonus data of the order this sale was made from"))
    @requires(USE_BONUSPLUS)
    def bonusplus_info(self, request, obj):
        return HttpResponseRedirect(reverse("admin:bonusplus_order_info", args=[obj.order_id]))

    return type("BonusPlusSaleAdmin", _with_buttons(base), {
        "__module__": __name__,
        "change_actions": (*getattr(base, "change_actions", ()), "bonusplus_info"),
        "bonusplus_info": bonusplus_info,
    })


def _jobrun_admin(base):
    """The job-run page's and the dashboard's catalog upload ask for the cashier code first, as the product list's does."""
    button = "run_bonusplus_export_catalog"
    generic = getattr(base, button)

    @action(label=generic.label, description=generic.short_description)
    @requires(EXPORT_CATALOG)
    def run_bonusplus_export_catalog(self, request, obj=None):
        back = reverse("admin:integration_jobrun_changelist")
        return _refused_without_cashier(request, back) or enqueue_from_admin(
            request, "bonusplus-export-catalog", back_url=back)

    run_bonusplus_export_catalog.job_kind = "bonusplus-export-catalog"

    def run_now_view(self, request, kind_name):
        if kind_name == "bonusplus-export-catalog" and request.method == "POST" and user_may(request.user, EXPORT_CATALOG):
            if refused := _refused_without_cashier(request, reverse("admin:integration_jobrun_dashboard")):
                return refused
        return base.run_now_view(self, request, kind_name)

    return type("BonusPlusJobRunAdmin", (base,), {
        "__module__": __name__, button: run_bonusplus_export_catalog, "run_now_view": run_now_view,
    })


_extend(get_user_model(), _user_admin)
_extend(JobRun, _jobrun_admin)
_extend(Sale, _sale_admin)
_extend(Product, _product_admin)
_extend(Order, _order_admin)
