"""Deployment checks for members' personal data."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def member_data_key(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.MEMBER_DATA_KEY:
        return []
    return [
        Warning(
            "MEMBER_DATA_KEY is not set: members' ID numbers are encrypted with a key derived "
            "from SECRET_KEY, so rotating SECRET_KEY would make them unreadable.",
            hint="Set MEMBER_DATA_KEY to 32 random bytes, base64-encoded, and keep it safe.",
            id="jiceng.W001",
        )
    ]
