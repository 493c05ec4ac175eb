from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from relais.accounts.models import User
from relais.partners.models import Partner
from relais.partners.services.records import EDITABLE_FIELDS, _normalise

pytestmark = pytest.mark.django_db


def snapshot():
    return list(
        Partner.objects.order_by("pk").values_list(
            "kind", "email", "siret", "iban", "postcode", "departement_id", "referral_code"
        )
    )


def test_small_network_has_staff_resellers_introducers_and_logins(capsys):
    call_command("seed_demo", "--size", "small")
    out = capsys.readouterr().out
    assert Partner.objects.filter(kind="reseller").count() == 30
    assert Partner.objects.filter(kind="introducer").count() == 200
    assert set(User.objects.values_list("role", flat=True)) == {
        "admin",
        "manager",
        "salesperson",
        "reseller",
        "introducer",
    }
    assert "manager@relais.demo" in out
    assert "apporteur@relais.demo" in out
    assert (
        User.objects.get(email="apporteur@relais.demo").partner_membership.partner.kind
        == "introducer"
    )


def test_every_demo_identifier_passes_the_real_validators():
    call_command("seed_demo", "--size", "small")
    for partner in Partner.objects.all():
        data = {field: getattr(partner, field) for field in EDITABLE_FIELDS}
        _cleaned, errors, _warnings = _normalise(data)
        assert errors == {}, (partner.pk, errors)
        partner.full_clean(exclude=["referral_code"])


def test_resellers_serve_their_home_departement():
    call_command("seed_demo", "--size", "small")
    for reseller in Partner.objects.filter(kind="reseller").prefetch_related("served_departements"):
        assert reseller.departement_id in {d.code for d in reseller.served_departements.all()}


def test_same_seed_same_network_other_seed_other_network():
    call_command("seed_demo", "--size", "small", "--seed", "7")
    first = snapshot()
    call_command("seed_demo", "--size", "small", "--seed", "7", "--flush")
    assert snapshot()[0][1:] == first[0][1:]
    assert [row[1:] for row in snapshot()] == [row[1:] for row in first]
    call_command("seed_demo", "--size", "small", "--seed", "8", "--flush")
    assert [row[1:] for row in snapshot()] != [row[1:] for row in first]


def test_a_database_with_data_is_left_alone_unless_flushed(capsys):
    call_command("seed_demo", "--size", "small")
    call_command("seed_demo", "--size", "small", "--if-empty")
    assert "not loaded" in capsys.readouterr().out
    assert Partner.objects.count() == 230
    with pytest.raises(CommandError):
        call_command("seed_demo", "--size", "small")


def test_active_demo_partners_signed_what_activation_requires():
    from relais.partners.models import ConflictDeclaration, Scorecard
    from relais.partners.services import missing_documents

    call_command("seed_demo", "--size", "small")
    for partner in Partner.objects.filter(status="active"):
        assert missing_documents(partner) == [], partner
        assert partner.scorecard.decision == "accept"
    assert Scorecard.objects.filter(decision="pending").exists()
    assert ConflictDeclaration.objects.filter(status="pending").exists()


def test_demo_leads_are_coherent_and_their_prospects_are_known():
    from relais.leads.models import Lead
    from relais.leads.services import lead_submit

    call_command("seed_demo", "--size", "small", "--leads", "600")
    leads = Lead.objects.all()
    # The partners' leads are the 600 asked for; the salespeople's network adds its own
    # introduction leads on top (one, won, in the demo).
    assert leads.exclude(channel="introduction").count() == 600
    assert leads.filter(channel="introduction").count() == 1
    assert 0 < leads.filter(duplicate_of__isnull=False).count() < 60
    for lead in leads.filter(status="won"):
        assert lead.won_amount > 0
        assert lead.won_at > lead.submitted_at
    assert not leads.filter(status="lost", lost_reason="").exists()
    known = leads.filter(
        duplicate_of__isnull=True, submitted_at__gte=timezone.now() - timedelta(days=90)
    ).first()
    again = lead_submit(
        data={"last_name": known.last_name, "email": known.email, "postcode": known.postcode},
        channel="portal",
        partner=known.partner,
    )
    assert again.duplicate_of == known


def test_distinct_mobiles_never_repeat_and_follow_the_seed():
    import random

    import phonenumbers

    from relais.core.sample_identities import DistinctMobiles

    def seeded(seed: int) -> DistinctMobiles:
        return DistinctMobiles(random.Random(seed))  # noqa: S311 - demo data

    numbers, again, other = seeded(7), seeded(7), seeded(8)
    drawn = [numbers(n) for n in range(200_000)]
    assert len(set(drawn)) == len(drawn)
    assert drawn[:50] == [again(n) for n in range(50)]
    assert drawn[:50] != [other(n) for n in range(50)]
    assert len({number[:6] for number in drawn}) > 100  # spread over the ranges, not one
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in drawn[::97])


def test_each_demo_prospect_holds_its_keys_under_a_phone_the_intake_accepts():
    from relais.core.identifiers import normalize_phone
    from relais.leads.models import Lead, ProspectKey

    call_command("seed_demo", "--size", "small", "--leads", "3000")
    originals = Lead.objects.filter(duplicate_of__isnull=True)
    phones = list(originals.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones) > 2500
    assert all(normalize_phone(phone) == phone for phone in phones)
    for kind in ("email", "phone"):
        held = ProspectKey.objects.filter(kind=kind, lead__in=originals)
        assert held.count() == len(phones), kind
    # A duplicate copies its original's prospect and holds no key of its own.
    assert not ProspectKey.objects.filter(lead__duplicate_of__isnull=False).exists()


def test_demo_leads_past_qualification_are_assigned_to_a_reseller_of_their_departement():
    from relais.leads.models import Lead
    from relais.routing.models import Assignment

    call_command("seed_demo", "--size", "small")
    worked = Lead.objects.filter(status__in=["assigned", "opened", "in_progress", "won", "lost"])
    assert worked.exists()
    # Windows and doors go to our salesperson, everything else to a reseller; a colleague's
    # introduction goes to the salesperson who asked for it.
    by_resellers = worked.exclude(category__sold_by="salespeople").exclude(channel="introduction")
    assert not by_resellers.filter(assigned_reseller__isnull=True).exists()
    assert not worked.filter(category__sold_by="salespeople", assigned_salesperson=None).exists()
    assert not worked.filter(channel="introduction", assigned_salesperson=None).exists()
    assert Assignment.objects.count() == worked.count()
    for lead in by_resellers.select_related("assigned_reseller")[:200]:
        assert lead.assigned_reseller.served_departements.filter(code=lead.departement_id).exists()
    demo_reseller = User.objects.get(email="revendeur@relais.demo").partner_membership.partner
    assert demo_reseller.routing_profile.monthly_capacity > 0


def test_the_demo_has_a_plan_commission_lines_and_two_paid_runs():
    from relais.commissions.models import CommissionLine, PaymentRun
    from relais.leads.models import Lead

    call_command("seed_demo", "--size", "small")
    won = Lead.objects.filter(status="won")
    lines = CommissionLine.objects.filter(kind="commission")
    assert lines.filter(partner__kind="introducer").count() == won.exclude(partner=None).count()
    heat_pumps = won.filter(category__code="pompe-a-chaleur").exclude(assigned_reseller=None)
    assert lines.filter(partner__kind="reseller").count() == heat_pumps.count()
    runs = list(PaymentRun.objects.order_by("cutoff"))
    assert [r.status for r in runs] == ["paid", "paid"]
    for run in runs:
        assert run.total == sum(i.amount for i in run.items.all())
        assert run.total == sum(line.amount for line in run.lines.all())
    assert lines.filter(status="paid").exists()
    assert lines.filter(status="payable", payment_run=None).exists()
