"""Which rows of a file repeat an earlier one: the first occurrence is imported, later ones are
rejected as duplicates."""

from django.db import connection

from jiceng.core.bulk import SQLITE_IN_CHUNK, select_in

from .rows import ERROR, Problem, Row


def row_key(row: Row) -> str:
    """What makes two rows of a file the same member: the credit code, or for rows without one
    the business name and operator."""
    values = row.values
    code = values.get("credit_code")
    if code:
        return "C" + code
    return "N" + values["business_name"] + "\x1f" + values.get("operator", "")


def mark_duplicate(row: Row, first: int) -> None:
    values = row.values
    code = values.get("credit_code")
    if code:
        params = {"code": code, "first_row": first}
        row.add(Problem("credit_code", "duplicate_in_file", ERROR, code, params))
        return
    name, operator = values["business_name"], values.get("operator", "")
    params = {"name": name, "operator": operator, "first_row": first}
    row.add(Problem("business_name", "duplicate_row_in_file", ERROR, name, params))


class SeenKeys:
    """The keys met so far in the file, with the row each was first met on, kept in a temporary
    table (on disk for SQLite) rather than in memory: a million-row roster costs the import no
    more memory than a thousand-row one."""

    def __init__(self, job_id: int):
        self.table = connection.ops.quote_name(f"import_seen_{job_id}")

    def __enter__(self) -> "SeenKeys":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.table} (k TEXT PRIMARY KEY, r INTEGER)")
        return self

    def __exit__(self, *exc: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def first_rows(self, keyed: list[tuple[str, int]]) -> dict[str, int]:
        """For each key of a batch, the row it first appeared on (this batch or before)."""
        first: dict[str, int] = {}
        for key, number in keyed:
            first.setdefault(key, number)
        if first:
            if connection.vendor == "postgresql":
                first.update(self._earlier_postgresql(first))
            else:
                first.update(self._earlier_sqlite(first))
        return first

    @property
    def _rows_of(self) -> str:
        """The first row of each of some keys (`select_in`'s `{in}`)."""
        return f"SELECT k, r FROM {self.table} WHERE k {{in}}"  # noqa: S608

    def _earlier_postgresql(self, first: dict[str, int]) -> dict[str, int]:
        """Record the batch's keys in one statement (two arrays, not thousands of parameters),
        then read back the rows of those that were already there (usually none)."""
        keys, rows = list(first), list(first.values())
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (k, r) SELECT * FROM unnest(%s::text[], %s::int[]) "  # noqa: S608
                "ON CONFLICT (k) DO NOTHING RETURNING k",
                [keys, rows],
            )
            new = {k for (k,) in cursor.fetchall()}
            repeated = [k for k in keys if k not in new]
            if not repeated:
                return {}
            return dict(select_in(cursor, self._rows_of, repeated))

    def _earlier_sqlite(self, first: dict[str, int]) -> dict[str, int]:
        with connection.cursor() as cursor:
            known: dict[str, int] = dict(select_in(cursor, self._rows_of, list(first)))
            new = [(k, n) for k, n in first.items() if k not in known]
            for start in range(0, len(new), SQLITE_IN_CHUNK):
                chunk_rows = new[start : start + SQLITE_IN_CHUNK]
                marks = ", ".join(["(%s, %s)"] * len(chunk_rows))
                cursor.execute(
                    f"INSERT INTO {self.table} (k, r) VALUES {marks}",  # noqa: S608
                    [v for pair in chunk_rows for v in pair],
                )
        return known
