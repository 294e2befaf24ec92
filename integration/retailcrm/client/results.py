"""Small value objects the client returns where a bare dict would hide what matters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


@dataclass
class ClientStats:
    """What the client did, for job logs, benchmarks and tests.

    ``requests`` counts HTTP attempts (retries included); ``retries`` the attempts that
    repeated an earlier one; ``by_status`` answers per HTTP status; ``network_errors`` attempts
    that got no answer; ``rate_limit_waits``/``seconds_waited`` the sleeps the shared limiter
    imposed; ``backoff_seconds`` the sleeps between retries.
    """

    requests: int = 0
    retries: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    network_errors: int = 0
    rate_limit_waits: int = 0
    seconds_waited: float = 0.0
    backoff_seconds: float = 0.0

    def count_status(self, status: int) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "retries": self.retries,
            "by_status": dict(self.by_status),
            "network_errors": self.network_errors,
            "rate_limit_waits": self.rate_limit_waits,
            "seconds_waited": round(self.seconds_waited, 3),
            "backoff_seconds": round(self.backoff_seconds, 3),
        }
