"""Background work of the network app: tasks take ids and are safe to run twice."""

from __future__ import annotations

from django.tasks import task


@task()
def run_network_import(batch_id: int) -> None:
    """Dry run or import of an accounts-and-contacts file (``network.imports``); a run killed
    half-way is taken up again after the last thousand rows it committed."""
    from relais.network.imports import run

    run(batch_id)
