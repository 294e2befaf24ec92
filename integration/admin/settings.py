import json
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from django.utils.translation import gettext, gettext_lazy as _
from django_object_actions import DjangoObjectActions, action
from simple_history.admin import SimpleHistoryAdmin
from solo.admin import SingletonModelAdmin

from catalog.icml.paths import UnsafeCatalogPath
from integration.admin.buttons import PermittedButtons, enqueue_from_admin, job_button, requires
from integration.admin.settings_tabs import settings_tabs
from integration.retailcrm.features import visible
from integration.retailcrm.feed.views import feed_rows
from integration.exchange.jobs import JobRefused, run_inline
from integration.exchange.messages import render
from integration.models import CrmSettings, JobRun
from integration.retailcrm.models.settings import MIN_WEBHOOK_SECRET_LENGTH
from integration.exchange.permissions import CHANGE_SETTINGS, RUN_EXPORTS, RUN_IMPORTS, WRITE_TO_CRM, user_may
from integration.exchange.secrets import redact
from integration.retailcrm.crm_setup import trigger_instructions
from integration.retailcrm.settings_file import SECRET_FIELDS, SettingsFileError, export_settings, import_settings


@dataclass(frozen=True)
class _PageOfRequest:
    """What the settings page's read-only fields take from the request that renders them."""

    public_url: str = "/"
    show_feed_secret: bool = False  # the safe default: an object no request marked shows no secret


def _page_of(obj) -> _PageOfRequest:
    return getattr(obj, "console_page", None) or _PageOfRequest()


class WriteOnlyField(forms.CharField):
    """A secret typed in, never shown: left empty it keeps the stored value, so it has not changed
    (else the admin's history would say "Changed API key" on every save)."""

    def has_changed(self, initial, data):
        return bool(data)


class CrmSettingsForm(forms.ModelForm):
    """The API key is write-only: the page shows its last characters, never the key."""

    api_key = WriteOnlyField(
        label=_("API key"), required=False, strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_api_key = forms.BooleanField(label=_("Remove the stored API key"), required=False)
    webhook_token = WriteOnlyField(
        label=_("webhook secret"), required=False, strip=True, min_length=16,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 16 characters; it becomes part of the trigger address. Leave empty to keep it."),
    )
    webhook_basic_password = WriteOnlyField(
        label=_("webhook password (HTTP Basic)"), required=False, strip=True, min_length=MIN_WEBHOOK_SECRET_LENGTH,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("At least 16 characters. Leave empty to keep the stored password."),
    )

    class Meta:
        model = CrmSettings
        exclude = ["webhook_token", "webhook_basic_password"]
        widgets = {"crm_url": forms.URLInput(attrs={"size": 60})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "crm_url" not in self.fields:
            return  # a user who may only view the settings gets every field read-only
        self.fields["crm_url"].assume_scheme = "https"
        stored = self.instance.masked_api_key if self.instance.pk else ""
        self.fields["api_key"].help_text = (
            gettext("Stored: %(masked)s. Leave empty to keep it.") % {"masked": stored}
            if stored else gettext("No key stored yet.")
        )

    def clean_crm_url(self):
        return (self.cleaned_data.get("crm_url") or "").rstrip("/")

    def clean(self):
        cleaned = super().clean()
        stored = CrmSettings.objects.filter(pk=self.instance.pk).values("crm_url", "api_key").first()
        address_changed = stored and "crm_url" in cleaned and cleaned["crm_url"] != stored["crm_url"].rstrip("/")
        if address_changed and stored["api_key"] and not cleaned.get("api_key") and not cleaned.get("clear_api_key"):
            # The stored key belongs to the old address: it is not sent to a new one unless typed again.
            self.add_error("api_key", gettext("The RetailCRM address changed: enter the API key again."))
        if cleaned.get("webhook_basic_password"):
            self.instance.webhook_basic_password = cleaned["webhook_basic_password"]  # for the model's clean()
        return cleaned

    def save(self, commit=True):
        instance = super().save(commit=False)
        new_key = self.cleaned_data.get("api_key")
        if self.cleaned_data.get("clear_api_key"):
            instance.api_key = ""
        elif not new_key:
            instance.api_key = CrmSettings.objects.filter(pk=instance.pk).values_list("api_key", flat=True).first() or ""
        stored = CrmSettings.objects.filter(pk=instance.pk).values("webhook_token").first() or {}
        instance.webhook_token = self.cleaned_data.get("webhook_token") or stored.get("webhook_token") or instance.webhook_token
        new_password = self.cleaned_data.get("webhook_basic_password")
        if new_password:
            instance.webhook_basic_password = new_password
        else:
            instance.webhook_basic_password = (
                CrmSettings.objects.filter(pk=instance.pk).values_list("webhook_basic_password", flat=True).first() or ""
            )
        connection_fields_changed = {"crm_url", "site_code"} & set(self.changed_data) or new_key
        if connection_fields_changed:
            instance.connection_ok = False  # a new address or key must be checked again
            instance.connection_warning = False
        if commit:
            instance.save()
            self.save_m2m()
        return instance


class LoadOneOrderForm(forms.Form):
    order_id = forms.IntegerField(label=_("CRM order id"), min_value=1)


class LoadSinceForm(forms.Form):
    since = forms.DateField(label=_("Changed since"), widget=forms.DateInput(attrs={"type": "date"}))


class SettingsFileForm(forms.Form):
    file = forms.FileField(label=_("Settings file (JSON)"))

    def clean_file(self):
        from django.conf import settings
        from django.template.defaultfilters import filesizeformat

        upload = self.cleaned_data["file"]
        limit = getattr(settings, "SETTINGS_FILE_MAX_BYTES", 5 * 1024 * 1024)  # a real one is a few KB
        if upload.size > limit:
            raise forms.ValidationError(gettext("The file is %(size)s; a settings file may be at most %(limit)s.") % {
                "size": filesizeformat(upload.size), "limit": filesizeformat(limit)})
        return upload


@admin.register(CrmSettings)
class CrmSettingsAdmin(PermittedButtons, DjangoObjectActions, SingletonModelAdmin, SimpleHistoryAdmin):
    # Ours: the 1C module's form as tabs (integration/admin/settings_tabs.py), each with its buttons.
    change_form_template = "admin/integration/crmsettings/change_form.html"
    # simple-history's list of versions (django-solo's own template lists only admin log entries).
    object_history_template = "admin/integration/crmsettings/object_history.html"
    form = CrmSettingsForm
    change_actions = ("check_connection", "run_import_orders", "run_sync_references", "register_module",
                      "create_custom_field", "run_generate_catalog", "run_export_stock", "export_all_stock",
                      "run_export_prices", "export_all_prices")
    autocomplete_fields = ("delivery_product",)
    run_sync_references = job_button("sync-references")
    run_generate_catalog = job_button("generate-catalog")
    run_export_stock = job_button("export-stock")
    run_export_prices = job_button("export-prices")
    readonly_fields = ("connection_status", "connection_checked_at", "trigger", "catalog_feed")
    filter_horizontal = ("catalog_groups",)
    fieldsets = (
        (_("Connection"), {"fields": ("crm_url", "api_key", "clear_api_key", "site_code", "connection_status", "connection_checked_at")}),
        (_("Defaults"), {"fields": (
            "default_organization", "default_warehouse", "delivery_product", "purchase_price_type", "sale_price_type",
            "currency", "taxation", "prices_include_vat", "payment_deferral_days", "priority", "order_number_prefix",
            "bank_account", "cash_desk",
        )}),
        # Only switches whose feature exists (integration/retailcrm/features.py keeps the others off every page).
        (_("Exchange modes"), {"fields": visible(CrmSettings, CrmSettings.EXCHANGE_MODES)}),
        (_("Catalog identifiers"), {"fields": (
            "offer_id_field", "product_id_source", "prefix_organization_guid", "catalog_groups", "catalog_path",
            "catalog_feed",
        )}),
        (_("History cursor"), {"fields": ("history_since_id", "history_start_date")}),
        (_("Webhook and trigger"), {"fields": ("trigger", "webhook_token", "webhook_basic_user", "webhook_basic_password")}),
        (_("Housekeeping"), {"fields": ("keep_job_runs_days", "keep_events_days", "keep_webhook_requests_days")}),
    )

    def _run_now(self, request, kind, **options):
        run = run_inline(kind, trigger=JobRun.Trigger.BUTTON, user=request.user, options=options)
        for message in run.messages:
            messages.info(request, render(message))
        if run.status == JobRun.Status.FAILED:
            messages.error(request, render(run.error))
        return HttpResponseRedirect(reverse("admin:integration_crmsettings_change"))

    @action(label=_("Register integration module"), description=_("B9: register this back office in RetailCRM"))
    @requires(WRITE_TO_CRM)
    def register_module(self, request, obj):
        try:
            return self._run_now(request, "register-module", public_url=request.build_absolute_uri("/"))
        except JobRefused as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:integration_crmsettings_change"))

    @action(label=_("Create custom field"), description=_("B10: create the order field that marks our own changes"))
    @requires(WRITE_TO_CRM)
    def create_custom_field(self, request, obj):
        try:
            return self._run_now(request, "create-custom-field")
        except JobRefused as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:integration_crmsettings_change"))

    @action(label=_("Load orders now"), description=_("Load the orders changed in RetailCRM since the history cursor, now"))
    @requires(RUN_IMPORTS)
    def run_import_orders(self, request, obj):
        """The 1C "Загрузить (Заказы)": one import-orders run through the queue, as the schedule starts it."""
        return enqueue_from_admin(request, "import-orders")

    @action(label=_("Export all stock"), description=_("D1: send the stock of every offer, not only the changed ones"))
    @requires(RUN_EXPORTS)
    def export_all_stock(self, request, obj):
        return enqueue_from_admin(request, "export-stock", options={"full": True})

    @action(label=_("Export all prices"), description=_("D2: send the prices of every offer, not only the changed ones"))
    @requires(RUN_EXPORTS)
    def export_all_prices(self, request, obj):
        return enqueue_from_admin(request, "export-prices", options={"full": True})

    def get_urls(self):
        own = [
            path("file/", self.admin_site.admin_view(self.settings_file_view), name="integration_crmsettings_file"),
            path("file/export/", self.admin_site.admin_view(self.export_view), name="integration_crmsettings_export"),
            path("file/import/", self.admin_site.admin_view(self.import_view), name="integration_crmsettings_import"),
            path("load-orders/", self.admin_site.admin_view(self.load_orders_view), name="integration_crmsettings_load_orders"),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page's links, like its buttons, only for those who may use them.
        extra_context = {**(extra_context or {}), "may_load_orders": user_may(request.user, RUN_IMPORTS),
                         "may_use_settings_file": self.has_change_permission(request)}
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None)
        if context and "adminform" in context:
            pk = context["original"].pk
            context["settings_tabs"] = settings_tabs(
                request, context["adminform"], context.get("objectactions", []),
                lambda tool: reverse("admin:integration_crmsettings_actions", kwargs={"pk": pk, "tool": tool}))
        return response

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # The ✎/+/✖ beside a default warehouse or price type would edit or delete that entry itself.
        widget = getattr(formfield, "widget", None)
        if widget is not None and hasattr(widget, "can_delete_related"):
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
        return formfield

    def load_orders_view(self, request):
        """A5/E2/E3: load one order by id, or everything changed since a date, through the queue."""
        if not user_may(request.user, RUN_IMPORTS):
            raise PermissionDenied
        one_form, since_form = LoadOneOrderForm(prefix="one"), LoadSinceForm(prefix="since")
        if request.method == "POST" and "load_one" in request.POST:
            one_form = LoadOneOrderForm(request.POST, prefix="one")
            if one_form.is_valid():
                order_id = one_form.cleaned_data["order_id"]
                return enqueue_from_admin(request, "import-order", scope=str(order_id), options={"id": order_id},
                                          back_url=reverse("admin:integration_jobrun_changelist"))
        elif request.method == "POST" and "load_since" in request.POST:
            since_form = LoadSinceForm(request.POST, prefix="since")
            if since_form.is_valid():
                return enqueue_from_admin(request, "import-orders", options={"since": since_form.cleaned_data["since"].isoformat()},
                                          back_url=reverse("admin:integration_jobrun_changelist"))
        context = {
            **self.admin_site.each_context(request), "title": gettext("Load orders"), "opts": self.model._meta,
            "one_form": one_form, "since_form": since_form, "cursor": CrmSettings.get_solo().history_since_id,
        }
        return TemplateResponse(request, "admin/integration/crmsettings/load_orders.html", context)

    def settings_file_view(self, request, form=None, file_errors=None):
        if not self.has_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request), "title": gettext("Settings file"),
            "form": form or SettingsFileForm(), "file_errors": file_errors or [], "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/integration/crmsettings/settings_file.html", context)

    @method_decorator(require_POST)
    def export_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        data = export_settings(include_secrets=request.POST.get("include_secrets") == "1")
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="retailcrm-settings-{stamp}.json"'
        return response

    @method_decorator(require_POST)
    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = SettingsFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.settings_file_view(request, form=form)
        try:
            data = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            return self.settings_file_view(request, form=form, file_errors=[("$", gettext("not valid JSON: %(error)s") % {"error": exc})])
        had_key = bool(CrmSettings.get_solo().api_key)
        try:
            counts = import_settings(data)
        except SettingsFileError as exc:
            return self.settings_file_view(request, form=form, file_errors=sorted(exc.errors.items()))
        if had_key and not CrmSettings.get_solo().api_key:
            messages.warning(request, gettext("The file names another RetailCRM address: enter the API key again."))
        messages.success(request, gettext("Settings restored: %(n)d mapping rows. Check the connection again before the next exchange.") % {"n": sum(counts.values())})
        return HttpResponseRedirect(reverse("admin:integration_crmsettings_change"))

    @admin.display(description=_("connection"))
    def connection_status(self, obj):
        if obj.connection_warning:
            return gettext("Warning: %(message)s") % {"message": render(obj.connection_message)}
        if obj.connection_ok:
            return gettext("OK: %(message)s") % {"message": render(obj.connection_message)}
        return render(obj.connection_message) or gettext("Not checked yet")

    def get_fieldsets(self, request, obj=None):
        """Read-only viewers would see the stored secrets as plain text: leave those fields out for them."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        hidden = {*SECRET_FIELDS, "clear_api_key"}
        return [(name, {**options, "fields": [f for f in options["fields"] if f not in hidden]})
                for name, options in fieldsets]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            # This admin is one instance shared by every request (and thread): what the read-only
            # fields need from the request travels on this request's object, never on ``self``.
            obj.console_page = _PageOfRequest(
                public_url=request.build_absolute_uri("/"),  # the trigger needs our public address
                # The feed address carries a secret: only those who may change the settings see it whole.
                show_feed_secret=self.has_change_permission(request, obj),
            )
        return super().get_form(request, obj, **kwargs)

    @admin.display(description=_("catalog address for RetailCRM"))
    def catalog_feed(self, obj):
        """C3: the feed address to paste into the shop's catalog settings, and whether the CRM has it."""
        try:
            page = _page_of(obj)
            rows = feed_rows(page.public_url)
        except UnsafeCatalogPath as exc:  # stored without the form (e.g. an old row): say so, serve nothing
            return str(exc)
        if not rows:
            return gettext("No catalog is configured: tick “export catalog” for a shop in “B8 · multiple organizations”.")
        return format_html(
            "<table>{}</table><p>{}</p>",
            format_html_join("", "<tr><th>{}</th><td><code>{}</code><br>{}<br>{}</td></tr>", (
                (row["shop"], row["url"] if page.show_feed_secret else redact(row["url"]),
                 row["crm_state"] if page.show_feed_secret else redact(row["crm_state"]),
                 gettext("Generated %(when)s, %(size)s KB.") % {
                     "when": date_format(localtime(row["generated_at"]), "DATETIME_FORMAT"), "size": round(row["size"] / 1024)}
                 if row["generated_at"] else gettext("Not generated yet: press “Generate catalog”."))
                for row in rows)),
            gettext("RetailCRM downloads the catalog from this address (Settings › Shops › your shop › Catalog). "
                    "The address contains a secret: give it to RetailCRM only."),
        )

    @admin.display(description=_("trigger to create in RetailCRM"))
    def trigger(self, obj):
        """B10: the trigger, field by field; the secret stays a placeholder (secrets never reach HTML)."""
        # Seed 001: the full condition (our own edits skipped) while order changes are exported, the short one else.
        steps = trigger_instructions(_page_of(obj).public_url, export_changes=obj.export_order_changes)
        rows = [
            (gettext("Event"), gettext("Order changed")),
            (gettext("Condition"), steps.condition),
            (gettext("Action"), gettext("Execute HTTP request")),
            (gettext("Address"), steps.url),
            (gettext("HTTP method"), steps.method),
            (gettext("Headers"), "; ".join(f"{k}: {v}" for k, v in steps.headers.items())),
            (gettext("Request body"), steps.body),
        ]
        return format_html(
            "<table>{}</table><p>{}</p>",
            format_html_join("", "<tr><th>{}</th><td><code>{}</code></td></tr>", rows),
            gettext("RetailCRM calls this address whenever a manager changes an order; the back office then "
                    "loads that order. Replace WEBHOOK_SECRET in the address with the webhook secret you entered below; "
                    "the secret itself is never shown."),
        )

    @action(label=_("Check connection"), description=_("Ask RetailCRM for API versions, scopes and shops"))
    @requires(CHANGE_SETTINGS)
    def check_connection(self, request, obj):
        run = run_inline("check-connection", trigger=JobRun.Trigger.BUTTON, user=request.user)
        settings_row = CrmSettings.get_solo()
        if settings_row.connection_warning:
            messages.warning(request, render(settings_row.connection_message))
        elif settings_row.connection_ok:
            messages.success(request, gettext("Connection OK. %(message)s") % {"message": render(settings_row.connection_message)})
        else:
            messages.error(request, render(settings_row.connection_message or run.error))
        return HttpResponseRedirect(request.path.rsplit("actions/", 1)[0])
