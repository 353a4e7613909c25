"""Benchmark pages at national scale (~100,000 units, 10 million members, and the activities,
complaints and rules documents of every grassroots association and branch): each page against
the raw SQL it runs; subtree queries against treebeard's own API; and the country's dues
collection rates, rebuilt from every member and payment and read from the roll-ups.

Run through `make bench`, which points DATABASE_URL at a scratch database unless one is given.
"""

import io
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from jiceng.accounts.models import User
from jiceng.members.models import Member
from jiceng.org.models import Level, Unit


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def _url(name: str, pk: int) -> str | None:
    """The page's address, or None where this version of the code has no such page."""
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return None


def _ours(unit: Unit) -> int:
    return Unit.objects.filter(path__subtree=unit.path).count()


def _treebeard(unit: Unit) -> int:
    """What a treebeard user writes: get_descendants, a LIKE on the path."""
    return int(Unit.objects.get_descendants(unit, include_self=True).count())


class Command(BaseCommand):
    help = "Time the tree browser and subtree queries at national scale (~100,000 units)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args: Any, runs: int, **options: Any) -> None:
        vendor = connection.vendor
        if not Unit.objects.exists():
            started = time.monotonic()
            call_command("seed_demo", "--scale", "national", stdout=io.StringIO())
            self.stdout.write(f"seed_demo --scale national: {time.monotonic() - started:.1f} s")
        units = Unit.objects.count()
        self.stdout.write(f"database: {vendor}, {units:,} units, {self._size()}")
        self.stdout.write(self._facts())

        admin = User.objects.get(username="national")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin, backend="jiceng.accounts.backends.UsernameOrPhoneBackend")
        root = Unit.objects.get(level=Level.NATIONAL)
        anhui = Unit.objects.get(code="340000")
        shushan = Unit.objects.get(code="340104")
        phone = (
            Member.objects.filter(grassroots=shushan)
            .exclude(phone="")
            .values_list("phone", flat=True)[:1]
        )
        rows: list[tuple[str, float | None, float | None, int]] = []
        for label, url in [
            ("tree browser, national root", f"/units/{root.pk}/"),
            ("tree browser, 安徽省", f"/units/{anhui.pk}/"),
            ("unit profile, 蜀山区", f"/units/{shushan.pk}/?tab=profile"),
            ("search 蜀山, whole country", "/units/search/?q=蜀山"),
            ("members, whole country", f"/units/{root.pk}/members/"),
            ("members, 安徽省", f"/units/{anhui.pk}/members/"),
            ("members, 蜀山区", f"/units/{shushan.pk}/members/"),
            (
                "member search by phone, whole country",
                f"/units/{root.pk}/members/?q={phone[0][:7] if phone else '138'}",
            ),
            # A name search is a substring match: a common name fills the page at once, a
            # name no one has reads every member in the area (no index serves a substring).
            (
                "member search by a common name (张), whole country",
                f"/units/{root.pk}/members/?q=张",
            ),
            ("member search by a name no one has, 安徽省", f"/units/{anhui.pk}/members/?q=张三丰"),
            (
                "member search by a name no one has, whole country",
                f"/units/{root.pk}/members/?q=张三丰",
            ),
            ("dues and collection rates, whole country", f"/units/{root.pk}/dues/"),
            ("dues and collection rates, 安徽省", f"/units/{anhui.pk}/dues/"),
            # Activities, complaints and rules: the year's figures per child, whole subtree.
            ("activity summary, whole country", f"/units/{root.pk}/activities/summary/"),
            ("activity summary, 安徽省", f"/units/{anhui.pk}/activities/summary/"),
            ("complaint summary, whole country", f"/units/{root.pk}/complaints/summary/"),
            ("complaint summary, 安徽省", f"/units/{anhui.pk}/complaints/summary/"),
            ("rules coverage, whole country", f"/units/{root.pk}/rules/"),
            ("rules coverage, 安徽省", f"/units/{anhui.pk}/rules/"),
            ("unit overview, 蜀山区", f"/units/{shushan.pk}/"),
            ("unit figures (overview's partial), 蜀山区", _url("org:unit_figures", shushan.pk)),
        ]:
            if url is None:  # a page this version does not have
                rows.append((label, None, None, 0))
                continue
            page_ms = _median_ms(partial(client.get, url), runs)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            # The same statements, minus transaction control (autocommit applies them).
            control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
            queries = [
                q["sql"] for q in ctx.captured_queries if not q["sql"].upper().startswith(control)
            ]

            def replay(queries: list[str] = queries) -> None:
                with connection.cursor() as cursor:
                    for sql in queries:
                        cursor.execute(sql)
                        if cursor.description is not None:
                            cursor.fetchall()

            raw_ms = _median_ms(replay, runs)
            rows.append((label, page_ms, raw_ms, len(queries)))

        self.stdout.write(
            "\n| page | server time (ms) | raw SQL of the same queries (ms) | page ÷ raw"
            " | queries |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: |")
        for label, page, raw, n in rows:
            if page is None or raw is None:
                self.stdout.write(f"| {label} | — | — | — | — |")
                continue
            self.stdout.write(f"| {label} | {page:.1f} | {raw:.1f} | {page / raw:.1f}× | {n} |")

        # Subtree queries: our indexed lookup vs treebeard's get_descendants (LIKE) vs raw SQL.
        self.stdout.write(
            "\n| subtree query | ours (ms) | raw SQL (ms) | treebeard API (ms) | ours ÷ raw"
            " | treebeard ÷ ours |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: | ---: |")
        hefei = Unit.objects.get(code="340100")
        for label, unit in [
            ("count under 合肥市", hefei),
            ("count under 安徽省", anhui),
            ("count under national", root),
        ]:
            ours = _median_ms(partial(_ours, unit), runs)
            theirs = _median_ms(partial(_treebeard, unit), runs)
            raw = _median_ms(partial(self._raw_count, unit.path), runs)
            self.stdout.write(
                f"| {label} | {ours:.2f} | {raw:.2f} | {theirs:.2f} | {ours / raw:.1f}×"
                f" | {theirs / ours:.1f}× |"
            )
        per_level = _median_ms(
            lambda: list(
                Unit.objects.filter(path__subtree=root.path)
                .order_by()
                .values("level")
                .annotate(n=Count("id"))
            ),
            runs,
        )
        self.stdout.write(f"\nper-level counts of the whole country: {per_level:.1f} ms")
        self._collection_rates(root)

    def _collection_rates(self, root: Unit) -> None:
        """The country's collection rates: rebuilt from every member and payment (what the
        roll-ups save each page from doing), then read from the roll-ups, per province."""
        from django.utils import timezone

        from jiceng.dues.selectors import collection_rates_by_child
        from jiceng.dues.services import rollup_rebuild

        year = timezone.localdate().year
        members = Member.objects.count()
        started = time.perf_counter()
        rows = rollup_rebuild(years=[year - 1, year])
        rebuild = time.perf_counter() - started
        read = _median_ms(lambda: collection_rates_by_child(unit=root, year=year), 5)
        self.stdout.write(
            f"\ncollection rates, whole country ({members:,} members, 2 years): rebuilt from "
            f"every member and payment in {rebuild:.1f} s ({rows:,} roll-up rows); read per "
            f"province from the roll-ups in {read:.1f} ms"
        )

    def _facts(self) -> str:
        """How much the activity pages have to read (the demo seeds it set-based)."""
        from jiceng.activities.models import Activity, Complaint, RuleDocument

        return (
            f"{Activity.objects.count():,} activities, {Complaint.objects.count():,} complaints,"
            f" {RuleDocument.objects.count():,} rules documents"
        )

    def _raw_count(self, prefix: str) -> int:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT COUNT(*) FROM org_unit WHERE path LIKE %s", [prefix + "%"])
            else:
                cursor.execute(
                    "SELECT COUNT(*) FROM org_unit WHERE path >= %s AND path < %s",
                    [prefix, prefix + "~"],
                )
            return int(cursor.fetchone()[0])

    def _size(self) -> str:
        if connection.vendor == "sqlite":
            path = settings.DATABASES["default"]["NAME"]
            return f"{Path(path).stat().st_size / 1048576:.0f} MB on disk"
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            return f"{cursor.fetchone()[0]} on disk"
