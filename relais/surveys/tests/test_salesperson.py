"""A salesperson's unhappy customers: the menu leads to the follow-ups of the deals they sold,
and to nobody else's."""

import pytest

from relais.accounts.choices import Role
from relais.surveys.answers import answer_record
from relais.surveys.tests.helpers import customer, sent_survey
from relais.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_salesperson_reaches_their_follow_ups_from_the_menu_and_only_theirs(client):
    mine, other = UserFactory(role=Role.SALESPERSON), UserFactory(role=Role.SALESPERSON)
    answer_record(request_id=sent_survey(customer(1, salesperson=mine)).pk, score=2)
    answer_record(request_id=sent_survey(customer(2, salesperson=other)).pk, score=1)
    client.force_login(mine)
    menu = {str(item.label): item.url for item in client.get("/dashboard/").context["menu"]}
    page = client.get(menu["Detractors to call back"])
    assert page.status_code == 200
    listed = page.content.decode()
    assert "Martin 1" in listed
    assert "Martin 2" not in listed
