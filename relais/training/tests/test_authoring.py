"""Authoring a module: every refusal names its field and saves nothing; the text is cleaned, the
video embedded only from the usual hosts, the document a real PDF; the quiz, the requirement and
"everyone takes it again"."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from relais.training.authoring import (
    ChoiceIn,
    html_clean,
    module_publish,
    module_require,
    module_retake,
    module_save,
    path_save,
    question_delete,
    question_save,
    video_embed_url,
)
from relais.training.choices import ModuleAudience
from relais.training.models import Module, Path, Question

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _module(**data) -> Module:
    return module_save(
        module=Module(), data={"title": "Règles", "body": "<p>x</p>", **data}, actor=None
    )


def _question(module, points=1, answers=(("Oui", True), ("Non", False)), multiple=False):
    return question_save(
        module=module,
        question=Question(),
        data={"text": "Vrai ?", "points": points, "multiple": multiple},
        choices=[ChoiceIn(text=t, correct=c) for t, c in answers],
        actor=None,
    )


def _refusal(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_script_style_iframe_and_event_attributes_are_stripped_from_the_text():
    module = _module(
        body='<p onclick="steal()">Bonjour <script>alert(1)</script><strong>tous</strong></p>'
        '<style>p{}</style><iframe src="https://evil.example"></iframe>'
        '<a href="javascript:alert(1)">x</a> <a href="https://relais.example">règles</a>'
    )
    module.refresh_from_db()
    assert "<script" not in module.body
    assert "alert(1)" not in module.body
    assert "<style" not in module.body
    assert "<iframe" not in module.body
    assert "onclick" not in module.body
    assert "javascript:" not in module.body
    assert "<strong>tous</strong>" in module.body
    assert 'href="https://relais.example"' in module.body
    assert 'rel="noopener noreferrer"' in module.body


def test_usual_formatting_is_kept():
    html = "<h2>Titre</h2><ul><li><em>un</em></li></ul><table><tr><td>1</td></tr></table>"
    cleaned = html_clean(html)
    assert "<h2>Titre</h2>" in cleaned
    assert "<em>un</em>" in cleaned
    assert "<td>1</td>" in cleaned


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871"),
        (
            "https://www.dailymotion.com/video/x8abc12",
            "https://www.dailymotion.com/embed/video/x8abc12",
        ),
    ],
)
def test_videos_from_the_usual_hosts_are_embedded(url, embed):
    assert video_embed_url(url) == embed
    module = _module(video_url=url)
    assert module.video_url == url


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
        "https://www.youtube.com/watch?v=<script>",
    ],
)
def test_a_video_from_an_unknown_host_is_refused_naming_the_field(url):
    errors = _refusal(lambda: _module(video_url=url))
    assert list(errors) == ["video_url"]
    assert "YouTube, Vimeo or Dailymotion" in errors["video_url"][0]
    assert not Module.objects.exists()


def test_an_upload_that_is_not_a_pdf_is_refused_naming_the_field():
    fake = SimpleUploadedFile("guide.pdf", b"PK\x03\x04 a zip named .pdf", "application/pdf")
    errors = _refusal(lambda: _module(document=fake))
    assert list(errors) == ["document"]
    assert "guide.pdf is not a PDF file" in errors["document"][0]
    assert not Module.objects.exists()


def test_a_pdf_over_10_mb_is_refused(settings):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")
    errors = _refusal(lambda: _module(document=big))
    assert "larger than 10 MB" in errors["document"][0]


def test_a_real_pdf_is_stored():
    module = _module(document=SimpleUploadedFile("guide.pdf", PDF, "application/pdf"))
    module.refresh_from_db()
    assert module.document.name.endswith(".pdf")
    assert module.document.read().startswith(b"%PDF-")


def test_a_question_without_a_right_answer_is_refused_naming_the_field():
    module = _module()
    errors = _refusal(lambda: _question(module, answers=(("Oui", False), ("Non", False))))
    assert list(errors) == ["choices"]
    assert "right answer" in errors["choices"][0]
    assert not Question.objects.exists()


def test_two_right_answers_need_a_multiple_choice_question():
    module = _module()
    both = (("Oui", True), ("Non", True))
    assert list(_refusal(lambda: _question(module, answers=both))) == ["choices"]
    assert _question(module, answers=both, multiple=True).choices.filter(correct=True).count() == 2


def test_a_pass_mark_above_the_points_is_refused_naming_the_field():
    module = _module()
    _question(module, points=2)
    _question(module, points=3)
    errors = _refusal(lambda: module_save(module=module, data={"pass_mark": 6}, actor=None))
    assert list(errors) == ["pass_mark"]
    assert "above the quiz's 5 points" in errors["pass_mark"][0]
    module.refresh_from_db()
    assert module.pass_mark is None
    assert module_save(module=module, data={"pass_mark": 5}, actor=None).pass_mark == 5


def test_with_a_subset_drawn_the_pass_mark_must_be_reachable_by_the_worst_draw():
    module = _module()
    for points in (1, 1, 3):
        _question(module, points=points)
    # Two questions drawn: the worst draw gives 1 + 1 = 2 points.
    data = {"questions_per_attempt": 2, "pass_mark": 3}
    errors = _refusal(lambda: module_save(module=module, data=data, actor=None))
    assert "2 points the 2 questions drawn" in errors["pass_mark"][0]
    assert module_save(module=module, data={**data, "pass_mark": 2}, actor=None).pass_mark == 2


def test_removing_points_below_the_pass_mark_is_refused():
    module = _module()
    first = _question(module, points=2)
    _question(module, points=2)
    module_save(module=module, data={"pass_mark": 4}, actor=None)
    assert "pass_mark" in _refusal(lambda: question_delete(question=first, actor=None))
    assert module.questions.count() == 2


def test_a_question_change_keeps_its_choices_by_id():
    module = _module()
    question = _question(module)
    yes, no = question.choices.all()
    question_save(
        module=module,
        question=question,
        data={"text": "Vraiment ?", "points": 1},
        choices=[
            ChoiceIn("Non", True, no.pk),
            ChoiceIn("Oui", False, yes.pk),
            ChoiceIn("?", False),
        ],
        actor=None,
    )
    texts = list(question.choices.values_list("pk", "text", "correct"))
    assert texts[:2] == [(no.pk, "Non", True), (yes.pk, "Oui", False)]
    assert len(texts) == 3


def test_publishing_needs_a_pass_mark_when_there_is_a_quiz():
    module = _module()
    _question(module)
    assert list(_refusal(lambda: module_publish(module=module, actor=None))) == ["pass_mark"]
    module_save(module=module, data={"pass_mark": 1}, actor=None)
    assert module_publish(module=module, actor=None).published


def test_publishing_an_empty_module_is_refused():
    module = _module(body="")
    assert list(_refusal(lambda: module_publish(module=module, actor=None))) == ["body"]


def test_requiring_dates_the_requirement_and_retake_raises_the_version():
    module = _module()
    module_require(module=module, required_for=ModuleAudience.RESELLER, actor=None)
    since = module.required_since
    assert since is not None
    assert timezone.now() - since < timedelta(seconds=5)
    module_require(module=module, required_for=ModuleAudience.RESELLER, actor=None)
    assert module.required_since == since  # unchanged: nobody new is concerned
    module_retake(module=module, actor=None)
    module.refresh_from_db()
    assert module.version == 2
    assert module.required_since > since  # the grace period starts again
    module_require(module=module, required_for="", actor=None)
    assert module.required_since is None


def test_a_path_keeps_its_modules_in_the_order_given():
    first, second = _module(title="A"), _module(title="B")
    path = path_save(path=Path(), data={"title": "Démarrer"}, modules=[second, first], actor=None)
    assert [s.module_id for s in path.steps.all()] == [second.pk, first.pk]
    path_save(path=path, data={"title": "Démarrer"}, modules=[first], actor=None)
    assert [s.module_id for s in path.steps.all()] == [first.pk]


def test_a_path_without_a_title_or_with_a_module_twice_is_refused():
    module = _module()
    errors = _refusal(lambda: path_save(path=Path(), data={}, modules=[module, module], actor=None))
    assert set(errors) == {"title", "modules"}
    assert not Path.objects.exists()


def test_an_unknown_segment_or_language_is_refused_naming_the_field():
    errors = _refusal(lambda: _module(segment="vip", language="de"))
    assert set(errors) == {"segment", "language"}
    assert _module(segment="dormant", language="en").segment == "dormant"
