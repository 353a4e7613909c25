"""Demo data: the seed plan's 2009 campaign (全国个私协会系统基层协会建设年活动方案, sections 四
and 五), and the current year's campaign made from it the way the wizard makes one.

The phases and tasks are the plan's own words; nothing is added beyond its text. The tasks'
levels follow it: the provinces (and separately-planned cities) organise the campaign — plan,
leading group, mobilisation meeting, assessment mechanism, summary and nominations by the end
of November — "各地" set up leading groups, and the grassroots associations receive the
Standard, list their problems, survey their members, inspect themselves and implement.
"""

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from jiceng.core.actor import Actor
from jiceng.documents.demo import placeholder_docx
from jiceng.org.models import Level, Unit

from . import services
from .models import Campaign, CompletionKind, Condition, Task, TaskCompletion

SEED_YEAR = 2009


def campaign_name(year: int) -> str:
    return f"全国个私协会系统基层协会建设年活动（{year}年）"


#: (phase, starts, ends, tasks); a task is (level, title, description, deadline, completion,
#: condition). Dates are (month, day) in the campaign's year.
PLAN: list[
    tuple[
        str, tuple[int, int], tuple[int, int], list[tuple[str, str, str, tuple[int, int], str, str]]
    ]
] = [
    (
        "准备动员",
        (3, 1),
        (3, 31),
        [
            (
                Level.PROVINCE,
                "研究制定实施方案",
                "按照中国个协“中山会议”的要求和活动方案的总体安排，结合当地实际，研究制定切实"
                "可行的实施方案。",
                (3, 31),
                CompletionKind.DOCUMENT,
                "",
            ),
            (
                Level.PROVINCE,
                "成立活动领导小组",
                "成立活动领导小组（组长、副组长、办公室），加强对活动的组织领导。",
                (3, 31),
                CompletionKind.CONDITION,
                Condition.LEADING_GROUP_RECORDED,
            ),
            (
                Level.CITY,
                "成立相应的领导机构",
                "各地也要成立相应的领导机构，加强对活动的组织领导。",
                (3, 31),
                CompletionKind.CONDITION,
                Condition.LEADING_GROUP_RECORDED,
            ),
            (
                Level.PROVINCE,
                "召开动员部署大会",
                "在认真准备的基础上，召开动员部署大会，讲清开展基层协会建设年活动的目的、意义、"
                "方法步骤和要求，认真做好思想发动工作。",
                (3, 31),
                CompletionKind.MEETING,
                "",
            ),
            (
                Level.GRASSROOTS,
                "签收《规范》",
                "将《规范》转发至基层协会：签收《全国基层个体劳动者协会私营企业协会工作规范"
                "（试行）》，进一步提高思想认识，明确工作任务。",
                (3, 31),
                CompletionKind.ACKNOWLEDGE,
                "",
            ),
        ],
    ),
    (
        "调查研究",
        (4, 1),
        (5, 31),
        [
            (
                Level.GRASSROOTS,
                "梳理突出问题，形成问题清单",
                "开展调查研究，认真听取基层协会的意见和建议，梳理出本单位在基层协会建设和服务"
                "会员工作中存在的突出问题；深入分析问题存在的原因，研究提出解决问题的具体意见和"
                "方法。",
                (5, 31),
                CompletionKind.DOCUMENT,
                "",
            ),
            (
                Level.PROVINCE,
                "建立健全考核考评机制",
                "建立健全抓基层建设工作的考核考评机制。",
                (5, 31),
                CompletionKind.DOCUMENT,
                "",
            ),
            (
                Level.GRASSROOTS,
                "会员公认度和满意度测评",
                "组织会员开展对基层协会服务工作的公认度和满意度测评活动。",
                (5, 31),
                CompletionKind.FORM,
                "",
            ),
            (
                Level.GRASSROOTS,
                "自查",
                "对自身组织建设、搞好会员服务和发挥作用情况进行自查，提出有针对性的改进措施。"
                "（在“评估”页对照“九要”标准自查自评，提交即完成。）",
                (5, 31),
                CompletionKind.CONDITION,
                Condition.SELF_INSPECTION_SUBMITTED,
            ),
        ],
    ),
    (
        "深入实施",
        (6, 1),
        (10, 31),
        [
            (
                Level.GRASSROOTS,
                "按《规范》抓好落实",
                "按照《规范》的要求，有步骤、有计划地抓好各项工作任务的落实；重点解决基层协会在"
                "机构设置、人员配备、经费保障、会费收取等方面存在的困难和问题。",
                (10, 31),
                CompletionKind.FORM,
                "",
            ),
        ],
    ),
    (
        "总结表彰",
        (11, 1),
        (12, 31),
        [
            (
                Level.PROVINCE,
                "总结并上报中国个协",
                "总结开展基层协会建设年活动的好经验、好做法、好典型，并把成功经验和做法用制度的"
                "形式固定下来，形成长效机制；在11月底之前完成总结，将有关工作情况上报中国个协。",
                (11, 30),
                CompletionKind.DOCUMENT,
                "",
            ),
            (
                Level.PROVINCE,
                "表彰、推荐",
                "在11月底之前完成表彰、推荐工作：推荐全国基层个私协会规范化建设先进单位、亮点"
                "工作、基层协会示范单位和基层协会优秀秘书长。",
                (11, 30),
                CompletionKind.DOCUMENT,
                "",
            ),
        ],
    ),
]


def _day(year: int, month_day: tuple[int, int]) -> datetime.date:
    return datetime.date(year, *month_day)


def seed_2009(national_unit: Unit, *, actor: Actor) -> Campaign:
    """The seed's 2009 campaign, through the services (audited), run and closed."""
    existing = Campaign.objects.filter(
        unit=national_unit, year=SEED_YEAR, name=campaign_name(SEED_YEAR)
    ).first()
    if existing is not None:
        return existing
    campaign = services.campaign_create(
        actor=actor, unit=national_unit, name=campaign_name(SEED_YEAR), year=SEED_YEAR
    )
    for name, starts, ends, tasks in PLAN:
        phase = services.phase_create(
            actor=actor,
            campaign=campaign,
            data={"name": name, "starts": _day(SEED_YEAR, starts), "ends": _day(SEED_YEAR, ends)},
        )
        for level, title, description, deadline, completion, condition in tasks:
            services.task_create(
                actor=actor,
                phase=phase,
                owner_unit=national_unit,
                data={
                    "level": level,
                    "title": title,
                    "description": description,
                    "deadline": _day(SEED_YEAR, deadline),
                    "completion": completion,
                    "condition": condition,
                },
            )
    services.campaign_start(actor=actor, campaign=campaign)
    return services.campaign_close(actor=actor, campaign=campaign)


def seed_campaigns(
    national_unit: Unit, *, year: int | None = None, actor: Actor | None = None
) -> tuple[Campaign, Campaign]:
    """The 2009 campaign and this year's (or `year`'s), copied from it with the wizard's engine
    and started. Running it again finds both and adds nothing."""
    actor = actor or Actor.system()
    year = year or timezone.localdate().year
    with transaction.atomic():
        seed = seed_2009(national_unit, actor=actor)
        current = Campaign.objects.filter(
            unit=national_unit, year=year, name=campaign_name(year)
        ).first()
        if current is None:
            current = services.campaign_copy(
                actor=actor, source=seed, year_shift=year - SEED_YEAR, name=campaign_name(year)
            )
            services.campaign_start(actor=actor, campaign=current)
    return seed, current


#: The association whose tasks the demo leaves part-done for the grassroots secretary's login.
DEMO_ASSOCIATION = "340104"  # 蜀山区
#: The province whose associations the demo's current campaign is under way in.
DEMO_PROVINCE = "340000"  # 安徽


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(
        day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone()
    )


def _share(task: Task, campaign: Campaign) -> None:
    task.phase.campaign = campaign
    if task.owner_unit_id == campaign.unit_id:
        task.owner_unit = campaign.unit


def _demo_files(task: Task, unit: Unit) -> list[SimpleUploadedFile]:
    """A document task's evidence: a Word file saying it stands in for the unit's own."""
    if task.completion != CompletionKind.DOCUMENT:
        return []
    text = f"{unit.name}：{task.title}\n（演示数据：占位文件，代替该单位上传的正式文件。）"
    return [SimpleUploadedFile(f"{task.title}.docx", placeholder_docx(text))]


def seed_progress(campaign: Campaign, *, actor: Actor | None = None) -> int:
    """Leave `campaign` part-done across 安徽, through the completion services with explicit
    times: of its associations (in code order) one in four has done every task on time, one
    late, one said nothing, one did the first two on time; 蜀山区 did two of its tasks (one on
    time, one late) and has its form tasks still to do; the first silent association had one
    task waived by its city; the province wrote its plan on time and held its meeting late.
    Nothing dated after now. Returns how many completions it recorded."""
    from .completion import task_complete, task_waive
    from .selectors import tasks_for_unit

    actor = actor or Actor.system()
    now = timezone.now()
    province = Unit.objects.filter(code=DEMO_PROVINCE, level=Level.PROVINCE).first()
    # Condition tasks complete themselves (conditions.py) when the campaign starts: any other
    # completion means this ran before.
    recorded = TaskCompletion.objects.filter(task__phase__campaign=campaign).exclude(
        task__completion=CompletionKind.CONDITION
    )
    if province is None or recorded.exists():
        return 0
    associations = list(
        Unit.objects.filter(path__subtree=province.path, level=Level.GRASSROOTS)
        .select_related("parent")
        .order_by("code")
    )
    if not associations:
        return 0
    own = [
        ut
        for ut in tasks_for_unit(campaign, associations[0])
        # Conditions and acknowledgements complete themselves (`link_standard_notice`).
        if ut.task.completion not in (CompletionKind.CONDITION, CompletionKind.ACKNOWLEDGE)
    ]
    for ut in own:  # one campaign, one scope: what the services read, loaded once
        _share(ut.task, campaign)
    done = 0

    def complete(unit: Unit, index: int, *, late: bool, **evidence: object) -> None:
        nonlocal done
        if index >= len(own):
            return
        ut = own[index]
        when = _at(ut.deadline + datetime.timedelta(days=12 if late else -3 - index))
        if when > now:
            return
        task_complete(
            actor=actor,
            task=ut.task,
            unit=unit,
            evidence=evidence or {"note": "已按要求完成。"},
            files=_demo_files(ut.task, unit),
            done_at=when,
        )
        done += 1

    silent_waived = False
    for i, unit in enumerate(associations):
        if unit.code == DEMO_ASSOCIATION:
            complete(unit, 0, late=False)
            complete(unit, 1, late=True)
            continue
        pattern = i % 4
        if pattern == 0:
            for index in range(len(own)):
                complete(unit, index, late=False)
        elif pattern == 1:
            for index in range(3):
                complete(unit, index, late=True)
        elif pattern == 2 and not silent_waived and len(own) > 2:
            task_waive(
                actor=actor, task=own[2].task, unit=unit, reason="该协会年内新设，本年免于测评。"
            )
            silent_waived = True
        elif pattern == 3:
            for index in range(2):
                complete(unit, index, late=False)
    # The province: its implementation plan on time, its mobilisation meeting late.
    for ut in tasks_for_unit(campaign, province):
        _share(ut.task, campaign)
        when = None
        evidence: dict[str, object] = {"note": "已印发。"}
        if ut.task.completion == CompletionKind.DOCUMENT and ut.deadline.month == 3:
            when = _at(ut.deadline - datetime.timedelta(days=10))
        elif ut.task.completion == CompletionKind.MEETING:
            when = _at(ut.deadline + datetime.timedelta(days=6), 9)
            evidence = {
                "fields": {
                    "date": when.date().isoformat(),
                    "place": "省协会议室",
                    "attendance": 120,
                }
            }
        if when is not None and when <= now:
            task_complete(
                actor=actor,
                task=ut.task,
                unit=province,
                evidence=evidence,
                files=_demo_files(ut.task, province),
                done_at=when,
            )
            done += 1
    return done


def seed_demo_campaigns(national_unit: Unit) -> Campaign:
    """What `seed_demo` adds: the 2009 and the current campaign, the current one part-done."""
    _seed, current = seed_campaigns(national_unit)
    with transaction.atomic():
        seed_progress(current)
    return current


STANDARD_TASK = "签收《规范》"


def _standard_task(campaign: Campaign) -> Task | None:
    return Task.objects.filter(
        phase__campaign=campaign, title=STANDARD_TASK, parent_task__isnull=True
    ).first()


def standard_notice_day(campaign: Campaign) -> datetime.date:
    """The day the documents demo is seeded "as of" for the Standard's notice: ten days after
    the campaign's 签收《规范》 deadline (the notice then went out a month before it, and its
    acknowledgement deadline is the task's), or today if that is earlier."""
    task = _standard_task(campaign)
    today = timezone.localdate()
    if task is None:
        return today
    return min(today, task.deadline + datetime.timedelta(days=10))


def link_standard_notice(campaign: Campaign, notice: Any) -> int:
    """Name the documents demo's notice of the Standard as the document whose acknowledgement
    completes the campaign's 签收《规范》 task (through `task_update`, which sweeps: units
    that acknowledged it already have the task done, on time or late). Returns how many units
    have the task done now."""
    task = _standard_task(campaign)
    if task is None or notice is None:
        return 0
    if task.document_id != notice.pk:
        services.task_update(
            actor=Actor.system(),
            task=task,
            data={"document": notice},
            expected_lock_version=task.lock_version,
        )
    return TaskCompletion.objects.filter(task=task).count()
