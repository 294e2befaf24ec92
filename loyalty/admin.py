"""Loyalty admin (G1–G5): program settings, mass registration, participations, customer buttons.

The customer page's buttons and bonus panel are added here by re-registering integration's
Customer admin with a subclass, so integration never imports loyalty.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _
from django_object_actions import DjangoObjectActions, action
from solo.admin import SingletonModelAdmin

from integration.admin.base import ReadOnlyAdmin
from integration.admin.buttons import PermittedActions, PermittedButtons, enqueue_from_admin, requires
from integration.admin.documents import CustomerAdmin
from integration.exchange.jobs import JobNotPermitted, JobRefused, enqueue, run_inline
from integration.exchange.messages import render
from integration.models import CrmSettings, Customer, JobRun
from integration.exchange.permissions import RUN_IMPORTS, WRITE_TO_CRM
from loyalty.models import STALE_AFTER, LoyaltyProgram, LoyaltySettings, Participation, RegistrationCandidate
from loyalty.panels import amount, bonus_account_panel, order_bonuses_panel, program_rules
from loyalty.retailcrm.registration import RegistrationRefused, chosen_program


def _yes_no(value) -> str:
    return gettext("Yes") if value else gettext("No")


def refresh_if_stale(request) -> None:
    """The manual: opening the loyalty tab refreshes the programs; here, when the copy is over an hour old."""
    if not CrmSettings.get_solo().loyalty_program:
        messages.warning(request, gettext("The loyalty program is switched off: turn on “loyalty program” in RetailCRM settings."))
        return
    if not LoyaltySettings.get_solo().is_stale:
        return
    # Still stale after a failed refresh (the CRM is down): one attempt per period, not one per page view.
    if JobRun.objects.filter(kind="refresh-loyalty", status=JobRun.Status.FAILED,
                             created_at__gte=timezone.now() - STALE_AFTER).exists():
        return
    try:
        result = enqueue("refresh-loyalty", trigger=JobRun.Trigger.BUTTON, user=request.user)
    except JobNotPermitted:
        return  # a viewer reads the copy as it is; refreshing is for those who may run imports
    except JobRefused as exc:
        messages.warning(request, str(exc))
    else:
        if result.created:
            messages.info(request, gettext("Loyalty programs are being refreshed from RetailCRM; reload the page in a moment."))


@admin.register(LoyaltySettings)
class LoyaltySettingsAdmin(PermittedButtons, DjangoObjectActions, SingletonModelAdmin):
    change_form_template = "admin/loyalty/loyaltysettings/change_form.html"
    change_actions = ("refresh_programs",)
    fields = ("program", "program_active", "program_blocked", "program_sms", "program_levels", "programs_refreshed_at")
    readonly_fields = ("program_active", "program_blocked", "program_sms", "program_levels", "programs_refreshed_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "program":
            kwargs["queryset"] = LoyaltyProgram.objects.filter(in_crm=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            refresh_if_stale(request)
        return super().change_view(request, object_id, form_url, extra_context)

    @action(label=_("Refresh loyalty programs"), description=_("Load the shop's programs and participants from RetailCRM"))
    @requires(RUN_IMPORTS)
    def refresh_programs(self, request, obj):
        return enqueue_from_admin(request, "refresh-loyalty", back_url=reverse("admin:loyalty_loyaltysettings_change"))

    @admin.display(description=_("program is active"))
    def program_active(self, obj):
        return _yes_no(obj.program.active) if obj.program else "—"

    @admin.display(description=_("program is blocked"))
    def program_blocked(self, obj):
        return _yes_no(obj.program.blocked) if obj.program else "—"

    @admin.display(description=_("confirm participation by SMS"))
    def program_sms(self, obj):
        return _yes_no(obj.program.confirm_sms_registration) if obj.program else "—"

    @admin.display(description=_("levels"))
    def program_levels(self, obj):
        if not obj.program or not obj.program.levels:
            return "—"
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            gettext("Level"), gettext("Purchases sum"), gettext("Regular goods"), gettext("Promo goods"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
                (level.get("name"), amount(level.get("sum")), *program_rules(level)) for level in obj.program.levels
            )),
        )


@admin.register(LoyaltyProgram)
class LoyaltyProgramAdmin(ReadOnlyAdmin):
    list_display = ("name", "crm_id", "active", "blocked", "confirm_sms_registration", "confirm_sms_charge",
                    "in_crm", "refreshed_at")
    readonly_fields = [f.name for f in LoyaltyProgram._meta.fields]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("customer", "program", "crm_account_id", "status", "active", "balance", "level_name", "fetched_at")
    list_filter = ("program", "status", "active")
    list_select_related = ("customer", "program")
    search_fields = ("=crm_account_id", "customer__last_name", "customer__phone", "phone", "card_number")
    readonly_fields = [f.name for f in Participation._meta.fields]
    show_full_result_count = False

    @admin.display(description=_("level"))
    def level_name(self, obj):
        return obj.level_name


@admin.register(RegistrationCandidate)
class RegistrationCandidateAdmin(PermittedActions, admin.ModelAdmin):
    """G2: customers with a phone who are not yet in the chosen program; select, then "Register"."""

    change_list_template = "admin/loyalty/registrationcandidate/change_list.html"
    list_display = ("customer_link", "phone", "email", "crm_id_or_zero", "participation_id", "gender", "birth_date",
                    "created_at", "address")
    list_display_links = None
    search_fields = ("last_name", "first_name", "phone", "email", "=crm_id")
    list_per_page = 100
    actions = ("register_in_program",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(kind=Customer.Kind.PERSON).exclude(phone="")
        program = LoyaltySettings.get_solo().program
        if program is not None:
            queryset = queryset.exclude(loyalty_participations__program=program)
        return queryset

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("integration.view_customer") or super().has_view_permission(request, obj)

    def get_actions(self, request):
        # the action registers customers (a change), which plain viewers of customers may not do
        actions = super().get_actions(request)
        if not request.user.has_perm("integration.change_customer"):
            actions.pop("register_in_program", None)
        return actions

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            refresh_if_stale(request)
        program = LoyaltySettings.get_solo().program
        extra_context = {**(extra_context or {}), "program": program,
                         "loyalty_on": CrmSettings.get_solo().loyalty_program}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Register in the loyalty program"))
    @requires(WRITE_TO_CRM)
    def register_in_program(self, request, queryset):
        try:
            chosen_program()
        except RegistrationRefused as exc:
            messages.error(request, str(exc))
            return None
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        return enqueue_from_admin(request, "register-loyalty", options={"customer_ids": ids},
                                  back_url=reverse("admin:integration_jobrun_changelist"))

    @admin.display(description=_("customer"), ordering="last_name")
    def customer_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:integration_customer_change", args=[obj.pk]), obj)

    @admin.display(description=_("CRM id"), ordering="crm_id")
    def crm_id_or_zero(self, obj):
        return obj.crm_id or 0  # the manual's convention: 0 = not in RetailCRM yet

    @admin.display(description=_("participation id"))
    def participation_id(self, obj):
        return 0


admin.site.unregister(Customer)


@admin.register(Customer)
class LoyaltyCustomerAdmin(PermittedButtons, DjangoObjectActions, CustomerAdmin):
    """integration's customer admin plus G3 buttons, the G4 bonus account and G5 order bonuses."""

    change_actions = ("create_in_crm", "update_in_crm", "register_in_program", "refresh_bonus_account")
    readonly_fields = (*CustomerAdmin.readonly_fields, "bonus_account", "order_bonuses")

    def get_change_actions(self, request, object_id, form_url):
        actions = set(super().get_change_actions(request, object_id, form_url))
        customer = self.get_object(request, object_id)
        if customer is None or not self.has_change_permission(request, customer):
            return ()
        settings_row = CrmSettings.get_solo()
        person = customer.kind == Customer.Kind.PERSON
        participation = self._participation(customer)
        available = {
            "create_in_crm": person and not customer.crm_id,
            "update_in_crm": person and bool(customer.crm_id),
            "register_in_program": (settings_row.loyalty_program and person and bool(customer.phone)
                                    and LoyaltySettings.get_solo().program is not None and participation is None),
            "refresh_bonus_account": settings_row.loyalty_program and participation is not None,
        }
        return [name for name in self.change_actions if name in actions and available[name]]

    def get_fieldsets(self, request, obj=None):
        panels = ("bonus_account", "order_bonuses")
        fieldsets = [
            (name, {**options, "fields": [f for f in options["fields"] if f not in panels]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Loyalty program"), {"fields": panels})]

    @staticmethod
    def _participation(customer):
        program = LoyaltySettings.get_solo().program
        if program is None:
            return None
        return Participation.objects.filter(customer=customer, program=program).select_related("program").first()

    def _back(self, obj):
        return HttpResponseRedirect(reverse("admin:integration_customer_change", args=[obj.pk]))

    def _with_client(self, request, obj, work):
        """Run ``work(client, site)`` (the customer's shop) and turn its outcome (or refusal) into a message on the page."""
        from integration.retailcrm.client.errors import CrmError
        from integration.retailcrm.client.factory import client_from_settings
        from loyalty.retailcrm.customers import CustomerExportError

        settings_row = CrmSettings.get_solo()
        if not settings_row.connection_ok:
            messages.error(request, gettext("Check the connection to RetailCRM first (RetailCRM settings → Check connection)."))
            return self._back(obj)
        from integration.retailcrm.shops import ShopResolver

        site = ShopResolver(settings_row).customer_sites([obj.pk])[obj.pk]  # the CRM keeps the customer in that shop
        try:
            with client_from_settings() as client:
                messages.success(request, work(client, site or None))
        except (CrmError, CustomerExportError) as exc:
            messages.error(request, str(exc))
        return self._back(obj)

    @action(label=_("Create in CRM"), description=_("Create this customer in RetailCRM"))
    @requires(WRITE_TO_CRM)
    def create_in_crm(self, request, obj):
        from loyalty.retailcrm.customers import create_in_crm

        return self._with_client(request, obj, lambda client, site: create_in_crm(client, obj, site))

    @action(label=_("Update in CRM"), description=_("Send this customer's name, phone, e-mail and address to RetailCRM"))
    @requires(WRITE_TO_CRM)
    def update_in_crm(self, request, obj):
        from loyalty.retailcrm.customers import update_in_crm

        return self._with_client(request, obj, lambda client, site: update_in_crm(client, obj, site))

    @action(label=_("Register in loyalty program"), description=_("Create the customer's loyalty account in RetailCRM"))
    @requires(WRITE_TO_CRM)
    def register_in_program(self, request, obj):
        if not obj.phone:
            messages.error(request, gettext("Fill in the customer's phone first: a loyalty program account needs one."))
            return self._back(obj)
        try:
            run = run_inline("register-loyalty", trigger=JobRun.Trigger.BUTTON, user=request.user,
                             options={"customer_ids": [obj.pk]})
        except JobRefused as exc:
            messages.error(request, str(exc))
            return self._back(obj)
        events = list(run.events.order_by("id"))
        for event in events:
            level = messages.ERROR if event.result == "failed" else messages.SUCCESS
            messages.add_message(request, level, render(event.message))
        if run.status == JobRun.Status.FAILED:
            messages.error(request, render(run.error))
        elif run.status == JobRun.Status.SKIPPED:
            messages.warning(request, " ".join(run.messages))
        return self._back(obj)

    @action(label=_("Refresh bonus account"), description=_("Read the bonus account from RetailCRM"))
    @requires(RUN_IMPORTS)
    def refresh_bonus_account(self, request, obj):
        from loyalty.retailcrm.accounts import refresh_account

        participation = self._participation(obj)
        if participation is None:
            messages.error(request, gettext("The customer is not registered in the loyalty program."))
            return self._back(obj)

        def work(client, site):
            refresh_account(client, participation)
            return gettext("The bonus account has been read from RetailCRM.")

        return self._with_client(request, obj, work)

    @admin.display(description=_("bonus account"))
    def bonus_account(self, obj):
        if obj.pk is None:
            return "—"
        return bonus_account_panel(obj, self._participation(obj), CrmSettings.get_solo().loyalty_program)

    @admin.display(description=_("bonuses in orders"))
    def order_bonuses(self, obj):
        return order_bonuses_panel(obj) if obj.pk else "—"

from loyalty import bonusplus_admin  # noqa: E402,F401  (BonusPlus pages and buttons: the console, outside the adapter)
