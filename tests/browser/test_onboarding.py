"""The onboarding walk: candidate → scored → accepted → invited → signs → active, with the PDF."""

import io
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from relais.accounts.choices import Role
from relais.partners.models import Partner, SelectionCriterion, Signature
from relais.testing.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def contexts(browser):
    """Browser contexts closed at the end, so no request is left running against the server."""
    opened = []

    def open_context(**options):
        context = browser.new_context(locale="fr-FR", **options)
        opened.append(context)
        return context.new_page()

    yield open_context
    for context in opened:
        context.close()


def test_a_candidate_is_onboarded_end_to_end(contexts, live_server):
    manager = UserFactory(role=Role.MANAGER)
    staff = contexts(base_url=live_server.url)
    staff.goto("/login/")
    staff.fill("input[name=email]", manager.email)
    staff.fill("input[name=password]", PASSWORD)
    staff.click("button.primary")
    staff.wait_for_url("**/dashboard/")

    # The manager creates the candidate.
    staff.goto("/partners/new/")
    staff.select_option("select[name=kind]", "introducer")
    staff.select_option("select[name=legal_form]", "individual")
    staff.select_option("select[name=tax_regime]", "bnc_non_pro")
    staff.fill("input[name=first_name]", "Inès")
    staff.fill("input[name=last_name]", "Lambert")
    staff.fill("input[name=email]", "ines.lambert@example.fr")
    staff.fill("input[name=postcode]", "35000")
    staff.fill("input[name=phone]", "06 11 22 33 44")
    staff.click("button.primary")
    staff.wait_for_url(re.compile(r"/partners/\d+/$"))
    partner = Partner.objects.get(email="ines.lambert@example.fr")
    assert partner.status == "candidate"

    # … scores it and accepts it.
    staff.click(f"a[href='/partners/{partner.pk}/scorecard/']")
    for criterion in SelectionCriterion.objects.all():
        staff.fill(f"input[name=score_{criterion.pk}]", "4")
        staff.fill(f"textarea[name=evidence_{criterion.pk}]", "Entretien du 20 novembre")
    staff.click("button[value=score]")
    assert staff.locator("#total").inner_text() == "80,0/100"
    staff.select_option("select[name=decision]", "accept")
    staff.click("button[value=decide]")
    staff.wait_for_url(f"**/partners/{partner.pk}/")

    # The partner receives a link, and signs on a phone.
    invitation = mail.outbox[-1]
    assert invitation.to == ["ines.lambert@example.fr"]
    link = re.search(r"https?://\S+/login/link/\S+/", invitation.body).group(0)
    phone = contexts(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, accept_downloads=True
    )
    phone.goto(link)
    phone.click("button.primary")
    phone.wait_for_url("**/portal/")
    phone.click("text=Signer mes documents")
    for _ in range(2):
        phone.locator("ul.doc-list a").first.click()
        phone.check("input[name=accept]")
        phone.click("button.primary")
        phone.wait_for_url("**/portal/documents/")
    partner.refresh_from_db()
    assert partner.status == "active"
    assert Signature.objects.filter(partner=partner).count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # The signed PDF shows the hash and the date.
    signature = Signature.objects.filter(
        partner=partner, template__kind="introducer_contract"
    ).get()
    with phone.expect_download() as download:
        phone.click(f"a[href='/portal/signatures/{signature.pk}.pdf']")
    with open(download.value.path(), "rb") as handle:
        text = " ".join(
            p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages
        ).replace("\n", "")
    assert signature.text_sha256 in text
    assert signature.signed_at.strftime("%Y") in text
    assert "Inès Lambert" in text

    # The manager sees the partner active, with the history of it.
    staff.goto(f"/partners/{partner.pk}/")
    assert staff.locator("#partner-status").inner_text() == "Actif"
