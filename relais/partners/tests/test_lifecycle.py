"""Status transitions, the audit log, the scorecard and the decision on a candidate."""

import pytest
from django.core import mail
from django.utils import translation

from relais.core.audit import audit_trail
from relais.core.errors import DomainError, TransitionError
from relais.partners import services
from relais.partners.models import SelectionCriterion
from relais.partners.services.records import partner_create
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sign_everything_required(partner, user):
    for document in services.documents_for(partner):
        if document.required and not document.signed:
            services.signature_sign(
                partner=partner,
                template=document.template,
                user=user,
                ip="127.0.0.1",
                user_agent="pytest",
            )


def score_all(partner, manager, score=4):
    scores = {c.pk: (score, f"evidence {c.pk}") for c in SelectionCriterion.objects.all()}
    return services.scorecard_score(partner=partner, scores=scores, actor=manager)


def test_an_illegal_move_is_refused_naming_the_possible_ones(manager):
    partner = PartnerFactory(status="ended")
    with pytest.raises(TransitionError) as excinfo:
        services.partner_transition(partner=partner, to="paused", actor=manager, reason="x")
    assert "cannot go from Ended to Paused" in excinfo.value.message
    assert "Candidate" in excinfo.value.message


def test_pausing_needs_a_reason_and_is_audited(manager):
    partner = PartnerFactory()
    with pytest.raises(DomainError) as excinfo:
        services.partner_transition(partner=partner, to="paused", actor=manager)
    assert "reason" in excinfo.value.fields
    services.partner_transition(
        partner=partner, to="paused", actor=manager, reason="No lead in 6 months"
    )
    partner.refresh_from_db()
    assert partner.status == "paused"
    entry = audit_trail(partner).first()
    assert entry.actor == manager
    assert entry.changes == {"status": ["active", "paused"]}
    assert entry.reason == "No lead in 6 months"


def test_activation_is_refused_until_the_required_documents_are_signed(manager):
    partner = PartnerFactory(status="candidate")
    with pytest.raises(TransitionError) as excinfo:
        services.partner_transition(partner=partner, to="active", actor=manager)
    assert "Introducer contract v1" in excinfo.value.message
    assert "Conflict-of-interest policy v1" in excinfo.value.message
    sign_everything_required(partner, partner_user(partner))
    services.partner_transition(partner=partner, to="active", actor=manager)
    assert partner.status == "active"


def test_updates_are_audited_before_and_after_with_the_iban_masked(manager):
    partner, _ = partner_create(
        data={
            "kind": "introducer",
            "legal_form": "individual",
            "tax_regime": "bnc_non_pro",
            "first_name": "Léa",
            "last_name": "Martin",
            "email": "lea@example.fr",
            "postcode": "33000",
        },
        actor=manager,
    )
    assert partner.status == "candidate"
    services.partner_update(
        partner=partner,
        data={"city": "Bordeaux", "iban": "FR1420041010050500013M02606"},
        actor=manager,
    )
    entry = audit_trail(partner).first()
    assert entry.action == "updated"
    assert entry.changes["city"] == ["", "Bordeaux"]
    assert entry.changes["iban"] == ["", "…2606"]
    assert "FR1420041010050500013M02606" not in str(entry.changes)


def test_the_weighted_total_is_out_of_100(manager):
    partner = PartnerFactory(status="candidate")
    criteria = list(SelectionCriterion.objects.order_by("position"))  # weights 25 25 20 15 15
    scores = dict(
        zip([c.pk for c in criteria], [(5, ""), (5, ""), (0, ""), (2, ""), (4, "")], strict=True)
    )
    card = services.scorecard_score(partner=partner, scores=scores, actor=manager)
    # (25 + 25 + 0 + 15·2/5 + 15·4/5) = 68
    assert str(card.total()) == "68.0"


def test_a_score_above_5_is_refused_naming_the_criterion(manager):
    partner = PartnerFactory(status="candidate")
    criterion = SelectionCriterion.objects.first()
    with pytest.raises(DomainError) as excinfo:
        services.scorecard_score(partner=partner, scores={criterion.pk: (7, "")}, actor=manager)
    assert criterion.name in excinfo.value.fields[f"criterion_{criterion.pk}"]


def test_accepting_invites_the_candidate_who_becomes_active_by_signing(
    manager, django_capture_on_commit_callbacks
):
    partner = PartnerFactory(status="candidate", email="candidat@example.fr")
    score_all(partner, manager)
    with django_capture_on_commit_callbacks(execute=True):
        card = services.scorecard_decide(
            partner=partner,
            decision="accept",
            note="",
            actor=manager,
            build_login_url=lambda raw: f"http://x/{raw}",
        )
    assert (card.decided_by, card.decision) == (manager, "accept")
    assert mail.outbox[-1].to == ["candidat@example.fr"]
    user = partner.members.get().user
    assert user.role == "introducer"
    sign_everything_required(partner, user)
    partner.refresh_from_db()
    assert partner.status == "active"
    assert audit_trail(partner).filter(action="status").first().changes == {
        "status": ["candidate", "active"]
    }


def test_rejecting_needs_a_reason_and_ends_the_candidate(manager):
    partner = PartnerFactory(status="candidate")
    score_all(partner, manager, score=1)
    with pytest.raises(DomainError):
        services.scorecard_decide(
            partner=partner, decision="reject", note="", actor=manager, build_login_url=str
        )
    services.scorecard_decide(
        partner=partner,
        decision="reject",
        note="Network too small",
        actor=manager,
        build_login_url=str,
    )
    partner.refresh_from_db()
    assert partner.status == "ended"


def test_deciding_before_scoring_is_refused(manager):
    with pytest.raises(DomainError) as excinfo:
        services.scorecard_decide(
            partner=PartnerFactory(status="candidate"),
            decision="accept",
            note="",
            actor=manager,
            build_login_url=str,
        )
    assert excinfo.value.code == "not_scored"
