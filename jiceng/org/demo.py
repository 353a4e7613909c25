"""The demo national network: current divisions from `@vant/area-data`, realistic profiles.

Built set-based (paths computed here, rows bulk-inserted level by level), so the national
scale (~100,000 units) takes a minute or so rather than hours of per-node inserts.
"""

import datetime
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record

from .counts import tree_changed
from .models import (
    Duty,
    Employment,
    EquipmentItem,
    FundsYear,
    LeadershipMember,
    LeadershipPosition,
    LeadingGroupMember,
    LeadingGroupRole,
    Level,
    StaffMember,
    Tenure,
    Unit,
    Venue,
)
from .validation import SEPARATELY_PLANNED_CITY_CODES

DEMO_PASSWORD = "Jiceng@2026demo"
NATIONAL_CODE = "100000"
MUNICIPALITIES = {"11", "12", "31", "50"}
EXCLUDED_PROVINCES = {"71", "81", "82"}  # outside the mainland associations' network
PLACEHOLDER_NAMES = {"市辖区", "县", "省直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
#: Provinces (and separately-planned cities) whose whole network the small demo builds.
SMALL_PROVINCES = {"340000", "110000", "330000", "330200", "440300"}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰志红文斌辉鹏宇浩凯晨欣怡"
    "俊峰海燕雪梅春林波"
)
STREETS = [
    "城关",
    "城东",
    "城西",
    "城南",
    "城北",
    "新华",
    "人民",
    "建设",
    "解放",
    "和平",
    "胜利",
    "东风",
    "红旗",
    "光明",
    "长安",
    "中山",
    "朝阳",
    "向阳",
    "前进",
    "工业园",
    "开发区",
    "高新",
    "滨江",
    "临湖",
    "南湖",
    "北山",
    "桃园",
    "杏花",
    "柳林",
    "荷塘",
]
ORDINALS = "一二三四五六七八九十"
EQUIPMENT = [
    ("办公电脑", 3),
    ("打印复印一体机", 1),
    ("投影仪", 1),
    ("会议桌椅", 20),
    ("档案柜", 4),
    ("宣传展板", 6),
    ("照相机", 1),
    ("空调", 3),
]
DUTIES = [
    ("会长", "主持协会全面工作，召集会长办公会，代表协会对外联络。"),
    ("秘书长", "负责日常工作，组织实施年度计划，管理会员档案与会费收缴。"),
    ("副秘书长", "协助秘书长做好会员服务、投诉受理和活动组织。"),
    ("会计", "负责经费收支核算，按期编制财务报表。"),
]


@dataclass
class Division:
    code: str
    name: str
    children: list["Division"] = field(default_factory=list)


AREA_DATA = Path(settings.BASE_DIR) / "node_modules" / "@vant" / "area-data" / "dist" / "index.js"
_AREA_ENTRY = re.compile(r'^\s+(\d{6}): "((?:[^"\\]|\\.)*)",?$', re.MULTILINE)


def _area_lists() -> dict[str, dict[str, str]]:
    """The three code → name tables of `@vant/area-data` (current divisions, maintained with
    each year's changes), installed by `make install` from the npm lock file."""
    if not AREA_DATA.exists():
        raise RuntimeError(f"{AREA_DATA} is missing; run `make install`.")
    text = AREA_DATA.read_text(encoding="utf-8")
    lists: dict[str, dict[str, str]] = {}
    for name in ("province_list", "city_list", "county_list"):
        start = text.index(f"{name}: {{")
        body = text[start : text.index("\n    }", start)]
        lists[name] = {code: json.loads(f'"{raw}"') for code, raw in _AREA_ENTRY.findall(body)}
    return lists


def load_divisions() -> list[Division]:
    """Provinces (31) and separately-planned cities (5), each with cities and counties."""
    lists = _area_lists()
    provinces: dict[str, Division] = {}
    cities: dict[str, Division] = {}
    for code, name in sorted(lists["province_list"].items()):
        if code[:2] not in EXCLUDED_PROVINCES:
            provinces[code] = Division(code, name)
    for code, name in sorted(lists["city_list"].items()):
        if code[:2] in EXCLUDED_PROVINCES:
            continue
        if code in SEPARATELY_PLANNED_CITY_CODES:
            provinces[code] = cities[code] = Division(code, name)
        elif code[:2] not in MUNICIPALITIES and name not in PLACEHOLDER_NAMES:
            cities[code] = Division(code, name)
            provinces[code[:2] + "0000"].children.append(cities[code])
    for code, name in sorted(lists["county_list"].items()):
        if code[:2] in EXCLUDED_PROVINCES or name in PLACEHOLDER_NAMES:
            continue
        county = Division(code, name)
        city_code = code[:4] + "00"
        if city_code in cities:
            cities[city_code].children.append(county)
        else:  # municipality districts, and counties governed by the province directly
            provinces[code[:2] + "0000"].children.append(county)
    return [provinces[c] for c in sorted(provinces)]


def _short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class _Builder:
    """Accumulates units level by level with their materialized paths."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choices(GIVEN, k=self.rng.choice((1, 2)))
        )

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def landline(self) -> str:
        return f"0{self.rng.randrange(100, 999)}-{self.rng.randrange(10**7, 10**8)}"


def _children_paths(parent: Unit, count: int) -> Iterator[str]:
    """Paths for `count` new children, after the ones the parent already has."""
    for i in range(parent.numchild + 1, parent.numchild + count + 1):
        yield Unit._get_path(parent.path, parent.depth + 1, i)


def _bulk(units: list[Unit]) -> list[Unit]:
    Unit.objects.bulk_create(units, batch_size=2000)
    tree_changed()  # no save signals for a bulk insert
    if units and units[0].pk is None:  # databases that do not return ids
        by_code = dict(
            Unit.objects.filter(code__in=[u.code for u in units]).values_list("code", "pk")
        )
        for unit in units:
            unit.pk = by_code[unit.code]
    return units


def _add_level(parents_children: list[tuple[Unit, list[dict]]]) -> list[Unit]:
    created: list[Unit] = []
    for parent, specs in parents_children:
        for path, spec in zip(
            _children_paths(parent, len(specs)), sorted(specs, key=lambda s: s["code"]), strict=True
        ):
            created.append(
                Unit(path=path, depth=parent.depth + 1, numchild=0, parent=parent, **spec)
            )
        parent.numchild += len(specs)
    return _bulk(created)


@dataclass
class SeedResult:
    units: int
    accounts: list[tuple[str, str, str]]
    members: int = 0


#: Members in the national benchmark network (DESIGN: benchmarks at 10 million members).
NATIONAL_MEMBERS = 10_000_000


def seed_demo(*, scale: str = "small", seed: int = 2009, members: int | None = None) -> SeedResult:
    """Build the demo network into an empty database: the tree, profiles and logins in one
    transaction, then members, dues and activities in batches of their own. `members` sets the
    number of members (default: 40–160 per association small, 10 million national)."""
    rng = random.Random(seed)
    b = _Builder(rng)
    divisions = load_divisions()
    national = scale == "national"
    branches_per = (10, 10) if national else (2, 4)
    with transaction.atomic():
        root = Unit(
            path=Unit._get_path(None, 1, 1),
            depth=1,
            numchild=0,
            code=NATIONAL_CODE,
            name="中国个体劳动者协会",
            short_name="中国个协",
            level=Level.NATIONAL,
            contact_person=b.person(),
            phone="010-68013344",
            address="北京市西城区三里河东路8号",
        )
        root.save()
        provinces = _add_level(
            [
                (
                    root,
                    [
                        {
                            "code": p.code,
                            "name": f"{p.name}个体劳动者私营企业协会",
                            "short_name": f"{_short(p.name)}个私协会",
                            "level": Level.PROVINCE,
                            "contact_person": b.person(),
                            "phone": b.landline(),
                            "address": f"{p.name}人民路{rng.randrange(1, 300)}号",
                        }
                        for p in divisions
                    ],
                )
            ]
        )
        by_code = {d.code: d for d in divisions}

        # Cities, and grassroots associations directly under provinces (municipalities etc.).
        grassroots_specs: list[tuple[Unit, list[dict]]] = []
        city_specs: list[tuple[Unit, list[dict]]] = []
        for prov in provinces:
            div = by_code[prov.code]
            if not national and div.code not in SMALL_PROVINCES:
                continue
            cities = [c for c in div.children if c.code.endswith("00")]
            counties = [c for c in div.children if not c.code.endswith("00")]
            if cities:
                city_specs.append((prov, [_city_spec(c, b) for c in cities]))
            if counties:
                grassroots_specs.append((prov, [_grassroots_spec(c, b) for c in counties]))
        city_units = _add_level(city_specs) if city_specs else []
        cities_by_code = {}
        for prov, _specs in city_specs:
            for c in by_code[prov.code].children:
                cities_by_code[c.code] = c
        for city in city_units:
            counties = cities_by_code[city.code].children or [
                Division(city.code + "001", f"{city.name}直属")
            ]
            grassroots_specs.append((city, [_grassroots_spec(c, b) for c in counties]))
        grassroots = _add_level(grassroots_specs)

        branch_specs = []
        for g in grassroots:
            n = rng.randint(*branches_per)
            streets = (
                rng.sample(STREETS, n) if n <= len(STREETS) else [f"第{i + 1}" for i in range(n)]
            )
            base = _short_county(g.name)
            branch_specs.append(
                (
                    g,
                    [
                        {
                            "code": f"{g.code}{i + 1:03d}",
                            "name": f"{base}{street}{'分会' if i % 3 else '会员服务站'}",
                            "short_name": f"{street}{'分会' if i % 3 else '服务站'}",
                            "level": Level.BRANCH,
                            "contact_person": b.person(),
                            "phone": b.phone(),
                            "address": f"{base}{street}{'街道' if i % 2 else '镇'}"
                            f"{rng.randrange(1, 99)}号",
                        }
                        for i, street in enumerate(streets)
                    ],
                )
            )
        branches = _add_level(branch_specs)
        group_specs = []
        for i, br in enumerate(branches):
            n = (2 + (i % 2)) if national else rng.randint(1, 2)
            group_specs.append(
                (
                    br,
                    [
                        {
                            "code": f"{br.code}{j + 1:03d}",
                            "name": f"{br.name}第{ORDINALS[j]}会员小组",
                            "short_name": f"第{ORDINALS[j]}小组",
                            "level": Level.GROUP,
                            "contact_person": b.person(),
                            "phone": b.phone(),
                        }
                        for j in range(n)
                    ],
                )
            )
        groups = _add_level(group_specs)
        parents = [root, *provinces, *city_units, *grassroots, *branches]
        Unit.objects.bulk_update(parents, ["numchild"], batch_size=2000)

        all_units = [root, *provinces, *city_units, *grassroots, *branches, *groups]
        _seed_profiles(
            b, [root, *provinces, *city_units, *grassroots], branches if not national else []
        )
        accounts = _seed_accounts(b, all_units)
        audit_record(
            actor=Actor.system(),
            action="seed.demo",
            unit=root,
            after={"scale": scale, "units": len(all_units), "accounts": len(accounts)},
            object_repr=f"seed_demo --scale {scale}",
        )
    member_count = _seed_domains(
        scale=scale,
        rng=rng,
        members=members,
        units=[*grassroots, *branches],
    )
    return SeedResult(units=len(all_units), accounts=accounts, members=member_count)


def _seed_domains(*, scale: str, rng: random.Random, members: int | None, units: list[Unit]) -> int:
    """Members, then their dues (set-based over the members table), then activities,
    complaints and rules documents for every grassroots association and branch in `units` (at
    national scale too: its activity pages are benchmarked, `bench_tree`)."""
    from jiceng.activities.demo import seed_activities
    from jiceng.dues.demo import seed_dues
    from jiceng.members.demo import associations, seed_members

    per_association = None
    if members is None and scale == "national":
        members = NATIONAL_MEMBERS
    if members is not None:
        per_association = max(1, members // max(1, len(associations())))
    count = seed_members(scale=scale, rng=rng, per_association=per_association)
    seed_dues(year=timezone.localdate().year)
    if units:
        seed_activities(units=units, rng=rng)
    return count


def _short_county(name: str) -> str:
    for suffix in ("自治县", "自治旗", "区", "县", "市", "旗"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _city_spec(c: Division, b: _Builder) -> dict:
    return {
        "code": c.code,
        "name": f"{c.name}个体劳动者私营企业协会",
        "short_name": f"{_short(c.name)}个私协会",
        "level": Level.CITY,
        "contact_person": b.person(),
        "phone": b.landline(),
        "address": f"{c.name}政务中心{b.rng.randrange(1, 30)}楼",
    }


def _grassroots_spec(c: Division, b: _Builder) -> dict:
    return {
        "code": c.code,
        "name": f"{c.name}个体劳动者私营企业协会",
        "short_name": f"{c.name}个私协会",
        "level": Level.GRASSROOTS,
        "contact_person": b.person(),
        "phone": b.landline(),
        "address": f"{c.name}市场监管局{b.rng.randrange(1, 6)}楼",
    }


def _seed_profiles(b: _Builder, units: list[Unit], light_units: list[Unit]) -> None:
    rng = b.rng
    this_year = timezone.localdate().year
    venues, staff, funds, equipment, duties, leaders, group = [], [], [], [], [], [], []
    for unit in units:
        complete = rng.random() < 0.8  # some units have gaps, as real ones do
        venues.append(
            Venue(
                unit=unit,
                address=unit.address,
                floor_area=Decimal(rng.randrange(40, 600)) if complete else None,
                tenure=rng.choice(Tenure.values),
                has_meeting_room=rng.random() < 0.8,
                has_members_home=rng.random() < 0.5,
            )
        )
        for post in ("秘书长", "副秘书长", "会员服务专员", "财务")[: rng.randint(2, 4)]:
            staff.append(
                StaffMember(
                    unit=unit,
                    name=b.person(),
                    post=post,
                    phone=b.phone(),
                    employment=rng.choice(Employment.values),
                )
            )
        if complete:
            for year in range(this_year - 2, this_year + 1):
                dues = Decimal(rng.randrange(20_000, 400_000))
                subsidy = Decimal(rng.randrange(0, 200_000))
                other = Decimal(rng.randrange(0, 50_000))
                funds.append(
                    FundsYear(
                        unit=unit,
                        year=year,
                        income_dues=dues,
                        income_subsidy=subsidy,
                        income_other=other,
                        spending=((dues + subsidy + other) * Decimal("0.9")).quantize(Decimal(1)),
                    )
                )
            for item, count in rng.sample(EQUIPMENT, rng.randint(3, 6)):
                equipment.append(EquipmentItem(unit=unit, item=item, count=count))
            for post, text in DUTIES:
                duties.append(Duty(unit=unit, post=post, duties=text))
        start = datetime.date(this_year - rng.randint(0, 4), rng.randint(1, 12), 1)
        end = datetime.date(start.year + 5, start.month, 1) - datetime.timedelta(days=1)
        for position in (
            LeadershipPosition.PRESIDENT,
            LeadershipPosition.VICE_PRESIDENT,
            LeadershipPosition.VICE_PRESIDENT,
            LeadershipPosition.SECRETARY_GENERAL,
        ):
            leaders.append(
                LeadershipMember(
                    unit=unit,
                    name=b.person(),
                    position=position,
                    term_start=start,
                    term_end=end,
                    employment=Employment.FULL_TIME
                    if position == LeadershipPosition.SECRETARY_GENERAL
                    else rng.choice(Employment.values),
                    phone=b.phone(),
                )
            )
        for role, title in (
            (LeadingGroupRole.LEADER, "会长"),
            (LeadingGroupRole.DEPUTY_LEADER, "秘书长"),
            (LeadingGroupRole.MEMBER, "市场监管局个体科科长"),
            (LeadingGroupRole.OFFICE_DIRECTOR, "副秘书长"),
        ):
            group.append(LeadingGroupMember(unit=unit, name=b.person(), role=role, title=title))
    for unit in light_units:
        venues.append(
            Venue(
                unit=unit,
                address=unit.address,
                floor_area=Decimal(rng.randrange(20, 120)),
                tenure=Tenure.LENT,
            )
        )
        staff.append(
            StaffMember(
                unit=unit,
                name=b.person(),
                post="联络员",
                phone=b.phone(),
                employment=Employment.PART_TIME,
            )
        )
    Venue.objects.bulk_create(venues, batch_size=2000)
    StaffMember.objects.bulk_create(staff, batch_size=2000)
    FundsYear.objects.bulk_create(funds, batch_size=2000)
    EquipmentItem.objects.bulk_create(equipment, batch_size=2000)
    Duty.objects.bulk_create(duties, batch_size=2000)
    LeadershipMember.objects.bulk_create(leaders, batch_size=2000)
    LeadingGroupMember.objects.bulk_create(group, batch_size=2000)


#: (username, role, unit code, full name) of the demo logins, one per role plus an outsider.
DEMO_ACCOUNTS = [
    ("national", Role.NATIONAL_ADMIN, NATIONAL_CODE, "全国管理员"),
    ("anhui", Role.PROVINCIAL_ADMIN, "340000", "安徽省管理员"),
    ("hefei", Role.CITY_ADMIN, "340100", "合肥市管理员"),
    ("shushan", Role.GRASSROOTS_SECRETARY, "340104", "蜀山区秘书长"),
    ("shushan_branch", Role.BRANCH_STAFF, "340104001", "蜀山区分会工作人员"),
    ("reviewer", Role.REVIEWER, "340000", "评审专家"),
    ("viewer", Role.VIEWER, "340100", "合肥市观察员"),
    ("baohe", Role.GRASSROOTS_SECRETARY, "340111", "包河区秘书长"),
]


def _seed_accounts(b: _Builder, units: list[Unit]) -> list[tuple[str, str, str]]:
    by_code = {u.code: u for u in units}
    # One Argon2 hash for every demo login: hashing each one would take seconds.
    password_hash = make_password(DEMO_PASSWORD)
    users = []
    result = []
    for i, (username, role, code, full_name) in enumerate(DEMO_ACCOUNTS, start=1):
        unit = by_code[code]
        users.append(
            User(
                username=username,
                role=role,
                unit=unit,
                full_name=full_name,
                phone=f"1380000{i:04d}",
                password=password_hash,
            )
        )
        result.append((username, str(Role(role).label), unit.name))
    User.objects.bulk_create(users)
    return result
