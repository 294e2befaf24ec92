"""A4: settings and mappings saved to a JSON file and restored from it.

The file names things by their stable codes (warehouse code, CRM status code, …), never by
database ids, so it moves between installations. Restoring validates the whole file first —
types and shapes, then every row with the model's own validation (``full_clean``: the field
validators, ``clean()`` and uniqueness the admin forms apply too) — and applies it in one
transaction: a file with any error changes nothing, and every error names its place in the file.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from catalog.models import Organization, PriceType, Product, ProductGroup, Warehouse
from integration import models as im
from integration.retailcrm.features import hidden_fields

FORMAT = "retailcrm-backoffice-settings"
VERSION = 1
SECRET_FIELDS = ("api_key", "webhook_token", "webhook_basic_password", "feed_token")
SKIPPED_FIELDS = {"id", "connection_ok", "connection_checked_at", "connection_message", "connection_warning"}

# How a foreign key travels: the model and the field that names a row in the file.
REFERENCES = {
    Organization: "guid", Warehouse: "code", Product: "code", PriceType: "code", ProductGroup: "guid",
    im.CrmStatus: "code", im.CrmStore: "code", im.CrmPriceType: "code", im.CrmPaymentType: "code",
    im.CrmDeliveryType: "code", im.CrmSite: "code", im.CrmUser: "crm_id", im.OrderState: "code",
    get_user_model(): "username",
}
# CRM dictionary rows a mapping needs are recreated on restore (the next sync fills in the rest).
RECREATABLE = {im.CrmStatus, im.CrmStore, im.CrmPriceType, im.CrmPaymentType, im.CrmDeliveryType, im.CrmSite, im.CrmUser}

MAPPINGS = {
    "status_import": (im.StatusImportMapping, "crm_status"),
    "status_export": (im.StatusExportMapping, "local_state"),
    "managers": (im.ManagerMapping, "crm_user"),
    "warehouses": (im.WarehouseMapping, "crm_store"),
    "price_types": (im.PriceTypeMapping, "crm_price_type"),
    "payment_types": (im.PaymentTypeMapping, "crm_payment_type"),
    "delivery_types": (im.DeliveryTypeMapping, "crm_delivery_type"),
    "shop_organizations": (im.ShopOrganization, "crm_site"),
    "schedules": (im.JobSchedule, "kind"),
}


class SettingsFileError(Exception):
    """The file cannot be restored; ``errors`` maps a path in the file to what is wrong there."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))


def _fields(model):
    return [
        f for f in model._meta.get_fields()
        if f.concrete and not f.auto_created and f.name not in SKIPPED_FIELDS
        and not getattr(f, "auto_now", False) and not getattr(f, "auto_now_add", False)
    ]


def _describe(obj) -> dict:
    """What a recreated CRM dictionary row needs until the next sync fills in the rest."""
    if isinstance(obj, im.CrmUser):
        return {"email": obj.email, "first_name": obj.first_name, "last_name": obj.last_name}
    return {"name": obj.name}


def _dump_value(field, obj):
    if isinstance(field, models.ManyToManyField):
        key = REFERENCES[field.related_model]
        return sorted(str(getattr(item, key)) for item in getattr(obj, field.name).all())
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.name)
        if related is None:
            return None
        key = REFERENCES[field.related_model]
        value = getattr(related, key)
        if field.related_model in RECREATABLE:
            return {"key": value, **_describe(related)}
        return str(value) if not isinstance(value, int) else value
    value = getattr(obj, field.attname)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "hex") and not isinstance(value, (bytes, str)):
        return str(value)
    return value


def _dump(obj, *, include_secrets=False) -> dict:
    row = {}
    hidden = hidden_fields(obj)  # switches of features not built yet; a file that has them still restores
    for field in _fields(type(obj)):
        if field.name in SECRET_FIELDS and not include_secrets or field.name in hidden:
            continue
        row[field.name] = _dump_value(field, obj)
    return row


def export_settings(*, include_secrets: bool = False) -> dict:
    data = {
        "format": FORMAT, "version": VERSION, "exported_at": timezone.now().isoformat(),
        "includes_secrets": include_secrets,
        "settings": _dump(im.CrmSettings.get_solo(), include_secrets=include_secrets),
        "order_states": [_dump(state) for state in im.OrderState.objects.order_by("code")],
    }
    for section, (model, key) in MAPPINGS.items():
        data[section] = [_dump(row) for row in model.objects.order_by(key)]
    return data


@dataclass
class _Plan:
    """Validated values, ready to write: (model, lookup, values, m2m) per row."""

    rows: list
    errors: dict


def _parse_value(field, raw, path, errors, plan_refs):
    if isinstance(field, models.ManyToManyField):
        if not isinstance(raw, list):
            errors[path] = _("must be a list")
            return None
        return [_resolve(field.related_model, item, f"{path}[{i}]", errors, plan_refs) for i, item in enumerate(raw)]
    if isinstance(field, models.ForeignKey):
        if raw is None:
            if not field.null:
                errors[path] = _("is required")
            return None
        return _resolve(field.related_model, raw, path, errors, plan_refs)
    if raw is None:
        if not field.null:
            errors[path] = _("is required")
        return None
    try:
        if isinstance(field, models.BooleanField):
            if not isinstance(raw, bool):
                raise ValueError(_("must be true or false"))
            return raw
        if isinstance(field, (models.IntegerField,)):
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValueError(_("must be a whole number"))
        elif isinstance(field, models.DateTimeField):
            if not isinstance(raw, str) or parse_datetime(raw) is None:
                raise ValueError(_("must be a date and time like 2024-01-31T12:00:00+03:00"))
            return parse_datetime(raw)
        elif isinstance(field, (models.CharField, models.TextField)):
            if not isinstance(raw, str):
                raise ValueError(_("must be text"))
            ProhibitNullCharactersValidator()(raw)
        value = field.to_python(raw)
        field.run_validators(value)
        if field.choices and value not in dict(field.flatchoices) and not (field.blank and value == ""):
            raise ValueError(_("must be one of: %(choices)s") % {"choices": ", ".join(str(c) for c in dict(field.flatchoices))})
        if isinstance(field, models.CharField) and field.max_length and len(value) > field.max_length:
            raise ValueError(_("is longer than %(n)d characters") % {"n": field.max_length})
        return value
    except Exception as exc:  # ValidationError and ValueError carry the operator's message
        errors[path] = "; ".join(getattr(exc, "messages", [str(exc)]))
        return None


def _clean_value(model, field_name, raw, path, errors):
    """``raw`` as ``model.field_name`` holds it, or None with the field's own message in ``errors``."""
    field = model._meta.get_field(field_name)
    if isinstance(raw, (dict, list, bool)) or raw is None:
        errors[path] = _("must be a code (text or a number)")
        return None
    try:
        value = field.to_python(raw)
        field.run_validators(value)
        ProhibitNullCharactersValidator()(str(value))
    except ValidationError as exc:
        errors[path] = "; ".join(exc.messages)
        return None
    return value


def _resolve(model, raw, path, errors, plan_refs):
    key = REFERENCES[model]
    name = {}
    if model in RECREATABLE:
        if not isinstance(raw, dict) or "key" not in raw:
            errors[path] = _("must be an object with key and name")
            return None
        allowed = {"email", "first_name", "last_name"} if model is im.CrmUser else {"name"}
        name = {k: _clean_value(model, k, str(v), f"{path}.{k}", errors)
                for k, v in raw.items() if k in allowed and v is not None}
        raw = raw["key"]
    raw = _clean_value(model, key, raw, path, errors)
    if raw is None:
        return None
    if model is im.OrderState and raw in plan_refs.get(im.OrderState, set()):
        return ("state", raw)
    obj = model._default_manager.filter(**{key: raw}).first()
    if obj is None and model in RECREATABLE:
        return ("recreate", model, key, raw, name)
    if obj is None:
        errors[path] = _("%(model)s “%(value)s” does not exist here") % {"model": model._meta.verbose_name, "value": raw}
    return obj


def _plan_row(model, raw, path, errors, plan_refs, *, skip=()):
    if not isinstance(raw, dict):
        errors[path] = _("must be an object")
        return None
    fields = {f.name: f for f in _fields(model) if f.name not in skip}
    for name in raw:
        if name not in fields and name not in SECRET_FIELDS:
            errors[f"{path}.{name}"] = _("unknown field")
    values, m2m = {}, {}
    for name, raw_value in raw.items():
        if name not in fields:
            continue
        value = _parse_value(fields[name], raw_value, f"{path}.{name}", errors, plan_refs)
        (m2m if isinstance(fields[name], models.ManyToManyField) else values)[name] = value
    return values, m2m


def _valid(obj, path: str, problems: dict) -> bool:
    """The model's own validation, as the admin form runs it; messages go to ``problems`` under ``path``."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems[path if field == NON_FIELD_ERRORS else f"{path}.{field}"] = "; ".join(messages)
        return False
    return True


def _materialize(value, states):
    if isinstance(value, tuple) and value[0] == "state":
        return states[value[1]]
    if isinstance(value, tuple) and value[0] == "recreate":
        _, model, key, raw, described = value
        return model.objects.get_or_create(**{key: raw}, defaults=described)[0]
    return value


def _hidden_values(model, key) -> dict:
    """Key → the values of fields the file does not carry (features not built yet), to survive a restore."""
    hidden = hidden_fields(model)
    if not hidden:
        return {}
    attname = model._meta.get_field(key).attname
    return {getattr(row, attname): {name: getattr(row, name) for name in hidden} for row in model.objects.all()}


def _carry_hidden(obj, key, values, kept) -> None:
    """Give a restored row the stored values of the fields the file does not carry."""
    for name, value in kept.get(getattr(obj, obj._meta.get_field(key).attname), {}).items():
        if name not in values:
            setattr(obj, name, value)


def import_settings(data) -> dict[str, int]:
    """Validate the whole file, then replace settings and mappings in one transaction."""
    errors: dict[str, str] = {}
    if not isinstance(data, dict):
        raise SettingsFileError({"$": _("the file must contain a JSON object")})
    if data.get("format") != FORMAT:
        errors["format"] = _("not a settings file of this application")
    if data.get("version") != VERSION:
        errors["version"] = _("unsupported version %(v)s (expected %(e)s)") % {"v": data.get("version"), "e": VERSION}
    known = {"format", "version", "exported_at", "includes_secrets", "settings", "order_states", *MAPPINGS}
    for name in data:
        if name not in known:
            errors[name] = _("unknown section")
    if not isinstance(data.get("order_states", []), list):
        errors["order_states"] = _("must be a list")
    if not isinstance(data.get("settings", {}), dict):
        errors["settings"] = _("must be an object")
    if not isinstance(data.get("exported_at", ""), str):
        errors["exported_at"] = _("must be text")
    if not isinstance(data.get("includes_secrets", False), bool):
        errors["includes_secrets"] = _("must be true or false")
    if errors:
        raise SettingsFileError(errors)

    plan_refs = {im.OrderState: {row.get("code") for row in data.get("order_states", [])
                                 if isinstance(row, dict) and isinstance(row.get("code"), str)}}
    states_plan = [_plan_row(im.OrderState, row, f"order_states[{i}]", errors, plan_refs) for i, row in enumerate(data.get("order_states", []))]
    settings_plan = _plan_row(im.CrmSettings, data.get("settings", {}), "settings", errors, plan_refs)
    secrets = {name: data["settings"][name] for name in SECRET_FIELDS if isinstance(data.get("settings"), dict) and name in data["settings"]}
    for name, value in secrets.items():
        if not isinstance(value, str):
            errors[f"settings.{name}"] = _("must be text")
    mapping_plans = {}
    for section, (model, key) in MAPPINGS.items():
        rows = data.get(section, [])
        if not isinstance(rows, list):
            errors[section] = _("must be a list")
            continue
        mapping_plans[section] = [_plan_row(model, row, f"{section}[{i}]", errors, plan_refs) for i, row in enumerate(rows)]
    if errors:
        raise SettingsFileError(errors)

    with transaction.atomic():  # any error below raises, and the whole file is rolled back
        problems: dict[str, str] = {}
        states = {}
        for i, (values, _m2m) in enumerate(states_plan):
            state = im.OrderState.objects.filter(code=values.get("code", "")).first() or im.OrderState()
            for name, value in values.items():
                setattr(state, name, value)
            if _valid(state, f"order_states[{i}]", problems):
                state.save()
                states[state.code] = state
        if problems:
            raise SettingsFileError(problems)
        kept = {section: _hidden_values(model, key) for section, (model, key) in MAPPINGS.items()}
        for section, (model, key) in MAPPINGS.items():
            model.objects.all().delete()
        row = im.CrmSettings.get_solo()
        values, m2m = settings_plan
        if "crm_url" in values and "api_key" not in secrets and values["crm_url"].rstrip("/") != row.crm_url.rstrip("/"):
            row.api_key = ""  # the stored key belongs to the old address: never sent to a new one unasked
        for name, value in {**values, **secrets}.items():
            setattr(row, name, _materialize(value, states))
        row.connection_ok = False  # restored settings must pass "Check connection" again
        row.connection_warning = False
        if not _valid(row, "settings", problems):
            raise SettingsFileError(problems)
        row.save()
        for name, items in m2m.items():
            getattr(row, name).set([_materialize(item, states) for item in items])
        counts = {}
        for section, (model, key) in MAPPINGS.items():
            for i, (values, m2m) in enumerate(mapping_plans[section]):
                obj = model(**{name: _materialize(value, states) for name, value in values.items()})
                _carry_hidden(obj, key, values, kept[section])
                if not _valid(obj, f"{section}[{i}]", problems):
                    continue  # the other rows are still checked, so one upload lists every problem
                obj.save()
                for name, items in m2m.items():
                    getattr(obj, name).set([_materialize(item, states) for item in items])
            counts[section] = len(mapping_plans[section])
        if problems:
            raise SettingsFileError(problems)
    return counts
