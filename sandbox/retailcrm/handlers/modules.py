"""Integration-module registration and custom fields."""

import re

from ..web import ApiError, clone, entity_error, input_error, known, not_found, page_args, paginate

FIELD_ENTITIES = ("order", "customer", "customer_corporate", "company", "loyalty_account")
FIELD_TYPES = (
    "string", "text", "integer", "numeric", "boolean", "date", "email", "dictionary", "multiselect_dictionary",
)
_CODE = re.compile(r"^[a-zA-Z0-9_]+$")


def get_module(app, req, code):
    module = app.state.modules.get(code)
    if module is None:
        raise not_found()
    return {"success": True, "integrationModule": clone(module)}


def edit_module(app, req, code):
    data = req.json_field("integrationModule")
    created = code not in app.state.modules
    errors = {}
    if data.get("code") not in (None, code):
        errors["code"] = "The code must match the code in the URL."
    if created:
        for name in ("name", "baseUrl", "clientId"):
            if data.get(name) in (None, ""):
                errors[name] = "This value should not be blank."
    if errors:
        raise entity_error(errors)
    module = app.state.modules.setdefault(code, {"code": code, "active": True, "freeze": False, "native": False})
    module.update({k: v for k, v in data.items() if k != "code"})
    return (201 if created else 200), {"success": True, "info": {}}


def render_field(field):
    """A boolean field always has a default in the CRM ("false" unless set), as text and typed."""
    out = clone(field)
    if out.get("type") == "boolean":
        out.setdefault("default", "false")
    if "default" in out and "defaultTyped" not in out:
        out["defaultTyped"] = (str(out["default"]).lower() in ("1", "true")) if out.get("type") == "boolean" \
            else out["default"]
    return out


def list_fields(app, req):
    page, limit = page_args(req)
    fields = list(app.state.custom_fields.values())
    if req.filter("entity"):
        fields = [f for f in fields if f["entity"] == req.filter("entity")]
    if req.filter("code"):
        fields = [f for f in fields if f["code"] == req.filter("code")]
    if req.filter("name"):
        fields = [f for f in fields if req.filter("name").lower() in f["name"].lower()]
    if req.filter_list("type"):
        fields = [f for f in fields if f["type"] in req.filter_list("type")]
    fields.sort(key=lambda f: (f["entity"], f.get("ordering", 50), f["code"]))
    chunk, pagination = paginate(fields, page, limit)
    return {"success": True, "pagination": pagination, "customFields": [render_field(f) for f in chunk]}


def _entity(entity):
    if entity not in FIELD_ENTITIES:
        raise input_error({"entity": f'"{entity}" is not a valid entity.'})
    return entity


def get_field(app, req, entity, code):
    field = app.state.custom_fields.get((_entity(entity), code))
    if field is None:
        raise not_found()
    return {"success": True, "customField": render_field(field)}


def create_field(app, req, entity):
    data = req.json_field("customField")
    _entity(entity)
    errors = {}
    for name in ("name", "code", "type"):
        if data.get(name) in (None, ""):
            errors[name] = "This value should not be blank."
    if data.get("code") and not (isinstance(data["code"], str) and _CODE.match(data["code"])):
        errors["code"] = "Only latin letters, digits and underscores are allowed."
    if data.get("type") and not known(FIELD_TYPES, data["type"]):
        errors["type"] = "The value you selected is not a valid choice."
    if isinstance(data.get("code"), str) and (entity, data["code"]) in app.state.custom_fields:
        errors["code"] = f'Custom field with code "{data["code"]}" already exists.'
    if errors:
        raise entity_error(errors)
    field = {"inFilter": True, "inList": True, "inGroupActions": False, "required": False, "ordering": 50,
             "displayArea": "customer" if entity == "customer" else "main_data", "viewMode": "editable"}
    field.update(data)
    field["entity"] = entity
    app.state.custom_fields[(entity, field["code"])] = field
    return 201, {"success": True, "code": field["code"]}


def edit_field(app, req, entity, code):
    data = req.json_field("customField")
    field = app.state.custom_fields.get((_entity(entity), code))
    if field is None:
        raise not_found()
    if data.get("type") not in (None, field["type"]):
        raise ApiError(400, "Errors in the entity format", {"type": "The type of a custom field cannot be changed."})
    field.update({k: v for k, v in data.items() if k not in ("code", "entity")})
    return {"success": True, "code": code}


ROUTES = [
    ("integration-modules/{code}", {"GET": ("integration_read", get_module)}),
    ("integration-modules/{code}/edit", {"POST": ("integration_write", edit_module)}),
    ("custom-fields", {"GET": ("custom_fields_read", list_fields)}),
    ("custom-fields/{entity}/create", {"POST": ("custom_fields_write", create_field)}),
    ("custom-fields/{entity}/{code}", {"GET": ("custom_fields_read", get_field)}),
    ("custom-fields/{entity}/{code}/edit", {"POST": ("custom_fields_write", edit_field)}),
]
