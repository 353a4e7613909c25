"""The campaign at national scale, for `bench_campaigns`: on the demo's national network (the
network seeder, `org.demo.seed_demo`), a running campaign of this year with 15 tasks across the
four levels (and a province's and a city's local plan), the earlier years' campaigns it was
copied from (closed), and every unit's task states in a realistic mix — done on time, done late,
waived, not done — written with `core/bulk.py`, then the province totals built by the
measure's rebuild. Only the few campaign rows go through the services; the states are bulk facts.

At national scale the units that carry tasks (provinces, cities, grassroots associations and
their branches: about 34,000 of the network's 110,000 units; member groups carry none) hold
about 150,000 task states a campaign; with ten earlier years the table holds ~1.5 million.
"""

import datetime
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from jiceng.core.actor import Actor
from jiceng.core.bulk import adapter, insert_rows
from jiceng.org.anchors import steplen
from jiceng.org.models import Level, Unit

from .. import services
from ..measures import CAMPAIGN_TASKS, day_ends, deadline_in_force
from ..models import Campaign, CampaignStatus, CompletionKind, Task, TaskCompletion

#: The benchmark's campaign names carry this mark, so the seeder finds what it built.
MARK = "规模测试"
#: Where the local plans are: a province adds a task and brings one forward, a city another.
LOCAL_PROVINCE = "340000"  # 安徽
LOCAL_CITY = "340100"  # 合肥

#: (phase, starts, ends); dates as (month, day).
PHASES = [
    ("准备动员", (3, 1), (3, 31)),
    ("调查研究", (4, 1), (5, 31)),
    ("深入实施", (6, 1), (10, 31)),
    ("总结表彰", (11, 1), (12, 31)),
]
#: (phase index, level, title, deadline, completion): 15 tasks, 3 + 3 + 4 + 5.
TASKS = [
    (0, Level.PROVINCE, "研究制定实施方案", (3, 31), CompletionKind.DOCUMENT),
    (0, Level.PROVINCE, "召开动员部署大会", (3, 31), CompletionKind.MEETING),
    (0, Level.CITY, "成立相应的领导机构", (3, 31), CompletionKind.FORM),
    (0, Level.GRASSROOTS, "签收《基层协会工作规范》", (3, 31), CompletionKind.ACKNOWLEDGE),
    (1, Level.CITY, "开展调查研究", (5, 15), CompletionKind.DOCUMENT),
    (1, Level.GRASSROOTS, "查找存在问题，形成问题清单", (5, 31), CompletionKind.FORM),
    (1, Level.BRANCH, "组织会员问卷调查", (5, 31), CompletionKind.FORM),
    (2, Level.PROVINCE, "建立考核评价机制", (6, 30), CompletionKind.DOCUMENT),
    (2, Level.GRASSROOTS, "对照规范开展自查", (8, 31), CompletionKind.FORM),
    (2, Level.BRANCH, "召开分会会员大会", (9, 30), CompletionKind.MEETING),
    (2, Level.BRANCH, "完善分会工作制度", (10, 15), CompletionKind.FORM),
    (2, Level.GRASSROOTS, "落实整改措施", (10, 31), CompletionKind.FORM),
    (3, Level.CITY, "推荐先进单位和优秀秘书长", (11, 20), CompletionKind.DOCUMENT),
    (3, Level.BRANCH, "报送分会年度工作总结", (11, 25), CompletionKind.FORM),
    (3, Level.BRANCH, "报送会员服务台账", (12, 10), CompletionKind.FORM),
]

#: The mix of a task's states over the units expected to do it (the rest: not done). A unit
#: is diligent, middling or slack, and its tasks follow; roughly 58% on time, 22% late, 2%
#: waived, 18% not done over the whole country.
PROFILES = [  # (share of units, on time, late, waived)
    (0.55, 0.80, 0.15, 0.01),
    (0.30, 0.45, 0.30, 0.03),
    (0.15, 0.10, 0.30, 0.05),
]


def _profile(pick: float) -> tuple[float, float, float]:
    """(on time, late, waived) of the profile a draw in [0, 1) falls on."""
    for share, *chances in PROFILES:
        if pick < share:
            return (chances[0], chances[1], chances[2])
        pick -= share
    return PROFILES[-1][1], PROFILES[-1][2], PROFILES[-1][3]


def campaign_name(year: int) -> str:
    return f"基层协会建设年活动（{year}年，{MARK}）"


@dataclass
class Seeded:
    campaigns: int
    completions: int
    #: Province totals (the summary rows of `campaign_tasks`; the completions are its rows).
    rollup_rows: int
    seconds_network: float
    seconds_campaign: float
    seconds_rebuild: float


def ensure_network(*, scale: str, members: int) -> float:
    """The demo network (`seed_demo`) when the database has none; returns the seconds spent."""
    if Unit.objects.exists():
        return 0.0
    started = timezone.now()
    call_command("seed_demo", "--scale", scale, "--members", str(members), stdout=io.StringIO())
    return (timezone.now() - started).total_seconds()


def bench_campaign() -> Campaign | None:
    """The running campaign the seeder built, if any."""
    return (
        Campaign.objects.filter(name__contains=MARK, status=CampaignStatus.RUNNING)
        .select_related("unit")
        .order_by("-year", "-pk")
        .first()
    )


def _build_current(national: Unit, year: int, actor: Actor) -> Campaign:
    """This year's campaign through the services, with its local plans, started."""
    campaign = services.campaign_create(
        actor=actor, unit=national, name=campaign_name(year), year=year
    )
    phases = [
        services.phase_create(
            actor=actor,
            campaign=campaign,
            data={
                "name": name,
                "starts": datetime.date(year, *starts),
                "ends": datetime.date(year, *ends),
            },
        )
        for name, starts, ends in PHASES
    ]
    tasks = [
        services.task_create(
            actor=actor,
            phase=phases[phase],
            owner_unit=national,
            data={
                "level": level,
                "title": title,
                "description": "",
                "deadline": datetime.date(year, *deadline),
                "completion": completion,
                "condition": "",
            },
        )
        for phase, level, title, deadline, completion in TASKS
    ]
    province = Unit.objects.filter(code=LOCAL_PROVINCE, level=Level.PROVINCE).first()
    city = Unit.objects.filter(code=LOCAL_CITY, level=Level.CITY).first()
    if province is not None:  # 安徽's plan: one task of its own, one brought forward
        services.task_create(
            actor=actor,
            phase=phases[1],
            owner_unit=province,
            data={
                "level": Level.GRASSROOTS,
                "title": "结合当地实际开展“一会一品”创建",
                "description": "",
                "deadline": datetime.date(year, 5, 20),
                "completion": CompletionKind.FORM,
                "condition": "",
            },
        )
        services.task_override_deadline(
            actor=actor, task=tasks[5], unit=province, deadline=datetime.date(year, 5, 20)
        )
    if city is not None:  # 合肥 brings a branch task forward
        services.task_override_deadline(
            actor=actor, task=tasks[6], unit=city, deadline=datetime.date(year, 5, 25)
        )
    return services.campaign_start(actor=actor, campaign=campaign)


def _task_units() -> dict[str, list[tuple[int, str, int | None, int | None]]]:
    """Per task level: (id, path, province id, association id) of its units, in code order."""
    step = steplen()
    rows = list(Unit.objects.order_by("code").values_list("pk", "path", "level"))
    by_path = {path: (pk, level) for pk, path, level in rows}
    result: dict[str, list[tuple[int, str, int | None, int | None]]] = {}
    for pk, path, level in rows:
        if level not in (Level.PROVINCE, Level.CITY, Level.GRASSROOTS, Level.BRANCH):
            continue
        province = by_path[path[: 2 * step]][0]
        grassroots = None
        if level == Level.GRASSROOTS:
            grassroots = pk
        elif level == Level.BRANCH:
            grassroots = by_path[path[:-step]][0]
        result.setdefault(level, []).append((pk, path, province, grassroots))
    return result


def _states(
    campaign: Campaign,
    units: dict[str, list[tuple[int, str, int | None, int | None]]],
    rng: random.Random,
    now: datetime.datetime,
) -> Iterator[tuple[object, ...]]:
    """The campaign's task states as TaskCompletion rows (not done: no row), on time judged
    against the deadline in force, as the services judge it."""
    to_db = adapter(connection)
    tasks = list(
        Task.objects.filter(phase__campaign=campaign, parent_task__isnull=True)
        .select_related("owner_unit")
        .order_by("pk")
    )
    overrides: dict[int, list[tuple[str, datetime.date]]] = {}
    for parent_id, path, deadline in Task.objects.filter(
        phase__campaign=campaign, parent_task__isnull=False
    ).values_list("parent_task_id", "owner_unit__path", "deadline"):
        overrides.setdefault(parent_id, []).append((path, deadline))
    profile: dict[int, tuple[float, float, float]] = {}
    evidence = to_db["json"]({"note": "已按要求完成。"})
    no_evidence = to_db["json"]({})
    for task in tasks:
        for pk, path, province, grassroots in units.get(task.level, []):
            if not path.startswith(task.owner_unit.path) or path == task.owner_unit.path:
                continue
            if pk not in profile:
                profile[pk] = _profile(rng.random())
            on_time_p, late_p, waived_p = profile[pk]
            draw = rng.random()
            if draw < waived_p:
                yield (
                    task.pk,
                    pk,
                    province,
                    grassroots,
                    "waived",
                    None,
                    None,
                    False,
                    no_evidence,
                    to_db["datetime"](now),
                    None,
                    "该单位年内新设，本年免于此项。",
                    campaign.year,
                )
                continue
            deadline = deadline_in_force(task.deadline, overrides.get(task.pk, ()), path)
            if draw < waived_p + on_time_p:  # some on the last evening, most days before
                days = 0 if rng.random() < 0.2 else rng.randint(1, 25)
                minute = rng.choice((23 * 60 + 59, rng.randint(8 * 60, 18 * 60)))
            elif draw < waived_p + on_time_p + late_p:
                days, minute = -rng.randint(1, 40), rng.randint(0, 24 * 60 - 1)
            else:
                continue  # not done
            day = deadline - datetime.timedelta(days=days)
            done_at = datetime.datetime(
                day.year,
                day.month,
                day.day,
                minute // 60,
                minute % 60,
                tzinfo=timezone.get_current_timezone(),
            )
            if done_at > now:
                continue  # not yet
            yield (
                task.pk,
                pk,
                province,
                grassroots,
                "done",
                to_db["datetime"](done_at),
                None,
                done_at < day_ends(deadline),
                evidence,
                None,
                None,
                "",
                campaign.year,
            )


FIELDS = [
    "task", "unit", "province", "grassroots", "state", "done_at", "done_by", "on_time",
    "evidence", "waived_at", "waived_by", "waived_reason", "year",
]  # fmt: skip


def seed_campaigns_at_scale(*, years: int = 11, seed: int = 2009) -> tuple[int, int]:
    """This year's running campaign and the `years - 1` before it (closed, copied back with
    the wizard's engine), each with its task states. Idempotent: nothing when built already.
    Returns (campaigns built, task states written)."""
    if bench_campaign() is not None:
        return 0, 0
    national = Unit.objects.get(level=Level.NATIONAL)
    actor = Actor.system()
    rng = random.Random(seed)
    now = timezone.now()
    year = timezone.localdate().year
    units = _task_units()
    written = 0
    with transaction.atomic():
        current = _build_current(national, year, actor)
        campaigns = [current]
        for back in range(1, years):
            copy = services.campaign_copy(
                actor=actor,
                source=current,
                year_shift=-back,
                name=campaign_name(year - back),
                include_local=True,
            )
            services.campaign_start(actor=actor, campaign=copy)
            campaigns.append(services.campaign_close(actor=actor, campaign=copy))
        for campaign in reversed(campaigns):  # the oldest first, as they happened
            rows = list(_states(campaign, units, rng, now))
            insert_rows(connection, TaskCompletion, FIELDS, rows)
            written += len(rows)
    return len(campaigns), written


def analyze() -> None:
    """Fresh planner statistics after a bulk load."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def seed(*, scale: str = "national", members: int = 3000, years: int = 11) -> Seeded:
    """The network (when missing), the campaigns and their states, then the province totals."""
    network = ensure_network(scale=scale, members=members)
    started = timezone.now()
    campaigns, states = seed_campaigns_at_scale(years=years)
    campaign_seconds = (timezone.now() - started).total_seconds()
    rebuild_seconds = 0.0
    if states:
        started = timezone.now()
        CAMPAIGN_TASKS.rebuild()
        rebuild_seconds = (timezone.now() - started).total_seconds()
    _document, document_created = seed_document_at_scale()
    if states or document_created:
        analyze()
    from ..models import TaskProgressProvinceTotal

    return Seeded(
        campaigns=campaigns,
        completions=TaskCompletion.objects.count(),
        rollup_rows=TaskProgressProvinceTotal.objects.count(),
        seconds_network=network,
        seconds_campaign=campaign_seconds,
        seconds_rebuild=rebuild_seconds,
    )


#: The national document the benchmark times the acknowledgement status of.
DOCUMENT_TITLE = f"关于转发《全国基层个体劳动者协会私营企业协会工作规范（试行）》的通知（{MARK}）"


def seed_document_at_scale(*, acknowledged: float = 0.7, seed: int = 2009) -> tuple[Any, bool]:
    """A national document to every grassroots association (through the documents service:
    its receipts are written in bulk at issue), of which `acknowledged` have acknowledged it
    (bulk updates; nine in ten of them on time). Returns the document (None where the
    documents app is not there) and whether it was made now. Idempotent."""
    try:
        from jiceng.documents.models import Document, Receipt
        from jiceng.documents.services import DocumentData, Recipients, document_issue
    except ImportError:  # pragma: no cover - an older checkout
        return None, False
    existing = Document.objects.filter(title=DOCUMENT_TITLE).first()
    if existing is not None:
        return existing, False
    national = Unit.objects.get(level=Level.NATIONAL)
    today = timezone.localdate()
    issued = today - datetime.timedelta(days=20)
    with transaction.atomic():
        document = document_issue(
            actor=Actor.system(),
            issuer=national,
            data=DocumentData(
                title=DOCUMENT_TITLE,
                number=f"个协发〔{today.year}〕99号",
                body="规模测试：本文件的正文为占位内容。",
                ack_deadline=today - datetime.timedelta(days=5),
                issued_on=issued,
            ),
            recipients=Recipients(levels=[Level.GRASSROOTS]),
        )
        rng = random.Random(seed)
        ids = list(
            Receipt.objects.filter(document=document).order_by("pk").values_list("pk", flat=True)
        )
        chosen = [pk for pk in ids if rng.random() < acknowledged]
        on_time = [pk for pk in chosen if rng.random() < 0.9]
        late = sorted(set(chosen) - set(on_time))
        when_on_time = timezone.now() - datetime.timedelta(days=10)
        when_late = timezone.now() - datetime.timedelta(days=1)
        for pks, when, flag in ((on_time, when_on_time, True), (late, when_late, False)):
            for start in range(0, len(pks), 5000):
                Receipt.objects.filter(pk__in=pks[start : start + 5000]).update(
                    read_at=when, acknowledged_at=when, on_time=flag
                )
    return document, True
