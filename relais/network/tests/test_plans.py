"""Account plans: the buying centre with who knows whom as the reader may see it, the gaps,
next steps with owners and dates, the PDF for the account review; bad input named by field."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from relais.core.errors import DomainError
from relais.network import plans as svc
from relais.network.plan_selectors import plan_view
from relais.network.tests.factories import account, contact, knows, seller

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    alice, bruno = seller(first_name="Alice", last_name="Durand"), seller(first_name="Bruno")
    cible = account("Cible SA")
    boss = contact(cible, "Roux", first_name="Jeanne", title="DG")
    buyer = contact(cible, "Petit", first_name="Paul", title="Acheteur")
    knows(alice, boss, visibility="private", strength=5)
    knows(alice, buyer, visibility="shared", strength=3)
    plan = svc.account_plan_ensure(account=cible, actor=bruno)
    svc.buying_centre_set(
        plan=plan, actor=bruno, contact=boss, role="decision_maker", attitude="neutral"
    )
    svc.buying_centre_set(plan=plan, actor=bruno, contact=buyer, role="ally", attitude="favourable")
    return alice, bruno, cible, plan


def test_the_gap_says_nobody_the_reader_may_see_knows_the_decision_maker(setting):
    alice, bruno, cible, _plan = setting
    seen_by_bruno = plan_view(user=bruno, account=cible)
    assert "Nobody knows the decision-maker Jeanne Roux." in seen_by_bruno.gaps
    ally = next(r for r in seen_by_bruno.centre if r.entry.role == "ally")
    assert [k.owner_name for k in ally.known] == ["Alice Durand"]
    # Alice's private relationship is hers: she sees no gap there.
    assert plan_view(user=alice, account=cible).gaps == []


def test_a_plan_without_a_decision_maker_says_so():
    cible = account("Vide SA")
    assert plan_view(user=seller(), account=cible).gaps == ["No decision-maker identified yet."]


def test_a_person_of_another_account_or_a_bad_role_is_refused(setting):
    _alice, bruno, _cible, plan = setting
    stranger = contact(account("Autre SA"), "Autre")
    with pytest.raises(DomainError) as caught:
        svc.buying_centre_set(plan=plan, actor=bruno, contact=stranger, role="boss", attitude="?")
    assert set(caught.value.fields) == {"contact", "role", "attitude"}


def test_saving_a_person_again_updates_their_entry(setting):
    _alice, bruno, cible, plan = setting
    boss = cible.contacts.get(last_name="Roux")
    svc.buying_centre_set(
        plan=plan, actor=bruno, contact=boss, role="decision_maker", attitude="unfavourable"
    )
    assert plan.buying_centre.count() == 2
    assert plan.buying_centre.get(contact=boss).attitude == "unfavourable"


def test_steps_have_owners_and_dates_and_a_partner_user_cannot_own_one(setting, introducer_user):
    alice, bruno, cible, plan = setting
    with pytest.raises(DomainError) as caught:
        svc.plan_step_add(plan=plan, actor=bruno, text="", owner=introducer_user, due_on=None)
    assert set(caught.value.fields) == {"text", "owner"}
    late = date.today() - timedelta(days=2)
    svc.plan_step_add(plan=plan, actor=bruno, text="Déjeuner avec la DG", owner=alice, due_on=late)
    view = plan_view(user=bruno, account=cible)
    assert (view.steps[0].owner, view.overdue) == (alice, 1)
    svc.plan_step_done(step=view.steps[0], actor=alice)
    assert plan_view(user=bruno, account=cible).overdue == 0


def test_the_page_and_the_pdf_for_the_account_review(client, setting):
    _alice, bruno, cible, _plan = setting
    client.force_login(bruno)
    url = reverse("network:plan", args=[cible.pk])
    saved = client.post(url, {"strategy": "Entrer par les achats", "objectives": "2 chantiers"})
    assert saved.status_code == 302
    page = client.get(url).content.decode()
    assert "Nobody knows the decision-maker Jeanne Roux." in page
    assert "Entrer par les achats" in page
    step = client.post(
        reverse("network:plan_step_add", args=[cible.pk]), {"text": "", "due_on": "demain"}
    )
    assert step.status_code == 422
    pdf = client.get(reverse("network:plan_pdf", args=[cible.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Entrer par les achats" in text
    assert "Jeanne Roux" in text
    assert "Alice Durand" in text  # the shared relationship, by name
    assert "Nobody knows the decision-maker" in text


def test_a_partner_user_never_reaches_a_plan(client, setting, introducer_user):
    _alice, _bruno, cible, _plan = setting
    client.force_login(introducer_user)
    assert client.get(reverse("network:plan", args=[cible.pk])).status_code in (403, 404)


def test_the_accounts_other_people_are_listed_and_added_to_the_buying_centre(client, setting):
    _alice, bruno, cible, _plan = setting
    newcomer = contact(cible, "Blanc", first_name="Lucie", title="DAF")
    client.force_login(bruno)
    url = reverse("network:plan", args=[cible.pk])
    page = client.get(url).content.decode()
    others = page.split('id="plan-others"')[1].split("</ul>")[0]
    assert "Lucie Blanc" in others
    assert "Jeanne Roux" not in others  # already in the buying centre
    added = client.post(
        reverse("network:plan_centre_add", args=[cible.pk]),
        {"contact": newcomer.pk, "role": "influencer", "attitude": "unknown"},
    )
    assert added.status_code == 302
    view = plan_view(user=bruno, account=cible)
    assert newcomer not in view.others
    row = next(r for r in view.centre if r.entry.contact_id == newcomer.pk)
    assert row.entry.role == "influencer"
    assert 'id="plan-others"' not in client.get(url).content.decode()
