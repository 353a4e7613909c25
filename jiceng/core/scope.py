"""Who may see what: the one place every query is scoped by the user's subtree.

Lists start from `in_scope(queryset, user)`; single objects come from `get_in_scope_or_404`,
which answers 404 — never 403 — for anything outside the subtree, so existence does not leak.
"""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

if TYPE_CHECKING:
    from jiceng.accounts.models import User
    from jiceng.accounts.roles import Perm

M = TypeVar("M", bound=Model)


def in_scope(queryset: QuerySet[M], user: "User", *, via: str = "unit") -> QuerySet[M]:
    """Rows whose unit (reached through `via`; "" for units themselves) is in the subtree."""
    field = f"{via}__path" if via else "path"
    return queryset.filter(**{f"{field}__subtree": user.unit.path})


def get_in_scope_or_404(
    queryset: QuerySet[M], user: "User", *, via: str = "unit", **lookup: Any
) -> M:
    return get_object_or_404(in_scope(queryset, user, via=via), **lookup)


def require(
    perm: "Perm",
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """View decorator: signed in, and the role holds `perm` (403 otherwise)."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.can(perm):  # type: ignore[union-attr]  # login_required ran
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
