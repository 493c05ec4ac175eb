"""A candidate's past deals, imported from CSV/XLSX to judge its track record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.money import cents
from relais.core.tabular import plain as _plain
from relais.core.tabular import read_table
from relais.partners.models import Partner, PortfolioDeal

COLUMNS = {
    "date": ("date", "date de signature"),
    "client_type": ("type de client", "client type", "client", "type"),
    "amount": ("montant", "montant ht", "amount"),
    "converted": ("converti", "converted", "signe", "gagne"),
}
TRUE, FALSE = (
    {"oui", "yes", "1", "true", "vrai", "o", "y"},
    {"non", "no", "0", "false", "faux", "n", ""},
)


def _parse_date(value: str) -> date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("date %(value)s: use DD/MM/YYYY.") % {"value": value})


def _parse_row(row: dict[str, str]) -> dict[str, Any]:
    converted = _plain(row.get("converted", ""))
    if converted not in TRUE | FALSE:
        raise ValueError(_("converted %(value)s: answer yes or no.") % {"value": row["converted"]})
    try:
        amount = cents(row.get("amount", ""))
    except (ValueError, ArithmeticError):
        raise ValueError(
            _("amount %(value)s: not an amount.") % {"value": row.get("amount", "")}
        ) from None
    if amount < 0:
        raise ValueError(_("amount %(value)s: cannot be negative.") % {"value": row["amount"]})
    return {
        "date": _parse_date(row.get("date", "")),
        "client_type": (row.get("client_type") or _("unspecified"))[:60],
        "amount": amount,
        "converted": converted in TRUE,
    }


def portfolio_import(
    *, partner: Partner, upload: UploadedFile, actor: User | None
) -> dict[str, Any]:
    """Import every valid row; report each bad one by its row number (all or nothing)."""
    table = read_table(upload, upload.name or "")
    headers = {_plain(h): i for i, h in enumerate(table.headers)}
    index = {
        field: next((headers[_plain(a)] for a in aliases if _plain(a) in headers), None)
        for field, aliases in COLUMNS.items()
    }
    missing = [f for f in ("date", "amount", "converted") if index[f] is None]
    if missing:
        raise DomainError(
            _("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)}, code="columns"
        )
    deals, errors = [], []
    for number, row in enumerate(table.rows, start=2):
        values = {f: row[i] if i is not None and i < len(row) else "" for f, i in index.items()}
        try:
            deals.append(PortfolioDeal(partner=partner, **_parse_row(values)))
        except ValueError as exc:
            errors.append({"row": number, "error": str(exc)})
    if errors:
        return {"imported": 0, "errors": errors}
    with transaction.atomic():
        PortfolioDeal.objects.bulk_create(deals, batch_size=1000)
        audit_record(
            subject=partner,
            action="portfolio",
            actor=actor,
            target=upload.name or "",
            changes={"deals": [None, len(deals)]},
        )
    return {"imported": len(deals), "errors": []}


def portfolio_summary(partner: Partner) -> dict[str, Any]:
    """Count, total, average ticket, conversion rate and client-type mix, in two queries."""
    from django.db.models import Count, Q, Sum

    totals = partner.portfolio.aggregate(
        count=Count("pk"), total=Sum("amount"), won=Count("pk", filter=Q(converted=True))
    )
    count = totals["count"]
    mix = list(
        partner.portfolio.values("client_type")
        .annotate(n=Count("pk"))
        .order_by("-n", "client_type")
    )
    return {
        "count": count,
        "total": totals["total"] or Decimal("0.00"),
        "average": cents(totals["total"] / count) if count else Decimal("0.00"),
        "conversion": (Decimal(totals["won"]) * 100 / count).quantize(Decimal("0.1"))
        if count
        else None,
        "mix": [
            {"client_type": m["client_type"], "count": m["n"], "share": round(100 * m["n"] / count)}
            for m in mix
        ],
    }
