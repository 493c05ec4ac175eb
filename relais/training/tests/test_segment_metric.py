""" "Trainings completed" as a measure partners are picked on: a custom segment's filter."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.engagement.filters import filter_form, filter_names, partners_matching
from relais.testing.factories import PartnerFactory
from relais.training.certificates import certificate_issue
from relais.training.models import Certificate, Module

pytestmark = pytest.mark.django_db


def matching(**filters):
    form = filter_form(filters)
    assert form.is_valid(), form.errors
    return set(partners_matching(form.cleaned_data))


def test_a_segment_picks_the_partners_with_at_least_n_trainings_completed():
    modules = [Module.objects.create(title=f"M{i}", published=True) for i in range(3)]
    keen, once, revoked, none = PartnerFactory.create_batch(4)
    for module in modules[:2]:
        certificate_issue(partner=keen, module=module)
    certificate_issue(partner=once, module=modules[0])
    for module in modules[:2]:
        certificate_issue(partner=revoked, module=module)
    Certificate.objects.filter(partner=revoked, module=modules[1]).update(revoked_at=timezone.now())
    assert "min_trainings" in filter_names()
    assert matching(min_trainings="2") == {keen}
    assert matching(min_trainings="1") == {keen, once, revoked}
    # within a period: last year's certificates do not count this month
    Certificate.objects.filter(partner=keen).update(issued_at=timezone.now() - timedelta(days=400))
    this_month = timezone.localdate().replace(day=1).isoformat()
    assert matching(min_trainings="1", period_start=this_month) == {once, revoked}
    assert none not in matching(min_trainings="1")


def test_the_filter_refuses_zero_naming_the_field():
    form = filter_form({"min_trainings": "0"})
    assert not form.is_valid()
    assert "min_trainings" in form.errors
