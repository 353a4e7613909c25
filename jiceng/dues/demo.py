"""Demo dues for the members already in the database: standards and payments, set-based.

Everything is INSERT … SELECT over the members table with pseudo-randomness drawn from ids
(`(id * 7919) % 100 < 75`), so the same database always gets the same dues, and the national
scale (10 million members) takes minutes on SQLite or PostgreSQL: no Python loop over members.
The SQL is plain enough for both engines (CASE, ||, CAST, ROUND, a VALUES table of dates);
`%%` is the modulo operator written for parameterised statements.
"""

import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jiceng.members.models import Member
from jiceng.org.models import Level, Unit

from .models import DuesStandard, Payment
from .services import rollup_rebuild

#: Payment dates are drawn from this many slots, crowded towards the start of the year (most
#: members pay when the association collects in spring).
DATE_SLOTS = 300


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _seed_standards(year: int, now: datetime.datetime) -> None:
    """Every province sets a default, and every grassroots association its own standard, per
    member type: individual businesses 100–300 yuan, enterprises 500–2000, varying by province
    (the first two digits of the unit's code) and a little by association; the year before is
    about a tenth lower."""
    province = "CAST(substr(u.code, 1, 2) AS INTEGER)"
    amounts = {
        Level.GRASSROOTS: {
            "individual": f"(100 + (({province} * 7 + u.id %% 5) %% 21) * 10)",
            "enterprise": f"(500 + (({province} * 11 + u.id %% 3) %% 16) * 100)",
        },
        Level.PROVINCE: {
            "individual": f"(150 + ({province} %% 6) * 20)",
            "enterprise": f"(800 + ({province} %% 7) * 100)",
        },
    }
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for level, by_type in amounts.items():
            for member_type, amount in by_type.items():
                for y, scale in ((year, "10"), (year - 1, "9")):
                    cursor.execute(
                        f"""
                        INSERT INTO {_table(DuesStandard)}
                            (lock_version, unit_id, year, member_type, amount,
                             updated_by_id, updated_at)
                        SELECT 1, u.id, %s, %s, ({amount} * {scale} / 100) * 10, NULL, %s
                        FROM {_table(Unit)} u
                        WHERE u.level = %s
                        """,  # noqa: S608 - table names and expressions are ours
                        [y, member_type, stamp, level.value],
                    )


def _date_slots(year: int, today: datetime.date) -> list[tuple[int, Any, Any]]:
    """(slot, date paid, recorded at) for the year, never after today."""
    first = datetime.date(year, 1, 1)
    last = min(datetime.date(year, 12, 31), today)
    span = (last - first).days
    slots = []
    tz = timezone.get_current_timezone()
    for k in range(DATE_SLOTS):
        day = first + datetime.timedelta(days=(k * k * span) // (DATE_SLOTS * DATE_SLOTS))
        at = datetime.datetime.combine(day, datetime.time(9 + k % 8, (k * 7) % 60), tzinfo=tz)
        slots.append(
            (
                k,
                connection.ops.adapt_datefield_value(day),
                connection.ops.adapt_datetimefield_value(min(at, timezone.now())),
            )
        )
    return slots


def _seed_payments(year: int, *, share: int, today: datetime.date) -> None:
    """Payments of `year` by `share`–(`share` + 25)% of the members due (by province); one in ten
    of them pays half; receipts numbered by year and member, unique in each association."""
    slots = _date_slots(year, today)
    values = ", ".join(["(%s, %s, %s)"] * len(slots))
    params: list[Any] = [value for slot in slots for value in slot]
    pick = "(m.id * 7919) %% 100"
    method = "(m.id * 17 + %s) %% 100"
    sql = f"""
        WITH slots(k, paid_on, recorded_at) AS (VALUES {values})
        INSERT INTO {_table(Payment)}
            (member_id, unit_id, grassroots_id, province_id, dues_year, paid_on, amount, method,
             receipt_number, note, idempotency_key, recorded_by_id, recorded_at, voided_at,
             voided_by_id, void_reason)
        SELECT m.id, m.unit_id, m.grassroots_id, m.province_id, s.year, d.paid_on,
               CASE WHEN (m.id * 31) %% 10 = 0 THEN ROUND(s.amount / 2) ELSE s.amount END,
               CASE WHEN {method} < 38 THEN 'wechat'
                    WHEN {method} < 58 THEN 'alipay'
                    WHEN {method} < 76 THEN 'bank_transfer'
                    WHEN {method} < 97 THEN 'cash'
                    ELSE 'other' END,
               %s || CAST(m.id AS VARCHAR(20)), '', NULL, NULL, d.recorded_at, NULL, NULL, ''
        FROM {_table(Member)} m
        JOIN {_table(DuesStandard)} s
          ON s.unit_id = m.grassroots_id AND s.year = %s AND s.member_type = m.member_type
        JOIN slots d ON d.k = (m.id * 13) %% {DATE_SLOTS}
        WHERE m.status = 'active'
          AND (m.join_date IS NULL OR m.join_date <= %s)
          AND s.amount > 0
          AND {pick} < %s + (m.province_id * 7) %% 26
    """  # noqa: S608 - table names and expressions are ours
    params += [
        year,
        year,
        year,
        year,
        f"{year}-",
        year,
        connection.ops.adapt_datefield_value(datetime.date(year, 12, 31)),
        share,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _analyze(*models: Any) -> None:
    """Fresh planner statistics on PostgreSQL: tables filled moments ago look empty to it, and
    it would then join millions of members by nested loops."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {_table(model)}")


def seed_dues(*, year: int) -> None:
    """Standards for `year` and the year before, payments by most members due, then the full
    roll-up rebuild. For the members already in the database; run once, on empty dues tables."""
    today = timezone.localdate()
    with transaction.atomic():
        _analyze(Member, Unit)
        _seed_standards(year, timezone.now())
        _analyze(DuesStandard)
        _seed_payments(year - 1, share=65, today=today)
        _seed_payments(year, share=60, today=today)
        _analyze(Payment)
    rollup_rebuild(years=[year - 1, year])
