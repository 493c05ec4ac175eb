"""Background work of the surveys app: tasks take ids and are safe to run twice."""

from __future__ import annotations

from django.tasks import task


@task()
def run_customer_import(batch_id: int) -> None:
    """Dry run or import of a customer file (``surveys.imports``); a run killed half-way is
    taken up again after the last thousand rows it committed."""
    from relais.surveys.imports import run

    run(batch_id)
