from integration.models.customers import Customer
from integration.models.dictionaries import (
    CrmDeliveryType,
    CrmOrderMethod,
    CrmOrderType,
    CrmPaymentStatus,
    CrmPaymentType,
    CrmPriceType,
    CrmSite,
    CrmStatus,
    CrmStatusGroup,
    CrmStore,
    CrmUser,
)
from integration.models.documents import Order, OrderLine, Payment, Return, ReturnLine, Sale
from integration.models.exports import ExportChannel, ExportCheckpoint, OfferExportState
from integration.models.jobs import ExchangeEvent, JobRun, JobSchedule
from integration.models.mappings import (
    DeliveryMethod,
    DeliveryTypeMapping,
    ManagerMapping,
    OrderState,
    PaymentDocumentKind,
    PaymentTypeMapping,
    PriceTypeMapping,
    ShopOrganization,
    StatusExportMapping,
    StatusImportMapping,
    WarehouseMapping,
)
from integration.models.settings import CrmSettings
from integration.models.webhooks import RejectedWebhookWindow, WebhookRequest

__all__ = [
    "CrmDeliveryType", "CrmOrderMethod", "CrmOrderType", "CrmPaymentStatus", "CrmPaymentType", "CrmPriceType", "CrmSettings",
    "CrmSite", "CrmStatus", "CrmStatusGroup", "CrmStore", "CrmUser", "Customer", "DeliveryMethod",
    "DeliveryTypeMapping", "ExchangeEvent", "ExportChannel", "ExportCheckpoint", "JobRun", "JobSchedule",
    "ManagerMapping", "OfferExportState", "Order", "OrderLine", "OrderState", "Payment", "PaymentDocumentKind",
    "PaymentTypeMapping", "PriceTypeMapping", "Return",
    "ReturnLine", "Sale", "ShopOrganization", "StatusExportMapping", "StatusImportMapping", "WarehouseMapping",
    "RejectedWebhookWindow", "WebhookRequest",
]
