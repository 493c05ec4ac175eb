"""The manager's completion figures on a small network, reached through the partners' real
steps (reading, a quiz passed, a certificate revoked): per module, path, segment and
département, who is blocked by a missing required module (and who is still within the grace
period), the export, and a query count that does not grow with the network."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from relais.core.models import Departement
from relais.engagement.models import PartnerSegment
from relais.partners.choices import PartnerStatus
from relais.testing.factories import PartnerFactory
from relais.training.authoring import (
    ChoiceIn,
    module_publish,
    module_require,
    module_save,
    path_save,
    question_save,
)
from relais.training.certificates import certificate_revoke
from relais.training.models import Certificate, Module, Path, Question
from relais.training.quiz import attempt_start, attempt_submit, module_read
from relais.training.selectors import training_stats

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def published(title, audience="all", required_for="", quiz=False) -> Module:
    module = module_save(
        module=Module(),
        data={"title": title, "body": "<p>Texte</p>", "audience": audience},
        actor=None,
    )
    if quiz:
        question_save(
            module=module,
            question=Question(),
            data={"text": "Vrai ?", "points": 1},
            choices=[ChoiceIn("Oui", True), ChoiceIn("Non", False)],
            actor=None,
        )
        module_save(module=module, data={"pass_mark": 1}, actor=None)
    module_publish(module=module, actor=None)
    if required_for:
        module_require(module=module, required_for=required_for, actor=None)
    return module


def complete(partner, module) -> None:
    """What the partner does on the portal: read the module, pass its quiz if it has one."""
    module_read(partner=partner, module=module)
    if module.questions.exists():
        attempt = attempt_start(partner=partner, module=module)
        right = {
            q: list(
                Question.objects.get(pk=q).choices.filter(correct=True).values_list("pk", flat=True)
            )
            for q in attempt.drawn
        }
        attempt_submit(attempt=attempt, answers=right)


def in_segment(partner, segment):
    PartnerSegment.objects.create(
        partner=partner, segment=segment, since=date.today(), judged_on=date.today()
    )
    return partner


@pytest.fixture
def network():
    rules = published("Règles")
    leads = published("Leads", audience="reseller", quiz=True)
    path = path_save(
        path=Path(),
        data={"title": "Démarrer comme revendeur", "audience": "reseller", "published": True},
        modules=[rules, leads],
        actor=None,
    )
    paris, marseille = Departement.objects.get(code="75"), Departement.objects.get(code="13")
    i1 = in_segment(PartnerFactory(), "active")
    i2 = in_segment(PartnerFactory(), "active")
    i3 = in_segment(PartnerFactory(departement=paris, postcode="75011"), "dormant")
    r1 = PartnerFactory(reseller=True, departement=marseille, postcode="13001")
    r2 = PartnerFactory(reseller=True, departement=marseille, postcode="13001")
    candidate = PartnerFactory(status=PartnerStatus.CANDIDATE)
    PartnerFactory(status=PartnerStatus.ENDED)  # not counted anywhere
    # Required once the partners are in the network: those already active have the grace.
    module_require(module=rules, required_for="all", actor=None)
    module_require(module=leads, required_for="reseller", actor=None)
    complete(i1, rules)
    complete(r1, rules)
    complete(r1, leads)
    complete(r2, leads)
    complete(i3, rules)
    certificate_revoke(
        certificate=Certificate.objects.get(partner=i3, module=rules), reason="Fraude", actor=None
    )
    return {
        "rules": rules, "leads": leads, "path": path,
        "i1": i1, "i2": i2, "i3": i3, "r1": r1, "r2": r2, "candidate": candidate,
    }  # fmt: skip


def figures(rates):
    return {r.label: (r.partners, r.completed, r.percent) for r in rates}


def test_completion_per_module_and_path(manager, network):
    stats = training_stats(user=manager)
    # Règles: 5 active partners; i1 and r1 did it (i3's certificate was revoked).
    assert figures(stats.modules)["Règles"] == (5, 2, 40)
    assert figures(stats.modules)["Leads"] == (2, 2, 100)
    assert figures(stats.paths)["Démarrer comme revendeur"] == (2, 1, 50)


def test_completion_per_segment_and_departement_counts_who_misses_no_required_module(
    manager, network
):
    stats = training_stats(user=manager)
    departements = figures(stats.departements)
    assert departements["69 Rhône"] == (2, 1, 50)
    assert departements["75 Paris"] == (1, 0, 0)
    assert departements["13 Bouches-du-Rhône"] == (2, 1, 50)
    segments = figures(stats.segments)
    assert segments["Active"] == (2, 1, 50)
    assert segments["Dormant"] == (1, 0, 0)
    assert segments["—"] == (2, 1, 50)  # the resellers, not judged yet


def test_who_misses_a_required_module_blocked_or_within_the_grace_period(manager, network):
    stats = training_stats(user=manager)
    missing = {b.partner.pk: (b.blocked, [m.title for m in b.missing]) for b in stats.blocked}
    assert missing == {
        network["i2"].pk: (False, ["Règles"]),
        network["i3"].pk: (False, ["Règles"]),
        network["r2"].pk: (False, ["Règles"]),
        network["candidate"].pk: (True, ["Règles"]),  # cannot be activated without it
    }
    assert (stats.blocked_count, stats.in_grace_count) == (1, 3)
    Module.objects.update(required_since=timezone.now() - timedelta(days=31))
    stats = training_stats(user=manager)
    assert (stats.blocked_count, stats.in_grace_count) == (4, 0)


def test_a_partner_who_joined_after_the_requirement_has_no_grace(manager, network):
    newcomer = PartnerFactory()
    stats = training_stats(user=manager)
    assert {b.partner.pk: b.blocked for b in stats.blocked}[newcomer.pk] is True


def test_the_query_count_does_not_grow_with_the_network(manager, network):
    with CaptureQueriesContext(connection) as small:
        training_stats(user=manager)
    for _n in range(6):
        partner = PartnerFactory(reseller=True)
        complete(partner, network["rules"])
        complete(partner, network["leads"])
    with CaptureQueriesContext(connection) as large:
        stats = training_stats(user=manager)
    assert figures(stats.modules)["Leads"] == (8, 8, 100)
    assert len(large) == len(small)
    assert len(small) <= 12


def test_the_page_shows_the_figures_and_the_blocked_partners(client, manager, network):
    client.force_login(manager)
    page = client.get(reverse("training:stats")).content.decode()
    assert "40%" in page
    assert network["candidate"].display_name in page
    assert "1 partner blocked" in page
    assert "3 within the grace period" in page


def test_the_export_in_csv_and_xlsx(client, manager, network):
    client.force_login(manager)
    response = client.get(reverse("training:stats_export") + "?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Group", "Name", "Partners", "Completed", "Rate (%)"]
    assert ["Module", "Règles", "5", "2", "40.00"] in rows
    assert ["Path", "Démarrer comme revendeur", "2", "1", "50.00"] in rows
    response = client.get(reverse("training:stats_export") + "?table=blocked&format=xlsx")
    assert response.streaming
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["Partner", "Kind", "Status", "Missing modules"]
    assert len(values) == 5
    assert {row[4] for row in values[1:]} == {"Blocked", "Within the grace period"}


def test_partner_users_are_refused_the_figures_and_the_export(client, reseller_user, network):
    client.force_login(reseller_user)
    assert client.get(reverse("training:stats")).status_code == 403
    assert client.get(reverse("training:stats_export")).status_code == 403
