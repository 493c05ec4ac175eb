"""The managers' rewards pages: adding a reward (an error names its field), the projected cost
on the challenge's page, awarding, naming a reseller's staff member, the yearly summary and the
accountant's CSV/XLSX."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from relais.challenges.models import Award
from relais.challenges.rewards import services as rewards
from relais.challenges.tests.helpers import challenge
from relais.challenges.tests.test_rewards import ended, item
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory())
    return client


def test_a_manager_adds_rewards_and_sees_their_cost_on_the_challenge_page(manager_client):
    c = challenge()
    gift = item(name="Panier gourmand")
    url = f"/challenges/{c.pk}/rewards/"
    bad = manager_client.post(url + "add/", {"kind": "cash", "amount": ""})
    assert bad.status_code == 400
    assert "Amount: a cash bonus needs one." in bad.content.decode()
    manager_client.post(url + "add/", {"kind": "cash", "amount": "250"})
    manager_client.post(url + "add/", {"kind": "gift", "item": gift.pk})
    manager_client.post(url + "budget/", {"budget": "1000"})
    page = manager_client.get(url).content.decode()
    assert "Panier gourmand" in page
    assert "Cash bonus" in page
    detail = manager_client.get(f"/challenges/{c.pk}/").content.decode()
    assert 'id="rewards-card"' in detail
    assert f'href="/challenges/{c.pk}/rewards/"' in detail


def test_awarding_then_naming_the_staff_member_gives_the_per_person_figures(manager_client):
    reseller = PartnerFactory(reseller=True, company_name="Menuiseries Durand")
    c = ended([reseller], ["1.5"])
    rewards.reward_add(challenge=c, kind="cash", amount="1000", actor=None)
    response = manager_client.post(f"/challenges/{c.pk}/rewards/award/")
    assert response.status_code == 302
    award = Award.objects.get()
    page = manager_client.get(f"/challenges/{c.pk}/rewards/").content.decode()
    assert "name the staff member" in page
    manager_client.post(
        f"/challenges/{c.pk}/rewards/person/", {"award": award.pk, "person": "Léa Roux"}
    )
    page = manager_client.get(f"/challenges/{c.pk}/rewards/").content.decode()
    assert "Léa Roux" in page
    assert "name the staff member" not in page
    # 1,000 €: (1000 − 273.45) × 20 % = 145.31 € due.
    assert "€145.31" in page
    csv = b"".join(manager_client.get(f"/challenges/{c.pk}/rewards/export/?format=csv"))
    text = csv.decode("utf-8-sig")
    assert "Léa Roux" in text
    assert "145.31" in text
    assert "726.55" in text


def test_the_yearly_summary_and_its_xlsx(manager_client):
    reseller = PartnerFactory(reseller=True, company_name="Cuisines Morel")
    for month in range(1, 6):
        c = ended([reseller], ["1.1"])
        rewards.reward_add(challenge=c, kind="voucher", amount="200", actor=None)
        rewards.rewards_award(challenge=c, actor=None, on=date(2026, month, 10))
    page = manager_client.get("/challenges/rewards/2026/").content.decode()
    assert "Cuisines Morel" in page
    assert "5 voucher operations: URSSAF presumes abuse" in page
    response = manager_client.get("/challenges/rewards/2026/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header, [row] = rows[0], rows[1:]
    values = dict(zip(header, row, strict=True))
    assert values["Beneficiary"] == "Cuisines Morel"
    assert values["Voucher operations"] == 5
    assert Decimal(str(values["Contribution due"])) == Decimal("17.70")


def test_the_catalogue_refuses_a_voucher_with_vat(manager_client):
    response = manager_client.post(
        "/challenges/rewards/catalogue/",
        {"name": "Carte cadeau", "kind": "voucher", "value_incl_vat": "60", "value_excl_vat": "50"},
    )
    assert "a gift voucher bears no VAT" in response.content.decode()
    manager_client.post(
        "/challenges/rewards/catalogue/",
        {"name": "Carte cadeau", "kind": "voucher", "value_incl_vat": "50", "value_excl_vat": "50"},
    )
    assert "Carte cadeau" in manager_client.get("/challenges/rewards/catalogue/").content.decode()


def test_a_partner_reaches_no_rewards_page(client):
    from relais.testing.factories import partner_user

    client.force_login(partner_user(PartnerFactory()))
    c = challenge()
    assert client.get(f"/challenges/{c.pk}/rewards/").status_code in (302, 403, 404)
    assert client.get("/challenges/rewards/2026/").status_code in (302, 403, 404)


def test_a_participant_sees_what_they_can_win_then_what_they_won(client):
    from relais.testing.factories import partner_user

    me = PartnerFactory()
    c = ended([me], ["1.2"], mechanic="ranking", top_n=3)
    rewards.reward_add(challenge=c, kind="cash", amount="200", place=1, actor=None)
    rewards.reward_add(challenge=c, kind="gift", item=item(name="Panier gourmand"), actor=None)
    client.force_login(partner_user(me))
    page = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert "To win" in page
    assert "place 1: <strong>Cash bonus</strong>" in page
    assert "each of the first 3: <strong>Panier gourmand</strong>" in page
    rewards.rewards_award(challenge=c, actor=None)
    page = client.get(f"/portal/challenges/{c.pk}/").content.decode()
    assert "My rewards" in page
    assert "paid with your next commissions" in page
    assert "Budget" not in page
