"""`{% unread_notifications as n %}`: the signed-in user's unread count for the navbar bell.
One query per request (kept on the request), none for an anonymous visitor."""

from typing import Any

from django import template

from ..selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context: dict[str, Any]) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_unread_notifications", None)
    if cached is None:
        cached = unread_count(user)
        request._unread_notifications = cached
    return int(cached)
