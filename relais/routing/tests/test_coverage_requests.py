"""A reseller's change of coverage is a request a manager approves or refuses: until then leads
follow the current profile; each step is audited and the other side is e-mailed."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from relais.core.audit import audit_trail
from relais.core.errors import DomainError
from relais.leads.models import ProductCategory
from relais.partners.timeline import audit_entry
from relais.routing import services
from relais.routing.models import CoverageRequest
from relais.routing.selectors import reseller_profile_of
from relais.routing.tests.conftest import make_reseller

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """``with sent():`` runs what the code queued for after its commit (the e-mails)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def reseller(client):
    partner = make_reseller(("69",), capacity=20, with_user=True)
    client.force_login(partner.members.get().user)
    return partner


def ask(client, departements=("69", "01"), capacity="8", categories=()):
    return client.post(
        "/portal/coverage/",
        {
            "departements": list(departements),
            "categories": list(categories),
            "monthly_capacity": capacity,
        },
        follow=True,
    )


def test_a_resellers_change_waits_for_a_manager(client, reseller, manager, sent):
    mail.outbox.clear()
    with sent():
        page = ask(client)
    assert page.status_code == 200
    # Leads still follow what the reseller takes today.
    assert reseller_profile_of(reseller).departements == ["69"]
    assert reseller_profile_of(reseller).monthly_capacity == 20
    wish = CoverageRequest.objects.get(partner=reseller)
    assert wish.status == "pending"
    assert "is waiting for a manager" in page.content.decode()
    [told] = mail.outbox
    assert told.to == [manager.email]
    assert "/routing/coverage-requests/" in told.body
    entry = audit_trail(reseller).get(action="coverage_requested")
    assert entry.changes == {"departements": [["69"], ["01", "69"]], "monthly_capacity": [20, 8]}
    # The partner's timeline says it as a sentence.
    assert audit_entry(entry).sentence.startswith("Asked to change what it takes: ")


def test_the_form_starts_from_the_pending_request_and_a_new_one_replaces_it(client, reseller):
    ask(client)
    form = client.get("/portal/coverage/").context["form"]
    assert sorted(form["departements"].value()) == ["01", "69"]
    ask(client, departements=("69", "42"), capacity="12")
    wish = CoverageRequest.objects.get(partner=reseller)  # still one
    assert sorted(wish.departements.values_list("code", flat=True)) == ["42", "69"]
    assert wish.monthly_capacity == 12


def test_a_request_that_changes_nothing_is_refused(client, reseller):
    response = ask(client, departements=("69",), capacity="20")
    assert response.status_code == 422
    assert "That is what you take already" in response.content.decode()
    assert not CoverageRequest.objects.exists()


def test_a_manager_sees_what_changes_and_approves_it(client, reseller, manager, sent):
    pv = ProductCategory.objects.get(code="photovoltaique")
    ask(client, categories=[str(pv.pk)])
    mail.outbox.clear()
    client.force_login(manager)
    page = client.get("/routing/coverage-requests/")
    [change] = page.context["pending"]
    assert [d.code for d in change.added] == ["01"]
    assert change.removed == []
    assert change.capacity == (20, 8)
    assert change.products == ([], [pv.name])
    wish = change.request
    with sent():
        response = client.post(f"/routing/coverage-requests/{wish.pk}/approve/", follow=True)
    assert "Approved" in response.content.decode()
    profile = reseller_profile_of(reseller)
    assert (profile.departements, profile.monthly_capacity) == (["01", "69"], 8)
    assert profile.categories == [pv.pk]
    wish.refresh_from_db()
    assert (wish.status, wish.decided_by) == ("approved", manager)
    [told] = mail.outbox
    assert told.to == [reseller.members.get().user.email]
    # In the site's language (French): the mail is written for the reseller, not the manager.
    assert told.subject == "Votre changement de couverture est validé"
    changed = audit_trail(reseller).get(action="routing_profile")
    assert changed.actor == manager
    assert audit_trail(reseller).filter(action="coverage_approved", actor=manager).exists()


def test_a_refusal_says_why_and_keeps_the_profile(client, reseller, manager, sent):
    ask(client)
    wish = CoverageRequest.objects.get()
    client.force_login(manager)
    client.post(f"/routing/coverage-requests/{wish.pk}/refuse/", {"reason": ""})
    assert CoverageRequest.objects.get().status == "pending"  # no reason, no refusal
    mail.outbox.clear()
    with sent():
        client.post(f"/routing/coverage-requests/{wish.pk}/refuse/", {"reason": "Lyon est couvert"})
    wish.refresh_from_db()
    assert (wish.status, wish.reason) == ("refused", "Lyon est couvert")
    assert reseller_profile_of(reseller).departements == ["69"]
    assert "Lyon est couvert" in mail.outbox[0].body
    client.force_login(reseller.members.get().user)
    page = client.get("/portal/coverage/").content.decode()
    assert "was refused" in page
    assert "Lyon est couvert" in page


def test_a_request_is_decided_once(reseller, manager):
    wish = services.coverage_request_submit(
        partner=reseller, departements=["13"], categories=[], monthly_capacity=5, actor=None
    )
    services.coverage_request_approve(coverage_request=wish, actor=manager)
    with pytest.raises(DomainError, match="already decided"):
        services.coverage_request_refuse(coverage_request=wish, actor=manager, reason="Non")
    assert CoverageRequest.objects.get().status == "approved"


def test_the_departements_are_checkboxes_grouped_by_region(client, reseller):
    html = client.get("/portal/coverage/").content.decode()
    assert "<select" not in html  # no more ctrl-click list
    region = html.index("<legend>Auvergne-Rhône-Alpes</legend>")
    rhone = html.index('name="departements" value="69" checked')
    assert region < rhone < html.index("</fieldset>", region)
    assert "data-picker-filter" in html  # the filter box relais.js shows


def test_the_managers_queue_reads_in_a_fixed_number_of_queries(client, manager):
    client.force_login(manager)

    def queue() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/routing/coverage-requests/").status_code == 200
        return len(queries)

    services.coverage_request_submit(
        partner=make_reseller(("69",)),
        departements=["01"],
        categories=[],
        monthly_capacity=5,
        actor=None,
    )
    one = queue()
    for code in ("13", "33", "44"):
        services.coverage_request_submit(
            partner=make_reseller((code,)),
            departements=["01"],
            categories=[],
            monthly_capacity=5,
            actor=None,
        )
    assert queue() == one


def test_other_roles_cannot_open_the_queue(client, reseller):
    assert client.get("/routing/coverage-requests/").status_code == 403
