"""Jobs framework (I1, I3): one registered kind per exchange, run by RQ or inline."""

from integration.exchange.jobs.registry import JobKind, all_kinds, get_kind, job_kind
from integration.exchange.jobs.runner import (
    EnqueueResult, JobCancelled, JobContext, JobNotPermitted, JobRefused, QueueUnavailable, SwitchedOff, enqueue, precondition_refusal,
    request_cancel, run_inline,
)

__all__ = [
    "EnqueueResult", "JobCancelled", "JobContext", "JobKind", "JobNotPermitted", "JobRefused", "QueueUnavailable", "SwitchedOff",
    "all_kinds", "enqueue", "get_kind", "job_kind", "precondition_refusal", "request_cancel", "run_inline",
]
