"""The demo's training content: three published French modules, each with a quiz of 4 to 6
questions a partner can pass, compliance required for everyone for a year and the lead-handling
module for resellers, two paths in order; written once however often it runs, and the demo's
partners, already there, keep working within the grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.demo.training import seed_training
from relais.testing.factories import PartnerFactory
from relais.training.authoring import QuizPoints
from relais.training.choices import ModuleAudience, Validity
from relais.training.models import Certificate, Choice, Module, Path, PathStep, Question
from relais.training.selectors import training_stats

pytestmark = pytest.mark.django_db

TITLES = {
    "Le programme et ses règles",
    "Conflits d'intérêts et conformité",
    "Travailler ses leads dans Relais et déclarer les statuts",
}


def test_three_published_french_modules_each_with_a_passable_quiz():
    seed_training()
    modules = {m.title: m for m in Module.objects.all()}
    assert set(modules) == TITLES
    for module in modules.values():
        assert module.published
        assert module.language == "fr"
        assert module.body.startswith("<h2>")
        questions = list(module.questions.prefetch_related("choices"))
        assert 4 <= len(questions) <= 6
        assert all(any(c.correct for c in q.choices.all()) for q in questions)
        points = QuizPoints(points=[q.points for q in questions], drawn=None)
        assert module.pass_mark is not None
        assert 0 < module.pass_mark <= points.reachable


def test_compliance_for_everyone_for_a_year_and_leads_for_resellers():
    seed_training()
    compliance = Module.objects.get(title="Conflits d'intérêts et conformité")
    assert compliance.required_for == ModuleAudience.ALL
    assert compliance.validity == Validity.ONE_YEAR
    assert compliance.required_since is not None
    leads = Module.objects.get(title__startswith="Travailler ses leads")
    assert (leads.audience, leads.required_for) == (
        ModuleAudience.RESELLER,
        ModuleAudience.RESELLER,
    )
    rules = Module.objects.get(title="Le programme et ses règles")
    assert rules.required_for == ""


def test_two_paths_with_their_modules_in_order():
    seed_training()
    steps = {
        path.title: [s.module.title for s in path.steps.select_related("module")]
        for path in Path.objects.all()
    }
    assert steps == {
        "Démarrer comme apporteur": [
            "Le programme et ses règles",
            "Conflits d'intérêts et conformité",
        ],
        "Démarrer comme revendeur": [
            "Le programme et ses règles",
            "Conflits d'intérêts et conformité",
            "Travailler ses leads dans Relais et déclarer les statuts",
        ],
    }
    assert Path.objects.get(title="Démarrer comme revendeur").audience == ModuleAudience.RESELLER


def test_running_it_twice_writes_nothing_more():
    seed_training()
    counts = [m.objects.count() for m in (Module, Question, Choice, Path, PathStep)]
    seed_training()
    assert [m.objects.count() for m in (Module, Question, Choice, Path, PathStep)] == counts


def test_the_demo_partners_already_there_are_within_the_grace_period(manager):
    resellers = PartnerFactory.create_batch(20, reseller=True)
    seed_training()
    stats = training_stats(user=manager)
    assert stats.blocked  # some have a required module to do (the draw leaves some undone)
    assert {entry.partner for entry in stats.blocked} <= set(resellers)
    assert not any(entry.blocked for entry in stats.blocked)
    required = {
        "Conflits d'intérêts et conformité",
        "Travailler ses leads dans Relais et déclarer les statuts",
    }
    assert all({m.title for m in entry.missing} <= required for entry in stats.blocked)
    assert (stats.blocked_count, stats.in_grace_count) == (0, len(stats.blocked))


def test_some_partners_have_done_modules_and_a_few_certificates_expire_soon(manager):
    PartnerFactory.create_batch(60, reseller=True)
    counts = seed_training()
    assert counts["completions"] == Certificate.objects.count() > 0
    rates = {rate.label: rate for rate in training_stats(user=manager).modules}
    assert 0 < rates["Le programme et ses règles"].completed < 60
    soon = timezone.now() + timedelta(days=30)
    assert Certificate.objects.filter(expires_at__lte=soon).exists()
    assert seed_training()["completions"] == 0  # once
