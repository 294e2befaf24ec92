"""What the RetailCRM adapter keeps: its settings, the CRM's dictionaries, the mappings B1–B8,
export checkpoints, received webhooks and the orders waiting for a status to be listed in B1."""

from integration.retailcrm.models.dictionaries import (
    CrmDeliveryType, CrmOrderMethod, CrmOrderType, CrmPaymentStatus, CrmPaymentType, CrmPriceType, CrmSite,
    CrmStatus, CrmStatusGroup, CrmStore, CrmUser,
)
from integration.retailcrm.models.exports import ExportChannel, ExportCheckpoint, OfferExportState
from integration.retailcrm.models.mappings import (
    DeliveryTypeMapping, ManagerMapping, PaymentTypeMapping, PriceTypeMapping, ShopOrganization,
    StatusExportMapping, StatusImportMapping, WarehouseMapping,
)
from integration.retailcrm.models.settings import CrmSettings
from integration.retailcrm.models.waiting import SkippedOrder
from integration.retailcrm.models.webhooks import RejectedWebhookWindow, WebhookRequest

__all__ = [
    "CrmDeliveryType", "CrmOrderMethod", "CrmOrderType", "CrmPaymentStatus", "CrmPaymentType", "CrmPriceType",
    "CrmSettings", "CrmSite", "CrmStatus", "CrmStatusGroup", "CrmStore", "CrmUser", "DeliveryTypeMapping",
    "ExportChannel", "ExportCheckpoint", "ManagerMapping", "OfferExportState", "PaymentTypeMapping",
    "PriceTypeMapping", "RejectedWebhookWindow", "ShopOrganization", "SkippedOrder", "StatusExportMapping",
    "StatusImportMapping", "WarehouseMapping", "WebhookRequest",
]
