"""The permissions that name what an operator may start (issue 13, finding 2).

Model permissions say who may read or edit rows; these say who may start work that reads from
or writes to RetailCRM. Every job kind declares one of them (``job_kind(permission=...)``) and
``enqueue``/``run_inline`` refuse a user without it, so a button, a run-now link or an admin
action cannot start more than its user may, whichever URL is posted. Schedules, commands and
the webhook run as the system (no user) and are allowed.
"""

RUN_IMPORTS = "integration.run_imports"  # load data from RetailCRM: references, orders, loyalty programs
RUN_EXPORTS = "integration.run_exports"  # routine uploads: stock, prices, the ICML catalog
WRITE_TO_CRM = "integration.write_to_crm"  # change records in RetailCRM: module, custom field, customers, loyalty
CHANGE_SETTINGS = "integration.change_crmsettings"  # the connection check stores its outcome in the settings
MANAGE_QUEUES = "integration.manage_queues"  # the django-rq dashboard: jobs, empty, delete, requeue, stop
USE_BONUSPLUS = "loyalty.use_bonusplus"  # BonusPlus in orders: find or bind a card, calculate, apply, reserve
EXPORT_BONUSPLUS_CATALOG = "loyalty.export_bonusplus_catalog"  # upload groups and products to BonusPlus

JOB_PERMISSIONS = (RUN_IMPORTS, RUN_EXPORTS, WRITE_TO_CRM, CHANGE_SETTINGS, USE_BONUSPLUS, EXPORT_BONUSPLUS_CATALOG)


def user_may(user, permission: str) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(permission))
