"""Issue 26's "done when": a reseller, on a phone, opens Ma formation, reads a required module,
fails its quiz, tries again, passes, downloads the certificate (a real PDF), and the public
verification page reached from the certificate's code says it is valid. Then the same pages at
a desktop's width pass axe-core, fit the screen, and are kept as screenshots."""

from pathlib import Path

import pytest
from django.test import Client

from relais.testing.factories import PartnerFactory, partner_user
from relais.training.choices import ModuleAudience
from relais.training.models import Certificate, Choice, Module, Question
from tests.browser.pages import SHOTS, both_widths, fits, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def _module() -> Module:
    module = Module.objects.create(
        title="Traiter ses leads dans Relais",
        summary="Accepter un lead, appeler le prospect, déclarer son statut.",
        body="<h2>Les trois gestes</h2><p>Accepter, appeler dans les 48 heures, déclarer.</p>",
        audience=ModuleAudience.RESELLER,
        required_for=ModuleAudience.RESELLER,
        pass_mark=2,
        attempts_allowed=3,
        wait_minutes=0,
        published=True,
    )
    for n, text in enumerate(["Sous quel délai appeler ?", "Que déclarer après l'appel ?"]):
        question = Question.objects.create(module=module, text=text, position=n)
        Choice.objects.create(question=question, text=f"Bonne réponse {n + 1}", correct=True)
        Choice.objects.create(question=question, text=f"Mauvaise réponse {n + 1}")
        Choice.objects.create(question=question, text=f"Autre mauvaise réponse {n + 1}")
    return module


def _answer(page, good: bool) -> None:
    """Tick, in each question as shuffled for this attempt, the right or a wrong answer."""
    for fieldset in page.locator("#quiz-form fieldset").all():
        label = "Bonne réponse" if good else "Mauvaise réponse"
        fieldset.locator("label", has_text=label).first.click()
    page.locator("#quiz-form button[type=submit]").click()
    page.wait_for_url("**/portal/training/attempts/*/")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"training-{name}-375.png", full_page=True)
    fits(page, name)


def test_a_reseller_fails_retries_passes_and_downloads_a_valid_certificate_on_a_phone(
    browser, live_server
):
    module = _module()
    reseller = PartnerFactory(reseller=True, company_name="Habitat Plus")
    user = partner_user(reseller)
    client = Client()
    client.force_login(user)
    # The real policy (no bypass): the pages must work under the site's CSP.
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, locale="fr-FR", accept_downloads=True
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    phone = context.new_page()
    phone.goto("/portal/training/")
    todo = phone.locator(f"#module-{module.pk}")
    assert todo.locator(".badge").is_visible()  # required before working
    _shot(phone, "home")
    todo.locator("a").click()
    phone.wait_for_url(f"**/portal/training/modules/{module.pk}/")
    assert "Les trois gestes" in phone.locator("#module-text").inner_text()
    phone.locator("button[name=read]").click()
    phone.locator("#module-progress button[name=start]").wait_for()
    _shot(phone, "module")

    phone.locator("button[name=start]").click()
    phone.wait_for_url(f"**/portal/training/modules/{module.pk}/quiz/")
    assert phone.locator("#quiz-form input[type=radio]").count() == 6
    _shot(phone, "quiz")
    _answer(phone, good=False)
    assert phone.locator("#result").get_attribute("data-state") == "failed"
    assert phone.locator("#score").inner_text() == "0 / 2"
    assert phone.locator("#attempts-left").is_visible()
    _shot(phone, "failed")

    phone.locator("#result button[name=start]").click()  # wait_minutes=0: at once
    phone.wait_for_url(f"**/portal/training/modules/{module.pk}/quiz/")
    _answer(phone, good=True)
    assert phone.locator("#result").get_attribute("data-state") == "passed"
    assert phone.locator("#score").inner_text() == "2 / 2"
    _shot(phone, "passed")

    with phone.expect_download() as download:
        phone.locator("#certificate-link").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    certificate = Certificate.objects.get(partner=reseller, module=module)
    assert download.value.suggested_filename == f"certificat-{certificate.code}.pdf"

    phone.goto("/portal/training/")
    assert phone.locator(f"#done-{module.pk}").is_visible()
    assert phone.locator(f"#module-{module.pk}").count() == 0
    _shot(phone, "home-done")

    verify = context.new_page()  # anyone holding the code: the public page
    context.clear_cookies()
    verify.goto(f"/verify/{certificate.code}/")
    assert verify.locator("#certificate-state.certificate-valid").is_visible()
    assert "Habitat Plus" not in verify.content()  # nothing else disclosed
    _shot(verify, "verify")
    context.close()

    # The same pages on a desktop and on a phone: axe-core, fitting the screen, screenshots.
    found = []
    with signed_in(browser, live_server, user) as desktop:
        page = desktop.new_page()
        for where, url in [
            ("Ma formation", "/portal/training/"),
            ("Module", f"/portal/training/modules/{module.pk}/"),
            ("Result", f"/portal/training/attempts/{module.attempts.first().pk}/"),
        ]:
            page.goto(url)
            found += both_widths(page, where, prefix="training-")
    assert not found, "\n".join(found)
