"""Every job kind of the product. Each is a thin wrapper: options in, service call, counts out."""

from django.utils.translation import gettext as __, gettext_lazy as _

from integration.jobs.registry import Argument, job_kind


@job_kind("check-connection", label=_("Check connection"), requires_connection=False, timeout=120)
def check_connection_job(ctx):
    from integration.services.connection import check_and_store

    ok, message, report = check_and_store()
    ctx.message(message, warning=not ok)
    if report is not None:
        ctx.set_count("missing_scopes", len(report.missing_scopes or []))
        ctx.set_count("shops", len(report.sites or []))
    if not ok:
        raise RuntimeError(message)


@job_kind("sync-references", label=_("Load references from RetailCRM"), timeout=600)
def sync_references_job(ctx):
    from integration.crm.factory import client_from_settings
    from integration.services.references import sync_references

    with client_from_settings() as client:
        report = sync_references(client)
    for name, total in report.counts.items():
        ctx.set_count(name, total)
    for book, codes in report.removed.items():
        ctx.message(__("Removed in RetailCRM (%(book)s): %(codes)s") % {"book": book, "codes": ", ".join(codes)}, warning=True)
    for book, codes in report.unmapped.items():
        ctx.message(__("Not mapped yet (%(book)s): %(codes)s") % {"book": book, "codes": ", ".join(codes)})


@job_kind("register-module", label=_("Register integration module"), timeout=120,
          arguments=[Argument("public_url", help="Address RetailCRM uses to reach this back office")])
def register_module_job(ctx, public_url=""):
    from integration.crm.factory import client_from_settings
    from integration.models import CrmSettings
    from integration.services.crm_setup import register_module

    if not public_url:
        raise ValueError(__("Give the public address of this back office (public_url)."))
    with client_from_settings() as client:
        result = register_module(client, CrmSettings.get_solo(), public_url)
    ctx.message(__("Integration module “%(code)s” is registered in RetailCRM.") % {"code": result["code"]})


@job_kind("create-custom-field", label=_("Create custom field"), timeout=120)
def create_custom_field_job(ctx):
    from integration.crm.factory import client_from_settings
    from integration.services.crm_setup import create_echo_field

    with client_from_settings() as client:
        created, code = create_echo_field(client)
    if created:
        ctx.message(__("The order custom field “%(code)s” has been created in RetailCRM.") % {"code": code})
    else:
        ctx.message(__("The order custom field “%(code)s” already exists in RetailCRM.") % {"code": code})
