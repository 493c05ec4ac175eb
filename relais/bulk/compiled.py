"""Reads whose SQL is the same call after call: the queryset built and compiled once, then run.

Django builds a queryset's expressions and compiles them to SQL on every evaluation. For the
dashboard's few small aggregates that is most of the time: the départements covered (a count
filtered by an ``EXISTS`` subquery) took ~1.4 ms of Python to build and compile for ~0.2 ms in
the database (SQLite, this machine). ``rows`` keeps the compiled statement per function and
arguments, and converts the rows it reads as Django would (``Decimal`` sums on SQLite…).

On the fast path (``relais.bulk``) because it keeps Django's compiler past its query, and
because the bench needs it: without it the dashboard (``network_summary`` and ``lead_summary``)
missed its target of 1.5× its SQL floor in three runs of four (PostgreSQL 1.51× and 1.76×,
SQLite 1.54× and 1.44×), and never with it (PostgreSQL 1.22× and 0.96×, SQLite 0.81× and 1.14×;
the same host, runs interleaved). Only for reads a page makes on every view.

The statement runs on the calling thread's own connection. The kept compiler only converts the
rows: its converters come from the backend's operations, which a threaded server's connections
share (they read settings, never the connection's state).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

Build = Callable[..., QuerySet[Any, Any]]


def rows(build: Build, *args: Hashable) -> list[tuple[Any, ...]]:
    """``list(build(*args))`` for a ``values_list`` queryset, built and compiled on the first
    call only. ``build`` must give the same SQL for the same arguments: nothing read from the
    clock or from a setting that may change inside it — pass those in ``args``."""
    compiler, statement, params = _compiled(build, args)
    with connections[compiler.using or DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(statement, params)
        fetched = cursor.fetchall()
    return [tuple(row) for row in compiler.results_iter(results=[fetched])]


# A few statements per function; a day's date among the arguments turns them over slowly.
@lru_cache(maxsize=64)
def _compiled(build: Build, args: tuple[Hashable, ...]) -> tuple[SQLCompiler, str, tuple[Any, ...]]:
    queryset = build(*args)
    compiler = queryset.query.get_compiler(using=queryset.db)
    statement, params = compiler.as_sql()
    return compiler, statement, tuple(params)
