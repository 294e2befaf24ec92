"""Route tables: API routes are relative to /api/v5/ (or /api/ for the unversioned two)."""

from . import corporate, customers, icml, loyalty, modules, operator, orders, reference, store

API_ROUTES = reference.ROUTES + orders.ROUTES + customers.ROUTES + store.ROUTES + modules.ROUTES + loyalty.ROUTES
OPERATOR_ROUTES = operator.ROUTES + icml.ROUTES + corporate.ROUTES
