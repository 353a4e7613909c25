"""Deploy check: every role that may unmask personal data or manage accounts must sign in with
a second factor (`MFA_REQUIRED_ROLES`, set in the production settings)."""

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from .roles import mfa_roles


@register("security", deploy=True)
def second_factor_roles(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    missing = sorted(set(mfa_roles()) - set(settings.MFA_REQUIRED_ROLES))
    if not missing:
        return []
    return [
        Warning(
            f"These roles may unmask personal data or manage accounts but sign in without a "
            f"second factor: {', '.join(missing)}.",
            hint="List them in MFA_REQUIRED_ROLES (the production settings do by default).",
            id="accounts.W001",
        )
    ]
