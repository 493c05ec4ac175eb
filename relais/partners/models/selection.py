"""Selecting partners: weighted criteria, scorecards with evidence, a candidate's past deals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel
from relais.partners.choices import Decision
from relais.partners.models.partner import Partner


class SelectionCriterion(models.Model):
    """A criterion of the selection scorecard; its weight counts relative to the others."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("what to look for"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=20)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")

    def __str__(self) -> str:
        return self.name


class Scorecard(TimeStampedModel):
    """The evaluation of a candidate, and the decision taken on it (who, when)."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="scorecard")
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return f"{self.partner} – {self.get_decision_display()}"

    def total(self) -> Decimal:
        """Weighted total out of 100: each 0–5 score counts for its criterion's weight."""
        scores = list(self.scores.select_related("criterion"))
        weights = sum(s.criterion.weight for s in scores)
        if not weights:
            return Decimal("0.0")
        points = sum((Decimal(s.score) / 5 * s.criterion.weight for s in scores), Decimal(0))
        return (points * 100 / weights).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class CriterionScore(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(SelectionCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(5)]
    )
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(condition=models.Q(score__lte=5), name="score_at_most_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}/5"


class PortfolioDeal(models.Model):
    """A deal from a candidate's past, imported to judge their track record."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="portfolio")
    date = models.DateField(_("date"))
    client_type = models.CharField(_("client type"), max_length=60)
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=12, decimal_places=2)
    converted = models.BooleanField(_("converted"))

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {self.client_type} {self.amount}"
