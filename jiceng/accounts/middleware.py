"""Session security for signed-in users: the absolute session lifetime, the session list, the
second factor their role requires, and re-authentication before the views `SENSITIVE_VIEWS`
names (see `reauth.py`)."""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import mfa, reauth, sessions

#: Session key: when this session signed in (seconds since the epoch).
STARTED_KEY = "jiceng_signed_in_at"

#: What a user whose role needs a second factor may open before enrolling.
_ENROLMENT_OPEN = (
    "accounts:mfa_enrol",
    "accounts:recovery_codes",
    "accounts:reauth",
    "accounts:login",
    "accounts:login_code",
    "accounts:logout",
    "set_language",
)


class AccountSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated:
            started = request.session.get(STARTED_KEY)
            # A session ended from another device is gone from the session table already;
            # one signed in too long ago ends here, however active.
            if isinstance(started, int) and time.time() - started > settings.SESSION_ABSOLUTE_AGE:
                sessions.end_current(request)
                logout(request)
                messages.info(request, _("Your session has ended: please sign in again."))
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
            sessions.touch(request)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        user = request.user
        if not user.is_authenticated or not mfa.required_for(user):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in _ENROLMENT_OPEN or request.path.startswith(settings.STATIC_URL):
            return None
        if mfa.has_device(user):
            return None
        url = reverse("accounts:mfa_enrol")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=200)
            response["HX-Redirect"] = url
            return response
        if request.path.startswith("/api/"):
            return HttpResponse(status=403)
        return redirect(url)


class ReauthMiddleware:
    """Ask for a fresh authentication before any view `SENSITIVE_VIEWS` names."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if match is None or not request.user.is_authenticated:
            return None
        if reauth.is_sensitive(request, match.view_name) and not reauth.is_recent(request):
            return reauth.reauth_response(request)
        return None
