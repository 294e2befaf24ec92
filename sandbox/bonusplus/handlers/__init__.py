"""Route tables: API paths are relative to ``/api/``, operator paths to ``/sandbox/``."""

from ...http import control
from . import catalog, customers, operator, retail

API_ROUTES = customers.ROUTES + retail.ROUTES + catalog.ROUTES
OPERATOR_ROUTES = operator.ROUTES + control.ROUTES
