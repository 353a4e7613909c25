"""How figures look on every page: one helper (`core/figures.format_amount`) behind two filters,
so money and counts carry thousands separators whatever the language.

    {% load figure_format %}
    {{ payment.amount|money }}      → 1,234.50   (always two decimals)
    {{ figure.numerator|number }}   → 50,895     (up to two decimals, none for whole numbers)
    {{ hours|number:1 }}            → 61.3
    {% rate_bar percent "testid" %} → a bar and "87.5%" (a dash for None)
"""

from typing import Any

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from jiceng.core.figures import format_amount

register = template.Library()


@register.filter
def money(value: Any) -> str:
    return format_amount(value, 2)


@register.filter
def number(value: Any, places: Any = None) -> str:
    return format_amount(value, None if places in (None, "") else int(places))


@register.simple_tag
def rate_bar(percent: float | None, testid: str) -> SafeString:
    """A rate (0–100) as a bar and its figure with one decimal, or a dash when there is none
    (nothing expected). Built in Python: tables show one per row."""
    if percent is None:
        return format_html('<span class="text-muted" data-testid="{}">—</span>', testid)
    shown = format_amount(percent, 1)
    return mark_safe(  # noqa: S308  (a number, and the caller's test id escaped)
        '<div class="d-flex align-items-center gap-2"><progress class="flex-grow-1 dues-rate"'
        f' max="100" value="{float(percent)!r}" aria-label="{shown}%"></progress>'
        f'<span class="text-nowrap" data-testid="{escape(testid)}">{shown}%</span></div>'
    )
