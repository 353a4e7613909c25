"""Re-authentication: the one mechanism that asks for the password (or the second factor, when
the account has one) again before a sensitive action, valid for `REAUTH_MAX_AGE` seconds.

- account views use the decorator `require_recent_auth`;
- other apps' views are listed by URL name in the setting `SENSITIVE_VIEWS` and enforced by
  `accounts.middleware.ReauthMiddleware`, so they need no edit. An entry `name?param` applies
  only when the request carries `param` with a value that is set (an unmasked export).

A sign-in counts as an authentication (`mark_authenticated`, from the `user_logged_in` signal).
A request that needs a fresh one is sent to the re-authentication page with `next`; an htmx
request gets `HX-Redirect` there instead, so the whole page goes.
"""

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

#: Session key: when the user last proved who they are (seconds since the epoch).
SESSION_KEY = "jiceng_auth_at"

_UNSET = {"", "0", "false", "off", "no"}


def mark_authenticated(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = int(time.time())


def is_recent(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    if not isinstance(at, int | float):
        return False
    return 0 <= time.time() - at <= settings.REAUTH_MAX_AGE


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """`candidate` if it points into this site (as a path), else the home page."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(candidate)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("home")


def _return_to(request: HttpRequest) -> str:
    """Where to come back to: the page itself for a plain GET, else the page the request was
    sent from (an htmx swap or a form POST cannot be replayed)."""
    if request.method == "GET" and not getattr(request, "htmx", False):
        return request.get_full_path()
    origin = request.headers.get("HX-Current-URL") or request.headers.get("Referer")
    return safe_next(request, origin)


def reauth_response(request: HttpRequest) -> HttpResponse:
    url = reverse("accounts:reauth") + "?" + urlencode({"next": _return_to(request)})
    if getattr(request, "htmx", False):
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def require_recent_auth(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """View decorator: signed in (else to sign-in) and authenticated within REAUTH_MAX_AGE."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not is_recent(request):
            return reauth_response(request)
        return view(request, *args, **kwargs)

    return wrapper


def _parsed_registry() -> dict[str, str | None]:
    entries: dict[str, str | None] = {}
    for entry in settings.SENSITIVE_VIEWS:
        name, _, param = entry.partition("?")
        entries[name] = param or None
    return entries


def is_sensitive(request: HttpRequest, view_name: str) -> bool:
    registry = _parsed_registry()
    if view_name not in registry:
        return False
    param = registry[view_name]
    if param is None:
        return True
    values = request.GET.getlist(param) + request.POST.getlist(param)
    return any(value.strip().lower() not in _UNSET for value in values)
