"""Benchmark the roster import against the raw engine and against django-import-export.

One run, the same generated roster (1,000,000 rows by default), on SQLite and PostgreSQL:

- reader: python-calamine reading the .xlsx, nothing else (what the reader itself costs);
- floor: the same read plus a bare bulk insert of the rows into the members table, no checks
  (executemany on SQLite, COPY on PostgreSQL, one transaction);
- import: `import_members`' pipeline, valid-only, into an empty table;
- import (CSV): the same roster as UTF-8 CSV, which streams;
- peer: django-import-export importing a sample of the same rows into the same model with a
  plain ModelResource (matching by credit code), timed and extrapolated to the full count.

Each measurement runs in a fresh process so its peak memory (ru_maxrss) is its own.
"""

import datetime
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

HEADER = [
    "序号",
    "字号名称",
    "经营者",
    "统一社会信用代码",
    "身份证号码",
    "联系电话",
    "入会时间",
    "行业",
]
INDUSTRIES = ["批发和零售业", "住宿和餐饮业", "居民服务、修理和其他服务业", "制造业"]
UNIT_CODE = "340104"


def _row(i: int) -> list[Any]:
    from jiceng.members.identifiers import make_credit_code, make_id_number

    born = datetime.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
    return [
        i + 1,
        f"蜀山区{i}号{'小吃店' if i % 3 else '便利店'}",
        "张王李赵刘陈"[i % 6] + "伟芳娜敏静强"[i % 7 % 6],
        make_credit_code(kind="92", area=UNIT_CODE, body=f"{i:09d}"),
        make_id_number(area=UNIT_CODE, born=born, sequence=i % 1000) if i % 3 == 0 else "",
        13000000000 + i,
        datetime.date(2010 + i % 15, 1 + i % 12, 1 + i % 28),
        INDUSTRIES[i % len(INDUSTRIES)],
    ]


def write_roster(path: Path, rows: int, *, messy: bool = True) -> None:
    """An .xlsx as counties send it: a merged title row and a blank row above the header
    (`messy`), phones as numbers, join dates as date cells."""
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.xlsx")
    workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    sheet = workbook.add_worksheet("会员")
    dated = workbook.add_format({"num_format": "yyyy-mm-dd"})
    top = 0
    if messy:
        sheet.write_string(0, 0, "合肥市蜀山区个体劳动者协会会员花名册")
        top = 2
    sheet.write_row(top, 0, HEADER)
    for i in range(rows):
        r = top + 1 + i
        values = _row(i)
        sheet.write_number(r, 0, values[0])
        for c in (1, 2, 3, 4, 7):
            if values[c]:
                sheet.write_string(r, c, values[c])
        sheet.write_number(r, 5, values[5])
        sheet.write_datetime(r, 6, values[6], dated)
    workbook.close()
    tmp.rename(path)


def write_csv(path: Path, rows: int) -> None:
    import csv

    tmp = path.with_suffix(".tmp.csv")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            values = _row(i)
            values[6] = values[6].isoformat()
            writer.writerow(values)
    tmp.rename(path)


# --- the measured variants (each in its own process) --------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _target() -> Any:
    from jiceng.org.models import Unit

    return Unit.objects.get(code=UNIT_CODE)


def _empty_members() -> None:
    """Empty the tables an import writes, in SQL (the ORM's delete would load every row)."""
    from django.db import connection

    tables = ["members_importproblem", "members_member", "members_memberimport"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            cursor.execute("DELETE FROM core_auditentry WHERE object_type = 'members.memberimport'")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608  (our table names)
            cursor.execute("VACUUM")
    os.sync()  # the next measurement should not pay for this one's writes


def run_reader(path: Path) -> dict[str, Any]:
    import python_calamine

    started = time.perf_counter()
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sum(1 for _ in sheet.iter_rows())
    return {"seconds": time.perf_counter() - started, "rows": rows - 3}


def run_floor(path: Path) -> dict[str, Any]:
    import python_calamine
    from django.db import connection, transaction
    from django.utils import timezone

    from jiceng.core import bulk
    from jiceng.members.models import Member

    unit = _target()
    fields = (
        "unit", "grassroots", "province", "member_type", "business_name", "operator",
        "credit_code", "registration_number", "id_number_index", "id_number_legacy", "phone",
        "industry", "address", "join_date", "status", "flags", "created_at", "updated_at",
        "lock_version",
    )  # fmt: skip
    adapt = bulk.adapter(connection)
    now = adapt["datetime"](timezone.now())
    province = unit.get_ancestors()[1].pk
    started = time.perf_counter()
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    count = 0
    with transaction.atomic():
        batch: list[tuple[Any, ...]] = []
        for index, r in enumerate(sheet.iter_rows()):
            if index < 3:
                continue
            batch.append(
                (unit.pk, unit.pk, province, "individual", r[1], r[2], r[3], "", r[4], False,
                 str(r[5]), r[7], "", adapt["date"](r[6]), "active", "[]", now, now, 1)
            )  # fmt: skip
            if len(batch) == 10_000:
                bulk.insert_rows(connection, Member, fields, batch)
                count += len(batch)
                batch = []
        bulk.insert_rows(connection, Member, fields, batch)
        count += len(batch)
    return {"seconds": time.perf_counter() - started, "rows": count}


def run_import(path: Path) -> dict[str, Any]:
    from jiceng.core.actor import Actor
    from jiceng.members.imports.service import run_inline

    started = time.perf_counter()
    job = run_inline(actor=Actor.system(), unit=_target(), path=path, mode="valid-only")
    seconds = time.perf_counter() - started
    assert job.state == "done", (job.state, job.failure_code, job.failure_message)
    return {"seconds": seconds, "rows": job.created_count, "rejected": job.rejected_count}


def run_peer(path: Path) -> dict[str, Any]:
    import tablib
    from import_export import fields, resources, widgets

    from jiceng.members.models import Member

    unit = _target()
    province = unit.get_ancestors()[1]

    class MemberResource(resources.ModelResource):
        business_name = fields.Field(attribute="business_name", column_name="字号名称")
        operator = fields.Field(attribute="operator", column_name="经营者")
        credit_code = fields.Field(attribute="credit_code", column_name="统一社会信用代码")
        phone = fields.Field(attribute="phone", column_name="联系电话")
        join_date = fields.Field(
            attribute="join_date", column_name="入会时间", widget=widgets.DateWidget()
        )
        industry = fields.Field(attribute="industry", column_name="行业")

        class Meta:
            model = Member
            import_id_fields = ("credit_code",)
            fields = ("business_name", "operator", "credit_code", "phone", "join_date", "industry")

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.unit, instance.grassroots, instance.province = unit, unit, province
            instance.member_type = "individual"

    started = time.perf_counter()
    with path.open("rb") as handle:
        dataset = tablib.Dataset().load(handle.read(), format="xlsx")
    result = MemberResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": result.totals["new"] + result.totals["update"]}


VARIANTS = {
    "reader": run_reader,
    "floor": run_floor,
    "import": run_import,
    "import_csv": run_import,
    "peer": run_peer,
}


def prepare_database() -> None:
    """Migrate and give the scratch database the units a roster for 蜀山区 needs."""
    from django.core.management import call_command

    from jiceng.core.actor import Actor
    from jiceng.org import services
    from jiceng.org.models import Level, Unit, Venue

    call_command("migrate", verbosity=0)
    if Unit.objects.filter(code=UNIT_CODE).exists():
        return
    root = Unit.objects.add_root(
        {"code": "100000", "name": "中国个体劳动者协会", "level": Level.NATIONAL}
    )
    Venue.objects.create(unit=root)
    actor = Actor.system()
    parent = root
    for code, name, level in (
        ("340000", "安徽省个体劳动者私营企业协会", Level.PROVINCE),
        ("340100", "合肥市个体劳动者私营企业协会", Level.CITY),
        (UNIT_CODE, "蜀山区个体劳动者私营企业协会", Level.GRASSROOTS),
    ):
        parent = services.unit_create(
            actor=actor, parent=parent, data={"code": code, "name": name, "level": level}
        )


class Command(BaseCommand):
    help = "Benchmark the member import: ours vs the raw floor vs django-import-export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--peer-rows", type=int, default=10_000)
        parser.add_argument(
            "--pg-url",
            default=os.environ.get(
                "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/jiceng_bench_import"
            ),
        )
        parser.add_argument("--databases", default="sqlite,postgresql")
        parser.add_argument(
            "--repeat", type=int, default=2, help="Runs of each timed step; the best counts."
        )
        parser.add_argument("--child", default="", help=Command.SUPPRESS)
        parser.add_argument("--file", default="", help=Command.SUPPRESS)

    SUPPRESS = "==SUPPRESS=="

    def handle(self, *args: Any, **options: Any) -> None:
        if options["child"]:
            self._child(options["child"], Path(options["file"]))
            return
        work = Path(settings.VAR_DIR) / "bench"
        rows = options["rows"]
        files = {
            "xlsx": work / f"members-{rows}.xlsx",
            "csv": work / f"members-{rows}.csv",
            "peer": work / f"members-{options['peer_rows']}-clean.xlsx",
        }
        started = time.monotonic()
        if not files["xlsx"].exists():
            write_roster(files["xlsx"], rows)
        if not files["csv"].exists():
            write_csv(files["csv"], rows)
        if not files["peer"].exists():
            write_roster(files["peer"], options["peer_rows"], messy=False)
        self.stdout.write(
            f"roster: {rows:,} rows, {files['xlsx'].stat().st_size / 1048576:.0f} MB .xlsx, "
            f"{files['csv'].stat().st_size / 1048576:.0f} MB .csv "
            f"(generated in {time.monotonic() - started:.0f} s if new)"
        )
        urls = {
            "sqlite": f"sqlite:///{work / 'import.sqlite3'}",
            "postgresql": options["pg_url"],
        }
        results: dict[str, dict[str, dict[str, Any]]] = {}
        for vendor in [v.strip() for v in options["databases"].split(",") if v.strip()]:
            url = urls[vendor]
            if vendor == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(str(work / "import.sqlite3") + suffix).unlink(missing_ok=True)
            else:
                self._fresh_pg(url)
            self._spawn("prepare", Path(), url)
            results[vendor] = {"reader": self._spawn("reader", files["xlsx"], url)}
            for variant, path in (
                ("floor", files["xlsx"]),
                ("import", files["xlsx"]),
                ("import_csv", files["csv"]),
                ("peer", files["peer"]),
            ):
                runs = []
                for _ in range(options["repeat"] if variant != "peer" else 1):
                    self._spawn("clean", Path(), url, quiet=True)
                    runs.append(self._spawn(variant, path, url))
                results[vendor][variant] = min(runs, key=lambda r: r["seconds"])
        self._report(results, rows, options["peer_rows"])

    # --- processes --------------------------------------------------------------------------

    def _spawn(self, variant: str, path: Path, url: str, *, quiet: bool = False) -> dict[str, Any]:
        # The benchmark's CSV of a million rows is past the default 100 MB upload limit.
        env = {**os.environ, "DATABASE_URL": url, "MAX_IMPORT_BYTES": str(2**30)}
        command = [
            sys.executable,
            "manage.py",
            "bench_members",
            "--child",
            variant,
            "--file",
            str(path),
        ]
        done = subprocess.run(  # noqa: S603  (our own command, fixed arguments)
            command, env=env, capture_output=True, text=True, check=False, cwd=settings.BASE_DIR
        )
        if done.returncode != 0:
            raise RuntimeError(f"{variant} failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        if not quiet:
            self.stdout.write(f"  {url.split(':')[0]:<10} {variant:<10} {json.dumps(result)}")
        return result

    def _child(self, variant: str, path: Path) -> None:
        if variant == "prepare":
            prepare_database()
            self.stdout.write("{}")
            return
        if variant == "clean":
            _empty_members()
            self.stdout.write("{}")
            return
        result = VARIANTS[variant](path)
        result["peak_mb"] = round(_peak_mb())
        self.stdout.write(json.dumps(result))

    def _fresh_pg(self, url: str) -> None:
        import dj_database_url
        import psycopg

        config = dj_database_url.parse(url)
        name = config["NAME"]
        admin = psycopg.connect(
            host=config["HOST"] or "127.0.0.1",
            port=config["PORT"] or 5432,
            user=config["USER"] or "postgres",
            password=config["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')

    # --- the table --------------------------------------------------------------------------

    def _report(
        self, results: dict[str, dict[str, dict[str, Any]]], rows: int, peer_rows: int
    ) -> None:
        self.stdout.write("\n(best of the runs above; rows/s and ratios from that run)")
        self.stdout.write("\n| database | step | time (s) | rows/s | peak memory (MB) |")
        self.stdout.write("| --- | --- | ---: | ---: | ---: |")
        for vendor, by in results.items():
            for variant, label in (
                ("reader", "read the .xlsx only (python-calamine)"),
                ("floor", "floor: read + bare bulk insert"),
                ("import", "**our import (.xlsx)**"),
                ("import_csv", "our import (.csv)"),
                ("peer", f"django-import-export ({peer_rows:,}-row sample)"),
            ):
                r = by[variant]
                self.stdout.write(
                    f"| {vendor} | {label} | {r['seconds']:.1f} | {r['rows'] / r['seconds']:,.0f} "
                    f"| {r['peak_mb']:,} |"
                )
        self.stdout.write(
            "\n| database | import ÷ floor (time) | peer ÷ import (time, extrapolated) "
            "| import ÷ reader (peak memory) | CSV import peak memory |"
        )
        self.stdout.write("| --- | ---: | ---: | ---: | ---: |")
        for vendor, by in results.items():
            ours = by["import"]["seconds"]
            peer_full = by["peer"]["seconds"] * rows / max(by["peer"]["rows"], 1)
            self.stdout.write(
                f"| {vendor} | {ours / by['floor']['seconds']:.2f}× | {peer_full / ours:.1f}× "
                f"(peer ≈ {peer_full / 60:.0f} min for {rows:,}) "
                f"| {by['import']['peak_mb'] / by['reader']['peak_mb']:.2f}× "
                f"| {by['import_csv']['peak_mb']:,} MB |"
            )
