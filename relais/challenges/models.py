"""A challenge, its participants with their personal targets and progress, and the credits that
make the progress idempotent (one row per participant, lead and metric)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.challenges.choices import (
    ChallengeMetric,
    ChallengeStatus,
    Mechanic,
    ProofStatus,
    Ranking,
    ResellerParticipants,
)
from relais.challenges.rewards.choices import RewardKind
from relais.commissions.models import CommissionLine
from relais.core.models import Departement, TimeStampedModel
from relais.engagement.choices import RecipientState, Segment, SkipReason
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner, PartnerMember

ZERO = Decimal(0)


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
    reseller_participants = models.CharField(
        _("reseller participants"),
        max_length=8,
        choices=ResellerParticipants.choices,
        default=ResellerParticipants.TEAM,
        help_text=_(
            "Per staff member: each active user of a reseller takes part in their own name "
            "(rewards are taxed per person). Per team: the reseller takes part as one."
        ),
    )
    show_names = models.BooleanField(
        _("show names on the leaderboard"),
        default=False,
        help_text=_("Otherwise each participant appears under a pseudonym."),
    )
    # Communication (chal-b): the progress e-mail's rhythm and the relaunch rule's threshold.
    progress_every_days = models.PositiveSmallIntegerField(
        _("progress e-mail every (days)"),
        default=7,
        help_text=_("Each participant gets their progress at this rhythm; 0 sends none."),
    )
    relaunch_below = models.PositiveSmallIntegerField(
        _("relaunch below (% of participants progressing in 7 days)"),
        default=30,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "When fewer participants than this share made progress in the last 7 days, a "
            "relaunch e-mail goes out, once per drop; 0 never relaunches."
        ),
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
    # A reseller's staff member taking part in their own name (the challenge's "per staff
    # member" option); empty for an introducer or a reseller's team.
    member = models.ForeignKey(
        PartnerMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
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
    # When the trainings' recount last moved the figure: the relaunch rule's activity for the
    # metric no credit row records (a lead's credit is its own ``ChallengeCredit.at``).
    progressed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "partner", "member"], name="participant_member_once"
            ),
            models.UniqueConstraint(
                fields=["challenge", "partner"],
                condition=models.Q(member__isnull=True),
                name="participant_once",
            ),
            models.CheckConstraint(condition=models.Q(target__gt=0), name="target_positive"),
        ]
        indexes = [
            models.Index(fields=["challenge", "-share", "-progress", "id"], name="board_share"),
            models.Index(fields=["challenge", "-progress", "id"], name="board_absolute"),
            models.Index(fields=["partner", "challenge"]),
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id} · {self.partner_id} · {self.member_id or '-'}"

    @property
    def display_name(self) -> str:
        """The staff member's name with their reseller, or the partner's name."""
        if self.member_id and self.member:
            user = self.member.user
            person = user.get_full_name() or user.email
            return f"{person} ({self.partner.display_name})"
        return self.partner.display_name

    @property
    def person(self) -> str:
        """The staff member's own name (empty for a partner-level participant)."""
        if self.member_id and self.member:
            return self.member.user.get_full_name() or self.member.user.email
        return ""

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


# --- Communication, relaunches, qualitative objectives and proofs (chal-b) ---------------------


class ChallengeMessage(models.Model):
    """One challenge e-mail to one participant on one occasion ("teaser", "launch",
    "progress-2", "relaunch-1", "winners"). The unique pair is what sends it at most once: the
    row is written and committed before the mail leaves (``challenges.communication``)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="messages")
    occasion = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=RecipientState.choices)
    skip_reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=200, blank=True, db_index=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "occasion"], name="challenge_message_once"
            )
        ]
        indexes = [models.Index(fields=["state", "at"])]

    def __str__(self) -> str:
        return f"{self.participant_id} · {self.occasion}: {self.state}"


class Relaunch(models.Model):
    """A drop of participation: the share of participants who made progress in the last 7
    days fell below the challenge's threshold. One open drop at most per challenge (the
    partial unique constraint), closed when the share comes back above the threshold: the
    rule fires once per drop, however often the worker looks."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="relaunches")
    number = models.PositiveSmallIntegerField()
    fired_at = models.DateTimeField()
    active = models.PositiveIntegerField()  # participants with progress in the 7 days
    total = models.PositiveIntegerField()
    share = models.DecimalField(max_digits=5, decimal_places=2)  # percent, as shown
    threshold = models.PositiveSmallIntegerField()
    recovered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fired_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="relaunch_number_once"),
            models.UniqueConstraint(
                fields=["challenge"],
                condition=models.Q(recovered_at__isnull=True),
                name="relaunch_one_open_drop",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id} · relaunch {self.number}"


class Objective(models.Model):
    """A qualitative objective of a challenge ("dress the shop window"): a participant uploads a
    proof, a manager validates or refuses it with a reason."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("objective"), max_length=160)
    description = models.TextField(_("what counts as proof"), blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Proof(models.Model):
    """A participant's proof for one objective: one per participant and objective (a refused
    one is replaced by a new upload). Its status moves only through ``proofs.proof_decide``."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="proofs")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(_("proof"), upload_to="challenges/proofs/")
    content_type = models.CharField(max_length=40)
    note = models.CharField(_("comment"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=ProofStatus.choices, default=ProofStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    uploaded_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "participant"], name="proof_once")
        ]
        indexes = [models.Index(fields=["status", "uploaded_at"])]

    def __str__(self) -> str:
        return f"{self.objective_id} · {self.participant_id}: {self.status}"


# --- Rewards and their French treatment (chal-a) -----------------------------------------------


class RewardItem(models.Model):
    """The rewards catalogue: a gift, a gift voucher or an experience, at its value incl. and
    excl. VAT (a voucher bears no VAT: both are its face value)."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=RewardKind.choices)
    description = models.TextField(_("description"), blank=True)
    value_incl_vat = models.DecimalField(_("value incl. VAT"), max_digits=10, decimal_places=2)
    value_excl_vat = models.DecimalField(_("value excl. VAT"), max_digits=10, decimal_places=2)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["kind", "value_incl_vat", "name"]
        verbose_name = _("reward of the catalogue")
        verbose_name_plural = _("rewards catalogue")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value_excl_vat__gte=0)
                & models.Q(value_incl_vat__gte=models.F("value_excl_vat")),
                name="reward_item_values",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == RewardKind.CASH:
            raise ValidationError({"kind": _("A cash bonus is an amount, not a catalogue item.")})
        if (
            self.value_incl_vat is not None
            and self.value_excl_vat is not None
            and self.value_excl_vat > self.value_incl_vat
        ):
            raise ValidationError(
                {"value_excl_vat": _("The value excl. VAT is above the value incl. VAT.")}
            )


class Reward(models.Model):
    """What a challenge gives, and to whom by its mechanic: ranking, the participant at ``place``
    (empty: each of the first N); threshold, each one reaching their target; levels, each one
    whose highest level reached is ``level`` (% of the target)."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="rewards")
    kind = models.CharField(_("kind"), max_length=12, choices=RewardKind.choices)
    item = models.ForeignKey(
        RewardItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rewards",
        verbose_name=_("catalogue item"),
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A cash bonus's amount, or a voucher's face value when no item is chosen."),
    )
    place = models.PositiveSmallIntegerField(_("place"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(
        _("level (percentage of the target)"), null=True, blank=True
    )

    class Meta:
        ordering = ["challenge", "place", "level", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False) | models.Q(amount__gt=0),
                name="reward_has_a_value",
            )
        ]

    def __str__(self) -> str:
        return self.item.name if self.item_id and self.item else self.get_kind_display()

    @property
    def value_incl_vat(self) -> Decimal:
        return self.item.value_incl_vat if self.item_id and self.item else (self.amount or ZERO)

    @property
    def value_excl_vat(self) -> Decimal:
        return self.item.value_excl_vat if self.item_id and self.item else (self.amount or ZERO)


class RewardBudget(models.Model):
    """The amount a manager set aside for a challenge's rewards (its page compares the projected
    cost with it)."""

    challenge = models.OneToOneField(Challenge, on_delete=models.CASCADE, related_name="budget")
    amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.amount}"


class Award(models.Model):
    """One reward given to one participant, made once (unique per reward and participant) when
    the challenge closes. ``person`` is the reseller's staff member who receives it: rewards are
    taxed per person, so a reseller's award names them. A cash bonus has its commission line."""

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="awards")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="awards")
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="awards")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    person = models.CharField(_("staff member"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RewardKind.choices)
    label = models.CharField(_("reward"), max_length=120)
    value_incl_vat = models.DecimalField(_("value incl. VAT"), max_digits=10, decimal_places=2)
    value_excl_vat = models.DecimalField(_("value excl. VAT"), max_digits=10, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    share = models.DecimalField(max_digits=12, decimal_places=6)
    awarded_on = models.DateField(_("awarded on"))
    line = models.OneToOneField(
        CommissionLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="challenge_award",
    )

    class Meta:
        ordering = ["challenge", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["reward", "participant"], name="award_once"),
        ]
        indexes = [models.Index(fields=["awarded_on", "partner"], name="award_year")]

    def __str__(self) -> str:
        return f"{self.label} → {self.partner_id}"
