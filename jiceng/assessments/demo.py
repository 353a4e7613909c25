"""Demo data: the current campaign's nine-standards assessment across 安徽, in every state,
through the workflow's own services (so the history, totals, flags and locks are real).

- 淮北市 (the smallest city): every association approved by the city, with one score adjusted,
  and the city's area approved by the province — the province can see a locked area.
- Every other association of 安徽 in code order, one in five each: approved by its city (one
  score adjusted with a reason); submitted and waiting, with a self-score the figures
  contradict (flagged); returned with a reason per indicator; still in self-inspection; not
  started.
- 合肥市's other associations approved, so that when the walk has brought 蜀山区 and 包河区
  to approval, 安徽 can approve 合肥's area.
- Rectification items: verified ones under the approved, open (some overdue) and closed ones
  awaiting verification under the submitted; 蜀山区 has one from 合肥, five days overdue.
- 蜀山区 and 包河区: in self-inspection, most indicators scored, 1.3 and 5.1 still waiting for
  their evidence and one self-score above what the figures give — so a new user walks the
  whole chain from there (upload, see the flag, submit; 合肥 reviews; 安徽 approves the area).

Hand-scored indicators are filled in one statement per assessment (a seeding shortcut: no
history line per score); every step after that goes through the services.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.documents.demo import placeholder_docx
from jiceng.org.models import Level, Unit

from . import services
from .models import Assessment, Score
from .rules import RuleKind
from .services.common import refresh_totals

PROVINCE = "340000"
WALK = ("340104", "340111")  # 蜀山区, 包河区: left in self-inspection for the demo walk
#: 合肥: its other associations approved, so that once the walk's two are, 安徽 can approve it.
WALK_CITY = "340100"


def _evidence(unit: Unit, code: str) -> SimpleUploadedFile:
    text = f"{unit.name}：指标 {code} 佐证材料\n（演示数据：占位文件，代替协会上传的照片或文件。）"
    return SimpleUploadedFile(f"佐证{code}.docx", placeholder_docx(text))


def _fill(
    assessment: Assessment,
    *,
    leave: tuple[str, ...] = (),
    no_evidence: tuple[str, ...] = (),
    overclaim: bool = False,
) -> None:
    """Score every hand-scored indicator at most of its points and attach the evidence the
    rubric asks for, except the indicators in `leave` (and no evidence for those in
    `no_evidence`); with `overclaim`, claim full points on the first computed indicator the
    figures score lower."""
    scores = list(
        Score.objects.filter(assessment=assessment)
        .exclude(item__rule__in=[RuleKind.VETO, RuleKind.BONUS])
        .select_related("item")
    )
    for row in scores:
        if row.code in leave or row.self_score is not None:
            continue
        most = row.item.as_rule().most
        row.self_score = (most * Decimal("0.8")).quantize(Decimal("1")) if most > 2 else most
        row.note = "对照标准自查，材料齐全。"
        row.save(update_fields=["self_score", "note"])
    if overclaim:
        for row in scores:
            if row.item.rule == RuleKind.COMPUTED and row.computed_score is not None:
                most = row.item.as_rule().most
                if most - row.computed_score > assessment.rubric.tolerance:
                    row.self_score = most
                    row.flagged = True
                    row.note = "我会认为已达标。"
                    row.save(update_fields=["self_score", "flagged", "note"])
                    break
    refresh_totals(assessment, services.setup_for(assessment.campaign))
    actor = Actor.system()
    for row in scores:
        if row.item.needs_evidence and row.code not in leave + no_evidence:
            services.evidence_add(
                actor=actor,
                assessment=assessment,
                code=row.code,
                files=[_evidence(assessment.unit, row.code)],
            )


def _problem(
    campaign: Campaign,
    unit: Unit,
    *,
    days: int,
    code: str,
    description: str,
    then: str = "open",
) -> None:
    """A rectification item 合肥 (or the unit's parent) found, due `days` from today (negative:
    already past), then closed with proof (`then="closed"`) or also verified ("verified")."""
    system = Actor.system()
    item = services.rectification_create(
        actor=system,
        campaign=campaign,
        unit=unit,
        data={
            "source": "review",
            "code": code,
            "description": description,
            "owner": "秘书长",
            "deadline": timezone.localdate() + datetime.timedelta(days=days),
            "measures": "制定整改方案，明确责任人和时限。",
        },
    )
    if then in ("closed", "verified"):
        services.rectification_close(
            actor=system,
            item=item,
            measures="已完成整改，附整改前后照片和文件。",
            files=[_evidence(unit, f"整改{code}")],
            expected_lock_version=item.lock_version,
        )
    if then == "verified":
        services.rectification_verify(
            actor=system, item=item, accept=True, expected_lock_version=item.lock_version
        )


def seed_demo_assessments(campaign: Campaign) -> dict[str, int]:
    """Assessments of `campaign` across 安徽 in every state. Idempotent: nothing when any
    assessment of the campaign exists. Returns how many are in each state."""
    if Assessment.objects.filter(campaign=campaign).exists():
        return {}
    province = Unit.objects.filter(code=PROVINCE, level=Level.PROVINCE).first()
    if province is None or not campaign.is_running:
        return {}
    system = Actor.system()
    associations = list(
        Unit.objects.subtree(province)
        .filter(level=Level.GRASSROOTS)
        .select_related("parent")
        .order_by("code")
    )
    cities = (
        Unit.objects.filter(parent=province, level=Level.CITY)
        .exclude(code="340100")
        .annotate(n=Count("child_units"))
        .filter(n__gt=0)
        .order_by("n", "code")
    )
    whole_city = cities.first()
    counts: dict[str, int] = {}

    def opened(unit: Unit) -> Assessment:
        return services.assessment_open(actor=system, campaign=campaign, unit=unit)

    def submitted(unit: Unit, **fill: Any) -> Assessment:
        assessment = opened(unit)
        _fill(assessment, **fill)
        return services.assessment_submit(actor=system, assessment=assessment)

    def approved(unit: Unit, adjust: bool) -> Assessment:
        assessment = submitted(unit)
        if adjust:
            services.assessment_adjust(
                actor=system,
                assessment=assessment,
                code="5.3",
                score=1,
                reason="办公设备陈旧，电脑不足，扣1分。",
            )
        return services.assessment_approve(actor=system, assessment=assessment)

    with transaction.atomic():
        services.setup_for(campaign)
        for i, unit in enumerate(associations):
            if unit.code in WALK:
                _fill(opened(unit), no_evidence=("1.3", "5.1"), overclaim=True)
                state = "draft"
                if unit.code == WALK[0]:  # 蜀山区: an overdue item to close in the walk
                    _problem(
                        campaign,
                        unit,
                        days=-5,
                        code="4.2",
                        description="经费来源单一，除会费外无其他来源。",
                    )
            elif unit.parent.code == WALK_CITY or (
                whole_city is not None and unit.parent_id == whole_city.pk
            ):
                approved(unit, adjust=i % 2 == 0)
                state = "approved"
            else:
                pattern = i % 5
                if pattern == 0:
                    approved(unit, adjust=True)
                    state = "approved"
                    _problem(
                        campaign,
                        unit,
                        days=-20,
                        code="5.3",
                        description="办公设备陈旧，电脑不足。",
                        then="verified",
                    )
                elif pattern == 1:
                    submitted(unit, overclaim=True)
                    state = "submitted"
                    _problem(
                        campaign,
                        unit,
                        days=-2 if i % 2 else 15,
                        code="2.3",
                        description="未配备专职秘书长。",
                        then="open" if i % 2 else "closed",
                    )
                elif pattern == 2:
                    services.assessment_return(
                        actor=system,
                        assessment=submitted(unit),
                        reason="佐证材料不全，请补充后重新提交。",
                        indicators={
                            "4.2": "会费以外的经费来源未提供依据。",
                            "8.1": "服务事项缺少成效说明。",
                        },
                    )
                    state = "returned"
                elif pattern == 3:
                    _fill(opened(unit), leave=("2.1", "2.2", "2.3", "5.1"))
                    state = "draft"
                else:
                    state = "not_started"
            counts[state] = counts.get(state, 0) + 1
        if whole_city is not None:
            services.area_approve(actor=system, campaign=campaign, area=whole_city)
    return counts
