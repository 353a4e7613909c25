"""Who may see and do what: the one place every query is scoped and every service authorised.

A model owned by a unit says how its unit is reached (`scope_via`, "unit" unless it declares
otherwise; "" for the unit itself) and, when it carries the tree anchors (`anchored = True`,
see `org/anchors.py`), its subtree filter goes through the narrowest anchor column instead of
the unit's path. `subtree_q(model, unit)` builds that filter; everything else stands on it:

- `Model.objects.in_subtree(unit)` / `.for_user(user)` on models whose queryset mixes in
  `ScopedQuerySet`; `in_scope(queryset, user)` for any other queryset;
- `get_in_scope_or_404(queryset_or_model, user, **lookup)` for one object: 404 — never 403 —
  for anything outside the subtree, so existence does not leak;
- `authorize(actor, perm, unit)`, which every service calls before it writes: the actor's role
  holds the permission and the unit lies in the actor's subtree (the system actor may do all);
- `require(perm)`, the view decorator: 403 when the role lacks the permission — but only for
  an object in the user's subtree. Scope comes first everywhere: for a page about an object
  outside the subtree the answer is 404 whatever the role, so a 403 never reveals that the
  object exists (issue 9, item 10). The decorator finds out by running the view in *probe*
  mode (in a transaction rolled back), where the view's own scope lookup — the first call of
  `get_in_scope_or_404`, `unit_in_scope_or_404` or `authorize` — stops it: with 404 outside
  the subtree, and otherwise with the 403 the role has earned. No view declares twice what it
  is about.
"""

from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from .errors import ForbiddenAction

if TYPE_CHECKING:
    from jiceng.accounts.models import User
    from jiceng.accounts.roles import Perm
    from jiceng.org.models import Unit

    from .actor import Actor

M = TypeVar("M", bound=Model)

#: Set while `require` probes a view for a role without the permission (see the module doc).
_probing: ContextVar[bool] = ContextVar("jiceng_scope_probe", default=False)


class _InScope(Exception):
    """Raised in probe mode once the view's object was found in the user's subtree."""


def _found(obj: M) -> M:
    if _probing.get():
        raise _InScope
    return obj


def scope_via(model: type[Model]) -> str:
    """The lookup from `model` to its owning unit ("" for the unit model itself)."""
    from jiceng.org.models import Unit

    if issubclass(model, Unit):
        return ""
    return str(getattr(model, "scope_via", "unit"))


def subtree_q(model: type[Model], unit: "Unit") -> Q:
    """The filter keeping the rows of `model` that belong to `unit` or anything below it."""
    from jiceng.org.anchors import anchor_q, is_anchored

    via = scope_via(model)
    if is_anchored(model) or (via and is_anchored(_related_model(model, via))):
        prefix = "" if is_anchored(model) else f"{via}__"
        anchored = anchor_q(unit, prefix=prefix)
        if anchored is not None:
            return anchored
    path = f"{via}__path" if via else "path"
    return Q(**{f"{path}__subtree": unit.path})


def _related_model(model: type[Model], via: str) -> type[Model]:
    """The model at the end of a lookup path without the last hop to the unit ("activity__unit"
    → Activity); for "unit" the model itself is not anchored through a relation."""
    hops = via.split("__")[:-1]
    current: Any = model
    for hop in hops:
        current = current._meta.get_field(hop).related_model
    return current if hops else Model


class ScopedQuerySet(QuerySet[M]):
    """Mix into a unit-owned model's queryset: every list of it starts from `for_user`."""

    def in_subtree(self, unit: "Unit") -> "ScopedQuerySet[M]":
        return self.filter(subtree_q(self.model, unit))

    def for_user(self, user: "User") -> "ScopedQuerySet[M]":
        return self.in_subtree(user.unit)


def in_subtree(queryset: QuerySet[M], unit: "Unit") -> QuerySet[M]:
    return queryset.filter(subtree_q(queryset.model, unit))


def in_scope(queryset: QuerySet[M], user: "User") -> QuerySet[M]:
    """The rows of `queryset` in the user's subtree."""
    return in_subtree(queryset, user.unit)


def get_in_scope_or_404(queryset: QuerySet[M] | type[M], user: "User", **lookup: Any) -> M:
    qs = queryset if isinstance(queryset, QuerySet) else queryset._default_manager.all()
    return _found(get_object_or_404(in_scope(qs, user), **lookup))


def unit_in_scope_or_404(user: "User", pk: Any) -> "Unit":
    """The unit with this primary key if it lies in the user's subtree (404 otherwise, also for
    a key that is not a number)."""
    from jiceng.org.models import Unit

    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not -(2**63) <= key < 2**63:
        raise Http404
    return get_in_scope_or_404(Unit.objects.select_related("parent"), user, pk=key)


def authorize(actor: "Actor", perm: "Perm | None", unit: "Unit | None" = None) -> None:
    """Refuse unless the actor may do `perm` on `unit`: the role holds it and the unit lies in
    the actor's subtree. Services call it before they write; the system actor may do all."""
    if _probing.get():
        raise _InScope  # a view being probed reached its write: its object was in scope
    user = actor.user
    if user is None:
        return
    if perm is not None and not user.can(perm):
        raise ForbiddenAction(_("Your role may not make this change."))
    if unit is not None and not unit.path.startswith(user.unit.path):
        raise ForbiddenAction(_("This unit is outside your area."))


def require(
    perm: "Perm",
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """View decorator: signed in, and the role holds `perm`: otherwise 404 when the page is
    about an object outside the user's subtree, 403 when it is inside (see the module doc)."""

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.can(perm):  # type: ignore[union-attr]  # login_required ran
                if args or kwargs:  # a page about some object: scope answers first
                    refused = _raise_404_outside_scope(view, request, args, kwargs)
                    if refused is not None:
                        return refused
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _raise_404_outside_scope(
    view: Callable[..., HttpResponseBase], request: HttpRequest, args: Any, kwargs: Any
) -> HttpResponseBase | None:
    """Run `view` in probe mode: Http404 when its scope lookup fails. Otherwise None (the
    object is in scope, or the view never looked one up: the 403 stands), or the view's 405
    when it refused the method before looking anything up. Nothing it does is kept."""
    token = _probing.set(True)
    response = None
    try:
        with transaction.atomic():
            try:
                # The response is dropped unsent (its close() would signal request_finished).
                response = view(request, *args, **kwargs)
            finally:
                transaction.set_rollback(True)
    except Http404:
        raise
    except Exception:  # noqa: S110  (_InScope, a refusal, anything else: the 403 stands)
        pass
    finally:
        _probing.reset(token)
    if response is not None and response.status_code == 405:
        return response
    return None
