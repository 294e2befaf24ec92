"""The shop's own documents: customers, orders and what is made from them."""

from integration.documents.models.customers import Customer
from integration.documents.models.orders import Order, OrderLine, Payment, Return, ReturnLine, Sale, SaleLine, StockMovement
from integration.documents.models.states import DeliveryMethod, OrderState, PaymentDocumentKind

__all__ = [
    "Customer", "DeliveryMethod", "Order", "OrderLine", "OrderState", "Payment", "PaymentDocumentKind",
    "Return", "ReturnLine", "Sale", "SaleLine", "StockMovement",
]
