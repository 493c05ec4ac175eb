"""Expiry reminders with the clock moved: each delay's reminder fires once, the 7-day one after
the 30-day one, never twice on repeated sweeps, none for a revoked or an expired certificate,
and it reaches a partner who unsubscribed from the programme e-mails."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from relais.accounts.choices import Role
from relais.core import scheduling
from relais.engagement.models import Preference
from relais.testing.factories import PartnerFactory, UserFactory, partner_user
from relais.training.certificates import certificate_issue, certificate_revoke
from relais.training.choices import Validity
from relais.training.models import ExpiryReminder, Module
from relais.training.reminders import reminders_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def delays(settings):
    settings.RELAIS_TRAINING_REMINDER_DAYS = [30, 7]


def certificate(title="Conformité", **partner_fields):
    partner = PartnerFactory.create(**partner_fields)
    module = Module.objects.create(title=title, validity=Validity.ONE_YEAR, published=True)
    return certificate_issue(partner=partner, module=module)


def test_each_delay_fires_once_the_seven_day_one_after_the_thirty_day_one():
    cert = certificate()
    expires = cert.expires_at
    reminders_send(now=expires - timedelta(days=45))
    assert mail.outbox == []

    summary = reminders_send(now=expires - timedelta(days=29))
    assert summary.startswith("1 expiry reminders sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [cert.partner.email]
    assert "Conformité" in mail.outbox[0].subject
    assert "/portal/training/" in mail.outbox[0].body

    for days_left in (29, 20, 8):
        reminders_send(now=expires - timedelta(days=days_left))
    assert len(mail.outbox) == 1

    reminders_send(now=expires - timedelta(days=6))
    reminders_send(now=expires - timedelta(days=6))
    reminders_send(now=expires - timedelta(days=1))
    assert len(mail.outbox) == 2
    reminded = ExpiryReminder.objects.filter(certificate=cert)
    assert sorted(reminded.values_list("days_before", flat=True)) == [7, 30]


def test_a_late_first_sweep_sends_one_reminder_not_both():
    cert = certificate()
    reminders_send(now=cert.expires_at - timedelta(days=5))
    reminders_send(now=cert.expires_at - timedelta(days=4))
    assert len(mail.outbox) == 1


def test_none_for_a_revoked_or_an_expired_certificate():
    revoked = certificate()
    certificate_revoke(
        certificate=revoked, actor=UserFactory.create(role=Role.MANAGER), reason="Erreur"
    )
    reminders_send(now=revoked.expires_at - timedelta(days=3))
    expired = certificate()
    reminders_send(now=expired.expires_at + timedelta(days=1))
    assert mail.outbox == []


def test_none_for_a_certificate_replaced_by_a_newer_version():
    cert = certificate()
    cert.issued_at -= timedelta(days=300)
    cert.expires_at -= timedelta(days=300)
    cert.save()
    cert.module.version = 2  # the manager required everyone to take it again; this one did
    cert.module.save()
    certificate_issue(partner=cert.partner, module=cert.module)
    reminders_send(now=cert.expires_at - timedelta(days=3))
    assert mail.outbox == []


def test_it_goes_to_the_members_in_their_language_even_unsubscribed():
    cert = certificate(title="Travailler ses leads")
    member = partner_user(cert.partner, email="vendeur@example.fr")
    Preference.objects.create(partner=cert.partner, language="en", unsubscribed_at=timezone.now())
    reminders_send(now=cert.expires_at - timedelta(days=6))
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "expires" in message.subject  # English, the partner's choice

    french = certificate(title="Conformité")
    reminders_send(now=french.expires_at - timedelta(days=6))
    assert "Bonjour" in mail.outbox[1].body  # French by default


def test_the_sweep_is_a_registered_recurring_job():
    (job,) = [job for job in scheduling.jobs() if job.name == "training.reminders"]
    assert job.every == timedelta(minutes=60)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, so there is no race")
    certificates = [certificate(title=f"Module {n}") for n in range(10)]
    now = certificates[0].expires_at - timedelta(days=6)
    barrier, summaries = threading.Barrier(2), []

    def sweep():
        barrier.wait(timeout=10)
        try:
            summaries.append(reminders_send(now=now))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(timeout=120) for t in threads]
    assert len(summaries) == 2
    assert len(mail.outbox) == len(certificates)
    assert sum(int(s.split(" ")[0]) for s in summaries) == len(certificates)
