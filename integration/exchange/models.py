"""The exchange log (I3): a row per job run and a row per entity the run touched."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from integration.exchange.entities import entity_label


MIN_SCHEDULE_SECONDS = 10


def validate_job_kind(value: str) -> None:
    """A schedule of an unknown kind would stop run_scheduler from starting."""
    from integration.exchange.jobs.registry import all_kinds

    known = [kind.name for kind in all_kinds()]
    if value not in known:
        raise ValidationError(_("Unknown job “%(kind)s”; one of: %(known)s."),
                              code="unknown_job", params={"kind": value, "known": ", ".join(known)})


class JobRun(models.Model):
    class Trigger(models.TextChoices):
        BUTTON = "button", _("Button")
        SCHEDULE = "schedule", _("Schedule")
        WEBHOOK = "webhook", _("Webhook")
        COMMAND = "command", _("Command")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        WARNINGS = "warnings", _("Succeeded with warnings")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        REFUSED = "refused", _("Refused")  # did not start: a switch is off or a table it needs is empty
        CANCELLED = "cancelled", _("Cancelled")  # an operator stopped it; it ended at a safe point

    FINISHED = (Status.SUCCEEDED, Status.WARNINGS, Status.FAILED, Status.SKIPPED, Status.REFUSED, Status.CANCELLED)

    kind = models.CharField(_("job"), max_length=50, db_index=True)
    scope = models.CharField(_("shop"), max_length=100, blank=True, help_text=_("Shop code for per-shop jobs."))
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    rq_job_id = models.CharField(_("queue job id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("queued at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    messages = models.JSONField(_("messages"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    cursor_before = models.CharField(_("cursor before"), max_length=100, blank=True)
    cursor_after = models.CharField(_("cursor after"), max_length=100, blank=True)
    # Units of work done and, where the job knows it up front, how many there are (offers, pages…).
    progress_done = models.PositiveIntegerField(_("done"), null=True, blank=True)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="jobrun_kind_recent")]
        # What an operator may start (integration/permissions.py); "change settings" is change_crmsettings.
        permissions = [
            ("run_imports", _("Can run imports from RetailCRM")),
            ("run_exports", _("Can run exports to RetailCRM")),
            ("write_to_crm", _("Can change records in RetailCRM")),
            ("manage_queues", _("Can manage the job queues")),
        ]

    def __str__(self):
        """The job's name, as the page heading and breadcrumbs show it ("Загрузить заказы из RetailCRM #3")."""
        from integration.exchange.jobs import get_kind

        try:
            return f"{get_kind(self.kind).label} #{self.pk}"
        except KeyError:  # a run of a kind this version no longer has
            return f"{self.kind} #{self.pk}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class ExchangeEvent(models.Model):
    class Direction(models.TextChoices):
        IMPORT = "import", _("From RetailCRM")
        EXPORT = "export", _("To RetailCRM")

    class Result(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        UNCHANGED = "unchanged", _("Unchanged")
        SKIPPED = "skipped", _("Skipped")
        PARKED = "parked", _("Parked for retry")
        FAILED = "failed", _("Failed")
        INFO = "info", _("Information")

    run = models.ForeignKey(JobRun, verbose_name=_("job run"), null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    # Which adapter wrote the row ("retailcrm", "bonusplus"): the exchange machinery knows no adapter.
    system = models.CharField(_("remote system"), max_length=20, default="retailcrm", db_index=True)
    entity = models.CharField(_("entity"), max_length=50, help_text=_("order, customer, offer, …"))
    crm_id = models.CharField(_("CRM id"), max_length=100, blank=True, db_index=True)
    local_ref = models.CharField(_("local object"), max_length=255, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, db_index=True)
    message = models.TextField(_("message"), blank=True)
    retry_count = models.PositiveIntegerField(_("retries"), default=0)
    resolved = models.BooleanField(_("resolved"), default=False, help_text=_("A later run handled this entity."))

    class Meta:
        verbose_name = _("exchange event")
        verbose_name_plural = _("exchange events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entity", "crm_id"], name="event_entity_crm_id")]

    def __str__(self):
        # The entity's label in the reader's language ("Заказ 1201"); the stored code stays "order".
        name = " ".join(part for part in (capfirst(str(entity_label(self.entity))), self.crm_id) if part)
        return f"{name}: {self.get_result_display()}"


class JobSchedule(models.Model):
    """I2: how often a job kind runs by itself; the scheduler reads these rows."""

    kind = models.CharField(_("job"), max_length=50, unique=True, validators=[validate_job_kind])
    enabled = models.BooleanField(_("enabled"), default=False)
    interval_seconds = models.PositiveIntegerField(
        _("interval, seconds"), default=3600,
        validators=[MinValueValidator(MIN_SCHEDULE_SECONDS, message=_("Run a job at most every 10 seconds."))],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["kind"]

    def __str__(self):
        return self.kind


class RetryEntry(models.Model):
    """An entity a run could not take yet (an unknown offer, malformed data…) and takes again later.

    The retry queue, apart from the log: the log says what happened, this says what is still owed.
    A row exists while the entity is waiting and is deleted once a run has handled it.
    """

    system = models.CharField(_("remote system"), max_length=20)
    entity = models.CharField(_("entity"), max_length=50)
    remote_id = models.CharField(_("remote id"), max_length=100)
    local_ref = models.CharField(_("local object"), max_length=255, blank=True)
    message = models.TextField(_("why"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    first_failed_at = models.DateTimeField(_("first parked"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("last tried"), default=timezone.now, db_index=True)
    run = models.ForeignKey(JobRun, verbose_name=_("last run"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("parked entity")
        verbose_name_plural = _("parked entities")
        ordering = ["-last_failed_at"]
        constraints = [models.UniqueConstraint(fields=["system", "entity", "remote_id"], name="uniq_retry_entry")]

    def __str__(self):
        return f"{self.system} {self.entity} {self.remote_id}"
