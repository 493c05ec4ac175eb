"""Progress: which modules are a partner's, which are done, which required ones are missing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.engagement.models import PartnerSegment, Preference
from relais.testing.factories import PartnerFactory
from relais.training.choices import AttemptState, ModuleAudience
from relais.training.models import Attempt, Certificate, Choice, Module, Question, Reading
from relais.training.progress import done_modules, missing_required, module_done, modules_for

pytestmark = pytest.mark.django_db


def _module(**kwargs) -> Module:
    return Module.objects.create(title=kwargs.pop("title", "Module"), published=True, **kwargs)


def _quiz(module: Module) -> Question:
    question = Question.objects.create(module=module, text="Q?")
    Choice.objects.create(question=question, text="yes", correct=True)
    Choice.objects.create(question=question, text="no")
    return question


def _read(partner, module, version=None):
    Reading.objects.create(
        partner=partner, module=module, version=version or module.version, read_at=timezone.now()
    )


def _pass(partner, module, version=None):
    Attempt.objects.create(
        partner=partner,
        module=module,
        version=version or module.version,
        state=AttemptState.PASSED,
        started_at=timezone.now(),
        submitted_at=timezone.now(),
    )


def test_a_module_without_questions_is_done_once_read():
    partner = PartnerFactory()
    module = _module()
    assert not module_done(partner, module)
    _read(partner, module)
    assert module_done(partner, module)


def test_a_module_with_a_quiz_needs_the_reading_and_a_pass_of_the_current_version():
    partner = PartnerFactory()
    module = _module()
    _quiz(module)
    _read(partner, module)
    assert not module_done(partner, module)
    _pass(partner, module)
    assert module_done(partner, module)
    module.version = 2  # the manager asked everyone to take it again
    module.save()
    assert not module_done(partner, module)


def test_an_expired_or_revoked_certificate_undoes_the_completion():
    partner, other = PartnerFactory(), PartnerFactory()
    module = _module()
    for p in (partner, other):
        _read(p, module)
    now = timezone.now()
    Certificate.objects.create(
        partner=partner, module=module, code="A1", issued_at=now, expires_at=now - timedelta(1)
    )
    Certificate.objects.create(
        partner=other, module=module, code="B1", issued_at=now, revoked_at=now
    )
    assert done_modules([partner.pk, other.pk], [module]) == {partner.pk: set(), other.pk: set()}
    Certificate.objects.filter(code="A1").update(expires_at=now + timedelta(days=1))
    assert module_done(partner, module)


def test_missing_required_lists_the_modules_required_for_everyone_and_the_partners_kind():
    reseller = PartnerFactory(reseller=True)
    introducer = PartnerFactory()
    everyone = _module(title="Conformité", required_for=ModuleAudience.ALL)
    resellers = _module(title="Leads", required_for=ModuleAudience.RESELLER)
    _module(title="Optional")
    Module.objects.create(title="Draft", required_for=ModuleAudience.ALL)  # unpublished: not asked
    assert missing_required(reseller) == [everyone, resellers]
    assert missing_required(introducer) == [everyone]
    _read(reseller, everyone)
    assert missing_required(reseller) == [resellers]


def test_modules_for_follows_kind_language_and_segment():
    partner = PartnerFactory(reseller=True)
    mine = _module(title="A", audience=ModuleAudience.RESELLER)
    _module(title="B", audience=ModuleAudience.INTRODUCER)
    _module(title="C", language="en")
    dormant = _module(title="D", segment="dormant")
    assert list(modules_for(partner)) == [mine]
    PartnerSegment.objects.create(
        partner=partner,
        segment="dormant",
        since=timezone.localdate(),
        judged_on=timezone.localdate(),
    )
    assert list(modules_for(partner)) == [mine, dormant]
    Preference.objects.create(partner=partner, language="en")
    assert [m.title for m in modules_for(partner)] == ["C"]


def test_done_modules_costs_the_same_queries_for_many_partners(django_assert_num_queries):
    partners = PartnerFactory.create_batch(5)
    modules = [_module(title=str(i)) for i in range(3)]
    for p in partners[:3]:
        _read(p, modules[0])
    with django_assert_num_queries(5):
        done = done_modules([p.pk for p in partners], modules)
    assert [len(done[p.pk]) for p in partners] == [1, 1, 1, 0, 0]
