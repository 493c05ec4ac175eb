"""Reference data shared by every app: territory and dated legal parameters."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.choices import JobState, TerritoryKind
from relais.core.formatting import format_number
from relais.core.resumable import Resumable


class TimeStampedModel(models.Model):
    """Base for domain models: creation and last-change times, in UTC."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Departement(models.Model):
    """One of the 101 départements (plus the overseas collectivities a postcode can reach)."""

    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("name"), max_length=80)
    region = models.CharField(_("region"), max_length=80)
    kind = models.CharField(
        _("kind"), max_length=16, choices=TerritoryKind.choices, default=TerritoryKind.DEPARTEMENT
    )
    chef_lieu = models.CharField(_("chief town"), max_length=80)
    chef_lieu_postcode = models.CharField(_("chief town postcode"), max_length=5)

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")
        verbose_name_plural = _("départements")

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class LegalParameter(models.Model):
    """A legal or tax figure valid from a date: a new SMIC or threshold is a new row, not code."""

    key = models.SlugField(_("key"), max_length=64)
    label = models.CharField(_("label"), max_length=200)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20)
    valid_from = models.DateField(_("valid from"))
    source = models.CharField(_("source"), max_length=300)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_(
            "Unticked: the default shipped with Relais is not confirmed by an official text."
        ),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["key", "-valid_from"]
        verbose_name = _("legal parameter")
        verbose_name_plural = _("legal parameters")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "valid_from"], name="legal_param_key_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} = {format_number(self.value)} {self.unit} ({self.valid_from:%Y-%m-%d})"


class AuditEntry(models.Model):
    """One recorded change: who, when, what, before → after. Written once, never edited.

    ``subject`` is the object whose history this belongs to (a partner's timeline shows its
    contracts and declarations too); ``target`` names what exactly changed.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.BigIntegerField()
    action = models.CharField(_("action"), max_length=40)
    target = models.CharField(_("target"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["subject_type", "subject_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"


class Schedule(models.Model):
    """When a recurring job (registered in ``core.scheduling``) runs next; one row per job.

    The row is locked by each run, so a job re-enqueued twice by accident still runs once per due
    time."""

    name = models.CharField(max_length=60, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_result = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.next_run_at:%Y-%m-%d %H:%M}"


class RateCounter(models.Model):
    """The hits on one rate-limit key in one fixed window (``core.ratelimit``), kept here when
    Redis is not configured so that every process counts the same hits. Times are Unix seconds:
    the counter's one upsert statement then needs no date conversion per database. A row whose
    ``expires_at`` has passed is pruned."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    expires_at = models.BigIntegerField(db_index=True)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_one_a_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.hits}"


class OutboxEvent(models.Model):
    """A domain event (``core.events``), written in the transaction of the change it tells of, so
    it exists exactly when that change does. The task worker hands it to each subscribed handler
    (one ``EventDelivery`` each); ``delivered_at`` is set when every handler has taken it."""

    kind = models.CharField(_("kind"), max_length=150)  # the event class's dotted path
    payload = models.JSONField(_("payload"))  # the event's fields: ids, never model instances
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        # The worker and /healthz read only the undelivered ones: a small index, however long
        # the history grows.
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="core_event_undelivered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind.rsplit('.', 1)[-1]} #{self.pk}"


class EventDelivery(models.Model):
    """One event handed to one handler: retried with backoff until the handler succeeds.

    A worker claims a delivery by pushing ``next_attempt_at`` a lease ahead; one killed before
    its ack leaves a claim that lapses, and the delivery runs again (handlers are idempotent)."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(_("handler"), max_length=200)  # the handler's dotted path
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="core_delivery_once")
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(done_at__isnull=True),
                name="core_delivery_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.handler.rsplit('.', 1)[-1]}"


class BackgroundJob(Resumable):
    """A slow action a user asked for (a PDF to make, a file to mark sent), run by the task
    worker while the page shows its progress (``core.jobs``). A worker that dies leaves it
    silent; the recurring job queues it again (``core.resumable``)."""

    kind = models.CharField(_("kind"), max_length=60)  # the handler registered under it
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    label = models.CharField(_("what"), max_length=200)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    done = models.PositiveIntegerField(_("steps done"), default=0)
    total = models.PositiveIntegerField(_("steps"), default=0)
    message = models.CharField(_("result"), max_length=300, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    file = models.FileField(_("file"), upload_to="jobs/%Y/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    back_url = models.CharField(_("back to"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["kind", "state"], name="core_job_kind_state")]

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int | None:
        """How far it is, when its steps are known (None: the page shows it is under way)."""
        if self.state == JobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total and self.done else None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
