"""Progress figures as table cells, built in Python: a national progress page has a hundred such
rows, and a template include per row cost more than the page's queries. The header cells are
`campaigns/_figures_head.html`."""

import functools
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiceng.core.figures import format_amount
from jiceng.core.templatetags.figure_format import rate_bar

register = template.Library()


@functools.cache
def _labels(language: str | None) -> dict[str, str]:
    """The cells' labels in one language, translated and escaped once (not once per row)."""
    return {
        name: escape(label)
        for name, label in (
            ("expected", _("Expected")),
            ("done", _("Done")),
            ("on_time", _("On time")),
            ("late", _("Late")),
            ("waived", _("Waived")),
            ("not_done", _("Not done")),
            ("overdue", _("Overdue")),
            ("reporting", _("Reporting rate")),
            ("on_time_rate", _("On-time rate")),
        )
    }


@register.simple_tag
def figure_cells(p: Any, overdue: int | None = None) -> SafeString:
    """A `Progress` as the cells under `_figures_head.html`: expected, done, on time, late,
    waived, not done, (overdue, when given), reporting and on-time rates; each sortable and
    labelled for the stacked phone layout. Every value is an int or a float, and the labels
    are escaped, so the cells are joined as plain strings."""
    label = _labels(get_language())
    cells = [
        f'<td class="text-end" data-label="{label[name]}" data-sort-value="{int(value)}">'
        f"{format_amount(value)}</td>"
        for name, value in (
            ("expected", p.expected),
            ("done", p.done),
            ("on_time", p.on_time),
            ("late", p.late),
            ("waived", p.waived),
            ("not_done", p.not_done),
        )
    ]
    if overdue is not None:
        cells.append(
            f'<td class="text-end{" text-danger" if overdue else ""}"'
            f' data-label="{label["overdue"]}" data-sort-value="{int(overdue)}"'
            f' data-testid="child-overdue">{format_amount(overdue)}</td>'
        )
    for name, percent, testid in (
        ("reporting", p.reporting_percent, "reporting-rate"),
        ("on_time_rate", p.on_time_percent, "on-time-rate"),
    ):
        sort = "" if percent is None else repr(float(percent))
        cells.append(
            f'<td data-label="{label[name]}" data-sort-value="{sort}">'
            f"{rate_bar(percent, testid)}</td>"
        )
    return mark_safe("".join(cells))  # noqa: S308  (numbers and escaped labels only)
