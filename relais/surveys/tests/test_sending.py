"""Surveys go once per customer and occasion, never twice within the throttle window, with one
reminder at most, never to an address that opted out, and never twice after a killed worker."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from relais.engagement.suppression import is_suppressed
from relais.surveys import sending, tokens
from relais.surveys.choices import SendState
from relais.surveys.models import SurveyRequest
from relais.surveys.setup import sweep
from relais.surveys.tests.helpers import customer, won_lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    return mail.outbox


def test_the_email_shows_the_11_scores_as_links_and_the_one_click_unsubscribe(outbox):
    who = customer()
    sending.survey_queue(customer_id=who.pk, occasion="set:1", now=timezone.now())
    sending.send_due(timezone.now())
    [message] = outbox
    links = re.findall(r"/s/a/[^/\s]+/(\d+)/", message.body)
    assert links == [str(n) for n in range(11)]
    html = message.alternatives[0].content
    assert len(re.findall(r'href="[^"]*/s/a/', html)) == 11
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/s/u/" in message.extra_headers["List-Unsubscribe"]
    optout = message.extra_headers["List-Unsubscribe"].strip("<>")
    footer = message.body.split("\n-- \n")[1]  # the programme e-mails' footer, the customer's link
    assert "client de" in footer
    assert optout in footer
    assert f'href="{optout}"' in html
    assert message.extra_headers["X-Relais-Topic"] == "survey"


@override_settings(RELAIS_SURVEY_DELAY_DAYS=14, RELAIS_SURVEY_THROTTLE_DAYS=90)
def test_a_won_deal_is_surveyed_14_days_later_and_not_again_within_90_days(manager, outbox):
    from relais.core import outbox as events_outbox

    lead = won_lead(manager)
    events_outbox.deliver_all()
    start = timezone.now()
    sweep(start + timedelta(days=13))
    assert outbox == []
    sweep(start + timedelta(days=14, minutes=1))
    assert [m.to for m in outbox] == [[lead.email]]
    # A manager sending to a chosen set within the window: refused for this customer.
    who = SurveyRequest.objects.get().customer
    queued = sending.surveys_queue_set(
        customer_ids=[who.pk], occasion="set:a", now=start + timedelta(days=60)
    )
    assert queued == 0
    queued = sending.surveys_queue_set(
        customer_ids=[who.pk], occasion="set:b", now=start + timedelta(days=105)
    )
    assert queued == 1


@override_settings(RELAIS_SURVEY_REMINDER_DAYS=7)
def test_an_unanswered_survey_is_reminded_once(outbox):
    who = customer()
    now = timezone.now()
    sending.survey_queue(customer_id=who.pk, occasion="set:1", now=now)
    sweep(now)
    sweep(now + timedelta(days=6))
    assert len(outbox) == 1
    sweep(now + timedelta(days=7, minutes=1))
    sweep(now + timedelta(days=8))
    sweep(now + timedelta(days=30))
    assert len(outbox) == 2
    assert outbox[1].subject != outbox[0].subject  # the reminder says it is one


def test_an_answered_survey_is_not_reminded(client, outbox):
    who = customer()
    now = timezone.now()
    survey = sending.survey_queue(customer_id=who.pk, occasion="set:1", now=now)
    sweep(now)
    client.get(f"/s/a/{tokens.answer_token(survey.pk)}/8/")
    sweep(now + timedelta(days=10))
    assert len(outbox) == 1


def test_an_opt_out_is_honoured_at_once(client, outbox):
    who = customer()
    page = client.get(f"/s/u/{tokens.optout_token(who.pk)}/")
    assert page.status_code == 200
    assert not is_suppressed(who.email)  # a link scanner's GET opts nobody out
    client.post(f"/s/u/{tokens.optout_token(who.pk)}/", {"List-Unsubscribe": "One-Click"})
    assert is_suppressed(who.email)
    sending.survey_queue(customer_id=who.pk, occasion="set:1", now=timezone.now())
    sending.send_due(timezone.now())
    assert outbox == []
    assert SurveyRequest.objects.get().state == SendState.SKIPPED


def test_a_worker_killed_while_sending_sends_nothing_twice(outbox):
    """The row was marked "sending" and committed, then the worker died: whether the message
    left cannot be known, so it is not sent again; the other queued row is sent once."""
    now = timezone.now()
    first, second = customer(1), customer(2)
    killed = sending.survey_queue(customer_id=first.pk, occasion="set:1", now=now)
    sending.survey_queue(customer_id=second.pk, occasion="set:1", now=now)
    SurveyRequest.objects.filter(pk=killed.pk).update(state=SendState.SENDING, sending_at=now)
    sending.send_due(now + timedelta(minutes=1))  # the row may still be in a live worker's hands
    sending.send_due(now + timedelta(hours=1))  # now it is taken for dead
    assert [m.to for m in outbox] == [[second.email]]
    killed.refresh_from_db()
    assert killed.state == SendState.FAILED
    sweep(now + timedelta(hours=2))
    assert len(outbox) == 1


def test_the_same_occasion_queued_twice_is_one_survey():
    who = customer()
    with freeze_time("2026-01-10"):
        now = timezone.now()
        assert sending.survey_queue(customer_id=who.pk, occasion="won:1", now=now)
    assert (
        sending.survey_queue(customer_id=who.pk, occasion="won:1", now=now + timedelta(days=200))
        is None
    )
    assert SurveyRequest.objects.count() == 1


@override_settings(RELAIS_SURVEY_FOLLOW_UP_DAYS=7)
def test_an_overdue_follow_up_is_reminded_once_to_whoever_holds_it(client, manager, outbox):
    salesperson = manager.__class__.objects.create_user("vendeur@x.fr", None, role="salesperson")
    survey = sending.survey_queue(
        customer_id=customer(salesperson=salesperson).pk, occasion="set:1", now=timezone.now()
    )
    client.get(f"/s/a/{tokens.answer_token(survey.pk)}/3/")
    now = timezone.now()
    SurveyRequest.objects.update(reminder_state=SendState.SKIPPED)  # only the task's e-mail
    outbox.clear()
    sweep(now + timedelta(days=6))
    assert outbox == []
    sweep(now + timedelta(days=8))
    sweep(now + timedelta(days=9))
    assert [m.to for m in outbox] == [[salesperson.email]]


def test_a_promoter_gets_the_invitation_by_email_once(client, outbox):
    who = customer()
    now = timezone.now()
    survey = sending.survey_queue(customer_id=who.pk, occasion="set:1", now=now)
    sweep(now)
    client.get(f"/s/a/{tokens.answer_token(survey.pk)}/10/")
    sweep(now + timedelta(minutes=5))
    sweep(now + timedelta(minutes=10))
    invitations = [m for m in outbox if "/s/i/" in m.body]
    assert len(invitations) == 1
    assert invitations[0].to == [who.email]
