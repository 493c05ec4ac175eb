"""Survey data follow the prospects' retention period (the dated legal parameter
``gdpr_retention_years``, as ``leads.gdpr.retention_purge``): a customer neither surveyed, nor
answering, nor won for that long has their personal fields and their comments blanked. The
scores stay, nameless, in the counters and the answers (no person can be told from them)."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from relais.core.params import legal_value
from relais.surveys.models import Answer, Customer

PERSONAL = ("first_name", "last_name", "company_name", "email", "phone", "city")


def customers_retention_purge(now: datetime | None = None) -> int:
    """Blank the customers past the retention period; returns how many."""
    now = now or timezone.now()
    years = int(legal_value("gdpr_retention_years", now.date()))
    limit = now - relativedelta(years=years)
    # The latest sign of life: an answer, a survey, the deal, the record itself.
    last = Greatest(
        Coalesce(Max("answers__answered_at"), "created_at"),
        Coalesce("last_surveyed_at", "created_at"),
        Coalesce("won_at", "created_at"),
        "created_at",
    )
    expired = (
        Customer.objects.filter(anonymised_at__isnull=True)
        .annotate(last=last)
        .filter(Q(last__lt=limit))
        .values_list("pk", flat=True)
    )
    ids = list(expired)
    with transaction.atomic():
        Customer.objects.filter(pk__in=ids).update(**dict.fromkeys(PERSONAL, ""), anonymised_at=now)
        Answer.objects.filter(customer_id__in=ids).update(
            comment="", publish_consent=False, consent_wording=""
        )
    return len(ids)
