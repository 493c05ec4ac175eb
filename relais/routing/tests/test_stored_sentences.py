"""What the router, the SLA timers and the attribution rule write on a lead's timeline is read in
the reader's language, whatever language the process that wrote it ran in: the sentence is
stored as a message with its parameters (``core.deferred``), said when the page is shown."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation

from relais.leads.services import lead_submit
from relais.routing import services
from relais.routing.sla import sla_sweep
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TIMELINE = re.compile(r'<section class="card" id="lead-timeline">.*?</section>', re.S)


def timeline(client, lead, language):
    page = client.get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    found = TIMELINE.search(page)
    assert found is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group()))


def test_a_lead_routed_in_french_says_why_its_reseller_was_chosen_in_english(client, manager):
    reseller = make_reseller()
    lead = make_qualified(manager)
    with translation.override("fr"):
        services.lead_route(lead_id=lead.pk)
    client.force_login(manager)
    english = timeline(client, lead, "en")
    minimum = settings.RELAIS_ROUTING_YEARLY_MINIMUM
    assert (
        f"→ {reseller.company_name}: below the yearly minimum of {minimum} (0 leads in 12 months);"
        " 1 candidate, 0 excluded."
    ) in english
    assert "sous le minimum" not in english


def test_a_lead_routed_in_english_says_it_in_french(client, manager):
    reseller = make_reseller()
    lead = make_qualified(manager)
    with translation.override("en"):
        services.lead_route(lead_id=lead.pk)
    client.force_login(manager)
    french = timeline(client, lead, "fr")
    assert f"→ {reseller.company_name} : sous le minimum annuel de" in french
    assert "1 candidat, 0 exclu." in french
    assert "below the yearly minimum" not in french


def test_a_lead_outside_the_territory_says_so_in_the_readers_language(client, manager):
    make_reseller()
    lead = make_qualified(manager, postcode="98000")  # Monaco: no French département
    with translation.override("fr"):
        assert services.lead_route(lead_id=lead.pk) is None
    client.force_login(manager)
    english = timeline(client, lead, "en")
    assert "Outside the territory we serve: postcode 98000." in english
    queue = client.get("/routing/unassigned/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Outside the territory we serve: postcode 98000." in queue


def test_an_expired_and_an_escalated_lead_say_their_hours_and_days(client, manager):
    make_reseller()
    second = make_reseller()
    hours, days = settings.RELAIS_SLA_REASSIGN_HOURS, settings.RELAIS_SLA_ESCALATION_DAYS
    t0 = timezone.now() - timedelta(days=days + 10)
    lead = make_qualified(manager)
    services.lead_route(lead_id=lead.pk, now=t0)
    with translation.override("fr"):
        sla_sweep(t0 + timedelta(hours=hours + 1))  # not opened: taken back, given to the other
        services.assignee_declare(lead=lead, reseller=second, to="in_progress", actor=None)
        # Not closed, counted from the second assignment: the managers are told.
        sla_sweep(t0 + timedelta(days=days + 8))
    client.force_login(manager)
    english = timeline(client, lead, "en")
    assert f"Not opened within {hours} hours: taken back to be routed again." in english
    assert f"Escalated to the managers: not closed {days} days after assignment." in english
    french = timeline(client, lead, "fr")
    assert f"Non ouvert sous {hours} heures" in french


def test_the_last_referral_rule_is_stored_as_a_message(client, manager, settings):
    settings.RELAIS_ATTRIBUTION_RULE = "last"
    prospect = {"last_name": "Durand", "phone": "06 55 44 33 22", "postcode": "69003"}
    lead_submit(data=prospect, channel="portal", partner=PartnerFactory())
    with translation.override("fr"):
        second = lead_submit(data=prospect, channel="portal", partner=PartnerFactory())
    event = second.events.get(kind="attribution")
    assert event.data["says"] == {"msgid": "Rule: the last referral wins."}
    client.force_login(manager)
    assert "Rule: the last referral wins." in timeline(client, second, "en")
