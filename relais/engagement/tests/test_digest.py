"""The monthly digest: each partner reads their own figures of last month in their language —
an introducer their leads and what became of them and their earnings, a reseller its KPIs
against the norms and the network's average — from the default template, created once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from relais.commissions.choices import LineKind
from relais.commissions.models import CommissionLine
from relais.engagement import digest, merge
from relais.engagement.automations import automations_run, digest_automation_ensure
from relais.engagement.choices import Topic, Trigger
from relais.engagement.models import Automation, MessageTemplate, Preference
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.leads.services import lead_submit
from relais.routing.models import KpiMonth
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def submit(partner, n, status=None, *, at=None):
    lead = lead_submit(
        data={"last_name": f"P{n}", "phone": f"06120000{n:02d}", "postcode": "69003"},
        channel="portal",
        partner=partner,
    )
    changes = {k: v for k, v in (("status", status), ("submitted_at", at)) if v}
    if changes:
        Lead.objects.filter(pk=lead.pk).update(**changes)
    return lead


def kpi(reseller, received, opened, treated, won):
    KpiMonth.objects.create(
        kind="reseller",
        assignee_id=reseller.pk,
        month=timezone.localdate().replace(day=1),
        received=received,
        opened=opened,
        treated=treated,
        won=won,
    )


def next_month_run():
    """The sweep early next month: the digest of the month we are in."""
    automations_run(now=timezone.now().replace(day=1) + timedelta(days=34))


def body_to(partner):
    """The subject and body of the one mail ``partner`` got, spaces plain (French puts a
    narrow no-break space before % and €)."""
    (found,) = [m for m in mail.outbox if m.to == [partner.email]]
    spaces = str.maketrans({"\u00a0": " ", "\u202f": " "})
    return found.subject.translate(spaces), found.body.translate(spaces)


def test_the_default_digest_template_is_created_once_and_kept_as_edited():
    first = digest.digest_template_ensure()
    assert first.topic == Topic.DIGEST
    MessageTemplate.objects.filter(pk=first.pk).update(subject_fr="Mon bilan")
    again = digest.digest_template_ensure()
    assert (again.pk, again.subject_fr) == (first.pk, "Mon bilan")
    auto = digest_automation_ensure(actor=None)
    assert (auto.trigger, auto.template_id, auto.active) == (Trigger.DIGEST, first.pk, True)
    assert digest_automation_ensure(actor=None).pk == auto.pk
    assert Automation.objects.count() == 1


def test_the_default_templates_use_only_merge_fields(monkeypatch):
    for name, label in digest.DIGEST_FIELDS.items():
        monkeypatch.setitem(merge.MERGE_FIELDS, name, label)
    for source in (digest.SUBJECT_FR, digest.BODY_FR, digest.SUBJECT_EN, digest.BODY_EN):
        merge.template_check(source, field="body_fr")


def test_an_introducer_reads_last_months_leads_what_became_of_them_and_earnings():
    digest_automation_ensure(actor=None)
    amelie = PartnerFactory(first_name="Amélie")
    submit(amelie, 1, LeadStatus.WON)
    submit(amelie, 2, LeadStatus.LOST)
    submit(amelie, 3)
    submit(amelie, 4, at=timezone.now() - timedelta(days=70))  # an earlier month's lead
    CommissionLine.objects.create(
        partner=amelie,
        event_key="won:1",
        kind=LineKind.COMMISSION,
        amount=Decimal("150.00"),
        earned_on=timezone.localdate(),
    )
    other = PartnerFactory(first_name="Bruno")
    Preference.objects.create(partner=other, language="en")
    next_month_run()
    month = timezone.localdate()
    subject, body = body_to(amelie)
    with translation.override("fr"):
        label = date_format(month, "F Y")  # "décembre 2026"
    assert subject == f"Amélie, votre bilan de {label}"
    assert "vous nous avez transmis 3 lead(s) : 1 en cours, 1 gagné(s), 1 perdu(s)." in body
    assert "Commissions gagnées en " in body
    assert ": 150,00 € ; depuis le 1er janvier" in body
    assert f"/r/{amelie.referral_code}/" in body
    assert "taux d'ouverture" not in body
    subject, body = body_to(other)
    assert subject == f"Bruno, your {month:%B %Y} summary"
    assert f"In {month:%B %Y} you passed us 0 lead(s): 0 being worked, 0 won, 0 lost." in body
    assert "Commissions earned in" in body
    assert "€0.00; since 1 January: €0.00" in body


def test_a_reseller_reads_its_kpis_against_the_norms_and_the_network():
    digest_automation_ensure(actor=None)
    good, poor = PartnerFactory(reseller=True), PartnerFactory(reseller=True)
    kpi(good, 10, 10, 9, 5)
    kpi(poor, 10, 6, 5, 1)
    next_month_run()
    _subject, body = body_to(poor)
    assert "Vos indicateurs depuis le 1er janvier" in body
    assert "- leads reçus : 10" in body
    # Its own 60 % against the norm of 90 % and the network's pooled 80 % (16 of 20).
    assert "- taux d'ouverture : 60 % (norme 90 %, réseau 80 %)" in body
    assert "- taux de traitement : 50 % (norme 80 %, réseau 70 %)" in body
    assert "lien de recommandation" not in body
    _subject, body = body_to(good)
    assert "- taux d'ouverture : 100 % (norme 90 %, réseau 80 %)" in body


def test_a_reseller_given_no_lead_this_year_reads_the_norms_and_a_dash():
    digest_automation_ensure(actor=None)
    idle, busy = PartnerFactory(reseller=True), PartnerFactory(reseller=True)
    kpi(busy, 10, 9, 8, 5)
    next_month_run()
    _subject, body = body_to(idle)
    assert "- leads reçus : 0" in body
    assert "- taux d'ouverture : — (norme 90 %, réseau 90 %)" in body
