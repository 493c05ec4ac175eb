"""NPS, the one-click answer and its bad inputs, detractors' follow-ups, promoters' invitations."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner
from relais.surveys import selectors, tokens
from relais.surveys.answers import answer_record
from relais.surveys.models import Answer, FollowUp, Invitation
from relais.surveys.selectors import Nps, nps_of
from relais.surveys.tests.helpers import customer, sent_survey
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([], None),
        ([10, 9, 9, 10], 100),
        ([0, 3, 6], -100),
        ([7, 8, 7], 0),
        ([10, 9, 8, 7, 6, 0], 0),  # two promoters, two passives, two detractors
        ([10, 10, 10, 8, 2], 40),  # 60 % − 20 %
        ([9, 6, 6], -33),  # 33.3 % − 66.7 % = −33.3
        ([6], -100),  # 6 is a detractor, not a passive
    ],
)
def test_nps_is_promoters_share_minus_detractors_share(scores, expected):
    assert nps_of(scores).score == expected


def test_with_no_answer_the_nps_is_undefined_and_shown_as_a_dash(client, manager):
    assert selectors.nps_total().score is None
    client.force_login(manager)
    page = client.get("/surveys/").content.decode()
    assert '<span class="value" id="nps-total">—' in page


def test_the_counters_give_the_same_nps_as_the_answers(manager):
    reseller = PartnerFactory(reseller=True)
    scores = [10, 9, 8, 3, 0, 10, 7]
    for n, score in enumerate(scores):
        answer_record(request_id=sent_survey(customer(n, reseller=reseller)).pk, score=score)
    assert selectors.nps_total().score == nps_of(scores).score == 14
    [month] = selectors.nps_by_month()
    assert (month.promoters, month.passives, month.detractors) == (3, 2, 2)
    [by_reseller] = selectors.nps_by("reseller")
    assert by_reseller.label == reseller.display_name
    assert selectors.nps_by("departement")[0].score == 14


def click(client, survey, score):
    return client.get(f"/s/a/{tokens.answer_token(survey.pk)}/{score}/")


def test_one_click_records_the_score_and_thanks(client):
    survey = sent_survey()
    response = click(client, survey, 8)
    assert response.status_code == 200
    assert "8" in response.content.decode()
    assert Answer.objects.get().score == 8


def test_a_second_click_changes_the_score_never_adds_an_answer(client):
    survey = sent_survey()
    click(client, survey, 3)
    click(client, survey, 10)
    answer = Answer.objects.get()
    assert answer.score == 10
    assert selectors.nps_total() == Nps(promoters=1, passives=0, detractors=0)


@pytest.mark.parametrize("score", ["11", "-1", "abc", "99"])
def test_a_score_outside_0_to_10_gets_a_clear_page_and_nothing_recorded(client, score):
    response = click(client, sent_survey(), score)
    assert response.status_code in (400, 404)
    assert Answer.objects.count() == 0


def test_a_forged_token_gets_a_clear_page_and_nothing_recorded(client):
    survey = sent_survey()
    token = tokens.answer_token(survey.pk)
    response = client.get(f"/s/a/{token[:-2]}xx/9/")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    other = tokens.optout_token(survey.pk)  # signed, but for another purpose
    assert client.get(f"/s/a/{other}/9/").status_code == 404
    assert Answer.objects.count() == 0


@override_settings(RELAIS_SURVEY_TOKEN_DAYS=30)
def test_an_expired_link_gets_a_clear_page_and_nothing_recorded(client):
    survey = sent_survey()
    with freeze_time(timezone.now() - timedelta(days=31)):
        token = tokens.answer_token(survey.pk)
    response = client.get(f"/s/a/{token}/9/")
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert Answer.objects.count() == 0


def test_a_comment_is_saved_and_a_promoter_consents_with_the_wording(client):
    survey = sent_survey()
    click(client, survey, 10)
    token = tokens.answer_token(survey.pk)
    client.post(f"/s/c/{token}/", {"comment": "Très bon travail", "publish": "yes"})
    answer = Answer.objects.get()
    assert answer.comment == "Très bon travail"
    assert answer.publish_consent
    assert "first name" in answer.consent_wording or "prénom" in answer.consent_wording
    assert list(selectors.testimonials()) == [answer]


def test_a_detractor_cannot_consent_to_publication(client):
    survey = sent_survey()
    click(client, survey, 2)
    client.post(f"/s/c/{tokens.answer_token(survey.pk)}/", {"comment": "Nul", "publish": "yes"})
    assert not Answer.objects.get().publish_consent


@override_settings(RELAIS_SURVEY_FOLLOW_UP_DAYS=7)
def test_a_detractor_gets_one_follow_up_task_for_the_seller_due_in_7_days(client, manager):
    salesperson = manager.__class__.objects.create_user("vendeur@x.fr", None, role="salesperson")
    survey = sent_survey(customer(salesperson=salesperson))
    click(client, survey, 4)
    click(client, survey, 5)
    task = FollowUp.objects.get()
    assert task.assignee == salesperson
    assert task.due_on == timezone.localdate() + timedelta(days=7)
    client.force_login(salesperson)
    page = client.get(f"/surveys/follow-ups/{task.pk}/")
    assert page.status_code == 200
    client.post(f"/surveys/follow-ups/{task.pk}/", {"outcome": "Rappelé, geste commercial"})
    task.refresh_from_db()
    assert task.outcome == "Rappelé, geste commercial"
    assert task.done_by == salesperson


def test_a_detractors_comment_is_hidden_from_who_need_not_act(client, manager):
    salesperson = manager.__class__.objects.create_user("vendeur@x.fr", None, role="salesperson")
    survey = sent_survey(customer(salesperson=salesperson))
    click(client, survey, 1)
    client.post(f"/s/c/{tokens.answer_token(survey.pk)}/", {"comment": "Secret de client"})
    client.force_login(manager)
    page = client.get("/surveys/comments/").content.decode()
    assert "Secret de client" not in page
    task = FollowUp.objects.get()
    page = client.get(f"/surveys/follow-ups/{task.pk}/").content.decode()
    assert "Secret de client" not in page  # the manager oversees the task, not the comment
    client.force_login(salesperson)
    mine = client.get(f"/surveys/follow-ups/{task.pk}/").content.decode()
    assert "Secret de client" in mine
    other = manager.__class__.objects.create_user("autre@x.fr", None, role="salesperson")
    client.force_login(other)
    assert client.get(f"/surveys/follow-ups/{task.pk}/").status_code == 404


def test_a_promoter_accepts_the_invitation_once_and_becomes_a_candidate(client):
    survey = sent_survey(customer(phone="0612345678"))
    page = click(client, survey, 9).content.decode()
    invitation = Invitation.objects.get()
    url = f"/s/i/{tokens.invite_token(invitation.pk)}/"
    assert url in page
    form = client.get(url).content.decode()
    assert 'value="camille0@orange.fr"' in form
    fields = {
        "first_name": "Camille",
        "last_name": "Martin 0",
        "email": "camille0@orange.fr",
        "phone": "0612345678",
        "postcode": "69003",
        "city": "Lyon",
    }
    welcome = client.post(url, fields)
    partner = Partner.objects.get(email="camille0@orange.fr")
    assert partner.status == PartnerStatus.CANDIDATE
    assert f"/r/{partner.referral_code}/" in welcome.content.decode()
    again = client.post(url, fields)
    assert again.status_code == 410
    assert Partner.objects.filter(email="camille0@orange.fr").count() == 1
    assert selectors.funnel().accepted == 1


def test_a_promoter_is_invited_once_whatever_their_surveys(client):
    who = customer()
    click(client, sent_survey(who, occasion="a"), 10)
    click(client, sent_survey(who, occasion="b"), 9)
    assert Invitation.objects.count() == 1


def test_the_counters_rebuilt_from_the_answers_equal_those_moved_by_each_click():
    from relais.surveys.answers import counters_rebuild
    from relais.surveys.models import NpsCounter

    reseller = PartnerFactory(reseller=True)
    for n, score in enumerate([10, 4, 7, 9, 0]):
        survey = sent_survey(customer(n, reseller=reseller if n % 2 else None))
        answer_record(request_id=survey.pk, score=score)
        if n == 1:
            answer_record(request_id=survey.pk, score=8)  # a change moves the counters too

    def counted():
        return sorted(
            NpsCounter.objects.values_list(
                "dimension", "key", "promoters", "passives", "detractors"
            )
        )

    moved = [row for row in counted() if any(row[2:])]
    counters_rebuild()
    assert counted() == moved
