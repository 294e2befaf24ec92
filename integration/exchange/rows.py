"""Row writes by the thousand, without the queryset machinery.

An export writes back one row per order or payment it sent (what the CRM now has, the pending
mark cleared) and a log row for each — thousands per run. ``filter(pk=…).update(…)`` and
``bulk_create`` build and compile a query each time, which cost several times the statements
themselves; here the SQL is made once per model and set of columns and only the values are
adapted (by each field, as the ORM would). Like ``QuerySet.update`` and ``bulk_create`` they
send no signals; ``update_row`` leaves ``auto_now`` fields alone, ``insert_rows`` fills every
field not given from its default.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import connections, router

__all__ = ["insert_objects", "insert_rows", "update_row"]


def update_row(model, pk, values: dict, *, where: dict | None = None) -> int:
    """``UPDATE`` the row ``pk`` of ``model`` with ``values`` (field names → plain values) when every
    ``where`` field (names → values) still equals the given value; the number of rows changed."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    where = where or {}
    sql, set_fields, where_fields = _statement(model, alias, tuple(values), tuple(where))
    params = [field.get_db_prep_save(_plain(values[field.name]), connection) for field in set_fields]
    params += [field.get_db_prep_value(_plain(where[field.name]), connection, prepared=False) for field in where_fields]
    params.append(model._meta.pk.get_db_prep_value(pk, connection, prepared=False))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _plain(value):
    if hasattr(value, "resolve_expression"):
        raise TypeError("update_row takes plain values; use QuerySet.update for expressions")
    return value


@lru_cache(maxsize=256)
def _statement(model, alias: str, set_names: tuple, where_names: tuple):
    quote = connections[alias].ops.quote_name
    meta = model._meta
    set_fields = [meta.get_field(name) for name in set_names]
    where_fields = [meta.get_field(name) for name in where_names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in set_fields)
    conditions = [f"{quote(field.column)} = %s" for field in where_fields] + [f"{quote(meta.pk.column)} = %s"]
    return (f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {' AND '.join(conditions)}",
            set_fields, where_fields)


def insert_rows(model, rows: list[dict]) -> None:
    """``INSERT`` one row per dict (field or attribute names → plain values; the rest take their
    defaults) in one statement executed for all of them. The rows' primary keys are not returned."""
    if not rows:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    head, row_marks, fields = _insert_statement(model, alias)
    sql = head + row_marks
    defaults = {field.attname: field.get_default() for field in fields if not callable(field.default)}
    params = []
    for row in rows:
        values = []
        for field in fields:
            if field.attname in row:
                value = row[field.attname]
            elif field.name in row:
                value = row[field.name]
            elif field.attname in defaults:
                value = defaults[field.attname]
            else:
                value = field.get_default()  # a callable default (timezone.now): one call per row
            values.append(field.get_db_prep_save(_plain(value), connection))
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@lru_cache(maxsize=64)
def _insert_statement(model, alias: str):
    """``INSERT INTO table (columns) VALUES ``, one row's placeholders, and the fields in column order."""
    quote = connections[alias].ops.quote_name
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    columns = ", ".join(quote(field.column) for field in fields)
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ", f"({', '.join(['%s'] * len(fields))})", fields


def insert_objects(model, objects: list) -> None:
    """``bulk_create`` for plain rows: the model instances are inserted (their values read as
    ``save`` reads them, ``auto_now``/``auto_now_add`` included) and get their primary keys."""
    if not objects:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    head, row, fields = _insert_statement(model, alias)
    returning = f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}"
    size = max(1, connection.ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), size):
        chunk = objects[start:start + size]
        params = []
        for obj in chunk:
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
            params.extend(field.get_db_prep_save(_plain(field.pre_save(obj, True)), connection) for field in fields)
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([row] * len(chunk)) + returning, params)
            keys = cursor.fetchall()
        # rows come back in the order they were given (what bulk_create relies on too)
        for obj, (key,) in zip(chunk, keys, strict=True):
            obj.pk = key
            obj._state.adding, obj._state.db = False, alias
