"""How figures look on every page: one helper (`core/figures.format_amount`) behind two filters,
so money and counts carry thousands separators whatever the language.

    {% load figure_format %}
    {{ payment.amount|money }}      → 1,234.50   (always two decimals)
    {{ figure.numerator|number }}   → 50,895     (up to two decimals, none for whole numbers)
    {{ hours|number:1 }}            → 61.3
"""

from typing import Any

from django import template

from jiceng.core.figures import format_amount

register = template.Library()


@register.filter
def money(value: Any) -> str:
    return format_amount(value, 2)


@register.filter
def number(value: Any, places: Any = None) -> str:
    return format_amount(value, None if places in (None, "") else int(places))
