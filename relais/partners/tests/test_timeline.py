"""A partner's timeline reads as sentences in the reader's language, made when it is shown: no
action code, no field name, no status code, whatever language the entry was written in."""

import re

import pytest
from django.utils import translation

from relais.core.audit import audit_record
from relais.core.deferred import later
from relais.partners import services
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TIMELINE = re.compile(r'<section class="card" id="partner-timeline">.*?</section>', re.S)


def _timeline(client, partner, language):
    page = client.get(f"/partners/{partner.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    return re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", TIMELINE.search(page.content.decode()).group())
    )


def test_the_partner_timeline_is_sentences_in_the_readers_language(client, manager):
    partner = PartnerFactory(phone="")
    with translation.override("fr"):  # written by a French session: its target says « statut »
        services.partner_transition(
            partner=partner, to="paused", actor=manager, reason="Pause estivale"
        )
    audit_record(
        subject=partner,
        action="scored",
        actor=manager,
        target="fiche d'évaluation",
        changes={"total": [None, "72"]},
    )
    audit_record(
        subject=partner,
        action="updated",
        actor=manager,
        changes={"phone": ["", "+33611223344"], "tax_regime": ["bnc_non_pro", "vat_liable"]},
    )
    client.force_login(manager)
    en = _timeline(client, partner, "en")
    assert "Status: Active → Paused" in en
    assert "« Pause estivale »" in en  # a person's words stay as written
    assert "Scorecard filled in: 72/100." in en
    assert "Phone: — → +33611223344" in en
    assert "Declared tax regime: Occasional income" in en
    fr = _timeline(client, partner, "fr")
    assert "Actif → En pause" in fr
    for raw in ("scored", "updated", "status", "paused", "tax_regime", "vat_liable", "phone"):
        assert not re.search(rf"\b{raw}\b", fr), raw
    assert "statut" not in en
    assert "fiche" not in en


def test_a_reason_the_system_composed_is_translated_when_shown(client, manager):
    partner = PartnerFactory()
    audit_record(
        subject=partner,
        action="review_pause",
        actor=manager,
        reason="Revue annuelle 2026 : A rendu 5 de ses 8 leads.",
        changes={
            "says": later(
                "Yearly review %(year)s: %(why)s",
                year=2026,
                why=later("Gave back %(n)s of its %(total)s leads.", n=5, total=8),
            )
        },
    )
    client.force_login(manager)
    en = _timeline(client, partner, "en")
    assert "Yearly review: « Pause » accepted." in en
    assert "Yearly review 2026: Gave back 5 of its 8 leads." in en
    assert "Revue annuelle" not in en
