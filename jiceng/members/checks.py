"""System checks for members' personal data: the key that encrypts ID numbers.

- `jiceng.E001` (every command): `MEMBER_DATA_KEY` is set but is not the base64 of exactly 32
  bytes. Without this check a bad key passed `check --deploy` and failed at the first
  encryption.
- `jiceng.E002` (every command): the settings require a key (`MEMBER_DATA_KEY_REQUIRED`, on in
  the production settings) and none is set.
- `jiceng.W001` (deploy): no key where one is not required; keys derive from SECRET_KEY.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

_HINT = (
    "Set MEMBER_DATA_KEY to 32 random bytes, base64-encoded (for example the output of "
    'python -c "import base64, os; print(base64.b64encode(os.urandom(32)).decode())"), '
    "and keep it safe: without it the ID numbers cannot be read."
)


@register(Tags.security)
def member_data_key_form(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.MEMBER_DATA_KEY:
        from .crypto import _master_key  # the one decoder the encryption itself uses

        try:
            _master_key()
        except ImproperlyConfigured as exc:
            return [Error(f"MEMBER_DATA_KEY is not valid: {exc}", hint=_HINT, id="jiceng.E001")]
        return []
    if getattr(settings, "MEMBER_DATA_KEY_REQUIRED", False):
        return [
            Error(
                "MEMBER_DATA_KEY is not set: these settings require a key of its own for "
                "members' ID numbers.",
                hint=_HINT,
                id="jiceng.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def member_data_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.MEMBER_DATA_KEY or getattr(settings, "MEMBER_DATA_KEY_REQUIRED", False):
        return []
    return [
        Warning(
            "MEMBER_DATA_KEY is not set: members' ID numbers are encrypted with a key derived "
            "from SECRET_KEY, so rotating SECRET_KEY would make them unreadable.",
            hint=_HINT,
            id="jiceng.W001",
        )
    ]
