"""The batch intake (API bulk, CSV import): the same judgement as one lead at a time, in a
fixed number of queries, with one notice task for the batch."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from relais.bulk import fastinsert
from relais.leads import notices, services
from relais.leads.choices import Channel
from relais.leads.intake import Submission
from relais.leads.models import Lead, NoticeDue, ProspectKey, Suppression
from relais.leads.tasks import send_prospect_notices
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def person(n: int, **changes: str) -> dict[str, str]:
    return {
        "last_name": f"Prospect {n}",
        "email": f"p{n}@orange.fr",
        "postcode": "69003",
        **changes,
    }


def judged(leads: list[Lead | ValidationError]) -> list[tuple]:
    """What a user sees of each outcome: refused, or status, hold and which item it duplicates."""
    index = {lead.pk: i for i, lead in enumerate(leads) if isinstance(lead, Lead)}
    out: list[tuple] = []
    for lead in leads:
        if isinstance(lead, ValidationError):
            out.append(("invalid", sorted(lead.message_dict)))
        else:
            original = lead.duplicate_of_id
            where = index.get(original, "earlier") if original else None
            out.append((lead.status, lead.review_reason, where))
    return out


def mixed_batch(ana, bob, settings) -> list[Submission]:
    """Every case of the decision: new, same prospect again (same / other introducer), matched on
    the phone only, on the company, a prospect known from before the batch, one known long ago,
    a self-referral, a suppressed one, and invalid rows."""
    old = services.lead_submit(data=person(90), channel=Channel.PORTAL, partner=bob)
    stale = services.lead_submit(data=person(91), channel=Channel.PORTAL, partner=bob)
    long_ago = stale.submitted_at - timedelta(days=settings.RELAIS_LEAD_PROTECTION_DAYS + 1)
    ProspectKey.objects.filter(lead=stale).update(lead_submitted_at=long_ago)
    Suppression.objects.create(kind="phone", value="+33611111111")
    rows = [
        (person(1, phone="0633333333"), ana),
        (person(1), ana),  # same introducer again: rejected duplicate
        (person(1, phone="0622222222"), bob),  # another introducer: conflict
        (person(2, email="", phone="06 33 33 33 33"), ana),  # the first's phone: its duplicate
        (person(7, email="", phone="06 22 22 22 22"), ana),  # a duplicate's phone claims nothing
        ({"company_name": "ACME SAS", "email": "a@acme.fr", "postcode": "69003"}, ana),
        ({"company_name": "Acme", "email": "b@acme.fr", "postcode": "69003"}, bob),
        (person(90), ana),  # the prospect bob sent before the batch
        (person(91), ana),  # known long ago: new again
        (person(3, email=ana.email), ana),  # the introducer's own address
        (person(4, phone="0611111111"), None),  # objected: held
        ({"last_name": "", "postcode": "7500"}, ana),
        (person(5, category="nope"), ana),
        (person(6), None),
    ]
    assert old.pk
    return [Submission(dict(data), partner=partner) for data, partner in rows]


def pointers(leads: list[Lead | ValidationError]) -> dict[str, tuple]:
    """Where each prospect key points: to which item's lead (or one from before), since when."""
    index = {lead.pk: i for i, lead in enumerate(leads) if isinstance(lead, Lead)}
    return {
        f"{key.kind}:{key.value}": (
            index.get(key.lead_id, "earlier") if key.lead_id else None,
            key.lead_submitted_at is not None,
        )
        for key in ProspectKey.objects.all()
    }


# Padded past fastinsert.SMALL: a large batch creates its keys pointing to their first lead.
@pytest.mark.parametrize("padding", [0, fastinsert.SMALL])
def test_a_batch_is_judged_exactly_as_the_same_leads_one_after_the_other(settings, padding):
    ana, bob = PartnerFactory(), PartnerFactory()
    items = mixed_batch(ana, bob, settings)
    items += [Submission(person(200 + n), partner=ana) for n in range(padding)]
    with transaction.atomic():
        one_by_one: list[Lead | ValidationError] = []
        for item in items:
            try:
                one_by_one.append(
                    services.lead_submit(
                        data=dict(item.data), channel=Channel.API, partner=item.partner
                    )
                )
            except ValidationError as exc:
                one_by_one.append(exc)
        expected, keys = judged(one_by_one), pointers(one_by_one)
        transaction.set_rollback(True)
    batch = services.leads_submit(items=items, channel=Channel.API)
    assert judged(batch) == expected
    assert pointers(batch) == keys
    # and the cases are really there, not all "submitted":
    assert [row[0] for row in expected].count("rejected") == 2
    assert expected[3] == ("rejected", "", 0)
    assert [row[1] for row in expected].count("conflict") >= 2
    assert ("submitted", "self_referral", None) in expected
    assert ("submitted", "suppressed", None) in expected
    assert expected[4] == ("submitted", "", None)
    assert expected[8] == ("submitted", "", None)  # known long ago: an original again
    assert expected[7][2] == "earlier"


def test_a_later_submission_is_matched_to_the_lead_a_batch_created():
    ana = PartnerFactory()
    (first, again) = services.leads_submit(
        items=[Submission(person(1), partner=ana), Submission(person(1), partner=ana)],
        channel=Channel.IMPORT,
    )
    assert isinstance(first, Lead)
    assert isinstance(again, Lead)
    assert (again.duplicate_of_id, again.status) == (first.pk, "rejected")
    later = services.lead_submit(data=person(1), channel=Channel.PORTAL, partner=PartnerFactory())
    assert (later.duplicate_of_id, later.review_reason) == (first.pk, "conflict")


def test_the_query_count_does_not_grow_with_the_batch():
    ana = PartnerFactory()
    services.leads_submit(items=[Submission(person(0), partner=ana)], channel=Channel.API)

    def run(start: int, size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            services.leads_submit(
                items=[Submission(person(start + n), partner=ana) for n in range(size)],
                channel=Channel.API,
            )
        return len(queries)

    small, large = run(100, 5), run(1000, 400)
    assert large <= small + 4, (small, large)  # a few more INSERT batches, never one per lead
    assert Lead.objects.count() == 406


def test_a_known_prospect_is_locked_without_rewriting_its_keys():
    """Matching a duplicate locks the original's keys but writes nothing to them: an upsert's
    no-op update would leave a dead row version behind for every known prospect."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's xmin tells which transaction last wrote a row")
    ana = PartnerFactory()
    first = services.lead_submit(
        data=person(1, phone="0612345678"), channel=Channel.API, partner=ana
    )
    keys = ProspectKey.objects.filter(lead=first)
    before = _row_versions(keys)
    items = [Submission(person(1, phone="0612345678"), partner=ana), Submission(person(2))]
    again, new = services.leads_submit(items=items, channel=Channel.IMPORT)
    assert again.duplicate_of_id == first.pk
    assert new.duplicate_of_id is None
    assert _row_versions(keys) == before
    assert ProspectKey.objects.get(value="p2@orange.fr").lead_id == new.pk


def test_a_large_batch_rewrites_only_the_keys_its_first_lead_did_not_claim():
    """A large batch creates each new key pointing to its first lead; the keys that lead did not
    claim (it was a duplicate) are pointed again, to a later lead of the batch or to none."""
    ana = PartnerFactory()
    known = services.lead_submit(data=person(90), channel=Channel.PORTAL, partner=ana)
    items = [Submission(person(n), partner=ana) for n in range(fastinsert.SMALL)]
    items += [
        # A duplicate of the known lead by its e-mail, with a new phone: the phone is not its.
        Submission(person(90, phone="0622222222"), partner=ana),
        Submission({"last_name": "Autre", "postcode": "69003", "phone": "0622222222"}),
        # A new prospect, then a duplicate of it by the phone, with a new e-mail: no one's.
        Submission(person(50, phone="0633333333"), partner=ana),
        Submission(person(51, phone="0633333333"), partner=ana),
    ]
    updates = _key_updates()
    leads = services.leads_submit(items=items, channel=Channel.API)
    assert all(isinstance(lead, Lead) for lead in leads)
    phone_of, new, duplicate = leads[-3], leads[-2], leads[-1]
    assert leads[-4].duplicate_of_id == known.pk
    assert duplicate.duplicate_of_id == new.pk
    key = ProspectKey.objects.get
    assert key(value="+33622222222").lead_id == phone_of.pk
    assert key(value="+33622222222").lead_submitted_at == phone_of.submitted_at
    assert (key(value="p51@orange.fr").lead_id, key(value="p51@orange.fr").lead_submitted_at) == (
        None,
        None,
    )
    assert key(value="p50@orange.fr").lead_id == new.pk
    assert key(value="p0@orange.fr").lead_id == leads[0].pk
    assert key(value="p90@orange.fr").lead_id == known.pk
    if connection.vendor == "postgresql":
        assert _key_updates() - updates == 2  # the two keys above, not the 26 of the batch


def _key_updates() -> int:
    """Rows of the key table updated so far by this transaction (PostgreSQL's statistics)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'leads_prospectkey'"
        )
        return int(cursor.fetchone()[0])


def _row_versions(keys) -> dict[int, object]:
    """Each key row's ``xmin``: the transaction that wrote its current version."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, xmin::text FROM leads_prospectkey WHERE id = ANY(%s)",
            [list(keys.values_list("pk", flat=True))],
        )
        return dict(cursor.fetchall())


# Transactional: the real task worker runs here, and it closes the connection it used.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_each_prospect_its_notice_once():
    """The intake marks the leads whose prospect is owed a notice (one row each, no task per
    call); the recurring sweep, run by the real worker, sends them and deletes the marks."""
    from django_tasks_db.models import DBTaskResult

    ana = PartnerFactory()
    made = services.leads_submit(
        items=[Submission(person(n), partner=ana) for n in range(3)]
        + [Submission(person(9, email="", phone="0612121212"), partner=ana)],
        channel=Channel.IMPORT,
    )
    assert NoticeDue.objects.count() == 3  # the lead without an e-mail is owed none
    # No task per call for the notices (the one wake-up of the domain events aside).
    events_wake = "relais.core.tasks.deliver_events"
    assert DBTaskResult.objects.exclude(task_path=events_wake).count() == 0
    call_command("start_schedules", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@orange.fr", "p1@orange.fr", "p2@orange.fr"]
    assert NoticeDue.objects.count() == 0
    assert send_prospect_notices.call([lead.pk for lead in made]) == 0  # never twice
    assert len(mail.outbox) == 3


def test_a_refused_notice_keeps_its_mark_and_the_others_go_out(monkeypatch):
    ana = PartnerFactory()
    services.leads_submit(
        items=[Submission(person(n), partner=ana) for n in range(3)], channel=Channel.IMPORT
    )
    erased = Lead.objects.get(email="p2@orange.fr")
    erased.delete()  # gone before the sweep: nothing to send, its mark is cleared
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if "p0@orange.fr" in message.to:
            raise OSError("550 mailbox unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    assert notices.send_due() == "1 notices sent, 1 failed"
    assert [m.to for m in mail.outbox] == [["p1@orange.fr"]]
    (kept,) = NoticeDue.objects.all()
    assert kept.lead_id == Lead.objects.get(email="p0@orange.fr").pk
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)  # the server accepts it again
    assert notices.send_due() == "1 notices sent, 0 failed"
    assert NoticeDue.objects.count() == 0
