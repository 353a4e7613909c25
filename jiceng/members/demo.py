"""Demo members: realistic rosters for every grassroots association, written set-based.

Rows go straight to the engine's bulk path (`core/bulk.py`), the way the import writes them, so
the national scale (10 million members) takes minutes, not hours. Every credit code and ID
number is well-formed (its check character computed), names and trades are plausible, and a
few records carry the warnings real rosters have (no join date, a landline for a phone).
"""

import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from jiceng.core import bulk
from jiceng.org.models import Level, Unit

from . import crypto
from .identifiers import CREDIT_CODE_ALPHABET, make_credit_code, make_id_number
from .imports.pipeline import INSERT_FIELDS
from .models import Member, MemberStatus, MemberType
from .validation import member_flags

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红文斌辉鹏宇浩凯晨欣怡"
    "俊峰海燕雪梅春林波"
)
#: (trade, shop-name endings, industry as rosters name it)
TRADES = [
    ("餐饮", ["小吃店", "面馆", "饭店", "烧烤店", "早餐店", "包子铺"], "住宿和餐饮业"),
    ("零售", ["便利店", "超市", "日杂店", "烟酒店", "水果店", "粮油店"], "批发和零售业"),
    ("五金", ["五金店", "建材店", "灯具店", "水暖店"], "批发和零售业"),
    ("服装", ["服装店", "鞋店", "童装店", "布艺店"], "批发和零售业"),
    (
        "服务",
        ["理发店", "洗衣店", "家电维修部", "修车铺", "照相馆", "开锁店"],
        "居民服务、修理和其他服务业",
    ),
    ("运输", ["货运部", "快递代办点", "搬家服务部"], "交通运输、仓储和邮政业"),
    ("加工", ["加工厂", "印刷厂", "服装加工坊", "食品加工坊"], "制造业"),
]
ENTERPRISE_ENDINGS = [
    ("商贸有限公司", "批发和零售业"),
    ("科技有限公司", "信息传输、软件和信息技术服务业"),
    ("建材有限公司", "批发和零售业"),
    ("食品有限公司", "制造业"),
    ("物流有限公司", "交通运输、仓储和邮政业"),
    ("餐饮管理有限公司", "住宿和餐饮业"),
    ("家政服务有限公司", "居民服务、修理和其他服务业"),
]
NAME_WORDS = "鑫隆兴盛福顺发达旺佳美华康泰瑞祥和丰源聚诚信德宏新"

#: Members per grassroots association: the small demo, the national benchmark scale.
PER_ASSOCIATION = {"small": (40, 160), "national": None}
SMALL_SHOWCASE = {"340104": 320}  # 蜀山区: the demo secretary's own association has more


@dataclass
class Association:
    unit: Unit
    province_id: int
    places: list[Unit]  # the association and its branches and groups


def associations() -> list[Association]:
    """Every grassroots association with its province and the units below it (3 queries)."""
    units = list(
        Unit.objects.filter(level__in=[Level.PROVINCE, Level.GRASSROOTS, Level.BRANCH, Level.GROUP])
        .only("pk", "path", "code", "name", "level")
        .order_by("path")
    )
    provinces = {u.path: u.pk for u in units if u.level == Level.PROVINCE}
    result: list[Association] = []
    steplen = Unit.steplen
    current: Association | None = None
    for unit in units:
        if unit.level == Level.GRASSROOTS:
            current = Association(unit, provinces[unit.path[: 2 * steplen]], [unit])
            result.append(current)
        elif unit.level != Level.PROVINCE and current and unit.path.startswith(current.unit.path):
            current.places.append(unit)
    return result


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _rows(
    assoc: Association, count: int, rng: random.Random, serial: Iterator[int], today: datetime.date
) -> Iterator[tuple[object, ...]]:
    adapt = bulk.adapter(connection)
    now = adapt["datetime"](timezone.now())
    area = assoc.unit.code[:6]
    short = assoc.unit.name.replace("个体劳动者私营企业协会", "")
    for _ in range(count):
        n = next(serial)
        enterprise = rng.random() < 0.15
        operator = _person(rng)
        if enterprise:
            ending, industry = rng.choice(ENTERPRISE_ENDINGS)
            name = f"{short[:2]}{''.join(rng.sample(NAME_WORDS, 2))}{ending}"
            member_type, kind = MemberType.ENTERPRISE, "91"
        else:
            _trade, endings, industry = rng.choice(TRADES)
            name = f"{short[:3]}{operator[0]}记{rng.choice(endings)}"
            member_type, kind = MemberType.INDIVIDUAL, "92"
        body = "".join(CREDIT_CODE_ALPHABET[(n // 31**i) % 31] for i in range(7))
        code = make_credit_code(kind=kind, area=area, body=f"MA{body}")
        roll = rng.random()
        phone = (
            f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
            if roll < 0.95
            else (
                f"0{rng.randrange(100, 999)}-{rng.randrange(10**7, 10**8)}" if roll < 0.98 else ""
            )
        )
        joined = (
            None
            if rng.random() < 0.04
            else datetime.date(
                rng.randint(2005, today.year), rng.randint(1, 12), rng.randint(1, 28)
            )
        )
        if joined and joined > today:
            joined = today
        id_number = ""
        if rng.random() < 0.3:
            born = datetime.date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
            id_number = make_id_number(area=area, born=born, sequence=rng.randrange(1000))
        status = rng.choices(
            (MemberStatus.ACTIVE, MemberStatus.LAPSED, MemberStatus.LEFT), (90, 6, 4)
        )[0]
        place = (
            assoc.unit if rng.random() < 0.7 or len(assoc.places) == 1 else rng.choice(assoc.places)
        )
        flags = member_flags(
            member_type=member_type,
            credit_code=code,
            phone_kind="landline" if phone.startswith("0") else ("mobile" if phone else ""),
            join_date=joined,
            id_legacy=False,
        )
        yield (
            place.pk,
            assoc.unit.pk,
            assoc.province_id,
            str(member_type),
            name,
            operator,
            code,
            "",
            crypto.encrypt(id_number) if id_number else None,
            crypto.blind_index(id_number) if id_number else "",
            False,
            phone,
            industry,
            f"{assoc.unit.name[:6]}{rng.randint(1, 300)}号",
            adapt["date"](joined),
            str(status),
            adapt["json"](flags),
            None,
            now,
            now,
            1,
        )


def seed_members(*, scale: str, rng: random.Random, per_association: int | None = None) -> int:
    """Members for every grassroots association; returns how many. `per_association` fixes the
    count (the national benchmark uses ~3,300 each, 10 million in all)."""
    today = timezone.localdate()
    serial = iter(range(1, 10**10))
    total = 0
    chunk: list[tuple[object, ...]] = []
    for assoc in associations():
        if per_association is not None:
            count = per_association
        else:
            low, high = PER_ASSOCIATION["small"] or (0, 0)
            count = SMALL_SHOWCASE.get(assoc.unit.code, rng.randint(low, high))
        chunk.extend(_rows(assoc, count, rng, serial, today))
        if len(chunk) >= 50_000:
            total += _write(chunk)
            chunk = []
    total += _write(chunk)
    return total


def _write(rows: list[tuple[object, ...]]) -> int:
    with transaction.atomic():
        bulk.insert_rows(connection, Member, INSERT_FIELDS, rows)
    return len(rows)
