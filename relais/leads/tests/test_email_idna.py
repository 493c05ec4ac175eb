"""E-mail addresses: an internationalised domain is stored in its ASCII (IDNA) form, and a
domain label mixing alphabets (a look-alike of a known name) is refused, naming the field.
The same rule for leads, partners and users."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from relais.accounts.choices import Role
from relais.accounts.services import user_create
from relais.core.identifiers import normalize_email
from relais.leads import services
from relais.leads.models import Lead
from relais.partners.models import Partner, PartnerMember
from relais.partners.services import partner_create
from relais.testing.factories import PASSWORD, PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
CYRILLIC_A = "\u0430"  # "а", drawn as the Latin "a"
LOOK_ALIKE = f"jean@p{CYRILLIC_A}ypal.com"
LEAD = {"last_name": "Lefèvre", "postcode": "31000"}
PARTNER = {
    "kind": "introducer",
    "legal_form": "individual",
    "tax_regime": "bnc_non_pro",
    "first_name": "Léa",
    "last_name": "Martin",
    "postcode": "69003",
}


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jean@Café.fr", "jean@xn--caf-dma.fr"),
        ("jean@xn--caf-dma.fr", "jean@xn--caf-dma.fr"),
        ("contact@ＥＸＡＭＰＬＥ.fr", "contact@example.fr"),  # full-width letters (UTS 46)
        ("info@пример.рф", "info@xn--e1afmkfd.xn--p1ai"),  # one alphabet per label is fine
        ("info@日本語ドメイン.jp", "info@xn--eckwd4c7c5976acvb2w6i.jp"),  # Japanese mixes
        (" Dupont@Orange.FR ", "dupont@orange.fr"),
    ],
)
def test_an_address_is_stored_with_its_domain_in_ascii(typed, stored):
    assert normalize_email(typed) == stored


@pytest.mark.parametrize(
    ("typed", "scripts"),
    [
        (LOOK_ALIKE, "Latin, Cyrillic"),
        ("jean@\u03b1mazon.fr", "Greek, Latin"),  # a Greek alpha (scripts in the order met)
        ("jean@xn--pypal-4ve.com", "Latin, Cyrillic"),  # the same look-alike, already encoded
    ],
)
def test_a_domain_label_mixing_alphabets_is_refused(typed, scripts):
    with pytest.raises(ValidationError) as error:
        normalize_email(typed)
    assert error.value.messages == [
        f"E-mail {typed}: its domain mixes alphabets ({scripts}), as look-alike addresses do."
    ]


def test_a_lead_is_stored_with_the_ascii_domain():
    lead = services.lead_submit(data={**LEAD, "email": "Jean@Café.fr"}, channel="staff")
    assert lead.email == "jean@xn--caf-dma.fr"


def test_the_staff_search_finds_a_lead_by_the_address_as_typed(client, manager):
    lead = services.lead_submit(data={**LEAD, "email": "jean@café.fr"}, channel="staff")
    client.force_login(manager)
    page = client.get("/leads/", {"q": "Jean@Café.fr"}).context["page"]
    assert [found.pk for found in page] == [lead.pk]


def test_the_portal_refuses_a_look_alike_address_naming_the_field(client):
    client.force_login(partner_user(PartnerFactory()))
    response = client.post("/portal/leads/new/", {**LEAD, "email": LOOK_ALIKE})
    assert response.status_code == 422
    assert f"E-mail {LOOK_ALIKE}: its domain mixes alphabets" in response.content.decode()
    assert not Lead.objects.exists()


def test_a_partner_is_stored_with_the_ascii_domain_and_a_look_alike_refused():
    partner, _warnings = partner_create(data={**PARTNER, "email": "Lea@Café.fr"})
    assert Partner.objects.get(pk=partner.pk).email == "lea@xn--caf-dma.fr"
    with pytest.raises(ValidationError) as error:
        partner_create(data={**PARTNER, "email": LOOK_ALIKE})
    assert "mixes alphabets" in error.value.message_dict["email"][0]


def test_a_user_is_stored_with_the_ascii_domain_and_a_look_alike_refused():
    user = user_create(email="Anne@Café.fr", role=Role.MANAGER)
    assert user.email == "anne@xn--caf-dma.fr"
    with pytest.raises(ValidationError) as error:
        user_create(email=LOOK_ALIKE, role=Role.MANAGER)
    assert "mixes alphabets" in error.value.message_dict["email"][0]


def test_a_user_logs_in_with_the_address_as_typed_or_as_stored(client):
    user = user_create(email="anne@café.fr", role=Role.MANAGER, password=PASSWORD)
    for typed in ("Anne@Café.fr", "anne@xn--caf-dma.fr"):
        response = client.post("/login/", {"email": typed, "password": PASSWORD})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)
        client.logout()


def test_a_partner_user_gets_a_login_link_at_the_address_as_typed(
    client, django_capture_on_commit_callbacks
):
    partner = PartnerFactory()
    user = user_create(email="paul@café.fr", role=partner.user_role)
    PartnerMember.objects.create(user=user, partner=partner)
    assert user.email == "paul@xn--caf-dma.fr"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/login/link/", {"email": "Paul@Café.fr"})
    assert [message.to for message in mail.outbox] == [["paul@xn--caf-dma.fr"]]
