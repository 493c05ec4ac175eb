from django.db import models
from django.utils.translation import gettext_lazy as _


class ChallengeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")
    CANCELLED = "cancelled", _("Cancelled")


class ChallengeMetric(models.TextChoices):
    SUBMITTED = "submitted", _("Leads submitted")
    QUALIFIED = "qualified", _("Qualified leads")
    WON = "won", _("Deals won")
    REVENUE = "revenue", _("Revenue won excl. VAT")
    TRAININGS = "trainings", _("Trainings completed")


class Mechanic(models.TextChoices):
    RANKING = "ranking", _("Ranking: the first N")
    THRESHOLD = "threshold", _("Threshold: reach one's personal target")
    LEVELS = "levels", _("Levels of the target (e.g. 100, 120, 150 %)")


class ResellerParticipants(models.TextChoices):
    """Who takes part for a reseller: each of its named staff (rewards are taxed per person,
    CSS L242-1-4) or the reseller as one team, ranked on its staff's sum."""

    TEAM = "team", _("Per reseller team")
    STAFF = "staff", _("Per staff member")


class Ranking(models.TextChoices):
    SHARE = "share", _("Share of the personal target")
    ABSOLUTE = "absolute", _("Absolute figure")


# Which status a transition leads from: the one place legal moves are listed.
TRANSITIONS: dict[str, set[str]] = {
    ChallengeStatus.DRAFT: {ChallengeStatus.SCHEDULED, ChallengeStatus.CANCELLED},
    ChallengeStatus.SCHEDULED: {
        ChallengeStatus.RUNNING,
        ChallengeStatus.DRAFT,
        ChallengeStatus.CANCELLED,
    },
    ChallengeStatus.RUNNING: {ChallengeStatus.ENDED, ChallengeStatus.CANCELLED},
    ChallengeStatus.ENDED: set(),
    ChallengeStatus.CANCELLED: set(),
}


# --- Communication, results and proofs (chal-b) ------------------------------------------------


class Occasion(models.TextChoices):
    """Why a challenge e-mail goes to a participant; the stored occasion adds a number for the
    repeated ones ("progress-3", "relaunch-1")."""

    TEASER = "teaser", _("Teaser")
    LAUNCH = "launch", _("Launch")
    PROGRESS = "progress", _("Progress e-mail")
    RELAUNCH = "relaunch", _("Relaunch")
    WINNERS = "winners", _("Winners' announcement")


class ProofStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting validation")
    VALIDATED = "validated", _("Validated")
    REFUSED = "refused", _("Refused")


PROOF_TRANSITIONS: dict[str, set[str]] = {
    ProofStatus.PENDING: {ProofStatus.VALIDATED, ProofStatus.REFUSED},
    ProofStatus.VALIDATED: set(),
    # A refused proof may be replaced by a new upload, which waits again.
    ProofStatus.REFUSED: {ProofStatus.PENDING},
}
