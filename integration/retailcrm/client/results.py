"""Small value objects the client returns where a bare dict would hide what matters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integration.exchange.http.stats import TransportStats

__all__ = ["ClientStats", "HistoryPage", "Page", "UploadResult"]


@dataclass
class Page:
    """One page of a paginated list (reference §1.5)."""

    items: list[dict]
    current_page: int = 1
    total_pages: int = 1
    total_count: int = 0
    limit: int = 0

    @property
    def is_last(self) -> bool:
        return not self.items or self.current_page >= self.total_pages


@dataclass
class HistoryPage:
    """One page of the change feed; ``last_id`` is the cursor to store once the page is applied."""

    entries: list[dict]
    last_id: int | None
    generated_at: str | None = None
    remaining: int = 0  # entries after this page, as the server counts them


@dataclass
class UploadResult:
    """Outcome of a stock or price upload.

    ``partial`` is True when the server answered 460: the offers it found were updated, the
    ones in ``not_found_offers`` were not.
    """

    processed_offers_count: int
    not_found_offers: list[dict] = field(default_factory=list)
    partial: bool = False
    error_msg: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


# the counters belong to the shared transport; the name stays for the client's callers
ClientStats = TransportStats
