"""Job kinds: a name, the queue it runs on and the service function that does the work.

The exchange knows no remote system: what gates a kind comes from the adapter that registers it.
``precondition`` is checked before a run is queued or run inline; ``switch`` names an exchange
mode whose state the adapter's switch source (``register_switch_source``) reports, checked then
and again when a queued run starts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.apps import apps

_KINDS: dict[str, "JobKind"] = {}
_SWITCH_SOURCES: list[Callable[["JobKind"], "tuple[bool, Any] | None"]] = []
_discovered = False
_UNSET = object()


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
    # ``precondition(kind)`` → None (may run) or the refusal, a stored message; e.g. the RetailCRM
    # kinds are refused until "Check connection" has passed (integration.retailcrm.connection).
    precondition: Callable[["JobKind"], Any] | None = None
    timeout: int = 3600
    # A request that arrives while the run is under way may concern data the run already read:
    # run once more afterwards instead of dropping it (webhook-triggered order imports).
    rerun_if_running: bool = False
    # What a user must be allowed to start it ("integration.run_imports", …; see integration/permissions.py).
    permission: str = ""
    # The exchange mode (A3) that must be on: off, the kind refuses to run, naming it (see register_switch_source).
    switch: str = ""
    # What the run's scope is to this kind, for its page ("" = a shop code; import-order: the order id).
    scope_label: Any = ""


def job_kind(name: str, *, label, permission: str, queue: str = "default", arguments=(), precondition=_UNSET,
             requires_connection=None, timeout=3600, rerun_if_running=False, switch="", scope_label=""):
    """Register ``service(ctx, **options)`` as the job kind ``name``; ``permission`` is what a user needs to start it.

    ``precondition`` must be given: a callable ``(kind) -> None | stored message`` or ``None`` (no gate).
    ``requires_connection=False`` is the old spelling of ``precondition=None``; the exchange cannot know
    which connection ``True`` meant, so it is refused (pass the adapter's precondition instead)."""
    if not name.replace("-", "").isalnum():
        raise ValueError(f"job kind names may use letters, digits and '-' only: {name!r}")
    if "." not in (permission or ""):
        raise ValueError(f"job kind {name!r} must name the permission a user needs to start it (app_label.codename)")
    if requires_connection is not None:
        if requires_connection or precondition is not _UNSET:
            raise ValueError(f"job kind {name!r}: pass precondition=… (e.g. integration.retailcrm.connection."
                             "require_connection) instead of requires_connection")
        precondition = None
    if precondition is _UNSET:
        raise ValueError(f"job kind {name!r} must say what gates it: precondition=<callable> or precondition=None")

    def register(service):
        if name in _KINDS:
            raise ValueError(f"job kind {name!r} is registered twice")
        _KINDS[name] = JobKind(
            name=name, service=service, label=label, queue=queue, arguments=tuple(arguments),
            precondition=precondition, timeout=timeout, rerun_if_running=rerun_if_running,
            permission=permission, switch=switch, scope_label=scope_label,
        )
        return service

    return register


def register_switch_source(source: Callable[["JobKind"], "tuple[bool, Any] | None"]) -> None:
    """An adapter tells the runner about its exchange modes: ``source(kind)`` → ``(is_on, refusal)``
    (the stored message that names the switch), or None when ``kind.switch`` is not the adapter's.
    Called from the adapter's AppConfig.ready."""
    if source not in _SWITCH_SOURCES:
        _SWITCH_SOURCES.append(source)


def switch_state(kind: "JobKind") -> "tuple[bool, Any]":
    """(is ``kind.switch`` on, the refusal when it is off) from the adapter that owns the switch."""
    for source in _SWITCH_SOURCES:
        if (state := source(kind)) is not None:
            return state
    raise LookupError(f"no adapter registered the exchange mode {kind.switch!r} (job kind {kind.name!r})")


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
