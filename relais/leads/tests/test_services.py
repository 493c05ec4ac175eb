"""Submission: normalisation, duplicates within the window, conflicts, self-referral, lifecycle."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from relais.core.errors import DomainError, TransitionError
from relais.leads import services
from relais.leads.choices import Channel
from relais.leads.lifecycle import lead_assign
from relais.leads.models import Lead, LeadEvent, ProspectKey, Suppression
from relais.leads.normalise import company_key
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
PROSPECT = {
    "first_name": "Jean",
    "last_name": "Dupont",
    "email": " Jean.Dupont@Orange.FR ",
    "phone": "06 12 34 56 78",
    "postcode": "33000",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def submit(partner=None, **changes):
    return services.lead_submit(
        data={**PROSPECT, **changes}, channel=Channel.PORTAL, partner=partner
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Société Dupont & Fils SARL", "dupont fils"),
        ("DUPONT ET FILS", "dupont fils"),
        ("Éts Mégane SAS", "ets megane"),
    ],
)
def test_company_names_are_compared_without_case_accents_or_legal_form(name, key):
    assert company_key(name) == key


def test_a_lead_is_stored_normalised_with_its_departement_and_timeline():
    lead = submit(PartnerFactory(), siret="732 829 320 00074", company_name="ACME SAS")
    assert (lead.email, lead.phone, lead.siren, lead.departement_id) == (
        "jean.dupont@orange.fr",
        "+33612345678",
        "732829320",
        "33",
    )
    assert lead.status == "submitted"
    assert LeadEvent.objects.get(lead=lead).kind == "submitted"


def test_bad_input_names_every_field_and_saves_nothing():
    with pytest.raises(ValidationError) as excinfo:
        services.lead_submit(
            data={"first_name": "", "email": "nope", "phone": "12", "postcode": "999"},
            channel="portal",
        )
    errors = excinfo.value.message_dict
    assert set(errors) == {"email", "phone", "postcode", "last_name"}
    assert "nope" in errors["email"][0]
    assert not Lead.objects.exists()
    assert not ProspectKey.objects.exists()


def test_a_contact_means_is_required():
    with pytest.raises(ValidationError) as excinfo:
        services.lead_submit(data={"last_name": "Dupont", "postcode": "33000"}, channel="portal")
    assert "e-mail or a phone" in excinfo.value.message_dict["email"][0]


def test_the_same_prospect_from_the_same_partner_is_a_rejected_duplicate():
    partner = PartnerFactory()
    first = submit(partner)
    again = submit(partner, email="", phone="+33 6 12 34 56 78")  # matched on the phone alone
    assert again.duplicate_of == first
    assert (again.status, again.rejection_reason) == ("rejected", "duplicate")


def test_the_same_prospect_from_another_partner_goes_to_the_conflict_queue():
    first = submit(PartnerFactory())
    second = submit(PartnerFactory())
    assert second.duplicate_of == first
    assert (second.status, second.review_reason) == ("submitted", "conflict")


def test_a_company_matches_on_siren_or_on_name_and_postcode():
    first = submit(PartnerFactory(), email="a@acme.fr", phone="", company_name="ACME SAS")
    by_name = submit(PartnerFactory(), email="b@autre.fr", phone="", company_name="Acme")
    assert by_name.duplicate_of == first
    elsewhere = submit(
        PartnerFactory(), email="c@autre.fr", phone="", company_name="Acme", postcode="69003"
    )
    assert elsewhere.duplicate_of is None


def test_outside_the_protection_window_a_lead_is_new_again(settings):
    partner = PartnerFactory()
    first = submit(partner)
    old = timezone.now() - timedelta(days=settings.RELAIS_LEAD_PROTECTION_DAYS + 1)
    ProspectKey.objects.update(lead_submitted_at=old)
    again = submit(partner)
    assert again.duplicate_of is None
    assert again.status == "submitted"
    assert set(ProspectKey.objects.values_list("lead_id", flat=True)) == {again.pk}
    assert first.pk != again.pk


def test_a_prospect_matching_the_introducer_is_held_as_self_referral():
    partner = PartnerFactory(email="moi@monentreprise.fr", phone="+33699887766")
    assert submit(partner, email="collegue@monentreprise.fr").review_reason == "self_referral"
    assert (
        submit(partner, email="x@gmail.com", phone="06 99 88 77 66").review_reason
        == "self_referral"
    )
    assert submit(partner, email="quelquun@gmail.com", phone="").review_reason == ""


def test_a_suppressed_prospect_is_held():
    Suppression.objects.create(kind="email", value="jean.dupont@orange.fr")
    assert submit(PartnerFactory()).review_reason == "suppressed"


def test_the_lifecycle_refuses_illegal_moves_and_needs_outcomes(manager):
    lead = submit(PartnerFactory())
    with pytest.raises(TransitionError) as excinfo:
        services.lead_transition(
            lead=lead, to="won", actor=manager, amount=Decimal(1), won_date=date.today()
        )
    assert "cannot go from Submitted to Won" in excinfo.value.message
    lead = services.lead_transition(lead=lead, to="qualified", actor=manager)
    # Assigned means someone has it: only the assignment (routing, ``lead_assign``) does that.
    with pytest.raises(TransitionError) as excinfo:
        services.lead_transition(lead=lead, to="assigned", actor=manager)
    assert "assigned through routing only" in excinfo.value.message
    assert Lead.objects.get(pk=lead.pk).status == "qualified"
    lead = lead_assign(
        lead=lead,
        actor=manager,
        reseller=PartnerFactory(reseller=True),
        salesperson=None,
        note="",
        at=timezone.now(),
    )
    for step in ("opened", "in_progress"):
        lead = services.lead_transition(lead=lead, to=step, actor=manager)
    with pytest.raises(DomainError) as excinfo:
        services.lead_transition(lead=lead, to="won", actor=manager)
    assert "amount" in excinfo.value.fields
    lead = services.lead_transition(
        lead=lead, to="won", actor=manager, amount=Decimal("12000.5"), won_date=date.today()
    )
    assert (lead.won_amount, lead.status) == (Decimal("12000.50"), "won")
    assert lead.won_at
    assert lead.qualified_at
    assert lead.opened_at
    assert list(lead.events.values_list("to_status", flat=True)) == [
        "submitted",
        "qualified",
        "assigned",
        "opened",
        "in_progress",
        "won",
    ]


def test_only_a_manager_reopens(manager, reseller_user):
    lead = submit(PartnerFactory())
    lead = services.lead_transition(
        lead=lead, to="rejected", actor=manager, rejection_reason="spam"
    )
    with pytest.raises(TransitionError):
        services.lead_transition(lead=lead, to="submitted", actor=reseller_user)
    assert services.lead_transition(lead=lead, to="submitted", actor=manager).status == "submitted"


def test_a_manager_settles_a_conflict_and_it_is_audited(manager):
    from relais.core.audit import audit_trail

    first, second = submit(PartnerFactory()), submit(PartnerFactory())
    services.conflict_resolve(
        lead=second, attribute_to_new=True, actor=manager, note="Premier contact réel"
    )
    first.refresh_from_db(), second.refresh_from_db()
    assert (second.review_reason, second.duplicate_of) == ("", None)
    assert (first.status, first.duplicate_of) == ("rejected", second)
    assert audit_trail(second).get().actor == manager


def test_with_the_last_referral_rule_the_newer_partner_gets_the_prospect(settings):
    settings.RELAIS_ATTRIBUTION_RULE = "last"
    first = submit(PartnerFactory())
    second = submit(PartnerFactory())
    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.review_reason, second.duplicate_of, second.status) == ("", None, "submitted")
    assert (first.status, first.rejection_reason, first.duplicate_of) == (
        "rejected",
        "duplicate",
        second,
    )
    assert submit(second.partner).duplicate_of == second
