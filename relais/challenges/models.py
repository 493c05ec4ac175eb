"""A challenge, its participants with their personal targets and progress, and the credits that
make the progress idempotent (one row per participant, lead and metric)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.challenges.choices import ChallengeMetric, ChallengeStatus, Mechanic, Ranking
from relais.core.models import Departement, TimeStampedModel
from relais.engagement.choices import Segment
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner


class Challenge(TimeStampedModel):
    """A contest over a period on one metric, each participant measured against their own
    target. Its status changes only through ``services.challenge_move``."""

    name = models.CharField(_("name"), max_length=120)
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    story = models.TextField(_("story"), blank=True)
    banner = models.FileField(
        _("banner image"),
        upload_to="challenges/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    teaser_on = models.DateField(_("teaser date"), null=True, blank=True)
    audience_segment = models.CharField(
        _("segment"), max_length=12, choices=Segment.choices, blank=True
    )
    audience_kind = models.CharField(
        _("kind of partner"), max_length=16, choices=PartnerKind.choices, blank=True
    )
    audience_departements = models.ManyToManyField(
        Departement, blank=True, related_name="+", verbose_name=_("départements")
    )
    audience_partners = models.ManyToManyField(
        Partner, blank=True, related_name="+", verbose_name=_("these partners only")
    )
    metric = models.CharField(_("metric"), max_length=12, choices=ChallengeMetric.choices)
    mechanic = models.CharField(
        _("mechanic"), max_length=12, choices=Mechanic.choices, default=Mechanic.THRESHOLD
    )
    top_n = models.PositiveIntegerField(_("winners (the first N)"), default=3)
    levels = models.CharField(
        _("levels (% of the target)"),
        max_length=60,
        blank=True,
        default="100,120,150",
        help_text=_("Comma-separated percentages, used by the levels mechanic."),
    )
    ranking = models.CharField(
        _("ranked by"), max_length=10, choices=Ranking.choices, default=Ranking.SHARE
    )
    show_names = models.BooleanField(
        _("show names on the leaderboard"),
        default=False,
        help_text=_("Otherwise each participant appears under a pseudonym."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["status", "metric"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day comes before the first day.")
        if self.teaser_on and self.starts_on and self.teaser_on > self.starts_on:
            errors["teaser_on"] = _("The teaser comes before the first day or on it.")
        if self.mechanic == Mechanic.LEVELS and not self.level_list():
            errors["levels"] = _("Give the levels as percentages, e.g. 100,120,150.")
        if errors:
            raise ValidationError(errors)

    def level_list(self) -> list[int]:
        try:
            return sorted({int(v) for v in self.levels.split(",") if v.strip()})
        except ValueError:
            return []

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    @property
    def is_money(self) -> bool:
        return self.metric == ChallengeMetric.REVENUE


class Participant(models.Model):
    """A partner in a challenge: their personal target (with what it was proposed from) and their
    progress, kept up to date by the leads' events. ``share`` is progress / target, stored so the
    leaderboard is an index scan."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="participants")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    pseudonym = models.CharField(_("pseudonym"), max_length=40)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    proposed_target = models.DecimalField(max_digits=14, decimal_places=2)
    target_inputs = models.JSONField(default=dict)
    formula = models.TextField(blank=True)
    progress = models.DecimalField(
        _("progress"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    share = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "partner"], name="participant_once"),
            models.CheckConstraint(condition=models.Q(target__gt=0), name="target_positive"),
        ]
        indexes = [
            models.Index(fields=["challenge", "-share", "-progress", "id"], name="board_share"),
            models.Index(fields=["challenge", "-progress", "id"], name="board_absolute"),
            models.Index(fields=["partner", "challenge"]),
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id} · {self.partner_id}"

    @property
    def percent(self) -> int:
        return int(self.share * 100)


class ChallengeCredit(models.Model):
    """What one lead added to one participant's progress: a redelivered event finds its row and
    adds nothing twice."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="credits")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=12, choices=ChallengeMetric.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "lead", "metric"], name="challenge_credit_once"
            )
        ]
        indexes = [models.Index(fields=["lead", "metric"])]

    def __str__(self) -> str:
        return f"{self.participant_id} · {self.lead_id} · {self.metric}"


class TargetChange(models.Model):
    """A target a manager changed, with why (the audit log keeps the same, for the trail)."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="target_changes"
    )
    old = models.DecimalField(max_digits=14, decimal_places=2)
    new = models.DecimalField(max_digits=14, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.participant_id}: {self.old} → {self.new}"
