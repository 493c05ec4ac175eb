"""The demo as a visitor reads it: nothing dated after today, company names with one legal form,
most qualified leads with someone working them, a salesperson with an inbox, and only a few
professionals held from a payment run for want of a self-billing mandate."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone, translation

from relais.commissions.checks import mandated_partners
from relais.commissions.models import CommissionLine
from relais.core.deferred import say
from relais.leads.models import Lead, LeadEvent
from relais.partners.models import Partner
from relais.routing.selectors import unassigned_queue

pytestmark = pytest.mark.django_db
LEGAL_FORMS = r"(SA|S\.A\.|SARL|S\.A\.R\.L\.|SAS|S\.A\.S\.|EURL|EI)"


def test_the_small_demo_reads_as_a_real_network():
    call_command("seed_demo", "--size", "small", verbosity=0)
    now, today = timezone.now(), timezone.localdate()

    assert not CommissionLine.objects.filter(earned_on__gt=today).exists()
    future = Q()
    for stamp in ("submitted", "qualified", "assigned", "opened", "in_progress", "won", "lost"):
        future |= Q(**{f"{stamp}_at__gt": now})
    assert not Lead.objects.filter(future | Q(won_date__gt=today)).exists()

    names = Partner.objects.exclude(company_name="").values_list("company_name", flat=True)
    doubled = [n for n in names if re.search(rf"\b{LEGAL_FORMS}\s+{LEGAL_FORMS}$", n)]
    assert doubled == []

    qualified = Lead.objects.filter(qualified_at__isnull=False)
    assigned = qualified.filter(
        Q(assigned_reseller__isnull=False) | Q(assigned_salesperson__isnull=False)
    )
    assert assigned.count() >= 0.85 * qualified.count()
    waiting = unassigned_queue().count()
    assert 0 < waiting <= 0.15 * qualified.count()
    why = LeadEvent.objects.filter(kind="unassigned").first()
    with translation.override("en"):  # the reason is read in the reader's language
        assert say(why.data["says"]) == "No active reseller serves this département."

    salesperson_leads = Lead.objects.filter(assigned_salesperson__email="commercial@relais.demo")
    assert salesperson_leads.filter(status__in=["assigned", "opened", "in_progress"]).exists()

    professionals = list(
        Partner.objects.exclude(legal_form="individual")
        .exclude(status="candidate")
        .values_list("pk", flat=True)
    )
    without = set(professionals) - mandated_partners(professionals)
    assert 2 <= len(without) <= 3
