"""Job kinds: a name, the queue it runs on and the service function that does the work."""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps

_KINDS: dict[str, "JobKind"] = {}
_discovered = False


@dataclass(frozen=True)
class Argument:
    """One option of a job kind, usable from ``manage.py exchange`` and from buttons."""

    name: str
    type: Callable[[str], Any] = str
    help: str = ""
    flag: bool = False  # a switch like --full rather than a value
    required: bool = False  # the job means nothing without it (no run-now button)


@dataclass(frozen=True)
class JobKind:
    name: str
    service: Callable[..., None]
    label: Any
    queue: str = "default"
    arguments: tuple[Argument, ...] = field(default_factory=tuple)
    requires_connection: bool = True  # refused until "Check connection" has passed (A1)
    timeout: int = 3600
    # A request that arrives while the run is under way may concern data the run already read:
    # run once more afterwards instead of dropping it (webhook-triggered order imports).
    rerun_if_running: bool = False
    # What a user must be allowed to start it ("integration.run_imports", …; see integration/permissions.py).
    permission: str = ""
    # The CrmSettings exchange mode (A3) that must be on: off, the kind refuses to run, naming it.
    switch: str = ""
    # What the run's scope is to this kind, for its page ("" = a shop code; import-order: the order id).
    scope_label: Any = ""


def job_kind(name: str, *, label, permission: str, queue: str = "default", arguments=(), requires_connection=True,
             timeout=3600, rerun_if_running=False, switch="", scope_label=""):
    """Register ``service(ctx, **options)`` as the job kind ``name``; ``permission`` is what a user needs to start it."""
    if not name.replace("-", "").isalnum():
        raise ValueError(f"job kind names may use letters, digits and '-' only: {name!r}")
    if "." not in (permission or ""):
        raise ValueError(f"job kind {name!r} must name the permission a user needs to start it (app_label.codename)")

    def register(service):
        if name in _KINDS:
            raise ValueError(f"job kind {name!r} is registered twice")
        _KINDS[name] = JobKind(
            name=name, service=service, label=label, queue=queue, arguments=tuple(arguments),
            requires_connection=requires_connection, timeout=timeout, rerun_if_running=rerun_if_running,
            permission=permission, switch=switch, scope_label=scope_label,
        )
        return service

    return register


def discover() -> None:
    """Import the job modules every installed app names in ``AppConfig.job_modules``.

    Called by every lookup, so no page or command sees a partial list because of the order
    in which modules happened to be imported.
    """
    global _discovered
    if _discovered or not apps.models_ready:
        return
    _discovered = True
    for config in apps.get_app_configs():
        for module in getattr(config, "job_modules", ()):
            import_module(module)


def get_kind(name: str) -> JobKind:
    discover()
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise KeyError(f"Unknown job {name!r}. Known jobs: {known}.") from None


def all_kinds() -> list[JobKind]:
    discover()
    return [_KINDS[name] for name in sorted(_KINDS)]
