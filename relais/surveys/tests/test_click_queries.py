"""The one-click answer's cost in queries (issue 28: p95 ≤ 50 ms): the page customers reach
from the e-mail does a bounded number of statements, whatever it records, and still counts
right: a second click changes the score and the counters, never adds an answer."""

import time

import pytest

from relais.core import ratelimit
from relais.surveys import tokens
from relais.surveys.models import ALL_TIME, Answer, FollowUp, Invitation, NpsCounter
from relais.surveys.tests.helpers import customer, sent_survey
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# The rate limit's upsert, the survey locked with its customer (one statement), the answer
# with its follow-up (one), the answer written, its counters (one upsert), a follow-up, or the
# customer's invitation read (and made, at the first promoter's click), the outbox event, the
# transaction's two ends (SQLite's BEGIN/COMMIT, a savepoint in a test on PostgreSQL) and the
# worker's wake-up after commit. Before issue 28's work: 20 at a first promoter's click.
FIRST_CLICK = 11
CHANGED_CLICK = 10
SAME_CATEGORY_CLICK = 8


@pytest.fixture
def click(client, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    # The rate limit's pruning of old windows (at most once a minute per process) left out.
    ratelimit._pruned_at = int(time.time())

    def clicked(survey, score, most):
        url = f"/s/a/{tokens.answer_token(survey.pk)}/{score}/"
        with django_assert_max_num_queries(most), django_capture_on_commit_callbacks(execute=True):
            response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    return clicked


def counts():
    return {
        (c.dimension, c.month == ALL_TIME): (c.promoters, c.passives, c.detractors)
        for c in NpsCounter.objects.all()
    }


def test_a_click_and_the_clicks_that_change_it_make_few_queries_and_count_right(click):
    survey = sent_survey(customer(0, reseller=PartnerFactory(reseller=True)))
    page = click(survey, 10, FIRST_CLICK)
    assert "is recorded" in page
    assert Invitation.objects.get().customer_id == survey.customer_id
    assert tokens.invite_token(Invitation.objects.get().pk) in page  # offered on the page
    assert set(counts().values()) == {(1, 0, 0)}  # everyone, département, reseller × month/all
    assert len(counts()) == 6

    page = click(survey, 3, CHANGED_CLICK)
    assert "Your score is now 3" in page
    assert Answer.objects.get().score == 3
    assert set(counts().values()) == {(0, 0, 1)}
    assert FollowUp.objects.get().answer == Answer.objects.get()

    click(survey, 4, SAME_CATEGORY_CLICK)
    click(survey, 10, CHANGED_CLICK)
    assert Answer.objects.count() == 1
    assert Answer.objects.get().score == 10
    assert set(counts().values()) == {(1, 0, 0)}
    assert FollowUp.objects.count() == 1
    assert Invitation.objects.count() == 1  # once per customer


def test_the_first_click_of_a_group_and_month_adds_its_rows_beside_the_others(click):
    reseller = PartnerFactory(reseller=True)
    click(sent_survey(customer(0, reseller=reseller)), 9, FIRST_CLICK)
    click(sent_survey(customer(1, reseller=reseller)), 7, FIRST_CLICK)
    click(sent_survey(customer(2, reseller=PartnerFactory(reseller=True))), 0, FIRST_CLICK)
    by_reseller = NpsCounter.objects.filter(dimension="reseller", month=ALL_TIME)
    assert {(c.key, c.promoters, c.passives, c.detractors) for c in by_reseller} == {
        (str(reseller.pk), 1, 1, 0),
        (str(by_reseller.exclude(key=str(reseller.pk)).get().key), 0, 0, 1),
    }
    assert counts()[("all", True)] == (1, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_clicks_at_the_same_moment_make_one_answer_each_and_count_every_one():
    """Six threads, each with its own connection: three click one survey at once (one answer),
    three answer three surveys of a new group and month at once (the counter rows they all
    insert meet on one row each)."""
    import threading

    from django.db import connection

    from relais.surveys.answers import answer_record

    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database locks whole tables between connections")
    reseller = PartnerFactory(reseller=True)
    one = sent_survey(customer(0, reseller=reseller))
    others = [sent_survey(customer(n, reseller=reseller)) for n in (1, 2, 3)]
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def answer(survey_id: int, score: int) -> None:
        start.wait()
        try:
            answer_record(request_id=survey_id, score=score)
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)
        finally:
            connection.close()

    jobs = [(one.pk, 10), (one.pk, 10), (one.pk, 10)] + [(s.pk, 3) for s in others]
    threads = [threading.Thread(target=answer, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert Answer.objects.count() == 4
    assert counts()[("reseller", True)] == (1, 0, 3)
    assert counts()[("all", False)] == (1, 0, 3)
    assert Invitation.objects.count() == 1
    assert FollowUp.objects.count() == 3
