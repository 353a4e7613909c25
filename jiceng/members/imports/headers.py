"""Finding the header row of a hand-made roster and mapping its columns to member fields.

Rosters come from Excel and WPS with a merged title row and blank rows above the header, and
header words that vary from county to county. A header cell matches a field when, cleaned of
spaces, asterisks and notes in brackets, it equals one of the field's known words, or contains
one; the longest matching word wins, so 经营者身份证号 is the ID number, not the operator.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Member fields a roster column may fill, in the order the mapping form shows them.
FIELD_LABELS: dict[str, Promise] = {
    "business_name": _("business name"),
    "operator": _("operator"),
    "member_type": _("member type"),
    "credit_code": _("unified social credit code"),
    "id_number": _("operator's ID number"),
    "phone": _("phone"),
    "industry": _("industry"),
    "address": _("address"),
    "join_date": _("join date"),
    "status": _("status"),
    "unit": _("branch or group"),
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "business_name": (
        "字号名称",
        "商户名称",
        "企业名称",
        "字号",
        "名称",
        "会员名称",
        "单位名称",
        "商户字号",
        "个体工商户名称",
        "企业商户名称",
        "市场主体名称",
        "主体名称",
        "店名",
        "店铺名称",
        "businessname",
        "name",
    ),
    "operator": (
        "经营者",
        "负责人",
        "经营者姓名",
        "法定代表人",
        "法人代表",
        "法人",
        "业主",
        "业主姓名",
        "负责人姓名",
        "经营者名称",
        "投资人",
        "姓名",
        "operator",
    ),
    "member_type": (
        "会员类型",
        "会员类别",
        "主体类型",
        "市场主体类型",
        "类型",
        "类别",
        "企业类型",
        "membertype",
    ),
    "credit_code": (
        "统一社会信用代码",
        "信用代码",
        "社会信用代码",
        "统一代码",
        "注册号",
        "营业执照号",
        "营业执照注册号",
        "营业执照号码",
        "统一社会信用代码注册号",
        "creditcode",
    ),
    "id_number": (
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份号码",
        "证件号码",
        "经营者身份证号",
        "经营者身份证号码",
        "负责人身份证号",
        "idnumber",
    ),
    "phone": (
        "联系电话",
        "手机号码",
        "手机号",
        "电话",
        "手机",
        "联系方式",
        "电话号码",
        "联系手机",
        "phone",
    ),
    "industry": ("行业", "所属行业", "行业类别", "行业分类", "行业门类", "industry"),
    "address": (
        "地址",
        "经营地址",
        "经营场所",
        "住所",
        "注册地址",
        "经营场所地址",
        "详细地址",
        "address",
    ),
    "join_date": (
        "入会时间",
        "入会日期",
        "加入时间",
        "入会年月",
        "入会年份",
        "入会时间年月日",
        "joindate",
    ),
    "status": ("会员状态", "状态", "status"),
    "unit": (
        "所属分会",
        "所属单位",
        "分会",
        "服务站",
        "所属服务站",
        "会员小组",
        "所属小组",
        "分会名称",
        "所属分会名称",
        "服务站名称",
        "branch",
        "group",
    ),
}

#: Header words of columns that are read but never imported.
IGNORED = ("序号", "编号", "备注", "no", "说明")

_NOTE = re.compile(r"[（(\[【][^）)\]】]*[）)\]】]")
_JUNK = re.compile(r"[\s*＊:：_\-/、.·]")

_LOOKUP: list[tuple[str, str]] = sorted(
    ((word, field) for field, words in SYNONYMS.items() for word in words),
    key=lambda pair: -len(pair[0]),
)

#: Rows searched for the header, from the top of the sheet.
HEADER_SEARCH_ROWS = 30


def clean_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = _NOTE.sub("", text)
    return _JUNK.sub("", text).lower()


def match_field(header: Any) -> str | None:
    """The member field a header cell names, or None."""
    text = clean_header(header)
    if not text or text in IGNORED:
        return None
    for word, field in _LOOKUP:
        if text == word:
            return field
    for word, field in _LOOKUP:
        if len(word) >= 2 and word in text:
            return field
    return None


def auto_mapping(headers: Sequence[Any]) -> dict[int, str]:
    """Column index → field, each field taken by its first matching column."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        field = match_field(header)
        if field and field not in taken:
            mapping[index] = field
            taken.add(field)
    return mapping


@dataclass
class HeaderGuess:
    row: int  # row number as the user sees it
    headers: list[str]
    mapping: dict[int, str]


def find_header(rows: Iterable[tuple[int, list[Any]]]) -> HeaderGuess | None:
    """The row among the first HEADER_SEARCH_ROWS that names the most member fields, provided it
    names the business name and at least one other field."""
    best: HeaderGuess | None = None
    for seen, (number, values) in enumerate(rows):
        if seen >= HEADER_SEARCH_ROWS:
            break
        mapping = auto_mapping(values)
        fields = set(mapping.values())
        if "business_name" not in fields or len(fields) < 2:
            continue
        if best is None or len(fields) > len(set(best.mapping.values())):
            headers = ["" if v is None else str(v).strip() for v in values]
            best = HeaderGuess(row=number, headers=headers, mapping=mapping)
    return best
