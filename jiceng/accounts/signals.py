"""Security events into the app's audit log (with the source address), from Django's auth
signals and django-axes' lockout signal, and the session bookkeeping a sign-in starts."""

import time
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.clientip import client_address

from . import reauth, sessions
from .backends import axes_username, find_account
from .middleware import STARTED_KEY
from .models import User

#: Set on the request by the sign-in view: how the second factor was given ("totp" or
#: "recovery"), for the sign-in entry.
SECOND_FACTOR_ATTR = "jiceng_second_factor"


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    if not hasattr(request, "user"):  # a request built by hand (the test client's login)
        return client_address(request)
    return Actor.from_request(request).source_address or None


def _through_the_site(request: HttpRequest | None) -> bool:
    """A request that came in over HTTP (the test client's `force_login` builds a bare one)."""
    return request is not None and getattr(request, "resolver_match", None) is not None


def _about(request: HttpRequest | None, user: User | None) -> dict[str, Any]:
    """Who an entry is about: the account (acting as itself) from the request's address."""
    return {
        "actor": Actor(user=user, source_address=_address(request)),
        "unit": user.unit if user is not None else None,
        "obj": user,
        "object_repr": None if user is not None else "",
    }


@receiver(user_logged_in, dispatch_uid="jiceng.accounts.signed_in")
def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[STARTED_KEY] = int(time.time())
    reauth.mark_authenticated(request)
    sessions.open_session(request, user)
    if _through_the_site(request):
        factor = getattr(request, SECOND_FACTOR_ATTR, None)
        audit_record(
            action="security.sign_in",
            after={"second_factor": factor or "none"},
            **_about(request, user),
        )


@receiver(user_logged_out, dispatch_uid="jiceng.accounts.signed_out")
def signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if request is None:
        return
    if hasattr(request, "session"):
        sessions.close_session(request.session.session_key)
    if isinstance(user, User) and _through_the_site(request):
        audit_record(action="security.sign_out", **_about(request, user))


@receiver(user_login_failed, dispatch_uid="jiceng.accounts.sign_in_failed")
def sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    user = find_account(axes_username(request, credentials))
    # The identifier typed for an unknown account is not kept: it may be a password typed in
    # the wrong box, or someone's phone number.
    step = "second_factor" if credentials.get("second_factor") else "password"
    audit_record(action="security.sign_in_failed", after={"step": step}, **_about(request, user))


@receiver(user_locked_out, dispatch_uid="jiceng.accounts.locked_out")
def locked_out(sender: Any, request: HttpRequest | None, username: str, **kwargs: Any) -> None:
    audit_record(action="security.locked_out", **_about(request, find_account(username)))
