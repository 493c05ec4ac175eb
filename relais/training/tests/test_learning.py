"""The partner's "Ma formation" pages: what they list, the quiz through the form, the result,
the certificate, and nobody else's attempt or certificate."""

import re

import pytest
from django.urls import reverse

from relais.testing.factories import PartnerFactory, partner_user
from relais.training.choices import AttemptState, ModuleAudience
from relais.training.models import Attempt, Certificate, Choice, Module
from relais.training.quiz import attempt_start, attempt_submit, module_read
from relais.training.tests.test_quiz import make_module, right_answers, wrong_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def reseller():
    return PartnerFactory(reseller=True)


@pytest.fixture
def portal(client, reseller):
    client.force_login(partner_user(reseller))
    return client


def _quiz_post(attempt: Attempt, answers: dict[int, list[int]]) -> dict[str, list[str]]:
    return {f"q{q}": [str(c) for c in choices] for q, choices in answers.items()}


def test_ma_formation_lists_required_modules_first_and_done_ones_with_their_certificate(
    portal, reseller
):
    optional = make_module(questions=0, title="Astuces")
    make_module(title="Conformité", required_for=ModuleAudience.ALL)
    Module.objects.create(title="Brouillon")  # unpublished: not shown
    module_read(partner=reseller, module=optional)
    page = portal.get(reverse("learning:home")).content.decode()
    to_do = page.split('id="modules-to-do"')[1].split('id="modules-done"')[0]
    assert "Conformité" in to_do
    assert "required before you may work" in to_do
    assert "Astuces" not in to_do
    done = page.split('id="modules-done"')[1]
    certificate = Certificate.objects.get(partner=reseller, module=optional)
    assert reverse("learning:certificate_pdf", args=[certificate.pk]) in done
    assert "Brouillon" not in page


def test_a_partner_reads_fails_and_passes_through_the_pages(portal, reseller):
    module = make_module(pass_mark=3)
    url = reverse("learning:module", args=[module.pk])
    assert "I have read it" in portal.get(url).content.decode()
    portal.post(url, {"read": "1"})
    assert "You have read this module." in portal.get(url).content.decode()

    response = portal.post(reverse("learning:quiz", args=[module.pk]), {"start": "1"})
    assert response.url == reverse("learning:quiz", args=[module.pk])
    attempt = Attempt.objects.get()
    page = portal.get(response.url).content.decode()
    assert page.count('type="radio"') == 6  # two single-choice questions of three choices
    assert page.count('type="checkbox"') == 3
    # The choices appear in the order recorded for the attempt.
    first = attempt.drawn[0]
    shown = [int(x) for x in re.findall(rf'name="q{first}" value="(\d+)"', page)]
    assert shown == attempt.order[str(first)]

    response = portal.post(response.url, _quiz_post(attempt, wrong_answers(attempt)))
    assert response.url == reverse("learning:attempt", args=[attempt.pk])
    result = portal.get(response.url).content.decode()
    assert "0 / 3" in result
    assert "Not passed." in result
    assert "2 attempts left." in result

    portal.post(reverse("learning:quiz", args=[module.pk]), {"start": "1"})
    second = Attempt.objects.get(state=AttemptState.STARTED)
    response = portal.post(
        reverse("learning:quiz", args=[module.pk]), _quiz_post(second, right_answers(second))
    )
    result = portal.get(response.url).content.decode()
    certificate = Certificate.objects.get(partner=reseller, module=module)
    assert "Passed." in result
    assert reverse("learning:certificate_pdf", args=[certificate.pk]) in result
    pdf = portal.get(reverse("learning:certificate_pdf", args=[certificate.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_a_forged_post_ticking_every_choice_of_a_single_choice_question_scores_nothing(
    portal, reseller
):
    module = make_module(questions=2)
    attempt = attempt_start(partner=reseller, module=module)
    forged = {f"q{q}": [str(c) for c in attempt.order[str(q)]] for q in attempt.drawn}
    response = portal.post(reverse("learning:quiz", args=[module.pk]), forged)
    assert response.status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).score == 0


def test_answering_a_question_not_drawn_changes_nothing(portal, reseller):
    module = make_module(questions=4, questions_per_attempt=2)
    attempt = attempt_start(partner=reseller, module=module)
    answers = _quiz_post(attempt, right_answers(attempt))
    stray = module.questions.exclude(pk__in=attempt.drawn).first()
    answers[f"q{stray.pk}"] = [str(c.pk) for c in stray.choices.filter(correct=True)]
    portal.post(reverse("learning:quiz", args=[module.pk]), answers)
    saved = Attempt.objects.get(pk=attempt.pk)
    assert str(stray.pk) not in saved.answers  # the form only reads the questions drawn
    assert saved.score == 2


def test_a_double_submit_shows_the_same_result(portal, reseller):
    module = make_module()
    attempt = attempt_start(partner=reseller, module=module)
    data = _quiz_post(attempt, wrong_answers(attempt))
    first = portal.post(reverse("learning:quiz", args=[module.pk]), data)
    second = portal.post(reverse("learning:quiz", args=[module.pk]), data)
    assert first.url == second.url == reverse("learning:attempt", args=[attempt.pk])
    assert Attempt.objects.count() == 1


def test_another_partners_attempt_certificate_or_module_is_a_404(portal):
    other = PartnerFactory(reseller=True)
    module = make_module(questions=1)
    attempt = attempt_start(partner=other, module=module)
    attempt_submit(attempt=attempt, answers=right_answers(attempt))
    module_read(partner=other, module=module)
    certificate = Certificate.objects.get(partner=other)
    assert portal.get(reverse("learning:attempt", args=[attempt.pk])).status_code == 404
    assert portal.get(reverse("learning:certificate_pdf", args=[certificate.pk])).status_code == 404
    introducers_only = make_module(questions=0, audience=ModuleAudience.INTRODUCER)
    url = reverse("learning:module", args=[introducers_only.pk])
    assert portal.get(url).status_code == 404


def test_managers_do_not_see_the_partner_pages(client, manager):
    client.force_login(manager)
    assert client.get(reverse("learning:home")).status_code in {302, 403}


def test_the_module_page_frames_only_the_known_video_players(portal):
    module = make_module(questions=0, video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    response = portal.get(reverse("learning:module", args=[module.pk]))
    page = response.content.decode()
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in page
    assert (
        "frame-src 'self' https://www.youtube-nocookie.com" in response["Content-Security-Policy"]
    )
    home = portal.get(reverse("learning:home"))
    assert "youtube" not in home["Content-Security-Policy"]
    Module.objects.filter(pk=module.pk).update(video_url="https://evil.example/v.mp4")
    assert (
        "<iframe" not in portal.get(reverse("learning:module", args=[module.pk])).content.decode()
    )


def test_the_wait_after_a_failure_is_said_on_the_result_page(portal, reseller):
    module = make_module(wait_minutes=30)
    attempt = attempt_start(partner=reseller, module=module)
    attempt_submit(attempt=attempt, answers=wrong_answers(attempt))
    result = portal.get(reverse("learning:attempt", args=[attempt.pk])).content.decode()
    assert "You may try again from" in result
    response = portal.post(reverse("learning:quiz", args=[module.pk]), {"start": "1"}, follow=True)
    assert "You may try again from" in response.content.decode()
    assert Attempt.objects.count() == 1
    assert Choice.objects.exists()


def test_the_modules_pdf_is_served_to_its_partners_only(portal, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    module = make_module(questions=0)
    module.document.save("guide.pdf", ContentFile(b"%PDF-1.4 guide"), save=True)
    page = portal.get(reverse("learning:module", args=[module.pk])).content.decode()
    url = reverse("learning:document", args=[module.pk])
    assert url in page
    response = portal.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    Module.objects.filter(pk=module.pk).update(audience=ModuleAudience.INTRODUCER)
    assert portal.get(url).status_code == 404


def test_a_path_shows_how_many_of_its_modules_are_done(portal, reseller):
    from relais.training.models import Path, PathStep

    path = Path.objects.create(title="Démarrer comme revendeur", published=True)
    first, second = make_module(questions=0, title="Un"), make_module(title="Deux")
    PathStep.objects.create(path=path, module=first, position=0)
    PathStep.objects.create(path=path, module=second, position=1)
    module_read(partner=reseller, module=first)
    page = portal.get(reverse("learning:home")).content.decode()
    card = page.split(f'id="path-{path.pk}"')[1].split("</article>")[0]
    assert "1 of 2 modules done" in card
    assert '<progress class="full" max="2" value="1">' in card
    assert card.index("Un") < card.index("Deux")
