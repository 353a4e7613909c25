"""Demo data for activities, complaints, rules and recognition: realistic, Chinese, bulk-built.

`seed_activities` is called by the demo network builder (`jiceng.org.demo`) with the units it
made. It inserts set-based (no per-row services), so ~3,000 grassroots associations and their
branches take seconds. Files are generated once and shared by the rows that show them (the
services remove a file only when no row names it any more).
"""

import datetime
import io
import random
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.org.models import Level, Status, Unit

from . import antiabuse, measures
from .models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Channel,
    Complaint,
    ComplaintKind,
    ComplaintState,
    ComplaintStep,
    Honour,
    HonourLevel,
    MediaReport,
    RuleDocument,
    RuleItem,
)

BATCH = 2000
#: Share of checklist items a grassroots association has a document for.
RULES_SHARE = 0.7

TITLES: dict[str, Sequence[str]] = {
    ActivityKind.TRAINING: (
        "小微企业经营管理培训班",
        "个体工商户财税知识培训",
        "电子商务与直播带货技能培训",
        "食品安全知识培训",
        "安全生产与消防知识培训",
    ),
    ActivityKind.FINANCING: (
        "银企对接会",
        "小微企业融资政策宣讲暨银企对接",
        "“个体工商户贷”产品推介会",
        "助企纾困融资服务进市场",
    ),
    ActivityKind.LEGAL_AID: (
        "法律服务进市场",
        "合同纠纷法律咨询日",
        "“法律体检”进企业",
        "劳动用工法律讲座",
    ),
    ActivityKind.POLICY_BRIEFING: (
        "个体工商户扶持政策宣讲会",
        "减税降费政策解读会",
        "《促进个体工商户发展条例》宣讲",
        "登记注册便利化政策宣讲",
    ),
    ActivityKind.EXHIBITION: (
        "特色产品展销会",
        "小店经济消费节",
        "名优产品博览会参展组织",
        "年货节展销活动",
    ),
    ActivityKind.CHARITY: (
        "爱心助学捐赠活动",
        "重阳节敬老慰问",
        "防汛救灾爱心捐款",
        "“光彩行动”结对帮扶",
    ),
    ActivityKind.PARTY_GOVERNMENT: (
        "非公党建工作推进会",
        "“两个健康”主题党日活动",
        "协助开展诚信经营示范街创建",
        "配合市场监管部门开展年报宣传",
    ),
    ActivityKind.OTHER: (
        "会员座谈会",
        "会员之家开放日",
        "会员走访调研",
        "新会员入会仪式",
    ),
}
#: How often each kind occurs: trainings and briefings are the bread and butter.
KIND_WEIGHTS = {
    ActivityKind.TRAINING: 5,
    ActivityKind.FINANCING: 2,
    ActivityKind.LEGAL_AID: 2,
    ActivityKind.POLICY_BRIEFING: 4,
    ActivityKind.EXHIBITION: 1,
    ActivityKind.CHARITY: 2,
    ActivityKind.PARTY_GOVERNMENT: 2,
    ActivityKind.OTHER: 2,
}
CAPTIONS = ("活动现场", "会员合影", "签到处", "专家授课", "咨询台", "")

COMPLAINTS: dict[str, Sequence[str]] = {
    ComplaintKind.COMPLAINT: (
        "市场管理方收费不合理",
        "网店遭恶意差评无法处理",
        "供货商长期拖欠货款",
        "门前占道经营影响生意",
        "商户之间摊位纠纷",
        "协会服务人员态度不好",
    ),
    ComplaintKind.HELP_REQUEST: (
        "咨询创业担保贷款办理",
        "营业执照经营范围变更",
        "员工劳动合同纠纷求助",
        "咨询社保补贴政策",
        "商标被他人抢注求助",
        "申请店面租金减免",
    ),
}
RESPONSES = (
    "已与市场管理方沟通，退还多收费用，当事人表示满意。",
    "已协调相关部门现场处理，问题已解决。",
    "已提供政策解答，并协助准备申请材料。",
    "已联系律师志愿者提供免费法律咨询。",
    "经核实不属于协会受理范围，已告知当事人向有关部门反映。",
    "已电话回访，当事人撤回投诉。",
)
INTERIM = "已受理，正在与有关方面核实情况。"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"

HONOURS = (
    ("{year}年度先进基层协会", HonourLevel.PROVINCIAL, "省个体劳动者私营企业协会"),
    ("全国个私协会系统先进集体", HonourLevel.NATIONAL, "中国个体劳动者协会"),
    ("{year}年度“守信用、重质量”先进单位", HonourLevel.CITY, "市市场监督管理局"),
    ("优化营商环境先进集体", HonourLevel.COUNTY, "区（县）人民政府"),
    ("光彩事业先进集体", HonourLevel.PROVINCIAL, "省光彩事业促进会"),
    ("{year}年度社会组织评估AAAA级", HonourLevel.OTHER, "民政部门"),
)
OUTLETS = ("中国市场监管报", "人民网", "新华网", "省电视台", "市日报", "中国个体劳动者协会网站")
REPORT_TITLES = (
    "{name}：做好个体工商户的“娘家人”",
    "{name}开展银企对接 破解小微融资难",
    "{name}把法律服务送进市场",
    "{name}多措并举助力小店经济",
    "走进{name}会员之家",
)


def _pdf(title: str) -> bytes:
    """A small valid one-page PDF (Helvetica, ASCII title)."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _photo(index: int) -> bytes:
    """A small JPEG: a coloured scene of a hall with rows of seats (no real people)."""
    from PIL import Image, ImageDraw

    palettes = [
        ((210, 60, 50), (250, 235, 215)),
        ((40, 90, 160), (230, 240, 250)),
        ((30, 130, 90), (235, 248, 238)),
        ((200, 140, 30), (252, 244, 225)),
        ((120, 70, 150), (243, 235, 248)),
        ((60, 60, 60), (240, 240, 240)),
    ]
    accent, background = palettes[index % len(palettes)]
    image = Image.new("RGB", (640, 427), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 90), fill=accent)  # the banner over the stage
    draw.rectangle((170, 110, 470, 200), fill=(255, 255, 255), outline=accent, width=4)
    for row in range(5):
        for seat in range(12):
            x, y = 40 + seat * 48, 230 + row * 36
            draw.ellipse((x, y, x + 22, y + 22), fill=tuple(max(0, c - 40) for c in accent))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _store(name: str, content: bytes) -> str:
    """Store a shared demo file once; later runs reuse it."""
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(content))


def _day_in(rng: random.Random, year: int, today: datetime.date) -> datetime.date:
    start = datetime.date(year, 1, 1)
    end = min(datetime.date(year, 12, 31), today)
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(8, 19), rng.randrange(60)))
    return timezone.make_aware(naive)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(("先生", "女士", "老板", ""))


def seed_activities(*, units: list[Unit], rng: random.Random) -> None:
    """A year and a bit of records for every active grassroots association and branch in
    `units`: activities with photos, complaints in every state, rule documents for ~70% of the
    checklist (grassroots associations), a few honours and media reports."""
    targets = [
        u
        for u in units
        if u.level in (Level.GRASSROOTS, Level.BRANCH) and u.status == Status.ACTIVE
    ]
    if not targets:
        return
    today = timezone.localdate()
    now = timezone.now()
    years = (today.year - 1, today.year)
    items = list(RuleItem.objects.filter(is_active=True).order_by("position"))
    with transaction.atomic():
        photos = [_store(f"demo/activity-photos/{i + 1}.jpg", _photo(i)) for i in range(6)]
        rule_files = {
            item.pk: _store(f"demo/rule-documents/{item.code}.pdf", _pdf(f"Rules: {item.name_en}"))
            for item in items
        }
        certificate = _store("demo/honours/certificate.pdf", _pdf("Honour"))
        clipping = _store("demo/media-reports/clipping.pdf", _pdf("Press clipping"))

        activities = _activities(targets, rng, years, today)
        Activity.objects.bulk_create(activities, batch_size=BATCH)
        activity_photos = [
            ActivityPhoto(
                activity_id=a.pk,
                unit_id=a.unit_id,
                image=rng.choice(photos),
                caption=rng.choice(CAPTIONS),
            )
            for a in activities
            if rng.random() < 0.3
            for _ in range(rng.randint(1, 3))
        ]
        ActivityPhoto.objects.bulk_create(activity_photos, batch_size=BATCH)
        complaints = _complaints(targets, rng, years, today, now)
        Complaint.objects.bulk_create(complaints, batch_size=BATCH)
        ComplaintStep.objects.bulk_create(_complaint_steps(complaints), batch_size=BATCH)
        documents = [
            RuleDocument(
                unit_id=u.pk,
                item_id=item.pk,
                document=rule_files[item.pk],
                document_name=f"{u.display_name}{item.name}.pdf",
                adopted_on=datetime.date(rng.randint(2012, today.year - 1), rng.randint(1, 12), 1)
                + datetime.timedelta(days=rng.randrange(28)),
            )
            for u in targets
            if u.level == Level.GRASSROOTS
            for item in items
            if rng.random() < RULES_SHARE
        ]
        RuleDocument.objects.bulk_create(documents, batch_size=BATCH)
        honours, reports = _recognition(targets, rng, years, today, certificate, clipping)
        Honour.objects.bulk_create(honours, batch_size=BATCH)
        MediaReport.objects.bulk_create(reports, batch_size=BATCH)
        # Inserted set-based, not through the services: build the summary rows in one pass.
        for measure in (
            measures.ACTIVITIES,
            measures.COMPLAINTS,
            measures.RULES,
            measures.RECOGNITION,
        ):
            measure.rebuild()
        top = min(units, key=lambda u: u.depth)
        audit_record(
            actor=Actor.system(),
            action="seed.activities",
            unit=top,
            after={
                "activities": len(activities),
                "photos": len(activity_photos),
                "complaints": len(complaints),
                "rule_documents": len(documents),
                "honours": len(honours),
                "media_reports": len(reports),
            },
            object_repr="seed_activities",
        )


def _activities(
    targets: list[Unit], rng: random.Random, years: tuple[int, int], today: datetime.date
) -> list[Activity]:
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    rows = []
    for unit in targets:
        count = rng.randint(5, 10) if unit.level == Level.GRASSROOTS else rng.randint(1, 4)
        for _ in range(count):
            kind = rng.choices(kinds, weights)[0]
            day = _day_in(rng, rng.choice(years), today)
            participants = rng.randint(12, 180)
            served = rng.randint(max(1, participants // 3), participants)
            title = rng.choice(TITLES[kind])
            rows.append(
                Activity(
                    unit_id=unit.pk,
                    date=day,
                    kind=kind,
                    title=title,
                    description=(
                        f"{unit.display_name}于{day.month}月{day.day}日举办{title}，"
                        f"{participants}人参加，服务会员{served}户。"
                    ),
                    participants=participants,
                    members_served=served,
                )
            )
    return rows


def _complaints(
    targets: list[Unit],
    rng: random.Random,
    years: tuple[int, int],
    today: datetime.date,
    now: datetime.datetime,
) -> list[Complaint]:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    sources = [antiabuse.source_hash(f"198.51.100.{i}") for i in range(1, 255)]
    used: set[str] = set()
    rows = []
    for unit in targets:
        count = rng.randint(2, 6) if unit.level == Level.GRASSROOTS else rng.randint(0, 2)
        for _ in range(count):
            kind = rng.choice(ComplaintKind.values)
            received = _moment(rng, _day_in(rng, rng.choice(years), today))
            if received > now:
                received = now - datetime.timedelta(hours=rng.randint(1, 48))
            # Most cases are answered within a day or two; a few wait a week.
            wait = datetime.timedelta(hours=rng.choice((1, 2, 4, 8, 20, 30, 48, 70, 160)))
            first_response = received + wait
            responded: datetime.datetime | None = first_response
            resolved: datetime.datetime | None = None
            roll = rng.random()
            if first_response > now or roll < 0.1:
                state, responded = ComplaintState.RECEIVED, None
            elif roll < 0.25:
                state = ComplaintState.IN_PROGRESS
            else:
                resolved = first_response + datetime.timedelta(days=rng.randint(0, 15))
                state = ComplaintState.CLOSED if roll > 0.88 else ComplaintState.RESOLVED
                if resolved > now:
                    state, resolved = ComplaintState.IN_PROGRESS, None
            response = ""
            if state in (ComplaintState.RESOLVED, ComplaintState.CLOSED):
                response = rng.choice(RESPONSES)
            elif state == ComplaintState.IN_PROGRESS:
                response = INTERIM
            reference = ""
            while not reference or reference in used:
                token = "".join(rng.choice(alphabet) for _ in range(6))
                reference = f"{timezone.localtime(received):%Y%m%d}-{token}"
            used.add(reference)
            public = rng.random() < 0.6
            subject = rng.choice(COMPLAINTS[kind])
            rows.append(
                Complaint(
                    unit_id=unit.pk,
                    reference=reference,
                    kind=kind,
                    subject=subject,
                    content=f"{subject}，希望协会帮助协调解决。",
                    submitter_name=_name(rng) if rng.random() < 0.7 else "",
                    submitter_contact=(
                        f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
                        if rng.random() < 0.6
                        else ""
                    ),
                    channel=Channel.PUBLIC if public else Channel.STAFF,
                    state=state,
                    response=response,
                    received_at=received,
                    responded_at=responded,
                    resolved_at=resolved,
                    source_hash=rng.choice(sources) if public else "",
                )
            )
    return rows


def _complaint_steps(complaints: list[Complaint]) -> list[ComplaintStep]:
    """The handling history of the seeded cases: an interim reply when handling started, and
    the final reply when the case was resolved or closed later."""
    steps = []
    for c in complaints:
        if c.responded_at is None:
            continue
        final = c.state in (ComplaintState.RESOLVED, ComplaintState.CLOSED)
        if not final or c.resolved_at != c.responded_at:
            steps.append(
                ComplaintStep(
                    complaint_id=c.pk,
                    state=ComplaintState.IN_PROGRESS,
                    response=INTERIM,
                    at=c.responded_at,
                )
            )
        if final:
            steps.append(
                ComplaintStep(
                    complaint_id=c.pk,
                    state=c.state,
                    response=c.response,
                    at=c.resolved_at or c.responded_at,
                )
            )
    return steps


def _recognition(
    targets: list[Unit],
    rng: random.Random,
    years: tuple[int, int],
    today: datetime.date,
    certificate: str,
    clipping: str,
) -> tuple[list[Honour], list[MediaReport]]:
    honours, reports = [], []
    for unit in targets:
        if unit.level != Level.GRASSROOTS:
            continue
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            title, level, issuer = rng.choice(HONOURS)
            day = _day_in(rng, rng.choice(years), today)
            honours.append(
                Honour(
                    unit_id=unit.pk,
                    title=title.format(year=day.year - 1),
                    level=level,
                    issuer=issuer,
                    date=day,
                    document=certificate if rng.random() < 0.6 else "",
                )
            )
        for _ in range(rng.choice((0, 1, 1, 2))):
            day = _day_in(rng, rng.choice(years), today)
            has_link = rng.random() < 0.75
            reports.append(
                MediaReport(
                    unit_id=unit.pk,
                    outlet=rng.choice(OUTLETS),
                    date=day,
                    title=rng.choice(REPORT_TITLES).format(name=unit.display_name),
                    url=f"https://news.example.com/{day:%Y%m}/{rng.randrange(10**6)}.html"
                    if has_link
                    else "",
                    scan=clipping if not has_link or rng.random() < 0.3 else "",
                )
            )
    return honours, reports
