"""Members for tests, made through the services so they carry the same anchors and rules."""

import datetime
import itertools
from typing import Any

from jiceng.core.actor import Actor
from jiceng.members import services
from jiceng.members.identifiers import make_credit_code, make_id_number
from jiceng.members.models import Member, MemberType
from jiceng.org.models import Unit

_serial = itertools.count(1)


def credit_code(kind: str = "92", area: str = "340104") -> str:
    return make_credit_code(kind=kind, area=area, body=f"MA{next(_serial):07d}")


def id_number(area: str = "340104") -> str:
    return make_id_number(area=area, born=datetime.date(1980, 1, 1), sequence=next(_serial) % 1000)


def make_member(unit: Unit, **fields: Any) -> Member:
    id_no = fields.pop("id_number", "")
    data: dict[str, Any] = {
        "member_type": MemberType.INDIVIDUAL,
        "business_name": f"测试商户{next(_serial)}",
        "operator": "张三",
        "credit_code": credit_code(),
        "phone": "13800138000",
        "join_date": datetime.date(2023, 5, 6),
        **fields,
    }
    return services.member_create(actor=Actor.system(), unit=unit, data=data, id_number=id_no)
