"""Counters of one transport: what it sent, retried and waited, for job logs, benchmarks and tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TransportStats"]


@dataclass
class TransportStats:
    """What a transport did, for job logs, benchmarks and tests.

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
