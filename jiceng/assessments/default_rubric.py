"""The default rubric: the nine standards (九要) of the seed plan, section 三, at 100 points, with
an indicator computed from the platform's own figures (`core/figures.py`) wherever it holds the
data, a bonus criterion outside the total and a veto item (一票否决: falsified material).

Computed indicators are scored by tiers on the figure as pages show it: a rate in percent, a
count as it is. Indicators the platform has no data for yet are scored by hand (or met / not
met); later figures (leadership roster, venue, services, the survey's satisfaction index) make
a new version of this rubric, not a change to this one.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from .models import Rubric
from .rules import Rule, RuleKind
from .services.rubrics import save_items

NAME = "九要标准（默认）"

D = Decimal


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    basis: str
    points: int
    rule: Rule | None = None
    #: Submitting needs an evidence file for it (佐证材料).
    needs_evidence: bool = False


def _tiers(points: int, source: str, *tiers: tuple[int, int]) -> Rule:
    return Rule(
        RuleKind.COMPUTED,
        D(points),
        tiers=tuple((D(t), D(p)) for t, p in tiers),
        source=source,
    )


LINES: tuple[Line, ...] = (
    Line("1", "组织机构要完善", "机构健全，分会、会员小组覆盖，“五有”齐全", 15),
    Line(
        "1.1",
        "“五有”齐全",
        "有牌子、有场所、有人员、有制度、有经费；齐全率100%得8分，80%得5分，60%得3分",
        8,
        _tiers(8, "org.five_haves", (100, 8), (80, 5), (60, 3)),
    ),
    Line(
        "1.2",
        "分会和会员小组",
        "按行业、区域建立分会和会员小组，覆盖会员",
        4,
        Rule(RuleKind.MANUAL, D(4)),
    ),
    Line(
        "1.3",
        "批准文件",
        "有编制或民政部门批准文件（上传批准文件）",
        3,
        Rule(RuleKind.YES_NO, D(3)),
        needs_evidence=True,
    ),
    Line("2", "班子配备要得力", "领导班子健全，按期换届，配备专职秘书长", 10),
    Line("2.1", "领导班子健全", "会长、副会长、秘书长配备齐全", 4, Rule(RuleKind.MANUAL, D(4))),
    Line("2.2", "按期换届", "任期届满按章程换届", 3, Rule(RuleKind.YES_NO, D(3))),
    Line("2.3", "专职秘书长", "配备专职秘书长", 3, Rule(RuleKind.YES_NO, D(3))),
    Line("3", "活动内容要充实", "全年开展活动的次数和种类", 15),
    Line(
        "3.1",
        "全年活动次数",
        "全年开展活动12次以上得8分，6次以上得5分，3次以上得2分",
        8,
        _tiers(8, "activities.held", (12, 8), (6, 5), (3, 2)),
    ),
    Line(
        "3.2",
        "活动种类",
        "开展活动的种类占全部种类60%以上得7分，40%以上得4分，20%以上得2分",
        7,
        _tiers(7, "activities.kinds", (60, 7), (40, 4), (20, 2)),
    ),
    Line("4", "经费来源要保障", "会费收缴和经费来源", 10),
    Line(
        "4.1",
        "会费收缴率",
        "收缴率90%以上得7分，70%以上得4分，50%以上得2分",
        7,
        _tiers(7, "dues.collection_rate", (90, 7), (70, 4), (50, 2)),
    ),
    Line("4.2", "经费来源多元", "有会费以外的经费来源", 3, Rule(RuleKind.MANUAL, D(3))),
    Line("5", "办公场所要固定", "有固定办公场所、会议室、会员之家和办公设备", 10),
    Line(
        "5.1",
        "固定办公场所",
        "有固定办公场所（上传场所照片）",
        4,
        Rule(RuleKind.YES_NO, D(4)),
        needs_evidence=True,
    ),
    Line(
        "5.2",
        "会议室和会员之家",
        "有会议室、会员之家，每项得2分",
        4,
        Rule(RuleKind.INCREMENT, D(4), per_item=D(2)),
    ),
    Line("5.3", "办公设备", "电脑、网络等办公设备配备", 2, Rule(RuleKind.MANUAL, D(2))),
    Line("6", "规章制度要健全", "规章制度齐全并上墙公开", 10),
    Line(
        "6.1",
        "规章制度覆盖",
        "规章制度清单覆盖100%得10分，80%以上得7分，60%以上得4分",
        10,
        _tiers(10, "rules.coverage", (100, 10), (80, 7), (60, 4)),
    ),
    Line("7", "会员心情要舒畅", "会员诉求及时办结，会员满意", 10),
    Line(
        "7.1",
        "投诉办结率",
        "投诉和求助办结率95%以上得6分，80%以上得4分，60%以上得2分",
        6,
        _tiers(6, "complaints.resolution_rate", (95, 6), (80, 4), (60, 2)),
    ),
    Line("7.2", "会员满意度", "会员满意度测评结果", 4, Rule(RuleKind.MANUAL, D(4))),
    Line("8", "“三力”彰显要突出", "为政府、社会、会员服务，战斗力、凝聚力、影响力", 10),
    Line("8.1", "服务政府、社会和会员", "服务事项和成效", 10, Rule(RuleKind.MANUAL, D(10))),
    Line("9", "政府社会要认可", "获得表彰和媒体报道", 10),
    Line(
        "9.1",
        "获得表彰",
        "年内获市级以上表彰3项以上得6分，1项以上得3分",
        6,
        _tiers(6, "recognition.honours", (3, 6), (1, 3)),
    ),
    Line(
        "9.2",
        "媒体报道",
        "年内媒体报道3次以上得4分，1次以上得2分",
        4,
        _tiers(4, "recognition.media_reports", (3, 4), (1, 2)),
    ),
    Line(
        "10",
        "加分项",
        "工作创新获上级推广，每项加1分，最多5分",
        5,
        Rule(RuleKind.BONUS, D(5), per_item=D(1), cap=D(5)),
    ),
    Line("11", "一票否决：弄虚作假", "提供虚假材料的，评估不合格", 0, Rule(RuleKind.VETO, D(0))),
)

#: The rubric's total without bonus items.
POINTS = D(100)


def ensure_default_rubric() -> Rubric:
    """The default rubric, created (version 1) when missing. Idempotent."""
    existing = Rubric.objects.filter(name=NAME).order_by("-version").first()
    if existing is not None:
        return existing
    with transaction.atomic():
        rubric = Rubric.objects.create(name=NAME, points=POINTS, tolerance=D(1))
        save_items(rubric, LINES)
    return rubric
