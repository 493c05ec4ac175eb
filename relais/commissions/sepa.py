"""The SEPA credit-transfer file of a payment run (pain.001.001.09, or .03 for older banks),
built with sepaxml and validated against the ISO 20022 schema before it is kept."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from sepaxml import SepaTransfer

from relais.commissions.models import PaymentItem, PaymentRun

SCHEMAS = ("pain.001.001.09", "pain.001.001.03")


def sepa_xml(run: PaymentRun, items: Iterable[PaymentItem]) -> str:
    config = {
        "name": settings.RELAIS_COMPANY_NAME,
        "IBAN": settings.RELAIS_COMPANY_IBAN,
        "BIC": settings.RELAIS_COMPANY_BIC,
        "batch": True,
        "currency": "EUR",
    }
    transfer = SepaTransfer(config, schema=run.schema, clean=True)
    for item in items:
        payment = {
            "name": item.partner.display_name,
            "IBAN": item.iban,
            "amount": int(item.amount * 100),  # cents, as sepaxml wants
            "execution_date": run.execution_date,
            "description": f"Commissions {settings.RELAIS_COMPANY_NAME} {run.pk}",
            "endtoend_id": item.end_to_end_id,
        }
        if item.bic:
            payment["BIC"] = item.bic
        transfer.add_payment(payment)
    return bytes(transfer.export(validate=True)).decode()
