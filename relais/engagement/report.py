"""A campaign's report: what became of its e-mails, and its effect — the leads the partners who
received it submitted and won in the 30 days after the launch, against the holdout's, who
received nothing. A handful of aggregate queries, however many recipients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from relais.engagement.choices import RecipientState
from relais.engagement.models import Campaign, Recipient
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead

EFFECT_DAYS = 30
RECEIVED = (RecipientState.SENT, RecipientState.DELIVERED)
RATE = Decimal("0.001")


@dataclass(frozen=True)
class Group:
    """The recipients or the holdout: how many partners, their leads in the window, and the
    leads per partner (None for an empty group)."""

    partners: int
    submitted: int
    won: int

    @property
    def submitted_rate(self) -> Decimal | None:
        return _per(self.submitted, self.partners)

    @property
    def won_rate(self) -> Decimal | None:
        return _per(self.won, self.partners)


def _per(count: int, partners: int) -> Decimal | None:
    if not partners:
        return None
    return (Decimal(count) / Decimal(partners)).quantize(RATE)


def _difference(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True)
class CampaignReport:
    """The counts of the campaign's rows, and the effect in the window after the launch."""

    counts: dict[str, int]
    recipients: Group
    holdout: Group
    window_start: datetime | None
    window_end: datetime | None

    @property
    def window_closed(self) -> bool:
        """Whether the 30 days are over: until then the figures still grow."""
        return self.window_end is not None and self.window_end <= timezone.now()

    @property
    def submitted_difference(self) -> Decimal | None:
        """Leads submitted per partner, recipients minus holdout: the campaign's effect."""
        return _difference(self.recipients.submitted_rate, self.holdout.submitted_rate)

    @property
    def won_difference(self) -> Decimal | None:
        return _difference(self.recipients.won_rate, self.holdout.won_rate)


def _counts(campaign: Campaign) -> dict[str, int]:
    def state(*states: str) -> Q:
        return Q(state__in=states)

    aggregates = {
        "total": Count("pk"),
        "queued": Count("pk", filter=state(RecipientState.QUEUED, RecipientState.SENDING)),
        "sent": Count("pk", filter=Q(sent_at__isnull=False)),
        "delivered": Count("pk", filter=Q(delivered_at__isnull=False)),
        "bounced": Count("pk", filter=state(RecipientState.BOUNCED) | Q(bounced_at__isnull=False)),
        "failed": Count("pk", filter=state(RecipientState.FAILED)),
        "skipped": Count("pk", filter=state(RecipientState.SKIPPED)),
        "holdout": Count("pk", filter=state(RecipientState.HOLDOUT)),
        "opened": Count("pk", filter=Q(opened_at__isnull=False)),
        "clicked": Count("pk", filter=Q(clicked_at__isnull=False)),
        "complained": Count("pk", filter=Q(complained_at__isnull=False)),
        "unsubscribed": Count("pk", filter=Q(unsubscribed_at__isnull=False)),
    }
    return Recipient.objects.filter(campaign=campaign).aggregate(**aggregates)


def _group(campaign: Campaign, states: tuple[str, ...], start: datetime | None) -> Group:
    members = Recipient.objects.filter(campaign=campaign, state__in=states)
    partners = members.count()
    if start is None or not partners:
        return Group(partners, 0, 0)
    leads = Lead.objects.filter(
        partner_id__in=members.values("partner_id"),
        submitted_at__gte=start,
        submitted_at__lt=start + timedelta(days=EFFECT_DAYS),
    ).aggregate(submitted=Count("pk"), won=Count("pk", filter=Q(status=LeadStatus.WON)))
    return Group(partners, leads["submitted"], leads["won"])


def campaign_report(campaign: Campaign) -> CampaignReport:
    """The campaign's report, as its rows and the leads stand now."""
    start = campaign.launched_at
    return CampaignReport(
        counts=_counts(campaign),
        recipients=_group(campaign, RECEIVED, start),
        holdout=_group(campaign, (RecipientState.HOLDOUT,), start),
        window_start=start,
        window_end=start + timedelta(days=EFFECT_DAYS) if start else None,
    )
