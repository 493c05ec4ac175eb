"""Issue 27, item 1's rest: on a phone (375 px), an introducer sees their challenge's banner and
sends the proof of a qualitative objective; the manager refuses it with a reason, the
introducer reads it and sends another, which the manager validates. Pages pass axe-core and
fit the screen; screenshots kept."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from relais.challenges import proofs, services
from relais.challenges.models import Proof
from relais.challenges.tests.helpers import challenge
from relais.testing.factories import PartnerFactory, UserFactory, partner_user
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png(path, colour):
    image = Image.new("RGB", (1200, 300), colour)
    image.save(path, format="PNG")
    return path


def test_an_introducer_sees_the_banner_and_sends_a_proof_on_a_phone(browser, live_server, tmp_path):
    manager = UserFactory()
    me = PartnerFactory(first_name="Camille", last_name="Moreau")
    today = timezone.localdate()
    c = challenge(
        name="Défi du printemps",
        story="Habillez votre vitrine.",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=29),
    )
    banner = _png(tmp_path / "banner.png", (31, 95, 191))
    c.banner.save("banner.png", ContentFile(banner.read_bytes()), save=True)
    services.participants_propose(challenge=c, actor=manager)
    c = services.challenge_move(challenge=c, to="scheduled", actor=manager)
    c = services.challenge_move(challenge=c, to="running", actor=manager)
    proofs.objective_add(
        challenge=c, title="Vitrine aux couleurs du défi", description="Une photo", actor=manager
    )
    photo = _png(tmp_path / "vitrine.png", (60, 140, 80))
    with signed_in(browser, live_server, partner_user(me), width=375) as context:
        page = context.new_page()
        page.goto(f"/portal/challenges/{c.pk}/")
        banner = page.locator("img.challenge-banner")
        assert banner.is_visible()
        assert page.evaluate("(img) => img.naturalWidth", banner.element_handle()) == 1200
        box = banner.bounding_box()
        assert box is not None
        assert box["width"] <= 375
        objective = page.locator("#objectives")
        objective.locator("input[type=file]").set_input_files(str(photo))
        objective.get_by_label("Comment").fill("Affiche posée ce matin")
        objective.get_by_role("button", name="Send my proof").click()
        assert "Proof sent" in page.locator("body").inner_text()
        assert page.locator(".proof-status").inner_text() == "Awaiting validation"
        assert both_widths(page, "My challenge with proof", prefix="chal-b-portal-") == []
    proof = Proof.objects.get()
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto(f"/challenges/{c.pk}/")
        pending = page.locator(f"[data-proof='{proof.pk}']")
        assert "Moreau" in pending.inner_text()
        pending.get_by_label("Reason for refusing").fill("La photo est floue")
        pending.get_by_role("button", name="Refuse").click()
        assert "Decision recorded" in page.locator("body").inner_text()
        assert both_widths(page, "Challenge with objectives", prefix="chal-b-manager-") == []
    with signed_in(browser, live_server, partner_user(me), width=375) as context:
        page = context.new_page()
        page.goto(f"/portal/challenges/{c.pk}/")
        objective = page.locator("#objectives")
        assert "Refused: La photo est floue" in objective.inner_text()
        objective.locator("input[type=file]").set_input_files(str(photo))
        objective.get_by_role("button", name="Send my proof").click()
        assert page.locator(".proof-status").inner_text() == "Awaiting validation"
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto(f"/challenges/{c.pk}/")
        page.locator(f"[data-proof='{proof.pk}']").get_by_role("button", name="Validate").click()
        proof.refresh_from_db()
        assert proof.status == "validated"
        page.goto(f"/challenges/{c.pk}/results/")
        assert both_widths(page, "Challenge results", prefix="chal-b-manager-") == []
