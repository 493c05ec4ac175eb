"""The staff lead page: its status form offers the moves possible from where the lead is, each
with only the fields it needs; its timeline reads as sentences in the reader's language."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from relais.core.deferred import later
from relais.leads import services
from relais.leads.lifecycle import lead_timeline_add
from relais.leads.models import Lead, LeadEvent
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
QUICK = {"last_name": "Bernard", "phone": "06 11 22 33 44", "postcode": "31000"}


class _Forms(HTMLParser):
    """The page's move forms: for each, its ``data-move`` and the fields it posts as is."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, object]] = []
        self._in: dict[str, object] | None = None
        self._move = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "data-move" in a:
            self._move = a["data-move"] or ""
        if tag == "form" and "/status/" in (a.get("action") or ""):
            self._in = {"move": self._move or a.get("data-move"), "data": {}, "fields": []}
            self.forms.append(self._in)
        elif self._in is not None and tag in ("input", "select", "textarea"):
            name = a.get("name") or ""
            self._in["fields"].append(name)  # type: ignore[union-attr]
            if tag == "input" and a.get("value") is not None:
                self._in["data"][name] = a["value"]  # type: ignore[index]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in = None
        if tag == "details":
            self._move = ""


def _moves(client, lead: Lead) -> dict[str, dict[str, object]]:
    page = client.get(f"/leads/{lead.pk}/")
    assert page.status_code == 200
    parser = _Forms()
    parser.feed(page.content.decode())
    return {str(f["move"]): f for f in parser.forms}


def _lead(**fields: object) -> Lead:
    lead = services.lead_submit(data=dict(QUICK), channel="portal", partner=PartnerFactory())
    Lead.objects.filter(pk=lead.pk).update(**fields)
    lead.refresh_from_db()
    return lead


def test_a_submitted_lead_offers_qualify_and_reject_and_nothing_else(client, manager):
    client.force_login(manager)
    moves = _moves(client, _lead())
    assert set(moves) == {"qualified", "rejected"}
    page = client.get(f"/leads/{_lead().pk}/").content.decode()
    assert 'value="submitted"' not in page  # the lead's own status is no choice


def test_each_move_asks_only_the_fields_it_needs(client, manager):
    client.force_login(manager)
    moves = _moves(client, _lead(status="opened"))
    assert set(moves) == {"in_progress", "won", "lost"}
    fields = {move: set(f["fields"]) - {"csrfmiddlewaretoken"} for move, f in moves.items()}  # type: ignore[arg-type]
    assert fields == {
        "in_progress": {"to"},
        "won": {"to", "amount", "won_date", "note"},
        "lost": {"to", "lost_reason", "note"},
    }
    assert set(_moves(client, _lead())["rejected"]["fields"]) - {"csrfmiddlewaretoken"} == {  # type: ignore[arg-type]
        "to",
        "rejection_reason",
        "note",
    }


def test_the_move_offered_applies_as_it_is(client, manager):
    client.force_login(manager)
    lead = _lead()
    offered = _moves(client, lead)["qualified"]
    response = client.post(f"/leads/{lead.pk}/status/", offered["data"])
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == "qualified"


def test_won_asks_an_amount_and_defaults_the_date_to_today(client, manager):
    client.force_login(manager)
    lead = _lead(status="in_progress")
    won = _moves(client, lead)["won"]
    assert won["data"]["won_date"] == timezone.localdate().isoformat()  # type: ignore[index]
    refused = client.post(f"/leads/{lead.pk}/status/", won["data"])
    assert refused.status_code == 422
    assert 'id="id_won_amount"' in refused.content.decode()
    lead.refresh_from_db()
    assert lead.status == "in_progress"
    done = client.post(f"/leads/{lead.pk}/status/", {**won["data"], "amount": "12500.50"})  # type: ignore[dict-item]
    assert done.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, str(lead.won_amount), lead.won_date) == (
        "won",
        "12500.50",
        timezone.localdate(),
    )


def test_a_future_won_date_is_named_on_its_field(client, manager):
    client.force_login(manager)
    lead = _lead(status="in_progress")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        f"/leads/{lead.pk}/status/", {"to": "won", "amount": "10", "won_date": tomorrow}
    )
    assert response.status_code == 422
    assert re.search(
        r'class="field has-error">\s*<label for="id_won_won_date"', response.content.decode()
    )


def test_a_move_no_longer_possible_is_refused_with_where_the_lead_is(client, manager):
    client.force_login(manager)
    lead = _lead(status="qualified")
    response = client.post(f"/leads/{lead.pk}/status/", {"to": "in_progress"})
    assert response.status_code == 409
    assert "Qualifié" in response.content.decode() or "Qualified" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "qualified"


def test_a_qualified_lead_is_assigned_on_the_routing_page_not_by_a_bare_status(client, manager):
    client.force_login(manager)
    lead = _lead(status="qualified")
    moves = _moves(client, lead)
    assert set(moves) == {"rejected"}
    assert (
        f'href="/routing/leads/{lead.pk}/assign/"'
        in client.get(f"/leads/{lead.pk}/").content.decode()
    )


def test_a_closed_lead_has_no_form_but_a_manager_may_reopen_it(client, manager, salesperson):
    lead = _lead(status="won", won_amount=100, won_date=timezone.localdate())
    Lead.objects.filter(pk=lead.pk).update(salesperson=salesperson, partner=None)
    client.force_login(salesperson)
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert 'id="lead-moves"' not in page
    client.force_login(manager)
    assert set(_moves(client, lead)) == {"qualified"}
    page = client.get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reopen: back to Qualified" in page


def test_the_timeline_reads_as_sentences_in_the_readers_language(client, manager):
    lead = _lead()
    services.lead_transition(lead=lead, to="qualified", actor=manager)
    LeadEvent.objects.create(
        lead=lead,
        at=timezone.now(),
        kind="unassigned",
        note="Aucun revendeur actif ne couvre ce département.",
    )
    lead_timeline_add(
        lead=lead,
        kind="open_reminder",
        note="Ce lead n'a pas encore été ouvert.",
        at=timezone.now(),
    )
    client.force_login(manager)
    french = client.get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    timeline = re.compile(r'<section class="card" id="lead-timeline">.*?</section>', re.S)
    fr, en = timeline.search(french).group(), timeline.search(english).group()  # type: ignore[union-attr]
    assert "Transmis → Qualifié" in fr
    assert "Status: Submitted → Qualified" in en
    assert "No active reseller serves this département." in en
    assert "Aucun revendeur" not in en
    for raw in ("submitted", "qualified", "status ", "unassigned", "open_reminder"):
        assert raw not in re.sub(r"<[^>]+>", " ", fr), raw


def test_a_routing_note_stored_as_a_message_reads_in_each_language(client, manager):
    lead = _lead(status="qualified")
    LeadEvent.objects.create(
        lead=lead,
        at=timezone.now(),
        kind="status",
        from_status="qualified",
        to_status="assigned",
        note="→ Isolation Sud : la moins servie, pondérée par ses KPI",
        data={
            "says": later(
                "→ %(name)s: %(rule)s",
                name="Isolation Sud",
                rule=later("the least served, weighted by its KPIs"),
            )
        },
    )
    client.force_login(manager)
    english = client.get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "→ Isolation Sud: the least served, weighted by its KPIs" in english
    assert "la moins servie" not in english
