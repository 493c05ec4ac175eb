"""What the campaign tests share: a template, partners placed in a segment, a campaign, and a
real SMTP server (aiosmtpd, ``engagement.tests.smtp``) the mail goes to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest

from relais.engagement.campaigns import campaign_save
from relais.engagement.choices import Audience, Segment
from relais.engagement.models import Campaign, MessageTemplate, PartnerSegment
from relais.engagement.tests.smtp import Received, smtp_server
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory

__all__ = ["smtp", "smtp_server"]


def template(**fields: Any) -> MessageTemplate:
    values = {
        "name": "Relance",
        "subject_fr": "{{ first_name }}, des nouvelles du programme",
        "body_fr": "Bonjour {{ first_name }}, vous avez passé {{ leads_this_year }} leads.",
        "subject_en": "{{ first_name }}, programme news",
        "body_en": "Hello {{ first_name }}, you passed {{ leads_this_year }} leads.",
        **fields,
    }
    return MessageTemplate.objects.create(**values)


def in_segment(partners: list[Partner], segment: str = Segment.DORMANT) -> list[Partner]:
    """Place the partners in ``segment``, as the segments' judgement would have."""
    today = date.today()
    PartnerSegment.objects.bulk_create(
        PartnerSegment(partner=p, segment=segment, since=today, judged_on=today) for p in partners
    )
    return partners


def dormant(n: int) -> list[Partner]:
    return in_segment([PartnerFactory() for _ in range(n)])


def campaign(actor: Any, **data: Any) -> Campaign:
    values = {
        "name": "Réveil des dormants",
        "template": data.pop("template", None) or template(),
        "audience": Audience.SEGMENT,
        "segment": Segment.DORMANT,
        "holdout_share": "0.1",
        "rate_per_minute": "60000",
        **data,
    }
    return campaign_save(campaign=None, data=values, picked=data.get("picked"), actor=actor)


@dataclass
class Sent:
    """What the SMTP server received, as pairs of (envelope recipients, message)."""

    received: Received

    @property
    def accepted(self) -> list[tuple[list[str], EmailMessage]]:
        with self.received.lock:
            return list(zip(self.received.envelopes, self.received.messages, strict=True))

    def recipients(self) -> list[str]:
        return [to for rcpts, _message in self.accepted for to in rcpts]


@pytest.fixture
def smtp(smtp_server: Received) -> Sent:
    """A real SMTP server (aiosmtpd) the test's mail goes to."""
    return Sent(smtp_server)
