"""The campaign's report: what became of its e-mails, and the leads the recipients and the
holdout submitted and won in the 30 days after the launch, with the difference."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.engagement.campaign_setup import campaigns_received
from relais.engagement.campaigns import campaign_launch
from relais.engagement.choices import RecipientState
from relais.engagement.models import Campaign, Preference, Recipient
from relais.engagement.report import campaign_report
from relais.engagement.sending import campaign_run, held_out
from relais.engagement.tests.campaign_fixtures import campaign, dormant, smtp, smtp_server
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.leads.services import lead_submit
from relais.partners.extensions import timeline_entries

pytestmark = pytest.mark.django_db
__all__ = ["smtp", "smtp_server"]
HALF = Decimal("0.5")


def leads(partner, launched_at, *days: int, won: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Leads of ``partner`` submitted ``days`` after the launch, the first ``won`` of them won."""
    for n, day in enumerate(days):
        lead = lead_submit(
            data={
                "last_name": f"R{partner.pk}x{n}",
                "phone": f"0612{partner.pk:04d}{n:02d}",
                "postcode": "69003",
            },
            channel="portal",
            partner=partner,
        )
        status = LeadStatus.WON if n < won else lead.status
        at = launched_at + timedelta(days=day)
        Lead.objects.filter(pk=lead.pk).update(submitted_at=at, status=status)


def test_the_report_compares_the_recipients_leads_with_the_holdouts(manager, smtp):
    partners = dormant(10)
    Preference.objects.create(partner=partners[0], unsubscribed_at=timezone.now())
    launched = campaign_launch(campaign=campaign(manager, holdout_share="0.5"), actor=manager)
    # A seed that splits the nine reachable partners (a random one leaves a group empty
    # once in 256 runs): the draw is the recorded seed's, whatever it is.
    reachable = [p.pk for p in partners[1:]]
    seed = next(s for s in range(1, 100) if 0 < sum(held_out(s, pk, HALF) for pk in reachable) < 9)
    Campaign.objects.filter(pk=launched.pk).update(holdout_seed=seed)
    campaign_run(campaign_id=launched.pk)
    launched.refresh_from_db()
    rows = {r.partner_id: r.state for r in Recipient.objects.filter(campaign=launched)}
    sent = [p for p in partners if rows[p.pk] == RecipientState.SENT]
    held = [p for p in partners if rows[p.pk] == RecipientState.HOLDOUT]
    start = launched.launched_at
    # Recipients: 3 leads in the window (2 won) for the first, 1 for the second; one 40 days
    # after (outside). Holdout: 1 lead in the window, one the day before the launch (outside).
    leads(sent[0], start, 1, 10, 29, won=2)
    if len(sent) > 1:
        leads(sent[1], start, 3, 40)
    leads(held[0], start, 2, -1)
    Recipient.objects.filter(campaign=launched, partner=sent[0]).update(
        opened_at=timezone.now(), delivered_at=timezone.now()
    )

    report = campaign_report(launched)
    counts = report.counts
    assert counts["sent"] == len(sent)
    assert (counts["skipped"], counts["holdout"], counts["failed"]) == (1, len(held), 0)
    assert (counts["opened"], counts["delivered"], counts["clicked"]) == (1, 1, 0)
    submitted = 3 + (1 if len(sent) > 1 else 0)
    assert (report.recipients.partners, report.recipients.submitted) == (len(sent), submitted)
    assert report.recipients.won == 2
    assert (report.holdout.partners, report.holdout.submitted, report.holdout.won) == (
        len(held),
        1,
        0,
    )
    rate = (Decimal(submitted) / len(sent)).quantize(Decimal("0.001"))
    assert report.recipients.submitted_rate == rate
    held_rate = (Decimal(1) / len(held)).quantize(Decimal("0.001"))
    assert report.submitted_difference == rate - held_rate
    assert report.window_end == start + timedelta(days=30)
    assert not report.window_closed


def test_the_report_of_a_campaign_not_launched_has_no_effect_yet(manager):
    dormant(2)
    report = campaign_report(campaign(manager))
    assert report.counts["total"] == 0
    assert report.recipients.submitted_rate is None
    assert report.submitted_difference is None


def test_the_report_takes_the_same_few_queries_however_many_recipients(
    manager, django_assert_max_num_queries
):
    dormant(1)
    launched = campaign_launch(campaign=campaign(manager), actor=manager)
    with django_assert_max_num_queries(5):  # the counts, and two per group: none per row
        campaign_report(launched)


def test_the_partner_timeline_shows_each_campaign_received(manager, smtp):
    partner, _other = dormant(2)
    launched = campaign_launch(campaign=campaign(manager, holdout_share="0"), actor=manager)
    campaign_run(campaign_id=launched.pk)
    [entry] = campaigns_received(partner)
    assert entry.sentence == f"Campaign e-mail sent: {launched.name}"
    assert entry in timeline_entries(partner)  # registered with the partner's page
