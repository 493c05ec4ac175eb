"""The manager's training pages: write a module (its text previewed cleaned, its video, its PDF),
its quiz, require it, have everyone take it again, make a path; partner users are refused every
page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from relais.training.authoring import ChoiceIn, module_save, path_save, question_save
from relais.training.models import Module, Path, Question

pytestmark = pytest.mark.django_db

MODULE = {
    "title": "Conformité",
    "summary": "",
    "body": "<p>Déclarez vos liens.</p><script>alert(1)</script>",
    "video_url": "",
    "audience": "all",
    "language": "fr",
    "segment": "",
    "pass_mark": "",
    "attempts_allowed": "3",
    "wait_minutes": "0",
    "questions_per_attempt": "",
    "validity": "1",
    "required_for": "",
}


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def module() -> Module:
    module = module_save(module=Module(), data={"title": "Règles", "body": "<p>x</p>"}, actor=None)
    question_save(
        module=module,
        question=Question(),
        data={"text": "Vrai ?", "points": 2},
        choices=[ChoiceIn("Oui", True), ChoiceIn("Non", False)],
        actor=None,
    )
    return module


def pages(module: Module) -> list[str]:
    question = module.questions.get()
    return [
        reverse("training:modules"),
        reverse("training:module_new"),
        reverse("training:module_edit", args=[module.pk]),
        reverse("training:module_quiz", args=[module.pk]),
        reverse("training:question_edit", args=[module.pk, question.pk]),
        reverse("training:paths"),
        reverse("training:path_new"),
        reverse("training:stats"),
    ]


def test_every_page_opens_for_a_manager(client, manager, module):
    client.force_login(manager)
    for url in pages(module):
        assert client.get(url).status_code == 200, url


def test_partner_users_are_refused_every_page_and_every_write(
    client, reseller_user, introducer_user, module
):
    writes = [
        reverse("training:module_publish", args=[module.pk]),
        reverse("training:module_retake", args=[module.pk]),
        reverse("training:module_preview"),
    ]
    for user in (reseller_user, introducer_user):
        client.force_login(user)
        for url in pages(module):
            assert client.get(url).status_code == 403, url
        for url in writes:
            assert client.post(url, {"confirm": "on"}).status_code == 403, url
    module.refresh_from_db()
    assert module.version == 1
    assert not module.published


def test_an_anonymous_visitor_goes_to_the_login_page(client, module):
    response = client.get(reverse("training:modules"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_manager_writes_a_module_and_its_text_is_saved_cleaned(client, manager):
    client.force_login(manager)
    response = client.post(reverse("training:module_new"), MODULE)
    module = Module.objects.get()
    assert response["Location"] == reverse("training:module_quiz", args=[module.pk])
    assert module.body == "<p>Déclarez vos liens.</p>"
    page = client.get(reverse("training:module_edit", args=[module.pk])).content.decode()
    assert "Déclarez vos liens." in page
    assert "<script>alert(1)</script>" not in page


def test_the_preview_shows_the_text_cleaned(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("training:module_preview"),
        {"body": '<p onmouseover="x()">Hi</p><script>x()</script>'},
    )
    html = response.content.decode()
    assert "<p>Hi</p>" in html
    assert "script" not in html
    assert "onmouseover" not in html


def test_a_video_from_an_unknown_host_is_shown_on_its_field(client, manager):
    client.force_login(manager)
    data = {**MODULE, "video_url": "https://videos.example/clip"}
    response = client.post(reverse("training:module_new"), data)
    assert response.status_code == 422
    assert "video_url" in response.context["form"].errors
    assert not Module.objects.exists()


def test_an_upload_that_is_not_a_pdf_is_shown_on_its_field(client, manager):
    client.force_login(manager)
    fake = SimpleUploadedFile("guide.pdf", b"\x89PNG\r\n\x1a\n...", "application/pdf")
    response = client.post(reverse("training:module_new"), {**MODULE, "document": fake})
    assert response.status_code == 422
    assert "not a PDF" in response.context["form"].errors["document"][0]


def test_a_youtube_video_is_embedded_without_cookies(client, manager):
    client.force_login(manager)
    data = {**MODULE, "video_url": "https://youtu.be/dQw4w9WgXcQ"}
    client.post(reverse("training:module_new"), data)
    module = Module.objects.get()
    response = client.get(reverse("training:module_edit", args=[module.pk]))
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in response.content.decode()
    # the browser may frame it: the editor's policy lists the player's host
    assert "https://www.youtube-nocookie.com" in response["Content-Security-Policy"]


def test_the_quiz_editor_refuses_a_question_without_a_right_answer(client, manager, module):
    client.force_login(manager)
    url = reverse("training:module_quiz", args=[module.pk])
    data = {"text": "Quelle règle ?", "points": "1", "choice_0_text": "A", "choice_1_text": "B"}
    response = client.post(url, data)
    assert response.status_code == 422
    assert "right answer" in response.content.decode()
    assert module.questions.count() == 1
    client.post(url, {**data, "choice_1_correct": "on"})
    assert module.questions.count() == 2
    assert module.questions.last().choices.get(correct=True).text == "B"


def test_a_pass_mark_above_the_points_is_shown_on_its_field(client, manager, module):
    client.force_login(manager)
    data = {**MODULE, "title": "Règles", "pass_mark": "3"}
    response = client.post(reverse("training:module_edit", args=[module.pk]), data)
    assert response.status_code == 422
    assert "above the quiz's 2 points" in response.context["form"].errors["pass_mark"][0]


def test_publish_then_require_everyone_to_take_it_again_after_confirming(client, manager, module):
    client.force_login(manager)
    client.post(reverse("training:module_edit", args=[module.pk]), {**MODULE, "pass_mark": "2"})
    client.post(reverse("training:module_publish", args=[module.pk]))
    module.refresh_from_db()
    assert module.published
    retake = reverse("training:module_retake", args=[module.pk])
    client.post(retake, {})  # not confirmed: nothing happens
    module.refresh_from_db()
    assert module.version == 1
    response = client.post(retake, {"confirm": "on"}, follow=True)
    module.refresh_from_db()
    assert module.version == 2
    assert "every partner must take the module again" in response.content.decode()


def test_a_manager_makes_a_path_with_its_modules_in_order(client, manager, module):
    other = module_save(module=Module(), data={"title": "Leads", "body": "<p>y</p>"}, actor=None)
    client.force_login(manager)
    data = {
        "title": "Démarrer comme revendeur",
        "audience": "reseller",
        "language": "fr",
        f"step_{module.pk}": "2",
        f"step_{other.pk}": "1",
    }
    response = client.post(reverse("training:path_new"), data)
    assert response.status_code == 302
    path = Path.objects.get()
    assert [s.module_id for s in path.steps.all()] == [other.pk, module.pk]
    page = client.get(reverse("training:paths")).content.decode()
    assert "Démarrer comme revendeur" in page


def test_the_module_and_path_lists_take_the_same_queries_however_many(client, manager, module):
    client.force_login(manager)
    path_save(path=Path(), data={"title": "P1"}, modules=[module], actor=None)
    counts = []
    for n in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("training:modules")).status_code == 200
            assert client.get(reverse("training:paths")).status_code == 200
        counts.append(len(queries))
        for k in range(3):
            extra = module_save(
                module=Module(), data={"title": f"M{n}{k}", "body": "<p>z</p>"}, actor=None
            )
            path_save(path=Path(), data={"title": f"P{n}{k}"}, modules=[extra], actor=None)
    assert counts[0] == counts[1]
