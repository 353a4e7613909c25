from django import template

from jiceng.core.actions import is_registered, label_for
from jiceng.core.audit import Change, describe_changes
from jiceng.core.models import AuditEntry

register = template.Library()


@register.filter
def changes(entry: AuditEntry) -> list[Change]:
    return describe_changes(entry)


@register.filter
def action_label(code: str) -> str:
    """An audit action's label in the active language (`{{ entry.action|action_label }}`)."""
    return label_for(code)


@register.filter
def is_registered_action(code: str) -> bool:
    return is_registered(code)
