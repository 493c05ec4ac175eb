"""Deleting in batches does what one ``delete()`` does: cascades, SET NULLs, the count."""

import pytest

from relais.core.deletion import delete_in_batches
from relais.leads import services
from relais.leads.models import Lead, LeadEvent
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_batches_delete_the_rows_their_events_and_free_the_duplicates():
    partner = PartnerFactory()
    leads = [
        services.lead_submit(
            data={"last_name": f"B{n}", "email": f"b{n % 3}@orange.fr", "postcode": "69003"},
            channel="api",
            partner=partner,
        )
        for n in range(7)
    ]
    kept = Lead.objects.filter(last_name="B6")
    (duplicate,) = [lead for lead in leads if lead.last_name == "B6"]
    assert duplicate.duplicate_of_id is not None  # b0@ again: a duplicate of B0 or B3
    gone = Lead.objects.exclude(pk=duplicate.pk)
    assert LeadEvent.objects.filter(lead__in=gone).exists()

    assert delete_in_batches(gone, size=2) == 6

    assert list(Lead.objects.values_list("pk", flat=True)) == [duplicate.pk]
    assert kept.get().duplicate_of_id is None  # its original went: the link is cleared
    assert LeadEvent.objects.exclude(lead=duplicate).count() == 0  # the others' events too
    assert delete_in_batches(Lead.objects.none()) == 0
