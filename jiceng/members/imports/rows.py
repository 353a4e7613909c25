"""One roster row → the member it describes, with every problem found in it.

No database here: the checks that need the database (the credit code held by another unit,
matching existing members) happen per batch in `pipeline.py`.
"""

import datetime
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from ..identifiers import IdentifierError, check_credit_code, check_id_number, mask_id_number
from ..identifiers import compact as identifiers_compact
from ..validation import credit_code_matches_type, member_type_from_credit_code
from .headers import clean_header
from .layout import Layout
from .values import (
    CellError,
    is_blank_row,
    is_total_row,
    number_text,
    parse_date,
    parse_member_type,
    parse_phone,
    parse_status,
    text,
)

LIMITS = {"business_name": 200, "operator": 50, "industry": 50, "address": 200}
ERROR, WARNING = "error", "warning"


@dataclass(slots=True)
class Problem:
    field: str
    code: str
    severity: str
    value: str = ""
    params: dict[str, Any] = dc_field(default_factory=dict)


@dataclass(slots=True)
class Row:
    number: int
    #: Member fields present in the row (blank cells are absent: an import never erases).
    values: dict[str, Any]
    id_number: str = ""
    id_legacy: bool = False
    phone_kind: str = ""
    problems: list[Problem] = dc_field(default_factory=list)
    error: bool = False

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if problem.severity == ERROR:
            self.error = True


class RowParser:
    """Reads rows of one layout. `units` maps a sub-unit's code, name and short name to its id
    (the target unit's subtree), for a mapped branch/group column."""

    def __init__(
        self,
        *,
        layout: Layout,
        default_member_type: str = "",
        units: dict[str, int] | None = None,
        target_name: str = "",
        today: datetime.date,
    ):
        self.columns = sorted(layout.mapping.items())
        self.width = max((i for i, _f in self.columns), default=-1) + 1
        self.default_member_type = default_member_type
        self.units = units or {}
        self.target_name = target_name
        self.today = today
        self.headers = [
            (col["index"], clean_header(col["header"]))
            for col in layout.columns
            if col["index"] in layout.mapping and clean_header(col["header"])
        ]
        self.name_index = next(i for i, f in self.columns if f == "business_name")
        self.name_header_raw = str(layout.columns[self.name_index]["header"]).strip()
        self.name_header = clean_header(self.name_header_raw)

    def is_skipped(self, values: list[Any]) -> bool:
        """Blank rows, totals rows and repeated header rows are not members."""
        if is_blank_row(values) or is_total_row(values):
            return True
        name = values[self.name_index] if self.name_index < len(values) else ""
        # A header repeated mid-sheet (sheets pasted together) repeats its words exactly.
        if name.__class__ is not str or name.strip() != self.name_header_raw:
            return False
        size = len(values)
        repeated = sum(
            1 for i, word in self.headers if i < size and clean_header(values[i]) == word
        )
        return repeated >= 2 and repeated * 2 >= len(self.headers)

    def parse(self, number: int, values: list[Any]) -> Row:
        cells: dict[str, Any] = {}
        size = len(values)
        for index, name in self.columns:
            if index < size:
                cells[name] = values[index]
        row = Row(number=number, values={})
        out = row.values

        name = text(cells.get("business_name"))
        if not name:
            row.add(Problem("business_name", "missing_name", ERROR))
        out["business_name"] = name
        for key in ("operator", "industry", "address"):
            value = text(cells.get(key))
            if value:
                out[key] = value
        for key, limit in LIMITS.items():
            value = out.get(key, "")
            if len(value) > limit:
                row.add(
                    Problem(
                        key, "too_long", ERROR, value[:200], {"length": len(value), "limit": limit}
                    )
                )

        code = self._credit_code(row, cells.get("credit_code"))
        self._id_number(row, cells.get("id_number"))

        kind, phone = parse_phone(cells.get("phone"))
        if phone and "*" not in phone:  # a masked phone (from an export) keeps the one on record
            out["phone"] = phone
            row.phone_kind = kind
            if kind == "invalid":
                row.add(Problem("phone", "invalid_phone", WARNING, phone, {"value": phone}))

        self._member_type(row, cells.get("member_type"), code)

        raw_date = cells.get("join_date")
        try:
            joined = parse_date(raw_date)
        except CellError as exc:
            row.add(Problem("join_date", exc.code, ERROR, text(raw_date), exc.params))
        else:
            if joined is None:
                row.add(Problem("join_date", "missing_join_date", WARNING))
            elif joined > self.today:
                row.add(
                    Problem(
                        "join_date",
                        "future_date",
                        ERROR,
                        joined.isoformat(),
                        {"value": joined.isoformat()},
                    )
                )
            else:
                out["join_date"] = joined

        raw_status = cells.get("status")
        try:
            status = parse_status(raw_status)
        except CellError as exc:
            row.add(Problem("status", exc.code, ERROR, text(raw_status), exc.params))
        else:
            if status:
                out["status"] = status

        raw_unit = text(cells.get("unit"))
        if raw_unit:
            unit_id = self.units.get(_unit_key(raw_unit))
            if unit_id is None:
                row.add(
                    Problem(
                        "unit",
                        "unknown_unit",
                        ERROR,
                        raw_unit,
                        {"value": raw_unit, "unit": self.target_name},
                    )
                )
            else:
                out["unit_id"] = unit_id
        return row

    def _credit_code(self, row: Row, raw: Any) -> str:
        try:
            value = number_text(raw, field="credit_code")
        except CellError as exc:
            row.add(Problem("credit_code", exc.code, ERROR, text(raw), exc.params))
            return ""
        if not value:
            return ""
        compact = identifiers_compact(value)
        if compact.isdigit() and len(compact) in (13, 15):
            row.values["registration_number"] = compact  # an old registration number
            return ""
        try:
            code = check_credit_code(compact)
        except IdentifierError as exc:
            row.add(Problem("credit_code", exc.code, ERROR, value[:200], exc.params))
            return ""
        row.values["credit_code"] = code
        return code

    def _id_number(self, row: Row, raw: Any) -> None:
        try:
            value = number_text(raw, field="id_number")
        except CellError as exc:
            row.add(Problem("id_number", exc.code, ERROR, "", exc.params))
            return
        if not value or "*" in value:
            return  # blank, or masked as our own exports write it: keep what is on record
        try:
            number, legacy = check_id_number(value, today=self.today)
        except IdentifierError as exc:
            # Never keep an ID number in the clear, not even a wrong one: mask it.
            masked = mask_id_number(value)
            params = {**exc.params, "value": masked}
            row.add(Problem("id_number", exc.code, ERROR, masked, params))
            return
        row.id_number, row.id_legacy = number, legacy
        if legacy:
            row.add(Problem("id_number", "legacy_id_number", WARNING, mask_id_number(number)))

    def _member_type(self, row: Row, raw: Any, code: str) -> None:
        try:
            member_type = parse_member_type(raw)
        except CellError as exc:
            row.add(Problem("member_type", exc.code, ERROR, text(raw), exc.params))
            return
        if not member_type:
            member_type = member_type_from_credit_code(code) or self.default_member_type
        if not member_type:
            if not any(p.field == "credit_code" for p in row.problems):
                # (A wrong credit code is the problem to fix: it would have told the type.)
                row.add(Problem("member_type", "missing_member_type", ERROR))
            return
        row.values["member_type"] = member_type
        if code and not credit_code_matches_type(code, member_type):
            row.add(
                Problem(
                    "credit_code",
                    "credit_code_type_mismatch",
                    WARNING,
                    code,
                    {
                        "prefix": code[:2],
                        "code_type": _code_type_label(code),
                        "member_type": member_type,
                    },
                )
            )


def _unit_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value).replace(" ", "")


def unit_keys(units: list[Any]) -> dict[str, int]:
    """Lookup keys (code, name, short name) → id for the units a row may name."""
    keys: dict[str, int] = {}
    for unit in units:
        for key in (unit.code, unit.name, unit.short_name):
            if key:
                keys.setdefault(_unit_key(key), unit.pk)
    return keys


def _code_type_label(code: str) -> str:
    return {"92": "个体工商户", "91": "企业", "93": "农民专业合作社"}.get(code[:2], code[:2])
