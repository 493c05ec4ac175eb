"""Campaign services: a draft refused naming its field, a launch refused when it would send
twice, to nobody or with a broken template, a preview and a test send as a partner reads it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from relais.core.errors import DomainError
from relais.engagement.campaigns import (
    audience_partners,
    campaign_cancel,
    campaign_launch,
    campaign_preview,
    campaign_save,
    campaign_test_send,
)
from relais.engagement.choices import Audience, CampaignState, Segment
from relais.engagement.models import MessageTemplate, Preference
from relais.engagement.tests.campaign_fixtures import campaign, dormant, smtp, smtp_server, template
from relais.partners.choices import PartnerStatus
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
__all__ = ["smtp", "smtp_server"]


def refused_field(call) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code, list(refused.value.fields)


def test_a_campaign_without_name_template_or_audience_is_refused_naming_the_field(manager):
    good = {"name": "N", "template": template(), "audience": "segment", "segment": "dormant"}

    def save(**changed):  # type: ignore[no-untyped-def]
        return lambda: campaign_save(campaign=None, data={**good, **changed}, actor=manager)

    assert refused_field(save(name=" ")) == ("name_required", ["name"])
    assert refused_field(save(template=None)) == ("template_required", ["template"])
    assert refused_field(save(segment="")) == ("segment_required", ["segment"])
    assert refused_field(save(audience="saved")) == ("saved_segment_required", ["saved_segment"])
    assert refused_field(save(audience="list")) == ("picked_required", ["picked"])
    assert refused_field(save(holdout_share="0.6")) == ("holdout_share_range", ["holdout_share"])
    assert refused_field(save(rate_per_minute="0")) == ("rate_too_low", ["rate_per_minute"])
    saved = save()()
    assert (saved.state, saved.holdout_share, saved.rate_per_minute) == (
        "draft",
        Decimal("0.1"),
        600,
    )


def test_a_hand_picked_audience_holds_the_live_partners_picked(manager):
    live, ended, other = (
        PartnerFactory(),
        PartnerFactory(status=PartnerStatus.ENDED),
        PartnerFactory(),
    )
    picked = campaign(manager, audience=Audience.LIST, segment="", picked=[live.pk, ended.pk])
    assert list(audience_partners(picked)) == [live]
    assert other not in audience_partners(picked)


def test_launching_a_campaign_twice_is_refused(manager):
    dormant(3)
    launched = campaign_launch(campaign=campaign(manager), actor=manager)
    assert launched.state == CampaignState.QUEUED
    assert launched.holdout_seed > 0
    with pytest.raises(DomainError, match="already launched") as refused:
        campaign_launch(campaign=launched, actor=manager)
    assert refused.value.code == "already_launched"
    # Nor can a launched campaign be changed.
    with pytest.raises(DomainError):
        campaign_save(
            campaign=launched,
            data={"name": "x", "template": launched.template, "segment": "dormant"},
            actor=manager,
        )


def test_an_audience_that_matches_nobody_is_refused_before_sending(manager):
    dormant(2)
    nobody = campaign(manager, segment=Segment.CHAMPION)
    with pytest.raises(DomainError, match="matches nobody") as refused:
        campaign_launch(campaign=nobody, actor=manager)
    assert refused.value.fields == {"audience": refused.value.message}
    nobody.refresh_from_db()
    assert nobody.state == CampaignState.DRAFT


def test_a_template_broken_since_it_was_chosen_is_refused_at_launch(manager):
    dormant(1)
    draft = campaign(manager)
    MessageTemplate.objects.filter(pk=draft.template_id).update(body_fr="{{ firstname }}")
    draft.refresh_from_db()
    with pytest.raises(DomainError, match="firstname"):
        campaign_launch(campaign=draft, actor=manager)


def test_a_campaign_launched_for_later_is_scheduled_and_can_be_cancelled(manager):
    dormant(1)
    later = timezone.now() + timedelta(days=1)
    scheduled = campaign_launch(campaign=campaign(manager), actor=manager, at=later)
    assert (scheduled.state, scheduled.scheduled_for) == (CampaignState.SCHEDULED, later)
    assert campaign_cancel(campaign=scheduled, actor=manager).state == CampaignState.CANCELLED
    with pytest.raises(DomainError):
        campaign_cancel(campaign=scheduled, actor=manager)


def test_the_sweep_starts_a_scheduled_campaign_once_its_time_comes(manager):
    from relais.engagement.campaign_setup import campaigns_sweep

    dormant(1)
    soon = timezone.now() + timedelta(minutes=5)
    scheduled = campaign_launch(campaign=campaign(manager), actor=manager, at=soon)
    assert campaigns_sweep(timezone.now()).startswith("0 started")
    assert campaigns_sweep(soon + timedelta(seconds=1)).startswith("1 started")
    scheduled.refresh_from_db()
    assert scheduled.state == CampaignState.QUEUED
    assert scheduled.launched_at is not None


def test_the_preview_shows_a_partner_their_own_figures_in_their_language(manager):
    french, english = dormant(2)
    Preference.objects.create(partner=english, language="en")
    draft = campaign(manager)
    assert campaign_preview(campaign=draft, partner=french).subject.startswith(
        f"{french.first_name}, des nouvelles"
    )
    written = campaign_preview(campaign=draft, partner=english)
    assert written.body == f"Hello {english.first_name}, you passed 0 leads."
    with pytest.raises(DomainError, match="not in this campaign"):
        campaign_preview(campaign=draft, partner=PartnerFactory())


def test_a_test_send_goes_to_the_manager_marked_test(manager, smtp):
    first, _second = dormant(2)
    campaign_test_send(campaign=campaign(manager), actor=manager)
    assert len(mail.outbox) == 0  # through the real server, not the test outbox
    [(to, message)] = smtp.accepted
    assert to == [manager.email]
    assert message["Subject"] == f"[TEST] {first.first_name}, des nouvelles du programme"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
