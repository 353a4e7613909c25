"""The layout of a roster: which sheet, which header row, which column is which field."""

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import UnusableInput
from .headers import HEADER_SEARCH_ROWS, find_header
from .readers import Roster, column_letter
from .values import text

SAMPLE_ROWS = 3
#: Phones (11 digits) and ID numbers (15 or 17 digits and a check character).
_PERSONAL_NUMBER = re.compile(r"\d{11,}[\dXx]?")


def _mask(value: str) -> str:
    """Samples are kept with the job: phones and ID numbers are masked like everywhere else."""
    return _PERSONAL_NUMBER.sub(lambda m: m[0][:3] + "*" * (len(m[0]) - 7) + m[0][-4:], value)


@dataclass
class Layout:
    sheet: str
    header_row: int
    #: The columns as the reader returns them: index, letter, header text, masked samples.
    columns: list[dict[str, Any]] = field(default_factory=list)
    mapping: dict[int, str] = field(default_factory=dict)

    def column_label(self, index: int) -> str:
        col = self.columns[index] if index < len(self.columns) else None
        if col is None:
            return ""
        return f"{col['letter']} {col['header']}".strip()


def detect_layout(roster: Roster, *, sheet: str | None = None) -> Layout:
    """Find the header row on `sheet`, or on the first visible sheet that has one."""
    candidates = [sheet] if sheet is not None else roster.sheets
    empty = []
    for name in candidates:
        rows = roster.rows(name)
        first: list[tuple[int, list[Any]]] = []
        for number, values in rows:
            first.append((number, values))
            if len(first) >= HEADER_SEARCH_ROWS:
                break
        if not any(text(v) for _n, values in first for v in values):
            empty.append(name)
            continue
        guess = find_header(first)
        if guess is None:
            rows.close()  # type: ignore[attr-defined]
            continue
        offset = roster.column_offset(name)
        samples: list[list[str]] = [[] for _ in guess.headers]
        # Samples come from the rows after the header (a few, blank cells skipped).
        tail = [values for number, values in first if number > guess.row]
        for _number, values in rows:
            if len(tail) >= 20:
                break
            tail.append(values)
        rows.close()  # type: ignore[attr-defined]
        for values in tail:
            for i, value in enumerate(values[: len(samples)]):
                cell = text(value)
                if cell and len(samples[i]) < SAMPLE_ROWS:
                    samples[i].append(_mask(cell)[:40])
        columns = [
            {
                "index": i,
                "letter": column_letter(offset + i),
                "header": header,
                "samples": samples[i],
            }
            for i, header in enumerate(guess.headers)
        ]
        return Layout(sheet=name, header_row=guess.row, columns=columns, mapping=guess.mapping)
    label = candidates[0] if candidates else ""
    if len(empty) == len(candidates):
        raise UnusableInput("empty_sheet", sheet=label or roster.name)
    raise UnusableInput("no_header", rows=HEADER_SEARCH_ROWS, sheet=label or roster.name)
