"""Reading one cell of a hand-made roster: text, dates, phones, codes, types and statuses.

Cells arrive as Excel gives them: numbers as floats (13800138000.0), dates as date cells, serial
numbers or text in a dozen spellings, full-width digits, stray and non-breaking spaces.
"""

import datetime
import decimal
import re
import unicodedata
from typing import Any

from jiceng.core.validators import normalize_phone

from ..models import MemberStatus, MemberType

EXCEL_EPOCH = datetime.date(1899, 12, 30)
#: Serial numbers of 1950-01-01 and 2100-01-01: outside this a number is no join date.
SERIAL_RANGE = (18264, 73051)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_YMD = re.compile(r"^(\d{4})\s*[./\-年]\s*(\d{1,2})\s*[./\-月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_YM = re.compile(r"^(\d{4})\s*[./\-年]\s*(\d{1,2})\s*月?$")
_COMPACT_YMD = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_PHONE_SPLIT = re.compile(r"[/,，;；、|]|\s{2,}")
#: A number as Excel writes a long one in scientific notation: 1.3955120012E10, 1.39E+10.
_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d{1,3}$")
#: How many digits a phone written as a number has: a mobile (a landline's leading 0 is lost).
_PHONE_DIGITS = 11


class CellError(ValueError):
    """A cell that cannot be read: `code` says why (see problems.py)."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


def text(value: Any) -> str:
    """Text with runs of spaces (any kind) collapsed and invisible characters removed."""
    if value.__class__ is str:
        if not value:
            return ""
        # Most cells are clean: printable (no tabs, no-break, full-width or zero-width spaces),
        # no doubled spaces, nothing around them. Checking that is cheaper than cleaning.
        if value.isprintable() and "  " not in value and value[0] != " " and value[-1] != " ":
            return value
        return " ".join((value if value.isascii() else value.translate(_INVISIBLE)).split())
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).translate(_INVISIBLE).split())


def number_text(value: Any, *, field: str) -> str:
    """A code-like cell (credit code, ID number): refuse numbers that lost digits in Excel."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        if abs(value) >= 1e15:
            raise CellError("number_lost_digits", field=field)
        return str(int(value))
    return text(value)


def _date(year: int, month: int, day: int, raw: Any) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError("invalid_date", value=raw) from None


def parse_date(value: Any) -> datetime.date | None:
    """A date from a date cell, an Excel serial number, or text such as 2023.5.6, 2023/05/06,
    2023-5-6, 2023年5月6日, 20230506, 2023年5月 (the 1st) or 2023 (1 January). Blank is None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float | int) and not isinstance(value, bool):
        number = int(value)
        if SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
            return EXCEL_EPOCH + datetime.timedelta(days=number)
        value = str(number)
    raw = value
    s = unicodedata.normalize("NFKC", str(value)).strip()
    if not s:
        return None
    if m := _YMD.match(s):
        return _date(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _YM.match(s):
        return _date(int(m[1]), int(m[2]), 1, raw)
    if m := _COMPACT_YMD.match(s):
        return _date(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _YEAR.match(s):
        return _date(int(m[1]), 1, 1, raw)
    if s.isdigit() and SERIAL_RANGE[0] <= int(s) <= SERIAL_RANGE[1]:
        return EXCEL_EPOCH + datetime.timedelta(days=int(s))
    raise CellError("invalid_date", value=raw)


def parse_phone(value: Any) -> tuple[str, str]:
    """(kind, value): the first mobile or landline in the cell, normalised; or ("invalid", the
    text as written) when there is none; ("", "") for a blank cell."""
    if value is None or value == "":
        return "", ""
    raw = str(int(value)) if isinstance(value, float) and value.is_integer() else text(value)
    if not raw:
        return "", ""
    raw = _from_scientific(raw)
    if len(raw) == 11 and raw.isascii() and raw.isdigit() and raw[0] == "1" and raw[1] in "3456789":
        return "mobile", raw  # the common case, without the general rules below
    for part in [raw, *_PHONE_SPLIT.split(raw)]:
        part = part.strip()
        if part:
            kind, normalized = normalize_phone(part)
            if kind != "invalid":
                return kind, normalized
    return "invalid", raw[:32]


def _from_scientific(raw: str) -> str:
    """A phone Excel turned into scientific notation (1.3955120012E10), as the digits it is: read
    exactly (Decimal, never a float) and only when it is a whole number of a phone's length;
    anything else as written."""
    compact = unicodedata.normalize("NFKC", raw).strip()
    if not _SCIENTIFIC.match(compact):
        return raw
    number = decimal.Decimal(compact)
    if number != number.to_integral_value():
        return raw
    digits = str(int(number))
    return digits if len(digits) == _PHONE_DIGITS else raw


def _words(*pairs: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    return {word: value for value, words in pairs for word in words}


MEMBER_TYPES = _words(
    (
        MemberType.INDIVIDUAL,
        (
            "个体工商户",
            "个体户",
            "个体",
            "个体工商",
            "个体经营户",
            "个体经营者",
            "个体工商业户",
            "individual",
            "individualbusiness",
        ),
    ),
    (
        MemberType.ENTERPRISE,
        (
            "私营企业",
            "私企",
            "企业",
            "民营企业",
            "私营",
            "有限责任公司",
            "有限公司",
            "公司",
            "个人独资企业",
            "合伙企业",
            "enterprise",
            "privateenterprise",
        ),
    ),
)

STATUSES = _words(
    (MemberStatus.ACTIVE, ("正常", "在册", "有效", "在会", "会员", "active")),
    (MemberStatus.LAPSED, ("停缴", "欠费", "失效", "暂停", "过期", "lapsed")),
    (MemberStatus.LEFT, ("退会", "注销", "离会", "已退会", "已退出", "退出", "left")),
)


def _key(value: Any) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value))).lower()


def parse_member_type(value: Any) -> str:
    """ "individual", "enterprise", or "" for a blank cell; CellError for anything else."""
    if value is None or value == "":
        return ""
    key = _key(value)
    if not key:
        return ""
    if key in MEMBER_TYPES:
        return MEMBER_TYPES[key]
    raise CellError("unknown_member_type", value=text(value))


def parse_status(value: Any) -> str:
    if value is None or value == "":
        return ""
    key = _key(value)
    if not key:
        return ""
    if key in STATUSES:
        return STATUSES[key]
    raise CellError("unknown_status", value=text(value))


#: 合计, 总计：120户, 小计 35 … — a row that totals the ones above it (not a shop named 总计小吃).
TOTAL_CELL = re.compile(
    r"^(合计|总计|小计|共计|总数|total)[:：]?[\d,，.]*(户|人|个|家|名)?$", re.IGNORECASE
)


_TOTAL_FIRST = frozenset("合总小共tT")


def is_blank_row(values: list[Any]) -> bool:
    for value in values:
        if value and (value.__class__ is not str or not value.isspace()):
            return False
    return True


def is_total_row(values: list[Any]) -> bool:
    """A totals row: one of its first cells says 合计 / 总计 / 小计 (Excel's SUM row)."""
    for value in values[:3]:
        if value.__class__ is str and value and value.lstrip()[:1] in _TOTAL_FIRST:
            compact = value.replace(" ", "").replace("\u3000", "")
            if TOTAL_CELL.match(compact):
                return True
    return False
