"""What one ICML file contains, as plain values: the generation service never reads settings itself."""

from dataclasses import dataclass
from pathlib import Path

OFFER_ID_FIELDS = ("externalId", "xmlId")
PRODUCT_ID_SOURCES = ("code", "article", "guid")


@dataclass(frozen=True)
class CatalogSpec:
    path: Path
    shop: str = ""  # CRM shop code; empty in single-organization mode
    shop_name: str = ""
    company: str = ""
    offer_id_field: str = "externalId"  # where our offer id goes: offer@id or <xmlId>
    product_id_source: str = "code"
    organization_guid: str = ""  # prefix of every offer id ("<org>#<product>[#<variant>]") when set
    group_ids: tuple[int, ...] = ()  # chosen groups (descendants included); empty = whole catalog
    warehouse_ids: tuple[int, ...] = ()  # quantity is their sum; empty = every warehouse
    sale_price_type_id: int | None = None
    purchase_price_type_id: int | None = None
    chunk_size: int = 2000

    def __post_init__(self):
        if self.offer_id_field not in OFFER_ID_FIELDS:
            raise ValueError(f"offer_id_field must be one of {OFFER_ID_FIELDS}, not {self.offer_id_field!r}")
        if self.product_id_source not in PRODUCT_ID_SOURCES:
            raise ValueError(f"product_id_source must be one of {PRODUCT_ID_SOURCES}, not {self.product_id_source!r}")
