from typing import Any

from django import template
from django.utils.translation import gettext as _

from jiceng.core.figures import format_amount
from jiceng.core.validators import mask_phone, normalize_phone

register = template.Library()

_STATE_CLASSES = {
    "received": "text-bg-warning",
    "in_progress": "text-bg-info",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
}


@register.filter
def pct_class(percent: Any) -> str:
    """A width class for a progress bar, in steps of 5% (no inline styles under the CSP)."""
    try:
        value = float(percent)
    except (TypeError, ValueError):
        value = 0
    return f"pct-{min(100, max(0, round(value / 5) * 5))}"


@register.filter
def state_class(state: str) -> str:
    return _STATE_CLASSES.get(state, "text-bg-light")


@register.filter
def mask_contact(value: str) -> str:
    """A submitter's contact for readers who do not handle complaints: 138****1234."""
    if not value:
        return ""
    if normalize_phone(value)[0] != "invalid":
        return mask_phone(value)
    return value[:1] + "***"


@register.filter
def percent(value: Any) -> str:
    return "—" if value is None else f"{value}%"


@register.filter
def dash(value: Any) -> Any:
    return "—" if value is None or value == "" else value


@register.filter
def duration(hours: Any) -> str:
    """Hours as a reader takes them in: minutes under an hour ("12 min"), else hours with one
    decimal ("61.3 h"); a dash for None."""
    if hours is None or hours == "":
        return "—"
    value = float(hours)
    if value < 1:
        return _("%(minutes)s min") % {"minutes": max(0, round(value * 60))}
    return _("%(h)s h") % {"h": format_amount(value, 1)}
