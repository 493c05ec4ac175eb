"""A reseller's page: their customers' NPS, and the detractors of the deals they sold, whose
comment they read (they must act) and whose call-back they record; nobody else's."""

import pytest

from relais.surveys.answers import answer_comment, answer_record
from relais.surveys.models import FollowUp
from relais.surveys.tests.helpers import customer, sent_survey
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def test_a_reseller_sees_its_nps_and_calls_back_its_unhappy_customer(client):
    reseller = PartnerFactory(reseller=True)
    answer_record(request_id=sent_survey(customer(1, reseller=reseller)).pk, score=10)
    unhappy = answer_record(
        request_id=sent_survey(customer(2, reseller=reseller)).pk, score=3
    ).answer
    answer_comment(answer=unhappy, comment="Toujours pas installé", publish=False, wording="")
    client.force_login(partner_user(reseller))
    page = client.get("/portal/nps/").content.decode()
    assert 'id="my-nps">0<' in page
    assert "Toujours pas installé" in page
    task = FollowUp.objects.get()
    client.post("/portal/nps/", {"task": task.pk, "outcome": "Rappelé, pose jeudi"})
    task.refresh_from_db()
    assert task.outcome == "Rappelé, pose jeudi"


def test_another_reseller_sees_neither_the_figures_nor_the_comment(client):
    reseller, other = PartnerFactory(reseller=True), PartnerFactory(reseller=True)
    unhappy = answer_record(request_id=sent_survey(customer(reseller=reseller)).pk, score=1).answer
    answer_comment(answer=unhappy, comment="Secret", publish=False, wording="")
    client.force_login(partner_user(other))
    page = client.get("/portal/nps/").content.decode()
    assert "Secret" not in page
    assert 'id="my-nps">—<' in page
    task = FollowUp.objects.get()
    assert client.post("/portal/nps/", {"task": task.pk, "outcome": "x"}).status_code == 404
    client.force_login(partner_user(PartnerFactory()))  # an introducer has no such page
    assert client.get("/portal/nps/").status_code == 404
