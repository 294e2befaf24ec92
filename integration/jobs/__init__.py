"""Jobs framework (I1, I3): one registered kind per exchange, run by RQ or inline."""

from integration.jobs.registry import JobKind, all_kinds, get_kind, job_kind
from integration.jobs.runner import (
    EnqueueResult, JobContext, JobNotPermitted, JobRefused, QueueUnavailable, enqueue, run_inline,
)

__all__ = [
    "EnqueueResult", "JobContext", "JobKind", "JobNotPermitted", "JobRefused", "QueueUnavailable", "all_kinds",
    "enqueue", "get_kind", "job_kind", "run_inline",
]
