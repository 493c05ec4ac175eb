"""Reads of the manager's campaign and template pages: the scoped getters every view goes
through, the campaign list with each one's sent/total (one query, whatever the number of
campaigns), a campaign's progress by recipient state, and its recipients for the list and the
export."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from relais.accounts.models import User
from relais.engagement.choices import RecipientState
from relais.engagement.models import Campaign, MessageTemplate, Recipient

# The states of a recipient whose e-mail left: what "sent" counts on the list and the progress.
LEFT = (RecipientState.SENT, RecipientState.DELIVERED, RecipientState.BOUNCED)
# The states still waiting for the worker.
WAITING = (RecipientState.QUEUED, RecipientState.SENDING)


def message_templates_for_user(*, user: User) -> QuerySet[MessageTemplate]:
    """Managers reach every template; nobody else any."""
    return MessageTemplate.objects.all() if user.can_manage else MessageTemplate.objects.none()


def message_template_get_for_user(*, user: User, pk: int) -> MessageTemplate:
    return message_templates_for_user(user=user).get(pk=pk)


def message_template_list(*, user: User) -> QuerySet[MessageTemplate]:
    """The templates with how many campaigns and automations use each (distinct counts: the
    two joins would otherwise multiply each other)."""
    return message_templates_for_user(user=user).annotate(
        n_campaigns=Count("campaigns", distinct=True),
        n_automations=Count("automations", distinct=True),
    )


def campaigns_for_user(*, user: User) -> QuerySet[Campaign]:
    return Campaign.objects.all() if user.can_manage else Campaign.objects.none()


def campaign_get_for_user(*, user: User, pk: int) -> Campaign:
    return campaigns_for_user(user=user).select_related("template", "saved_segment").get(pk=pk)


def _count_of(recipients: Q) -> Subquery:
    """How many of a campaign's recipients match: a correlated subquery, counted only for the
    campaigns of the page shown (a join and GROUP BY would count every campaign's 50,000)."""
    found = (
        Recipient.objects.filter(recipients, campaign=OuterRef("pk"))
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(found, output_field=IntegerField())


def campaign_list(*, user: User) -> QuerySet[Campaign]:
    """Newest first, each with its sent and total recipients (the holdout is not "total": it
    is never sent anything)."""
    return (
        campaigns_for_user(user=user)
        .select_related("template", "saved_segment")
        .annotate(
            n_sent=Coalesce(_count_of(Q(state__in=LEFT)), 0),
            n_total=Coalesce(_count_of(~Q(state=RecipientState.HOLDOUT)), 0),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Progress:
    """A campaign's recipients by state: what the progress bar and the summary show."""

    by_state: dict[str, int]

    @property
    def total(self) -> int:
        """The recipients meant to receive it (the holdout excluded)."""
        return sum(n for s, n in self.by_state.items() if s != RecipientState.HOLDOUT)

    @property
    def sent(self) -> int:
        return sum(self.by_state.get(s, 0) for s in LEFT)

    @property
    def done(self) -> int:
        """Recipients the worker is finished with (sent, skipped or failed)."""
        return self.total - sum(self.by_state.get(s, 0) for s in WAITING)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def holdout(self) -> int:
        return self.by_state.get(RecipientState.HOLDOUT, 0)

    def rows(self) -> list[tuple[str, str, int]]:
        """(state, label, count) in the states' order, the empty ones left out."""
        return [
            (value, str(label), self.by_state[value])
            for value, label in RecipientState.choices
            if self.by_state.get(value)
        ]


def campaign_progress(campaign: Campaign) -> Progress:
    """One grouped read on the (campaign, state) index."""
    counts = (
        Recipient.objects.filter(campaign=campaign)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Progress(dict(counts))


def campaign_recipients(campaign: Campaign, *, state: str = "") -> QuerySet[Recipient]:
    """The campaign's recipients, optionally in one state, in a stable order for paging."""
    found = Recipient.objects.filter(campaign=campaign).select_related("partner")
    if state in RecipientState.values:
        found = found.filter(state=state)
    return found.order_by("pk")


def recipient_reason(recipient: Recipient) -> str:
    """Why a recipient got nothing or where their e-mail went wrong, in words."""
    if recipient.skip_reason:
        return str(recipient.get_skip_reason_display())
    return recipient.failure


EXPORT_HEADERS = (
    "partner_id",
    "partner",
    "email",
    "language",
    "state",
    "reason",
    "sent_at",
    "delivered_at",
    "opened_at",
    "clicked_at",
    "bounced_at",
    "unsubscribed_at",
)


def _local(moment: datetime | None) -> str:
    """A time as Paris reads it (a spreadsheet cell holds no time zone)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def recipient_rows(recipients: QuerySet[Recipient]) -> Iterator[list[Any]]:
    """The export's rows, read in chunks (a campaign may have 50,000 recipients)."""
    for r in recipients.iterator(chunk_size=2000):
        yield [
            r.partner_id,
            r.partner.display_name,
            r.email,
            r.language,
            str(r.get_state_display()),
            recipient_reason(r),
            *(
                _local(getattr(r, f"{field}_at"))
                for field in ("sent", "delivered", "opened", "clicked", "bounced", "unsubscribed")
            ),
        ]
