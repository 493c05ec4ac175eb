"""A manager writes a module in a real browser: the preview shows the text cleaned as it is
typed, a question without a right answer is refused on the page then saved once one is
ticked, the module is published; the authoring pages fit at 1366 and 375 px and pass axe-core."""

import pytest

from relais.testing.factories import UserFactory
from relais.training.models import Module
from tests.browser.pages import both_widths, signed_in
from tests.browser.test_accessibility import assert_none

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    with signed_in(browser, live_server, UserFactory()) as context:  # a network manager
        yield context.new_page()


def test_a_manager_writes_a_module_with_its_quiz(page):
    found = []
    page.goto("/training/modules/")
    found += both_widths(page, "training modules")
    page.get_by_role("link", name="New module").first.click()
    page.wait_for_url("**/training/modules/new/")
    page.get_by_label("Title").fill("Conformité")
    page.get_by_label("Text (HTML)").fill(
        "<p>Déclarez <strong>vos liens</strong>.</p><script>document.title='pwned'</script>"
    )
    preview = page.locator("#module-preview")
    preview.locator("strong").filter(has_text="vos liens").wait_for(timeout=5000)
    assert "pwned" not in preview.inner_html()
    assert page.title() != "pwned"
    found += both_widths(page, "training module editor")
    page.get_by_role("button", name="Save the module").click()
    page.wait_for_url("**/quiz/")

    page.get_by_label("Question").fill("Faut-il déclarer un lien familial ?")
    page.get_by_label("Answer 1").fill("Oui")
    page.get_by_label("Answer 2").fill("Non")
    page.get_by_role("button", name="Save the question").click()
    page.get_by_text("Tick the right answer").wait_for()
    page.locator("input[name=choice_0_correct]").check()
    page.get_by_role("button", name="Save the question").click()
    page.locator("#questions li[data-question]").wait_for()
    found += both_widths(page, "training quiz editor")

    module = Module.objects.get()
    page.goto(f"/training/modules/{module.pk}/")
    page.locator("#id_pass_mark").fill("1")
    page.get_by_role("button", name="Save the module").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Module published.").wait_for()
    module.refresh_from_db()
    assert module.published
    assert module.body == "<p>Déclarez <strong>vos liens</strong>.</p>"
    assert_none(found)
