"""The signed-in sessions of an account (`UserSession`, keyed by Django's session key): opened at
sign-in, touched as the user works (at most once a minute), listed on the account security
page, ended by the user from another device or when too old."""

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.clientip import client_address

from .models import User, UserSession

#: Write "last seen" no more often than this.
TOUCH_EVERY = timedelta(minutes=1)
_SEEN_KEY = "jiceng_seen_at"


def _address(request: HttpRequest) -> str | None:
    if not hasattr(request, "user"):  # a request built by hand (the test client's login)
        return client_address(request)
    return Actor.from_request(request).source_address or None


def open_session(request: HttpRequest, user: User) -> None:
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "user_agent": request.headers.get("User-Agent", "")[:255],
            "ip_address": _address(request),
            "last_seen_at": now,
        },
    )
    request.session[_SEEN_KEY] = int(now.timestamp())


def touch(request: HttpRequest) -> None:
    now = timezone.now()
    seen = request.session.get(_SEEN_KEY)
    if isinstance(seen, int) and now.timestamp() - seen < TOUCH_EVERY.total_seconds():
        return
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).update(
            last_seen_at=now, ip_address=_address(request)
        )
        request.session[_SEEN_KEY] = int(now.timestamp())


def end_current(request: HttpRequest) -> None:
    """The current session has outlived SESSION_ABSOLUTE_AGE: forget it (the caller signs out)."""
    user = request.user
    UserSession.objects.filter(session_key=request.session.session_key).delete()
    if isinstance(user, User):
        audit_record(
            actor=Actor.from_request(request),
            action="security.session_ended",
            unit=user.unit,
            obj=user,
            after={"reason": "absolute lifetime"},
        )


def close_session(key: str | None) -> None:
    if key:
        UserSession.objects.filter(session_key=key).delete()


def live_sessions(user: User) -> QuerySet[UserSession]:
    """The account's sessions that have not expired (idle or ended)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live)


def session_end(*, actor: Actor, user: User, session: UserSession) -> None:
    """End one of the user's own sessions (another device): it is signed out at once."""
    if session.user_id != user.pk:
        raise ValueError("a user ends only their own sessions")
    Session.objects.filter(session_key=session.session_key).delete()
    session.delete()
    audit_record(
        actor=actor,
        action="security.session_ended",
        unit=user.unit,
        obj=user,
        after={"device": session.user_agent[:80], "address": session.ip_address},
    )
