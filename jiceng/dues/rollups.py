"""The dues roll-up engine: one `DuesRollup` row per (unit, year) holding the figures of the
unit's OWN members; a subtree's figures are the sum of its units' rows.

Three ways keep the rows right, and all three compute the same thing:

- `apply_payment_delta`: a payment (or its voiding) changes one row by a delta, O(1);
- `refresh_rows`: recompute the rows of some units (or grassroots associations) from the raw
  facts, one grouped INSERT … SELECT bounded by those units' members;
- `rebuild_rows`: the same statement over every member, for the full rebuild.

Definitions, in one place (the SQL below and `member_due_cents` must agree):

- a member is *due* for year Y when active, joined by the end of Y (or join date unknown), and
  the standard in force for their type and Y is above zero; the standard in force is the one set
  by the nearest ancestor of the member's grassroots association (itself included);
- *paid* is the sum of the member's valid (not voided) payments for Y; the row keeps it capped at
  the member's due (`paid_cents`) and uncapped (`received_cents`);
- a row exists while its unit has a member due or a payment received that year.

Money is summed in whole cents (integers) so totals are exact on SQLite too. The SQL is plain
enough for both SQLite and PostgreSQL: CTEs, window functions, CASE, substr, CAST.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from jiceng.core import rollups as engine
from jiceng.members.models import Member
from jiceng.org.anchors import ancestor_paths
from jiceng.org.models import Level, Unit

from .models import DuesRollup, DuesStandard, Payment, to_cents

STEPLEN = Unit.steplen
#: Enough ancestor prefixes for any unit: the tree has one level per `Level`.
MAX_DEPTH = len(Level)


@dataclass(frozen=True)
class Where:
    """A SQL condition with its parameters."""

    sql: str
    params: tuple[Any, ...] = ()

    @classmethod
    def ids(cls, column: str, ids: Sequence[int]) -> "Where":
        if not ids:
            return cls("1 = 0")
        return cls(f"{column} IN ({', '.join(['%s'] * len(ids))})", tuple(ids))

    @classmethod
    def subquery(cls, column: str, queryset: QuerySet[Any]) -> "Where":
        sql, params = queryset.query.sql_with_params()
        return cls(f"{column} IN ({sql})", tuple(params))


EVERYTHING = Where("1 = 1")


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _cents(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def _effective_standards_sql(*, grassroots: Where, years: Sequence[int]) -> tuple[str, list[Any]]:
    """SELECT (grassroots_id, year, member_type, amount_cents): for each grassroots association
    that `grassroots` selects (alias g) and each year, the standard of its nearest ancestor.

    CROSS JOIN fixes SQLite's join order (PostgreSQL plans it freely): association, then its
    ancestors by the path index, then their standards by the (unit, year, type) index."""
    prefixes = ", ".join(f"substr(g.path, 1, {k * STEPLEN})" for k in range(1, MAX_DEPTH + 1))
    years_in = ", ".join(["%s"] * len(years))
    sql = f"""
        SELECT grassroots_id, year, member_type, amount_cents FROM (
            SELECT g.id AS grassroots_id, s.year AS year, s.member_type AS member_type,
                   {_cents("s.amount")} AS amount_cents,
                   ROW_NUMBER() OVER (
                       PARTITION BY g.id, s.year, s.member_type ORDER BY su.depth DESC
                   ) AS nearest
            FROM {_table(Unit)} g
            CROSS JOIN {_table(Unit)} su
            CROSS JOIN {_table(DuesStandard)} s
            WHERE g.level = %s AND {grassroots.sql}
              AND su.path IN ({prefixes})
              AND s.unit_id = su.id AND s.year IN ({years_in})
        ) ranked
        WHERE nearest = 1
    """  # noqa: S608 - table names, columns and conditions are ours; values are parameters
    return sql, [Level.GRASSROOTS.value, *grassroots.params, *years]


def _years_values(years: Sequence[int]) -> tuple[str, list[Any]]:
    """A VALUES list of (year, last day of the year), typed for the database."""
    rows = ", ".join(["(%s, %s)"] * len(years))
    params: list[Any] = []
    for year in years:
        params += [year, connection.ops.adapt_datefield_value(datetime.date(year, 12, 31))]
    return rows, params


def rollup_select_sql(
    *, members: Where, grassroots: Where, years: Sequence[int], insert: bool = False
) -> tuple[str, list[Any]]:
    """WITH … SELECT the roll-up rows of the members that `members` selects (alias m), for
    these years — INSERTed INTO the roll-up table when `insert`. One grouped statement: no
    per-row work outside the database."""
    values, values_params = _years_values(years)
    eff_sql, eff_params = _effective_standards_sql(grassroots=grassroots, years=years)
    years_in = ", ".join(["%s"] * len(years))
    # The full rebuild reads every payment: no need to join its member to select it.
    payment_members = (
        "" if members is EVERYTHING else f"JOIN {_table(Member)} m ON m.id = p.member_id"
    )
    columns = ", ".join(["unit_id", "year", "province_id", "grassroots_id", *DuesRollup.FIGURES])
    insert_into = f"INSERT INTO {_table(DuesRollup)} ({columns})" if insert else ""
    sql = f"""
        WITH yrs(year, last_day) AS (VALUES {values}),
        eff AS ({eff_sql}),
        paid AS (
            SELECT p.member_id AS member_id, p.dues_year AS year, SUM({_cents("p.amount")}) AS cents
            FROM {_table(Payment)} p
            {payment_members}
            WHERE p.voided_at IS NULL AND p.dues_year IN ({years_in}) AND {members.sql}
            GROUP BY p.member_id, p.dues_year
        ),
        per_member AS (
            SELECT m.unit_id AS unit_id, m.province_id AS province_id,
                   m.grassroots_id AS grassroots_id, y.year AS year,
                   CASE WHEN m.status = %s
                             AND (m.join_date IS NULL OR m.join_date <= y.last_day)
                             AND e.amount_cents > 0
                        THEN e.amount_cents ELSE 0 END AS due,
                   COALESCE(pa.cents, 0) AS paid
            FROM {_table(Member)} m
            CROSS JOIN yrs y
            LEFT JOIN eff e ON e.grassroots_id = m.grassroots_id AND e.year = y.year
                           AND e.member_type = m.member_type
            LEFT JOIN paid pa ON pa.member_id = m.id AND pa.year = y.year
            WHERE {members.sql}
        )
        {insert_into}
        SELECT unit_id AS unit_id, year AS year, MAX(province_id) AS province_id,
               MAX(grassroots_id) AS grassroots_id,
               SUM(CASE WHEN due > 0 THEN 1 ELSE 0 END) AS members_due,
               SUM(CASE WHEN due > 0 AND paid >= due THEN 1 ELSE 0 END) AS members_paid,
               SUM(due) AS due_cents,
               SUM(CASE WHEN paid < due THEN paid ELSE due END) AS paid_cents,
               SUM(paid) AS received_cents
        FROM per_member
        WHERE due > 0 OR paid > 0
        GROUP BY unit_id, year
    """  # noqa: S608 - table names, columns and conditions are ours; values are parameters
    params = [
        *values_params,
        *eff_params,
        *years,
        *members.params,
        "active",
        *members.params,
    ]
    return sql, params


def years_with_facts(members: Where) -> list[int]:
    """Every year a standard exists for (anywhere: the table is small) or one of these members
    has a payment for."""
    years = set(DuesStandard.objects.order_by().values_list("year", flat=True).distinct())
    with connection.cursor() as cursor:
        if members is EVERYTHING:
            cursor.execute(f"SELECT DISTINCT dues_year FROM {_table(Payment)}")  # noqa: S608
        else:
            cursor.execute(
                f"SELECT DISTINCT p.dues_year FROM {_table(Payment)} p "  # noqa: S608
                f"JOIN {_table(Member)} m ON m.id = p.member_id WHERE {members.sql}",
                members.params,
            )
        years.update(int(row[0]) for row in cursor.fetchall())
    return sorted(years)


def refresh_rows(
    *, members: Where, rollups: Where, grassroots: Where, years: Iterable[int] | None
) -> None:
    """Replace the roll-up rows that `rollups` selects (for `years`, or all years) by rows
    recomputed from the members that `members` selects. The two must describe the same units;
    `grassroots` (alias g) narrows the standards lookup to those members' associations.
    The caller holds the transaction and the grassroots locks."""
    year_list = sorted(set(years)) if years is not None else years_with_facts(members)
    with connection.cursor() as cursor:
        delete = f"DELETE FROM {_table(DuesRollup)} WHERE {rollups.sql}"  # noqa: S608
        params = list(rollups.params)
        if years is not None:
            if not year_list:
                return
            delete += f" AND year IN ({', '.join(['%s'] * len(year_list))})"
            params += year_list
        cursor.execute(delete, params)
        if year_list:
            sql, params = rollup_select_sql(
                members=members, grassroots=grassroots, years=year_list, insert=True
            )
            cursor.execute(sql, params)


def rebuild_rows(*, years: Iterable[int] | None = None) -> int:
    """Recompute every roll-up row (of these years) from all members and payments. The caller
    holds the transaction."""
    year_list = None if years is None else sorted(set(years))
    if connection.vendor == "postgresql":
        # Payments recorded meanwhile wait for the rebuild, then add their delta on top;
        # readers go on reading the rows as they were until it commits.
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {_table(DuesRollup)} IN EXCLUSIVE MODE")
    refresh_rows(members=EVERYTHING, rollups=EVERYTHING, grassroots=EVERYTHING, years=year_list)
    qs = DuesRollup.objects.all()
    if year_list is not None:
        qs = qs.filter(year__in=year_list)
    return qs.count()


# --- One member at a time ----------------------------------------------------------------------


def standards_for_grassroots(
    *, grassroots: Unit, years: Iterable[int]
) -> dict[tuple[int, str], DuesStandard]:
    """The standard in force per (year, member type) for members of this association: the one
    set by its nearest ancestor (itself included). One query."""
    found: dict[tuple[int, str], DuesStandard] = {}
    rows = (
        DuesStandard.objects.filter(
            unit__path__in=ancestor_paths(grassroots.path), year__in=list(years)
        )
        .select_related("unit")
        .order_by("unit__depth")
    )
    for standard in rows:  # shallow to deep: the nearest overwrites
        found[(standard.year, standard.member_type)] = standard
    return found


def is_due_in(member: Member, year: int) -> bool:
    """Whether the member counts as due in `year` if a standard applies (status and join date)."""
    return member.status == "active" and (member.join_date is None or member.join_date.year <= year)


def member_due_cents(
    member: Member, year: int, standards: dict[tuple[int, str], DuesStandard]
) -> int:
    if not is_due_in(member, year):
        return 0
    standard = standards.get((year, member.member_type))
    return to_cents(standard.amount) if standard is not None else 0


def member_paid_cents(member_id: int, year: int) -> int:
    amounts = Payment.objects.valid().filter(member_id=member_id, dues_year=year)
    return sum(to_cents(a) for a in amounts.values_list("amount", flat=True))


def apply_payment_delta(
    *, member: Member, year: int, due: int, paid_before: int, paid_after: int
) -> None:
    """Move the member's unit's row by what this change of the member's paid total does to it.
    The caller holds the member and grassroots locks, so `paid_before` is current."""
    capped_before, capped_after = min(paid_before, due), min(paid_after, due)
    settled_before = due > 0 and paid_before >= due
    settled_after = due > 0 and paid_after >= due
    delta = {
        "paid_cents": capped_after - capped_before,
        "members_paid": int(settled_after) - int(settled_before),
        "received_cents": paid_after - paid_before,
    }
    engine.apply_delta(DuesRollup, unit_id=member.unit_id, year=year, keys=None, **delta)
    if paid_after < paid_before:
        # No row is kept for a unit where nobody is due and nothing was received.
        DuesRollup.objects.filter(
            unit_id=member.unit_id, year=year, members_due=0, received_cents=0
        ).delete()
