"""``/api/v1/surveys/``: results from the counters and the answers, for managers only."""

import pytest

from relais.accounts.choices import Role
from relais.surveys.answers import answer_record
from relais.surveys.tests.helpers import customer, sent_survey
from relais.testing.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_manager_reads_the_nps_overall_by_month_and_by_reseller(api_client, manager):
    reseller = PartnerFactory(reseller=True)
    for n, score in enumerate([10, 9, 2]):
        answer_record(request_id=sent_survey(customer(n, reseller=reseller)).pk, score=score)
    client = api_client(manager)
    body = client.get("/api/v1/surveys/results").json()
    assert body["total"]["nps"] == 33
    assert body["total"]["answers"] == 3
    assert [m["nps"] for m in body["by_month"]] == [33]
    [row] = client.get("/api/v1/surveys/results/reseller").json()
    assert (row["key"], row["nps"]) == (str(reseller.pk), 33)
    answers = client.get("/api/v1/surveys/answers").json()
    assert answers["count"] == 3
    assert {a["category"] for a in answers["items"]} == {"promoter", "detractor"}


def test_with_no_answer_the_api_gives_a_null_nps(api_client, manager):
    body = api_client(manager).get("/api/v1/surveys/results").json()
    assert body["total"]["nps"] is None


def test_a_salesperson_may_not_read_the_results(api_client):
    response = api_client(UserFactory(role=Role.SALESPERSON)).get("/api/v1/surveys/results")
    assert response.status_code == 403
