from typing import Any

from django import template
from django.db.models import Model
from django.utils.html import format_html

register = template.Library()


@register.filter
def field_label(model_or_item: Any, name: str) -> str:
    return str(model_or_item._meta.get_field(name).verbose_name)


@register.filter
def field_value(item: Model, name: str) -> Any:
    """A field's value for display: choice labels, yes/no, photo thumbnails."""
    field = item._meta.get_field(name)
    if getattr(field, "choices", None):
        return getattr(item, f"get_{name}_display")()
    value = getattr(item, name)
    if name == "image":
        from django.urls import reverse

        url = reverse("org:venue_photo", kwargs={"pk": item.pk})
        return format_html('<img class="photo-thumb rounded" src="{}" alt="">', url)
    if value is None or value == "":
        return "—"
    return value


@register.filter
def completeness_class(percent: int) -> str:
    return f"completeness-{min(100, max(0, round(percent / 20) * 20))}"


@register.inclusion_tag("org/_unit_tabs.html")
def unit_tabs(unit: Any, active: str) -> dict[str, Any]:
    """The unit's tab bar; `active` is the key of the page being shown."""
    from jiceng.org.tabs import unit_tabs as registered

    tabs = [(tab.key, tab.label, tab.url(unit.pk)) for tab in registered()]
    return {"tabs": tabs, "active": active, "unit": unit}
