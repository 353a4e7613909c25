"""Benchmark the campaign's progress at national scale (~100,000 units, ~1.5 million task
states): for the nation, a province and a grassroots association, the selector
`campaign_progress` and the pages that render it, in server time (median of N runs) and
queries, beside the bare SQL `GROUP BY` over the task states doing the same count, in one run;
then the full rebuild (every completion's on-time judged afresh, the province totals summed)
beside the bare `GROUP BY` over every task state.

Run through `make bench` (a scratch SQLite database unless DATABASE_URL is set). Seeds what is
missing first (`seed.py`): the network, then the campaigns.
"""

import logging
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from jiceng.accounts.models import User
from jiceng.org.anchors import child_path_length
from jiceng.org.models import Level, Unit

from ...measures import CAMPAIGN_TASKS
from ...models import Campaign, Task, TaskCompletion, TaskProgressProvinceTotal
from ...selectors import campaign_progress
from ..seed import bench_campaign, seed, seed_document_at_scale

#: Transaction control is not work the page asks of the database.
CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return sum(1 for q in ctx.captured_queries if not q["sql"].upper().startswith(CONTROL))


def group_by(campaign: Campaign, unit: Unit) -> Callable[[], list[tuple[Any, ...]]]:
    """The bare SQL count the progress is: the campaign's task states in `unit`'s subtree per
    child, task, state and on time, straight from the task-state table (raw cursor)."""
    table = TaskCompletion._meta.db_table
    units = Unit._meta.db_table
    task_ids = list(
        Task.objects.filter(phase__campaign=campaign, parent_task__isnull=True).values_list(
            "pk", flat=True
        )
    )
    tasks = ", ".join(str(int(pk)) for pk in task_ids)
    if unit.level == Level.NATIONAL:
        sql = (
            f"SELECT c.province_id, c.task_id, c.state, c.on_time, COUNT(*) FROM {table} c"  # noqa: S608
            f" WHERE c.task_id IN ({tasks}) GROUP BY c.province_id, c.task_id, c.state, c.on_time"
        )
        params: list[Any] = []
    else:
        anchor = "c.province_id" if unit.level == Level.PROVINCE else "c.grassroots_id"
        length = child_path_length(unit)
        sql = (
            f"SELECT substr(u.path, 1, {length}), c.task_id, c.state, c.on_time, COUNT(*)"  # noqa: S608
            f" FROM {table} c JOIN {units} u ON u.id = c.unit_id"
            f" WHERE {anchor} = %s AND c.task_id IN ({tasks})"
            f" GROUP BY substr(u.path, 1, {length}), c.task_id, c.state, c.on_time"
        )
        params = [unit.pk]

    def run() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    return run


def whole_table_group_by() -> list[tuple[Any, ...]]:
    """Every task state counted per province, task, state and on time: the bare GROUP BY over
    the whole table that a rebuild is compared with."""
    table = TaskCompletion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT province_id, task_id, state, on_time, COUNT(*) FROM {table}"  # noqa: S608
            " GROUP BY province_id, task_id, state, on_time"
        )
        return list(cursor.fetchall())


def _url(name: str, **kwargs: int) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # a page this version of the code does not have
        return None


class Command(BaseCommand):
    help = "Time the campaign's progress and its summary rows at national scale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20, help="Runs per figure (median).")
        parser.add_argument(
            "--rebuild-runs", type=int, default=3, help="Runs of the full rebuild (median)."
        )
        parser.add_argument("--scale", choices=["small", "national"], default="national")
        parser.add_argument(
            "--members", type=int, default=3000, help="Members, when the network is seeded too."
        )
        parser.add_argument(
            "--years", type=int, default=11, help="Campaigns: this year's and the ones before."
        )
        parser.add_argument(
            "--province", default="340000", help="Code of the province to time (安徽)."
        )
        parser.add_argument(
            "--association", default="340104", help="Code of the association to time (蜀山区)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        runs: int = options["runs"]
        seeded = seed(scale=options["scale"], members=options["members"], years=options["years"])
        if seeded.campaigns:
            self.stdout.write(
                f"seeded: network {seeded.seconds_network:.1f} s, {seeded.campaigns} campaigns "
                f"and {seeded.completions:,} task states {seeded.seconds_campaign:.1f} s, "
                f"province totals (rebuild) {seeded.seconds_rebuild:.1f} s"
            )
        campaign = bench_campaign()
        assert campaign is not None
        current_states = TaskCompletion.objects.filter(task__phase__campaign=campaign).count()
        self.stdout.write(
            f"database: {connection.vendor}, {Unit.objects.count():,} units, "
            f"{TaskCompletion.objects.count():,} task states ({current_states:,} in the running "
            f"campaign, {campaign.year}), {TaskProgressProvinceTotal.objects.count():,}"
            " province totals"
        )
        root = Unit.objects.get(level=Level.NATIONAL)
        units = [("the nation", root)]
        for label, code, level in (
            ("province", options["province"], Level.PROVINCE),
            ("association", options["association"], Level.GRASSROOTS),
        ):
            unit = Unit.objects.filter(code=code, level=level).first() or (
                Unit.objects.filter(level=level).order_by("code").first()
            )
            if unit is not None:
                units.append((f"{label} {unit.short_name or unit.name}", unit))

        admin = User.objects.get(username="national")
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin, backend="jiceng.accounts.backends.UsernameOrPhoneBackend")

        def get(url: str) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        def fails(url: str) -> str | None:
            """Why the page cannot be timed (it does not answer 200), or None."""
            quiet = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
            quiet.force_login(admin, backend="jiceng.accounts.backends.UsernameOrPhoneBackend")
            log = logging.getLogger("django.request")
            level = log.level
            log.setLevel(logging.CRITICAL)
            try:
                status = quiet.get(url).status_code
            finally:
                log.setLevel(level)
            return None if status == 200 else f"HTTP {status}"

        rows: list[tuple[str, str, float | None, int | None, float]] = []
        for label, unit in units:
            raw = group_by(campaign, unit)
            raw_ms = median_ms(raw, runs)
            pages: list[tuple[str, str | None]] = [
                ("page /campaign/ (tab)", f"/units/{unit.pk}/campaign/")
            ]
            progress = _url("campaigns:progress", pk=unit.pk, campaign_pk=campaign.pk)
            pages.append(("page /campaign/<id>/progress/", progress))
            fn: Callable[[], Any] = partial(campaign_progress, campaign, unit)
            rows.append(
                (
                    label,
                    "selector campaign_progress",
                    median_ms(fn, runs),
                    count_queries(fn),
                    raw_ms,
                )
            )
            for what, url in pages:
                why = "not built" if url is None else fails(url)
                if url is None or why is not None:
                    rows.append((label, f"{what}: {why}", None, None, raw_ms))
                    continue
                fn = partial(get, url)
                rows.append((label, what, median_ms(fn, runs), count_queries(fn), raw_ms))

        self.stdout.write(
            f"\n| progress of | what | server time (ms, median of {runs}) | queries"
            " | bare GROUP BY (ms) | ÷ GROUP BY |"
        )
        self.stdout.write("| --- | --- | ---: | ---: | ---: | ---: |")
        for label, what, ms, queries, raw_ms in rows:
            if ms is None:
                self.stdout.write(f"| {label} | {what} | — | — | {raw_ms:.1f} | — |")
                continue
            self.stdout.write(
                f"| {label} | {what} | {ms:.1f} | {queries} | {raw_ms:.1f} | {ms / raw_ms:.1f}× |"
            )
        self._documents(units, runs, fails, get)
        self._rebuild(options["rebuild_runs"])

    def _documents(
        self,
        units: list[tuple[str, Unit]],
        runs: int,
        fails: Callable[[str], str | None],
        get: Callable[[str], None],
    ) -> None:
        """The acknowledgement status of the national document to every association: the
        selector and the document's page, beside the bare GROUP BY over its receipts."""
        document, _created = seed_document_at_scale()
        if document is None:
            self.stdout.write("\n(no documents app: acknowledgement status not timed)")
            return
        from jiceng.documents.models import Receipt
        from jiceng.documents.selectors import document_status

        table = Receipt._meta.db_table
        receipts = Receipt.objects.filter(origin_id=document.origin_pk).count()
        self.stdout.write(
            f"\n| acknowledgement of a national document ({receipts:,} receipts) | what"
            " | server time (ms) | queries | bare GROUP BY (ms) | ÷ GROUP BY |"
        )
        self.stdout.write("| --- | --- | ---: | ---: | ---: | ---: |")
        for label, unit in units[:2]:
            anchor = "province_id" if unit.level == Level.NATIONAL else "grassroots_id"
            where = "" if unit.level == Level.NATIONAL else " AND province_id = %s"
            sql = (
                f"SELECT {anchor}, level, COUNT(*), COUNT(read_at), COUNT(acknowledged_at)"  # noqa: S608
                f" FROM {table} WHERE origin_id = %s{where} GROUP BY {anchor}, level"
            )
            params = [document.origin_pk] + ([] if not where else [unit.pk])

            def raw(sql: str = sql, params: list[int] = params) -> None:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)
                    cursor.fetchall()

            raw_ms = median_ms(raw, runs)
            measured: list[tuple[str, Callable[[], Any] | None, str]] = [
                ("selector document_status", partial(document_status, document, unit), "")
            ]
            if unit.level == Level.NATIONAL:
                url = f"/documents/{document.pk}/"
                why = fails(url)
                measured.append(
                    (f"page {url}", partial(get, url) if why is None else None, why or "")
                )
            for what, fn, why in measured:
                if fn is None:
                    self.stdout.write(f"| {label} | {what}: {why} | — | — | {raw_ms:.1f} | — |")
                    continue
                ms = median_ms(fn, runs)
                self.stdout.write(
                    f"| {label} | {what} | {ms:.1f} | {count_queries(fn)} | {raw_ms:.1f}"
                    f" | {ms / raw_ms:.1f}× |"
                )

    def _rebuild(self, runs: int) -> None:
        """The full rebuild beside the bare GROUP BY over every state: every completion's on
        time judged afresh (writing only what differs) and the province totals summed."""
        raw_ms = median_ms(whole_table_group_by, runs)
        samples = []
        written = 0
        for _ in range(max(1, runs)):
            started = time.perf_counter()
            written = CAMPAIGN_TASKS.rebuild()
            samples.append((time.perf_counter() - started) * 1000)
        rebuild_ms = statistics.median(samples)
        self.stdout.write(
            f"\n| full rebuild (on time judged afresh, totals summed) | task states"
            f" | ms (median of {max(1, runs)})"
            " | bare GROUP BY over every state (ms) | ÷ GROUP BY |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: |")
        self.stdout.write(
            f"| `campaign_tasks` | {written:,} | {rebuild_ms:.0f} | {raw_ms:.0f}"
            f" | {rebuild_ms / raw_ms:.1f}× |"
        )
