"""On a phone, a customer answers the survey e-mail in one click, adds a comment and agrees to
its publication, accepts the invitation to become an introducer (their details already filled
in) and gets their referral link; the manager then finds the new candidate. The customer's
pages run under the real Content-Security-Policy, fit at 375 px and pass axe-core; the
manager's NPS pages too, at 1366 and 375 px (screenshots in RELAIS_SCREENSHOTS, default
/tmp/shots)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from relais.demo.surveys import seed_surveys
from relais.partners.models import Partner
from relais.surveys import sending
from relais.surveys.models import Answer
from relais.surveys.tests.helpers import customer, won_lead
from tests.browser.pages import SHOTS, both_widths, fits, signed_in
from tests.browser.test_accessibility import assert_none, check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"nps-{name}.png", full_page=True)


def test_a_customer_answers_in_one_click_comments_and_becomes_a_candidate_introducer(
    browser, live_server, settings, manager
):
    settings.SITE_URL = live_server.url  # the e-mail's links lead to this test's server
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    who = customer(first_name="Amélie", last_name="Roux", email="amelie@orange.fr")
    who.phone, who.city = "0612345678", "Lyon"
    who.save()
    sending.survey_queue(customer_id=who.pk, occasion="set:1", now=timezone.now())
    sending.send_due(timezone.now())
    [message] = mail.outbox
    html = message.alternatives[0].content
    links = dict(re.findall(r'<a href="([^"]+/s/a/[^"]+/)"[^>]*>(\d+)</a>', html))
    ten = next(url for url, score in links.items() if score == "10")

    # axe-core is injected, so this context bypasses the CSP; the last step runs under it.
    context = browser.new_context(
        viewport=PHONE, base_url=live_server.url, locale="en-GB", bypass_csp=True
    )
    page = context.new_page()
    page.goto(ten)  # the one click
    assert "Your score, 10 out of 10, is recorded." in page.inner_text("#recorded")
    assert Answer.objects.get().score == 10
    fits(page, "customer page 1")
    shot(page, "1-thanks-375")
    found = check(page, "nps thanks at 375")

    page.get_by_label("Would you like to tell us more? (optional)").fill("Équipe au top !")
    page.get_by_label(re.compile("publishes my comment with my first name")).check()
    page.get_by_role("button", name="Send my comment").click()
    page.wait_for_selector("#comment-saved")
    answer = Answer.objects.get()
    assert (answer.comment, answer.publish_consent) == ("Équipe au top !", True)
    fits(page, "customer page 2")

    page.get_by_role("link", name="Become an introducer").click()
    assert page.get_by_label("E-mail").input_value() == "amelie@orange.fr"
    assert page.get_by_label("Postcode").input_value() == "69003"
    fits(page, "customer page 3")
    shot(page, "2-invitation-375")
    found += check(page, "nps invitation at 375")
    page.get_by_role("button", name="Join as an introducer").click()
    page.wait_for_selector("#referral-link")
    partner = Partner.objects.get(email="amelie@orange.fr")
    assert f"/r/{partner.referral_code}/" in page.inner_text("#referral-link")
    fits(page, "customer page 4")
    shot(page, "3-welcome-375")
    found += check(page, "nps welcome at 375")
    context.close()

    # A second click, from the same e-mail, under the real CSP: the score changes, no second
    # answer, and the page's own style (its nonce) applies.
    nine = next(url for url, score in links.items() if score == "9")
    strict = browser.new_context(viewport=PHONE, base_url=live_server.url, locale="en-GB")
    page = strict.new_page()
    page.goto(nine)
    assert "Your score is now 9 out of 10." in page.inner_text("#recorded")
    assert page.eval_on_selector(".nps-scale", "e => getComputedStyle(e).display") == "grid"
    assert Answer.objects.get().score == 9
    strict.close()

    with signed_in(browser, live_server, manager, width=375) as staff:
        page = staff.new_page()
        page.goto("/partners/?status=candidate")
        assert "Roux" in page.inner_text("main")
        page.goto("/surveys/")
        assert page.inner_text("#nps-total").strip() == "100"
    assert_none(found)


def test_the_managers_nps_pages_fit_and_pass_axe_at_both_widths(browser, live_server, manager):
    for n in range(12):
        won_lead(manager, number=n)
    seed_surveys(answers=10)
    found = []
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        for path, where in [
            ("/surveys/", "nps results"),
            ("/surveys/?by=departement", "nps by departement"),
            ("/surveys/customers/", "nps customers"),
            ("/surveys/comments/", "nps comments"),
            ("/surveys/follow-ups/", "nps follow-ups"),
        ]:
            page.goto(path)
            found += both_widths(page, where)
    assert_none(found)
