"""Insert new model instances without Django's per-value SQL compilation.

``bulk_create`` prepares every value of every row through the field's ``get_db_prep_save`` chain
and compiles one placeholder per value: ~0.2 ms a lead of 42 columns, ten times what PostgreSQL
needs to store it. Here the conversion is decided once per column and the rows go out as
PostgreSQL's COPY (ids drawn from the table's sequence first) or SQLite's ``executemany`` (ids
from the table's counter, under the write lock every transaction takes). A few rows go out as one
``INSERT … VALUES … RETURNING id`` instead, which costs a single round trip.

Like ``bulk_create``: no ``save()``, no signals. Unlike it: foreign keys to instances saved in
the same call are resolved (ids are given before any row is written), so a batch may hold a row
and another row that points to it; ``reserve`` gives the ids before, for rows written earlier
that point to these.

``new`` builds the instances themselves faster than ``Model(**values)`` does.

Its callers are the fenced uses (``relais.bulk``): the intake, the routing batches, the demo
builder. That it stores and builds what ``bulk_create`` and ``Model(**values)`` do:
``tests/test_fastinsert.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection, models

SMALL = 20  # rows: below this, one INSERT … RETURNING beats a sequence draw and a COPY

Column = tuple[str, Callable[[Any], Any]]  # attribute name, and how its value is written


def insert(objs: Sequence[models.Model]) -> None:
    """Write ``objs`` (new instances of one model) and give each its primary key."""
    if not objs:
        return
    if not connection.in_atomic_block:
        # SQLite's ids are read then written: only a transaction's write lock makes that safe.
        raise RuntimeError("fastinsert.insert runs inside a transaction.")
    model = type(objs[0])
    if len(objs) < SMALL and objs[0].pk is None and not _pending(objs):
        _insert_returning(model, objs)
    elif connection.vendor == "postgresql":
        _copy(model, objs)
    else:
        _executemany(model, objs)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def new[M: models.Model](model: type[M], **values: Any) -> M:
    """``model(**values)``, the same instance, at a fraction of the cost (a lead of 42 columns:
    ~50 → ~15 µs). Django's keyword path pops each field from the arguments and sets each
    relation through its descriptor; its positional path, the one it takes for rows read from
    the database, only sets attributes. Here every column's value or default is put in order
    for that path, and a related instance is cached as its descriptor would cache it. No type
    check of a related instance, and no reverse cache of a one-to-one: the callers pass the
    right models, and this is for the intake and routing batches, not for every form."""
    template, made, spots = _blueprint(model)
    row = template.copy()
    for position, make in made:
        row[position] = make()
    related = []
    for name, value in values.items():
        spot = spots.get(name)
        if spot is None:
            raise TypeError(f"{model.__name__}() got an unexpected argument: {name}")
        position, relation = spot
        if relation is None:
            row[position] = value
        else:
            row[position] = None if value is None else value.pk
            related.append((relation, value))
    obj = model(*row)
    for relation, instance in related:
        relation.set_cached_value(obj, instance)
    return obj


Spot = tuple[int, models.ForeignKey[Any, Any] | None]


@cache
def _blueprint(
    model: type[models.Model],
) -> tuple[list[Any], tuple[tuple[int, Callable[[], Any]], ...], dict[str, Spot]]:
    """The row of defaults, the columns whose default is made anew each time (``dict``,
    ``timezone.now``), and where each name goes: an attribute (``partner_id``) takes the
    value, a relation (``partner``) the instance's id."""
    template: list[Any] = []
    made: list[tuple[int, Callable[[], Any]]] = []
    spots: dict[str, Spot] = {}
    for position, field in enumerate(model._meta.concrete_fields):
        if field.has_default() and callable(field.default):
            template.append(None)
            made.append((position, field.default))
        else:
            template.append(field.get_default())
        spots[field.attname] = (position, None)
        if isinstance(field, models.ForeignKey):
            spots[field.name] = (position, field)
    return template, tuple(made), spots


def _pending(objs: Sequence[models.Model]) -> bool:
    """Whether a row points to an instance with no id yet (one of this call, or a mistake)."""
    return any(
        getattr(obj, field.attname) is None
        and field.is_cached(obj)
        and getattr(field.get_cached_value(obj), "pk", 0) is None
        for field in _relations(type(objs[0]))
        for obj in objs
    )


def _link(objs: Sequence[models.Model]) -> None:
    """Once every row has its id: copy the ids of related instances into their ``_id``s."""
    for field in _relations(type(objs[0])):
        for obj in objs:
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is None:
                    continue
                if related.pk is None:
                    raise ValueError(f"{field.name} points to an unsaved {related!r}.")
                setattr(obj, field.attname, related.pk)


@cache
def _relations(model: type[models.Model]) -> tuple[models.ForeignKey[Any, Any], ...]:
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey))


@cache
def _columns(model: type[models.Model], vendor: str) -> tuple[Column, ...]:
    """Each column but the id, with the cheapest conversion that writes what Django would."""
    columns: list[Column] = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append((field.attname, _writer(field, vendor)))
    return tuple(columns)


def _writer(field: models.Field[Any, Any], vendor: str) -> Callable[[Any], Any]:
    if isinstance(field, models.CharField | models.TextField):
        # Choices enums are str subclasses; the driver must see the plain value.
        return lambda value: value if value is None or type(value) is str else str(value)
    if vendor != "postgresql" and isinstance(field, models.DateTimeField):
        return _sqlite_datetime(field)
    if vendor != "postgresql" and isinstance(field, models.DateField):
        return _sqlite_date(field)
    if isinstance(field, models.JSONField) or (
        vendor != "postgresql" and isinstance(field, models.DecimalField)
    ):
        # Django's own conversion: JSON encoding, and SQLite's text decimals.
        return lambda value: field.get_db_prep_save(value, connection)
    return _same


# SQLite stores dates and timestamps as text. Django's conversion of each value passes through
# five calls and two settings reads: ~3 µs, a third of the demo network's build on SQLite (a lead
# has ten timestamps and a date, most of them empty). The usual values are written here as Django's
# ``adapt_date(time)field_value`` writes them; anything else goes through Django.


def _sqlite_datetime(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def write(value: Any) -> Any:
        if value is None:
            return None
        zone = connection.timezone  # UTC unless the database names one; None without USE_TZ
        if type(value) is datetime and value.tzinfo is not None and zone is not None:
            return str(value.astimezone(zone).replace(tzinfo=None))
        return field.get_db_prep_save(value, connection)

    return write


def _sqlite_date(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def write(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is date:
            return str(value)
        return field.get_db_prep_save(value, connection)

    return write


def _same(value: Any) -> Any:
    return value


def _rows(model: type[models.Model], objs: Sequence[models.Model]) -> list[list[Any]]:
    columns = _columns(model, connection.vendor)
    for obj in objs:
        for field in _stamped(model):
            field.pre_save(obj, add=True)
    return [[write(getattr(obj, name)) for name, write in columns] for obj in objs]


@cache
def _stamped(model: type[models.Model]) -> tuple[models.DateField, ...]:
    """The ``auto_now``/``auto_now_add`` fields, which set their value as the row is saved."""
    return tuple(
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add)
    )


def _pk(model: type[models.Model]) -> str:
    return str(model._meta.pk.column)


def _names(model: type[models.Model], *, with_id: bool) -> str:
    quote = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
    return ", ".join(quote(str(f.column)) for f in fields)


def _insert_returning(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    _link(objs)
    rows = _rows(model, objs)
    with connection.cursor() as cursor:
        cursor.execute(
            _returning_sql(model, connection.vendor, len(rows)),
            [value for row in rows for value in row],
        )
        # Rows come back in the order of the VALUES, as Django's bulk_create also relies on.
        for (key,), obj in zip(cursor.fetchall(), objs, strict=True):
            obj.pk = key


@cache
def _returning_sql(model: type[models.Model], vendor: str, count: int) -> str:
    """Built once per model and row count (the one-lead API call writes the same statement)."""
    one = "(" + ", ".join(["%s"] * len(_columns(model, vendor))) + ")"
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(_pk(model))
    return (
        f"INSERT INTO {table} ({_names(model, with_id=False)}) "  # noqa: S608
        f"VALUES {', '.join([one] * count)} RETURNING {pk}"
    )


def reserve(model: type[models.Model], count: int) -> list[int]:
    """Ids for ``count`` new rows of ``model``, in increasing order, for instances that rows
    written before them point to (foreign keys are checked at commit); ``insert`` then writes
    the instances with these ids. On PostgreSQL they come from the table's sequence. On SQLite
    they are read past the table's marks, under the write lock every transaction takes: insert
    the rows before writing any other row of that model in the transaction."""
    if not count:
        return []
    if not connection.in_atomic_block:
        raise RuntimeError("fastinsert.reserve runs inside a transaction.")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name in a scalar subquery, looked up once: as nextval's argument
            # it was looked up again for every row (5 ms → 1 ms a thousand ids).
            cursor.execute(
                "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass)"
                " FROM generate_series(1, %s)",
                [model._meta.db_table, _pk(model), count],
            )
            return sorted(key for (key,) in cursor.fetchall())
        pk, table = (
            connection.ops.quote_name(_pk(model)),
            connection.ops.quote_name(model._meta.db_table),
        )
        # AUTOINCREMENT never reuses an id, even a deleted one: start past both marks.
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"  # noqa: S608
            f" coalesce((SELECT max({pk}) FROM {table}), 0))",
            [model._meta.db_table],
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def _give_ids(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Ids for the instances that have none (all or none of a call's have one)."""
    if objs[0].pk is None:
        for obj, key in zip(objs, reserve(model, len(objs)), strict=True):
            obj.pk = key


def _copy(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    _give_ids(model, objs)
    with connection.cursor() as cursor:
        _link(objs)
        rows = _rows(model, objs)
        statement = f"COPY {table} ({_names(model, with_id=True)}) FROM STDIN"
        with _logged(cursor, statement), cursor.cursor.copy(statement) as copy:
            for obj, row in zip(objs, rows, strict=True):
                copy.write_row([obj.pk, *row])


def _executemany(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    _give_ids(model, objs)
    with connection.cursor() as cursor:
        _link(objs)
        rows = _rows(model, objs)
        marks = ", ".join(["%s"] * (len(rows[0]) + 1))
        cursor.executemany(
            f"INSERT INTO {table} ({_names(model, with_id=True)}) VALUES ({marks})",  # noqa: S608
            [[obj.pk, *row] for obj, row in zip(objs, rows, strict=True)],
        )


def _logged(cursor: Any, statement: str) -> Any:
    """COPY bypasses the cursor wrapper: show it in the debug query log all the same."""
    debug = getattr(cursor, "debug_sql", None)
    return debug(statement) if debug else nullcontext()
