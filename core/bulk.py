"""Appending many rows fast, without model instances: binary COPY on PostgreSQL, executemany on SQLite.

Used where row counts reach millions (demo data, ingestion). No save(), no signals, no validation: callers
pass clean values in field order. The rows land in the caller's transaction, so a failure leaves nothing."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

import orjson
from django.conf import settings
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.models import Field, Model
from psycopg.types.json import set_json_dumps

# Types whose Python values need Django's adaptation on SQLite (datetimes to naive UTC text, dicts to JSON).
_ADAPTED_ON_SQLITE = {"DateTimeField", "DateField", "JSONField", "DecimalField", "TimeField", "UUIDField"}


def bulk_load(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = "default",
) -> int:
    """Append `rows` (tuples of values in `fields` order) to `model`'s table; returns the number of rows.

    Values are Python values as the model field expects them (aware datetimes, dicts for JSON, ids for
    foreign keys). Runs in the caller's transaction: wrap the call in `transaction.atomic()`."""
    connection = connections[using]
    model_fields = _fields(model, fields)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in model_fields)
    if connection.vendor == "postgresql":
        return _copy_postgresql(connection, table, columns, model_fields, rows)
    return _executemany(connection, table, columns, model_fields, rows)


def _fields(model: type[Model], names: Sequence[str]) -> list[Field]:
    """The model fields named `names`: concrete fields, each with a column."""
    fields = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, Field), f"{model.__name__}.{name} is not a concrete field"
        fields.append(field)
    return fields


def _copy_postgresql(connection, table: str, columns: str, model_fields: list[Field], rows) -> int:
    # Binary COPY is ~1.5x faster than text COPY from Python; it needs the column types spelled out.
    types = [re.sub(r"\(.*\)", "", _db_type(field, connection)).strip() for field in model_fields]
    count = 0
    with connection.cursor() as cursor:
        set_json_dumps(_json_dumps, cursor.cursor)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _db_type(field: Field, connection) -> str:
    db_type = field.db_type(connection)
    assert db_type is not None, f"{field} has no column"
    return db_type


def _json_dumps(value) -> bytes | str:
    # orjson is several times faster; the standard encoder takes what it refuses (lone surrogates, Decimal).
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value)


def _executemany(connection, table: str, columns: str, model_fields: list[Field], rows) -> int:
    adapt = [
        (index, field)
        for index, field in enumerate(model_fields)
        if field.get_internal_type() in _ADAPTED_ON_SQLITE
    ]
    placeholders = ", ".join(["%s"] * len(model_fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
    count = 0
    with connection.cursor() as cursor:
        for batch in _batches(rows, settings.WAYPOINT_BULK_BATCH):
            if adapt:
                batch = [_adapted(row, adapt, connection) for row in batch]
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _adapted(row: Sequence[Any], adapt: list[tuple[int, Field]], connection) -> list[Any]:
    values = list(row)
    for index, field in adapt:
        if values[index] is not None:
            values[index] = field.get_db_prep_save(values[index], connection)
    return values


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def reset_sequences(*models: type[Model], using: str = "default") -> None:
    """After loading rows with explicit ids, move the id sequences past them (PostgreSQL; SQLite's
    AUTOINCREMENT follows explicit ids by itself)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def indexes_deferred(*models: type[Model], using: str = "default") -> Iterator[None]:
    """Load into empty tables without index upkeep: on PostgreSQL, drop the tables' secondary indexes,
    unique and foreign-key constraints, and re-create them from their saved definitions on exit.

    Building an index once is several times faster than maintaining it row by row, and it avoids queueing
    one deferred foreign-key check per row until commit. Must run inside a transaction: PostgreSQL DDL is
    transactional, so a failure or a kill rolls the drops back with the rows. No-op on other databases."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred() must run inside transaction.atomic().")
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Run the foreign-key checks this transaction has queued so far: PostgreSQL refuses to alter a
        # table with pending trigger events.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f') ORDER BY contype DESC, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        for _, definition in indexes:
            cursor.execute(definition)
        # Unique constraints first ('u' sorts after 'f' descending): foreign keys may rely on them.
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def _stage_ensure(connection, stage: str, definition: str) -> None:
    """A session-local staging table (the columns of `definition`, no constraints, emptied at commit),
    created once per database session rather than once per call: ingestion upserts a batch per request."""
    session = (id(connection.connection), connection.connection.info.backend_pid)
    known: tuple[tuple[int, int], set[str]] | None = getattr(connection, "_waypoint_stages", None)
    if known is None or known[0] != session:
        known = connection._waypoint_stages = (session, set())
    if stage in known[1]:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS AS {definition}")
    # Remembered once committed: a table created in a transaction that rolls back is gone with it.
    transaction.on_commit(lambda: known[1].add(stage), using=connection.alias)


def bulk_upsert(
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str],
    update: Sequence[str] = (),
    using: str = "default",
) -> int:
    """Insert rows, and on a conflict over the `conflict` columns update the `update` columns (or leave
    the stored row alone when `update` is empty); returns the number of rows inserted or updated. No model
    instances: for tens of thousands of rows.

    PostgreSQL: COPY into a temporary table, then one INSERT … SELECT … ON CONFLICT. SQLite: executemany of
    INSERT … ON CONFLICT. Runs in the caller's transaction."""
    if not rows:
        return 0
    connection = connections[using]
    model_fields = _fields(model, fields)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in model_fields)
    column_of = {field.name: field.column for field in model_fields}
    target = ", ".join(quote(field.column) for field in _fields(model, conflict))
    if update:
        assignments = ", ".join(
            f"{quote(column_of[name])} = EXCLUDED.{quote(column_of[name])}" for name in update
        )
        action = f"DO UPDATE SET {assignments}"
    else:
        action = "DO NOTHING"
    if connection.vendor == "postgresql":
        digest = hashlib.sha1(columns.encode(), usedforsecurity=False).hexdigest()[:8]
        stage = quote(f"stage_{model._meta.db_table}_{digest}")
        _stage_ensure(connection, stage, f"SELECT {columns} FROM {table} WITH NO DATA")
        _copy_postgresql(connection, stage, columns, model_fields, rows)
        with connection.cursor() as cursor:
            # Emptying the stage and inserting its rows in one statement: one round trip, and the stage is
            # empty for the next call whatever happens (a rollback empties it too).
            cursor.execute(
                f"WITH staged AS (DELETE FROM {stage} RETURNING {columns}) INSERT INTO {table} ({columns}) "
                f"SELECT {columns} FROM staged ON CONFLICT ({target}) {action}"
            )
            return cursor.rowcount
    placeholders = ", ".join(["%s"] * len(model_fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT ({target}) {action}"
    adapt = [
        (index, field)
        for index, field in enumerate(model_fields)
        if field.get_internal_type() in _ADAPTED_ON_SQLITE
    ]
    count = 0
    with connection.cursor() as cursor:
        for batch in _batches(rows, settings.WAYPOINT_BULK_BATCH):
            cursor.executemany(sql, [_adapted(row, adapt, connection) for row in batch] if adapt else batch)
            count += max(cursor.rowcount, 0)
    return count
