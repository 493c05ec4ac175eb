"""Issue 27's "done when", first part: a manager creates a challenge and has its targets
proposed; an introducer sees their target and their rank move after a won lead. The pages pass
axe-core and fit the screen at 1366 and 375 px (screenshots kept)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.challenges.models import Challenge
from relais.challenges.tests.helpers import won
from relais.core.outbox import deliver_all
from relais.testing.factories import PartnerFactory, UserFactory, partner_user
from tests.browser.pages import both_widths, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_proposes_targets_and_an_introducer_sees_their_rank_move(browser, live_server):
    manager = UserFactory()
    me = PartnerFactory(first_name="Camille", last_name="Moreau")
    rival = PartnerFactory(first_name="Zoé", last_name="Lambert")
    today = timezone.localdate()
    with signed_in(browser, live_server, manager) as context:
        page = context.new_page()
        page.goto("/challenges/")
        page.get_by_role("link", name="New challenge").first.click()
        page.fill("#id_name", "Défi du printemps")
        page.fill("#id_theme", "Le printemps des apporteurs")
        page.fill("#id_starts_on", today.isoformat())
        page.fill("#id_ends_on", (today + timedelta(days=30)).isoformat())
        page.select_option("#id_metric", "won")
        page.select_option("#id_mechanic", "ranking")
        page.locator("#challenge-form button[type=submit]").click()
        page.wait_for_url("**/challenges/*/")
        page.locator("button[name=propose]").click()
        targets = page.locator("#targets")
        assert targets.locator(f"[data-participant='{me.pk}']").is_visible()
        assert "→ 1" in targets.locator(f"[data-participant='{me.pk}'] code").inner_text()
        page.get_by_role("button", name="Schedule").click()
        page.get_by_role("button", name="Start now").click()
        assert page.locator("#status").inner_text() == "Running"
        assert both_widths(page, "Challenge", prefix="challenges-manager-") == []
    challenge = Challenge.objects.get()
    won(rival, manager)
    deliver_all()
    with signed_in(browser, live_server, partner_user(me), width=375) as context:
        page = context.new_page()
        page.goto("/portal/challenges/")
        card = page.locator(f"#challenge-{challenge.pk}")
        assert "0 of your target of 1" in card.locator(".mine-target").inner_text()
        assert card.locator(".mine-rank").inner_text() == "rank 2"
        assert both_widths(page, "My challenges before", prefix="challenges-portal-") == []
        won(me, manager)
        won(me, manager)
        deliver_all()
        page.reload()
        assert card.locator(".mine-rank").inner_text() == "rank 1"
        assert "2 of your target of 1" in card.locator(".mine-target").inner_text()
        card.get_by_role("link", name="Défi du printemps").click()
        board = page.locator("#leaderboard")
        assert board.locator("tr.mine").inner_text().startswith("1")
        assert "Lambert" not in board.inner_text()  # the rival under a pseudonym
        assert both_widths(page, "My challenge", prefix="challenges-portal-") == []
