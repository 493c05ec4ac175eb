"""A campaign sent by the worker's job through a real SMTP server: each partner of the segment
gets exactly one message, their own, with the unsubscribe headers; the unsubscribed, the
suppressed and those without an address are skipped with the reason; the holdout gets nothing,
and the same seed holds out the same partners."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.engagement.campaigns import campaign_launch
from relais.engagement.choices import (
    CampaignState,
    RecipientState,
    SkipReason,
    SuppressionReason,
    Topic,
)
from relais.engagement.models import Preference, Recipient
from relais.engagement.sending import INTERRUPTED, campaign_run, held_out
from relais.engagement.suppression import address_suppress
from relais.engagement.tests.campaign_fixtures import campaign, dormant, smtp, smtp_server, template
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
__all__ = ["smtp", "smtp_server"]


def states(launched) -> dict[int, tuple[str, str]]:  # type: ignore[no-untyped-def]
    rows = Recipient.objects.filter(campaign=launched)
    return {r.partner_id: (r.state, r.skip_reason) for r in rows}


def test_a_campaign_to_a_segment_sends_each_partner_one_message_of_their_own(manager, smtp):
    partners = dormant(12)
    unsubscribed, suppressed, news_off, english = partners[:4]
    Preference.objects.create(partner=unsubscribed, unsubscribed_at=timezone.now())
    Preference.objects.create(partner=news_off, news=False)
    Preference.objects.create(partner=english, language="en")
    address_suppress(email=suppressed.email.upper(), reason=SuppressionReason.HARD_BOUNCE)
    Partner.objects.filter(pk=partners[4].pk).update(email="")
    PartnerFactory()  # not in the segment: nothing
    launched = campaign_launch(campaign=campaign(manager, holdout_share="0.3"), actor=manager)

    assert campaign_run(campaign_id=launched.pk) > 0
    launched.refresh_from_db()
    assert launched.state == CampaignState.SENT
    assert launched.finished_at is not None
    got = states(launched)
    assert got[unsubscribed.pk] == (RecipientState.SKIPPED, SkipReason.UNSUBSCRIBED)
    assert got[news_off.pk] == (RecipientState.SKIPPED, SkipReason.UNSUBSCRIBED)
    assert got[suppressed.pk] == (RecipientState.SKIPPED, SkipReason.SUPPRESSED)
    assert got[partners[4].pk] == (RecipientState.SKIPPED, SkipReason.NO_EMAIL)
    reachable = [p for p in partners if got[p.pk][0] != RecipientState.SKIPPED]
    held = {p.pk for p in reachable if held_out(launched.holdout_seed, p.pk, Decimal("0.3"))}
    assert {pk for pk, (state, _r) in got.items() if state == RecipientState.HOLDOUT} == held
    receivers = {p.email: p for p in reachable if p.pk not in held}
    assert launched.queued_count == len(receivers)

    # Each receiver exactly once, nobody else, each with their own name and the headers.
    assert Counter(smtp.recipients()) == Counter(list(receivers))
    for (to,), message in smtp.accepted:
        partner = receivers[to]
        body = message.get_body(("plain",)).get_content()
        if partner == english:
            assert message["Subject"] == f"{english.first_name}, programme news"
        else:
            assert f"Bonjour {partner.first_name}, vous avez passé 0 leads." in body
        # (a long header is folded before its value: unfolded, the value may start with a space)
        assert message["List-Unsubscribe"].strip().startswith("<http")
        assert "/e/u/" in body
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        row = Recipient.objects.get(campaign=launched, partner=partner)
        assert (row.state, row.message_id) == (RecipientState.SENT, message["Message-ID"])


def test_the_holdout_is_the_same_for_the_same_seed_and_about_the_share():
    ids = range(1, 20_001)
    first = {pk for pk in ids if held_out(4242, pk, Decimal("0.1"))}
    assert first == {pk for pk in ids if held_out(4242, pk, Decimal("0.1"))}
    assert 1800 < len(first) < 2200  # 10 % of 20,000, give or take 2 standard deviations
    other = {pk for pk in ids if held_out(4243, pk, Decimal("0.1"))}
    assert len(first & other) < 400  # another seed draws other partners
    assert not any(held_out(4242, pk, Decimal("0")) for pk in ids)


def test_a_challenges_e_mail_skips_those_who_refused_challenges_only(manager, smtp):
    news_only, everything = dormant(2)
    Preference.objects.create(partner=news_only, challenges=False)
    challenge = template(name="Défi", topic=Topic.CHALLENGES)
    launched = campaign_launch(
        campaign=campaign(manager, template=challenge, holdout_share="0"), actor=manager
    )
    campaign_run(campaign_id=launched.pk)
    assert smtp.recipients() == [everything.email]
    assert states(launched)[news_only.pk] == (RecipientState.SKIPPED, SkipReason.UNSUBSCRIBED)


def test_a_refused_address_fails_with_the_server_reason_and_the_others_go_on(
    manager, smtp, settings
):
    refused, fine = dormant(2)
    Partner.objects.filter(pk=refused.pk).update(email="nobody@[not an address")
    launched = campaign_launch(campaign=campaign(manager, holdout_share="0"), actor=manager)
    campaign_run(campaign_id=launched.pk)
    row = Recipient.objects.get(campaign=launched, partner=refused)
    assert row.state == RecipientState.FAILED
    assert row.failure
    assert smtp.recipients() == [fine.email]


def test_a_run_taken_up_again_fails_the_row_it_was_sending_and_sends_the_others_once(manager, smtp):
    partners = dormant(4)
    launched = campaign_launch(campaign=campaign(manager, holdout_share="0"), actor=manager)
    # What a worker killed while handing over the first message leaves: the rows written, the
    # first one "sending", the campaign "running" with an old sign of life; the sweep
    # queues it again.
    Recipient.objects.bulk_create(
        Recipient(campaign=launched, partner=p, email=p.email) for p in partners
    )
    Recipient.objects.filter(partner=partners[0]).update(state=RecipientState.SENDING)
    launched.__class__.objects.filter(pk=launched.pk).update(
        queued_count=4, state=CampaignState.QUEUED
    )
    campaign_run(campaign_id=launched.pk)
    first = Recipient.objects.get(campaign=launched, partner=partners[0])
    assert (first.state, first.failure) == (RecipientState.FAILED, INTERRUPTED)
    assert sorted(smtp.recipients()) == sorted(p.email for p in partners[1:])
    assert campaign_run(campaign_id=launched.pk) == 0  # finished: a second task does nothing
    assert len(smtp.accepted) == 3
