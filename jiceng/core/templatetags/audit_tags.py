from django import template

from jiceng.core.audit import Change, describe_changes
from jiceng.core.models import AuditEntry

register = template.Library()


@register.filter
def changes(entry: AuditEntry) -> list[Change]:
    return describe_changes(entry)
