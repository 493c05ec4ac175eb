"""The fast insert writes exactly what ``bulk_create`` would, on both databases, at every size."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from relais.bulk import fastinsert
from relais.leads.choices import Channel, LeadStatus, RejectionReason
from relais.leads.models import Lead, LeadEvent, Suppression
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# One moment for every lead of the module: two lists built a second apart would differ.
NOW = timezone.now().replace(microsecond=123456)


def _leads(n: int, partner, tag: str) -> list[Lead]:
    now = NOW
    leads = []
    for i in range(n):
        lead = Lead(
            last_name=f"{tag} {i}",
            first_name="Élodie",
            email=f"p{i}@orange.fr",
            phone="+33612345678",
            postcode="69003",
            departement_id="69",
            need="Pompe à chaleur, l'été",
            channel=Channel.API,
            partner=partner,
            estimated_value=Decimal("1234.56") if i % 2 else None,
            submitted_at=now - timedelta(minutes=i),
            last_prospect_contact_at=now,
            consent_phone=bool(i % 3),
            # Dates and amounts set or empty: SQLite stores both as text of Django's making.
            won_date=(now - timedelta(days=i)).date() if i % 3 == 0 else None,
            won_amount=Decimal("99.90") * i if i % 3 == 0 else None,
            opened_at=now.astimezone(ZoneInfo("Europe/Paris")) if i % 2 else None,
        )
        if i and i % 4 == 0:
            # Points to a lead of the same call, which has no id yet when this one is built.
            lead.duplicate_of = leads[0]
            lead.status, lead.rejection_reason = LeadStatus.REJECTED, RejectionReason.DUPLICATE
            lead.rejected_at = now
        leads.append(lead)
    return leads


def _stored(leads: list[Lead]) -> list[dict]:
    rows = Lead.objects.filter(pk__in=[lead.pk for lead in leads]).order_by("pk").values()
    first = leads[0].pk
    return [
        {
            **row,
            "id": row["id"] - first,
            "duplicate_of_id": row["duplicate_of_id"] and row["duplicate_of_id"] - first,
            "last_name": row["last_name"].split()[-1],
        }
        for row in rows
    ]


@pytest.mark.parametrize("size", [1, 5, fastinsert.SMALL, 60])
def test_rows_read_back_as_bulk_create_wrote_them(size):
    partner = PartnerFactory()
    theirs = _leads(size, partner, "Django")
    ours = _leads(size, partner, "Fast")
    with transaction.atomic():
        Lead.objects.bulk_create(theirs[:1])  # the original the duplicates point to, first
        Lead.objects.bulk_create(theirs[1:])
        fastinsert.insert(ours)
    assert all(lead.pk and not lead._state.adding for lead in ours)
    assert len({lead.pk for lead in ours}) == size
    assert _stored(ours) == _stored(theirs)
    if size > 4:
        assert Lead.objects.get(pk=ours[4].pk).duplicate_of_id == ours[0].pk
    assert _raw(ours) == _raw(theirs)


def _raw(leads: list[Lead]) -> list[tuple]:
    """The columns as the database holds them, before Django reads them back: on SQLite, the
    text of each date, timestamp and amount."""
    with connection.cursor() as cursor:
        columns = ("submitted_at", "opened_at", "rejected_at", "won_date", "won_amount")
        # As text: SQLite's driver would parse the timestamps it recognises, in either form.
        cursor.execute(
            f"SELECT {', '.join(f'CAST({c} AS TEXT)' for c in columns)} FROM leads_lead"  # noqa: S608
            " WHERE id >= %s AND id <= %s ORDER BY id",
            [leads[0].pk, leads[-1].pk],
        )
        return cursor.fetchall()


def test_json_values_and_automatic_dates_are_written():
    partner = PartnerFactory()
    (lead,) = _leads(1, partner, "Json")
    with transaction.atomic():
        fastinsert.insert([lead])
        events = [
            LeadEvent(lead=lead, at=timezone.now(), kind="submitted", data={"n": n, "é": [n]})
            for n in range(30)
        ]
        fastinsert.insert(events)
        before = timezone.now()
        fastinsert.insert([Suppression(kind="email", value=f"x{n}@free.fr") for n in range(25)])
    stored = LeadEvent.objects.filter(lead=lead).order_by("pk")
    assert [e.data for e in stored] == [{"n": n, "é": [n]} for n in range(30)]
    assert all(s.created_at >= before for s in Suppression.objects.all())


def test_a_deleted_id_is_never_given_again():
    partner = PartnerFactory()
    with transaction.atomic():
        fastinsert.insert(leads := _leads(30, partner, "First"))
    highest = max(lead.pk for lead in leads)
    Lead.objects.filter(pk=highest).delete()
    with transaction.atomic():
        fastinsert.insert(again := _leads(30, partner, "Again"))
    assert min(lead.pk for lead in again) > highest


# Transactional: a normal test runs inside a transaction, and the refusal is about being outside.
@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction_or_with_an_unsaved_relation():
    partner = PartnerFactory()
    with pytest.raises(RuntimeError):
        fastinsert.insert(_leads(1, partner, "Alone"))
    stray = _leads(1, partner, "Stray")[0]
    orphan = _leads(30, partner, "Orphan")
    orphan[3].duplicate_of = stray  # never saved, not in the call
    with pytest.raises(ValueError, match="duplicate_of"), transaction.atomic():
        fastinsert.insert(orphan)
    assert not Lead.objects.filter(last_name__startswith="Orphan").exists()


def test_the_copy_shows_in_the_debug_query_log(settings):
    from django.test.utils import CaptureQueriesContext

    partner = PartnerFactory()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        fastinsert.insert(_leads(40, partner, "Logged"))
    statements = " ".join(q["sql"] for q in queries.captured_queries)
    assert ("COPY" if connection.vendor == "postgresql" else "INSERT") in statements


def _as_built(obj) -> tuple[dict, dict]:
    """An instance's attributes and its cached relations, what a caller can read of it."""
    attributes = {k: v for k, v in vars(obj).items() if k != "_state"}
    return attributes, dict(obj._state.fields_cache)


def test_new_builds_the_instance_model_kwargs_builds():
    partner = PartnerFactory()
    now = timezone.now()
    values = {
        "last_name": "Martin",
        "email": "m@orange.fr",
        "departement_id": "69",
        "channel": Channel.API,
        "partner": partner,
        "salesperson": None,
        "estimated_value": Decimal("12.50"),
        "submitted_at": now,
    }
    built = fastinsert.new(Lead, **values)
    assert _as_built(built) == _as_built(Lead(**values))
    assert built.partner is partner
    assert built._state.adding
    assert built.status == LeadStatus.SUBMITTED  # a default, as the model declares it
    event = {"lead": built, "at": now, "kind": "submitted", "actor": None, "note": "n"}
    assert _as_built(fastinsert.new(LeadEvent, **event)) == _as_built(LeadEvent(**event))
    assert fastinsert.new(LeadEvent, **event).data == {}  # a fresh default each time
    assert fastinsert.new(LeadEvent, **event).data is not fastinsert.new(LeadEvent).data


def test_new_refuses_a_name_the_model_does_not_have():
    with pytest.raises(TypeError, match="nickname"):
        fastinsert.new(Lead, last_name="Martin", nickname="Bob")


def test_a_new_instance_is_written_like_any_other():
    partner = PartnerFactory()
    (model,) = _leads(1, partner, "Fast")
    values = {
        f.attname: getattr(model, f.attname) for f in Lead._meta.concrete_fields if f.name != "id"
    }
    with transaction.atomic():
        fastinsert.insert([fastinsert.new(Lead, **values)])
        Lead.objects.bulk_create([Lead(**values)])
    first, second = Lead.objects.order_by("pk").values()[:2]
    assert {**first, "id": 0} == {**second, "id": 0}
