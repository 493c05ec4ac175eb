"""Required before working: a reseller missing a required module gets no new lead and the
router says why; a candidate missing one cannot be activated, and is once it is done; active
partners keep working through the grace period."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.core.errors import TransitionError
from relais.core.outbox import deliver_all
from relais.leads.models import LeadEvent
from relais.leads.services import lead_submit, lead_transition
from relais.partners import services as partners
from relais.partners.choices import PartnerStatus
from relais.partners.tests.test_lifecycle import score_all, sign_everything_required
from relais.routing.models import Assignment, ResellerProfile
from relais.testing.factories import PartnerFactory
from relais.training.choices import ModuleAudience
from relais.training.models import Module
from relais.training.quiz import module_read

pytestmark = pytest.mark.django_db


def required_module(title="Traiter ses leads dans Relais", since=None) -> Module:
    return Module.objects.create(
        title=title,
        published=True,
        required_for=ModuleAudience.RESELLER,
        required_since=since or timezone.now() - timedelta(days=400),
    )


def reseller(name: str) -> object:
    partner = PartnerFactory(reseller=True, company_name=name)
    partner.served_departements.set(["69"])
    ResellerProfile.objects.get_or_create(partner=partner)
    return partner


def route_one(manager, django_capture_on_commit_callbacks, number=1):
    with django_capture_on_commit_callbacks(execute=True):
        lead = lead_submit(
            data={"last_name": f"P{number}", "phone": f"061100000{number}", "postcode": "69003"},
            channel="staff",
        )
        lead = lead_transition(lead=lead, to="qualified", actor=manager)
    deliver_all()
    lead.refresh_from_db()
    return lead


def test_an_untrained_reseller_gets_no_new_lead_and_the_router_says_why(
    client, manager, django_capture_on_commit_callbacks
):
    module = required_module()
    _untrained, trained = reseller("Aucune Formation SARL"), reseller("Bien Formé SAS")
    module_read(partner=trained, module=module)
    lead = route_one(manager, django_capture_on_commit_callbacks)
    assert lead.assigned_reseller == trained
    explanation = Assignment.objects.get(lead=lead).explanation
    assert explanation["excluded"] == {"blocked": 1}
    assert [b["name"] for b in explanation["blocked"]] == ["Aucune Formation SARL"]
    client.force_login(manager)
    page = client.get(f"/routing/leads/{lead.pk}/assign/").content.decode()
    assert "Aucune Formation SARL" in page
    assert "formation obligatoire" in page or "required training" in page


def test_with_only_untrained_resellers_the_lead_waits_and_says_why(
    manager, django_capture_on_commit_callbacks
):
    required_module()
    reseller("Aucune Formation SARL")
    lead = route_one(manager, django_capture_on_commit_callbacks)
    assert lead.status == "qualified"
    assert lead.assigned_reseller is None
    event = LeadEvent.objects.filter(lead=lead, kind="unassigned").get()
    assert "required training" in event.data["reason"] or "formation" in event.data["reason"]


def test_an_active_reseller_keeps_getting_leads_through_the_grace_period(
    settings, manager, django_capture_on_commit_callbacks
):
    settings.RELAIS_TRAINING_GRACE_DAYS = 30
    partner = reseller("Ancien Revendeur SARL")
    partner.created_at = timezone.now() - timedelta(days=200)
    partner.save(update_fields=["created_at"])
    module = required_module(since=timezone.now() - timedelta(days=10))
    assert route_one(manager, django_capture_on_commit_callbacks, 1).assigned_reseller == partner
    module.required_since = timezone.now() - timedelta(days=31)
    module.save(update_fields=["required_since"])
    assert route_one(manager, django_capture_on_commit_callbacks, 2).assigned_reseller is None


def test_a_candidate_missing_a_required_module_is_activated_once_it_is_done(manager):
    module = required_module()
    candidate = reseller("Nouveau Revendeur SAS")
    candidate.status = PartnerStatus.CANDIDATE
    candidate.save(update_fields=["status"])
    score_all(candidate, manager)
    partners.scorecard_decide(
        partner=candidate, decision="accept", note="", actor=manager, build_login_url=str
    )
    sign_everything_required(candidate, candidate.members.get().user)
    candidate.refresh_from_db()
    assert candidate.status == PartnerStatus.CANDIDATE  # accepted and signed, training missing
    with pytest.raises(TransitionError, match="Traiter ses leads dans Relais"):
        partners.partner_transition(partner=candidate, to=PartnerStatus.ACTIVE, actor=manager)
    module_read(partner=candidate, module=module)
    candidate.refresh_from_db()
    assert candidate.status == PartnerStatus.ACTIVE


def test_the_portal_home_and_the_partner_page_say_what_is_missing(client, manager):
    from relais.testing.factories import partner_user

    required_module()
    partner = reseller("Aucune Formation SARL")
    client.force_login(partner_user(partner))
    home = client.get("/portal/").content.decode()
    assert 'id="todo-training"' in home
    assert "Traiter ses leads dans Relais" in home
    client.force_login(manager)
    page = client.get(f"/partners/{partner.pk}/").content.decode()
    assert 'id="training-missing"' in page
    assert "Traiter ses leads dans Relais" in page
