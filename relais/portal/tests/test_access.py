"""A partner user reaches only its own partner's objects: every other one is a 404."""

import pytest

from relais.partners import services
from relais.partners.models import ContractTemplate
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_partners():
    mine, theirs = PartnerFactory(), PartnerFactory(reseller=True)
    me, them = partner_user(mine), partner_user(theirs)
    agreement = ContractTemplate.objects.get(kind="reseller_agreement")
    their_signature = services.signature_sign(
        partner=theirs, template=agreement, user=them, ip=None, user_agent=""
    )
    return mine, theirs, me, their_signature, agreement


def test_every_portal_url_refuses_another_partners_objects(client, two_partners):
    _mine, _theirs, me, their_signature, agreement = two_partners
    client.force_login(me)
    assert client.get(f"/portal/signatures/{their_signature.pk}.pdf").status_code == 404
    assert (
        client.get(f"/portal/documents/{agreement.pk}/").status_code == 404
    )  # not asked of an introducer
    assert client.post(f"/portal/documents/{agreement.pk}/", {"accept": "on"}).status_code == 404


def test_users_of_one_reseller_share_its_documents(client):
    reseller = PartnerFactory(reseller=True)
    first, second = partner_user(reseller), partner_user(reseller)
    agreement = ContractTemplate.objects.get(kind="reseller_agreement")
    signature = services.signature_sign(
        partner=reseller, template=agreement, user=first, ip=None, user_agent=""
    )
    client.force_login(second)
    response = client.get(f"/portal/signatures/{signature.pk}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_portal_pages_answer_for_the_own_partner(client, two_partners):
    _mine, _theirs, me, _sig, _agreement = two_partners
    client.force_login(me)
    for url in ("/portal/", "/portal/documents/", "/portal/declarations/"):
        assert client.get(url).status_code == 200, url


def test_every_partner_api_endpoint_refuses_another_partners_object(api_client, two_partners):
    _mine, theirs, me, _sig, _agreement = two_partners
    api = api_client(me)
    assert api.get(f"/api/v1/partners/{theirs.pk}").status_code == 404
    assert api.patch(
        f"/api/v1/partners/{theirs.pk}", {"city": "X"}, content_type="application/json"
    ).status_code in (403, 404)
    assert api.post(
        f"/api/v1/partners/{theirs.pk}/transitions",
        {"to": "paused", "reason": "x"},
        content_type="application/json",
    ).status_code in (403, 404)
    assert [p["id"] for p in api.get("/api/v1/partners").json()["items"]] == [_mine.pk]


def test_a_partner_user_cannot_reach_staff_pages_of_its_own_partner(client, two_partners):
    mine, _theirs, me, _sig, _agreement = two_partners
    client.force_login(me)
    for url in (
        f"/partners/{mine.pk}/",
        f"/partners/{mine.pk}/scorecard/",
        "/partners/templates/",
        "/partners/declarations/",
    ):
        assert client.get(url).status_code == 403, url


# Every portal URL that takes an object id, with the test above that proves it is scoped.
SCOPED_URLS = {
    "document": "test_every_portal_url_refuses_another_partners_objects",
    "signature_pdf": "test_every_portal_url_refuses_another_partners_objects",
    "bank_confirm": "relais/portal/tests/test_profile.py::test_an_expired_or_foreign_link_changes_nothing",
    "inbox_lead": "relais/routing/tests/test_views.py::test_the_inbox_lists_only_the_resellers_own_leads",
    "inbox_declare": "relais/routing/tests/test_views.py::test_the_inbox_lists_only_the_resellers_own_leads",
    "inbox_decline": "relais/routing/tests/test_views.py::test_the_inbox_lists_only_the_resellers_own_leads",
    **dict.fromkeys(
        (
            "statement_pdf",
            "invoice_pdf",
            "yearly_pdf",
            "correction",
            "gift_redeem",
            "document_upload",
        ),
        "relais/commissions/tests/test_views.py::"
        "test_every_money_url_of_the_portal_refuses_another_partners_objects",
    ),
}


def test_no_portal_url_with_an_id_is_left_untested():
    from relais.portal.urls import urlpatterns

    with_ids = {p.name for p in urlpatterns if p.pattern.converters}
    assert with_ids == set(SCOPED_URLS), (
        "add an access test for each new portal URL that takes an id"
    )


def test_template_publication_is_audited(manager):
    from relais.core.audit import audit_trail

    template = services.template_publish(
        kind="programme_rules", title="Règlement", body="Texte v2", valid_months=None, actor=manager
    )
    entry = audit_trail(template).get()
    assert (entry.action, entry.actor, entry.changes) == ("published", manager, {"version": [1, 2]})


def test_the_portal_home_counts_the_partners_leads(client):
    from relais.leads.services import lead_submit, lead_transition

    partner = PartnerFactory()
    user = partner_user(partner)
    for number in range(3):
        lead = lead_submit(
            data={"last_name": f"P{number}", "phone": f"061122334{number}", "postcode": "69003"},
            channel="portal",
            partner=partner,
        )
    lead_transition(lead=lead, to="rejected", actor=None, rejection_reason="spam")
    lead_submit(
        data={"last_name": "Ailleurs", "phone": "0699887766", "postcode": "69003"},
        channel="portal",
        partner=PartnerFactory(),
    )
    client.force_login(user)
    counts = client.get("/portal/").context["lead_counts"]
    assert counts == {"total": 3, "won": 0, "open": 2}
