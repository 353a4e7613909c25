"""Set-based writes for bulk jobs, at the speed of the engine rather than of the ORM.

`bulk_create` builds a statement of a few hundred rows at a time and prepares every value
through the field (32 s for a million rows on SQLite, 41 s on PostgreSQL, on our machines);
`executemany` of one prepared INSERT on SQLite and `COPY … FROM STDIN` on PostgreSQL do the
same in a few seconds. Callers pass values already in the form the database stores: use
`adapter(connection)` to convert dates, datetimes and JSON once per value.
"""

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

#: SQLite's limit on bound values per statement (32766 since 3.32; the machine has 3.40).
SQLITE_MAX_VARIABLES = 32_000


#: Values per `IN (…)` list on SQLite: well inside its limit, and fast to plan.
SQLITE_IN_CHUNK = 5000


def select_in(cursor: Any, sql: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run `sql`, whose `{in}` stands for "is one of `values`", and return every row.

    PostgreSQL gets one array parameter (`= ANY(%s)`): it plans thousands of separate
    parameters slowly. SQLite has no arrays, so the values go in `IN (…)` lists of
    `SQLITE_IN_CHUNK`. Callers keep the select free of duplicates across chunks (select
    the key, or rows unique per value)."""
    if not values:
        return []
    if cursor.db.vendor == "postgresql":
        cursor.execute(sql.replace("{in}", "= ANY(%s)"), [list(values)])
        return list(cursor.fetchall())
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(values), SQLITE_IN_CHUNK):
        chunk = values[start : start + SQLITE_IN_CHUNK]
        cursor.execute(sql.replace("{in}", f"IN ({', '.join(['%s'] * len(chunk))})"), chunk)
        rows.extend(cursor.fetchall())
    return rows


def columns_of(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [str(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]


def insert_rows(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> None:
    """INSERT the rows (tuples in `fields` order) into the model's table."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(c) for c in columns_of(model, fields))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # Many rows per statement: fewer statements to step through, and the driver holds
            # the GIL only to bind each statement's values, not once per row. The DB-API
            # cursor itself: Django's wrapper would rewrite a 30,000-placeholder string each time.
            one = "(" + ", ".join(["?"] * len(fields)) + ")"
            per_statement = max(1, SQLITE_MAX_VARIABLES // len(fields))
            batch = list(rows)
            full = f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * per_statement)  # noqa: S608
            raw = cursor.cursor  # Django's SQLiteCursorWrapper: call the DB-API method under it
            for start in range(0, len(batch), per_statement):
                chunk = batch[start : start + per_statement]
                sql = (
                    full
                    if len(chunk) == per_statement
                    else (
                        f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608
                    )
                )
                sqlite3.Cursor.execute(raw, sql, list(chain.from_iterable(chunk)))


def update_rows(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    extra_set: str = "",
) -> None:
    """UPDATE by primary key: each row is (values in `fields` order..., pk). `extra_set` adds
    raw assignments such as "lock_version = lock_version + 1"."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    assignments = [f"{qn(c)} = %s" for c in columns_of(model, fields)]
    if extra_set:
        assignments.append(extra_set)
    pk = qn(str(model._meta.pk.column))
    sql = f"UPDATE {table} SET {', '.join(assignments)} WHERE {pk} = %s"  # noqa: S608
    batch = list(rows)
    if batch:
        with connection.cursor() as cursor:
            cursor.executemany(sql, batch)


def adapter(connection: BaseDatabaseWrapper) -> dict[str, Callable[[Any], Any]]:
    """Converters to the stored form: "date", "datetime", "json"."""
    ops = connection.ops
    if connection.vendor == "postgresql":
        return {
            "date": lambda v: v,
            "datetime": lambda v: v,
            "json": lambda v: json.dumps(v, ensure_ascii=False),
        }
    return {
        "date": lambda v: None if v is None else v.isoformat(),
        "datetime": ops.adapt_datetimefield_value,
        "json": lambda v: json.dumps(v, ensure_ascii=False),
    }
