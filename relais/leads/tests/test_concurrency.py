"""Two identical leads at the same instant: one original and one duplicate, never two originals."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from relais.leads import services
from relais.leads.models import Lead, ProspectKey
from relais.testing.factories import PartnerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: SQLite serialises every writer, so there is no race to prove"
        )


def submit_together(partners, data, rounds_errors):
    barrier = threading.Barrier(len(partners))

    def worker(partner):
        try:
            barrier.wait(timeout=10)
            services.lead_submit(data=data, channel="api", partner=partner)
        except Exception as exc:  # reported below: a failing thread must fail the test
            rounds_errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(p,)) for p in partners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


@pytest.mark.parametrize("same_partner", [True, False])
@pytest.mark.parametrize(
    "known_before", [False, True], ids=["new prospect", "prospect known long ago"]
)
def test_simultaneous_identical_leads_make_one_original(same_partner, known_before, settings):
    """``known_before``: the key rows already exist (a lead outside the protection window), so
    only the row lock, not the unique index, keeps the two submissions apart."""
    partner = PartnerFactory()
    errors: list[Exception] = []
    for round_number in range(10):
        data = {
            "last_name": f"Prospect {round_number}",
            "email": f"p{round_number}@orange.fr",
            "postcode": "75011",
        }
        if known_before:
            old = services.lead_submit(data=data, channel="api", partner=partner)
            long_ago = old.submitted_at - timedelta(days=settings.RELAIS_LEAD_PROTECTION_DAYS + 1)
            ProspectKey.objects.filter(lead=old).update(lead_submitted_at=long_ago)
            Lead.objects.filter(pk=old.pk).update(email="", submitted_at=long_ago)
        partners = [partner, partner] if same_partner else [partner, PartnerFactory()]
        submit_together(partners, data, errors)
        leads = list(Lead.objects.filter(email=data["email"]))
        assert len(leads) == 2
        originals = [lead for lead in leads if lead.duplicate_of_id is None]
        assert len(originals) == 1, f"round {round_number}: two originals"
        duplicate = next(lead for lead in leads if lead.duplicate_of_id)
        assert duplicate.duplicate_of_id == originals[0].pk
    assert errors == []


@pytest.mark.parametrize("known_before", [False, True], ids=["new", "half known long ago"])
def test_two_batches_of_the_same_prospects_at_once_make_one_original_each(known_before, settings):
    """Each batch locks all its keys in one fixed order: no deadlock, whatever order the rows
    come in, and every prospect ends with exactly one original — also when some keys are new
    (inserted, locked by the insert) and others known (locked by a select) in the same batch."""
    ana, bob = PartnerFactory(), PartnerFactory()
    people = [
        {
            "last_name": f"Prospect {n}",
            "email": f"b{n}@orange.fr",
            "phone": f"06 12 34 {n // 10 % 10}{n % 10} 00",
            "postcode": "75011",
        }
        for n in range(30)
    ]
    if known_before:
        _known_long_ago(people[::2], settings.RELAIS_LEAD_PROTECTION_DAYS)
    barrier, errors = threading.Barrier(2), []

    def worker(partner, rows):
        try:
            barrier.wait(timeout=10)
            items = [services.Submission(dict(row), partner=partner) for row in rows]
            services.leads_submit(items=items, channel="import")
        except Exception as exc:  # reported below: a failing thread must fail the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(ana, people)),
        threading.Thread(target=worker, args=(bob, people[::-1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    for row in people:
        leads = list(Lead.objects.filter(email=row["email"]))
        assert len(leads) == 2
        assert sum(1 for lead in leads if lead.duplicate_of_id is None) == 1


def _known_long_ago(rows, days):
    """Leads of these prospects, submitted before the protection window: their keys exist."""
    old = services.leads_submit(
        items=[services.Submission(dict(row), partner=PartnerFactory()) for row in rows],
        channel="import",
    )
    ids = [lead.pk for lead in old]
    long_ago = old[0].submitted_at - timedelta(days=days + 1)
    ProspectKey.objects.filter(lead__in=ids).update(lead_submitted_at=long_ago)
    Lead.objects.filter(pk__in=ids).update(email="", submitted_at=long_ago)
