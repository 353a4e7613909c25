from typing import Any

from django.http import HttpRequest

from jiceng.accounts.roles import Perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"can": {perm.name: user.can(perm) for perm in Perm}}
