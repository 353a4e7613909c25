"""The account security page (password, second factor, API tokens, sessions) and its actions,
and the re-authentication page. Every change here asks for a recent authentication."""

from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record
from jiceng.core.errors import DomainError
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest

from . import mfa, reauth, services, sessions
from .forms import EnrolForm, ReauthForm
from .models import ApiToken, UserSession

#: Session key: recovery codes just made, shown once by `recovery_codes`.
NEW_CODES_KEY = "jiceng_new_recovery_codes"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_security(request: AuthedRequest) -> HttpResponseBase:
    """One page for the account's own security; a POST `end` signs out another of its sessions
    (404 for anyone else's, or this one) after a recent authentication."""
    user = request.user
    if request.method == "POST" and "end" in request.POST:
        if not reauth.is_recent(request):
            return reauth.reauth_response(request)
        session = _own_session(request, request.POST["end"])
        sessions.session_end(actor=Actor.from_request(request), user=user, session=session)
        messages.success(request, _("That session has been signed out."))
        return redirect("accounts:security")
    context = {
        "has_second_factor": mfa.has_device(user),
        "second_factor_required": mfa.required_for(user),
        "recovery_codes_left": mfa.recovery_codes_left(user),
        "token_count": ApiToken.objects.filter(user=user, revoked_at__isnull=True).count(),
        "sessions": sessions.live_sessions(user),
        "current_key": request.session.session_key,
    }
    return _no_store(render(request, "accounts/security.html", context))


def _own_session(request: AuthedRequest, raw: str) -> UserSession:
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    session = UserSession.objects.filter(pk=pk, user=request.user).first() if pk > 0 else None
    if session is None or session.session_key == request.session.session_key:
        raise Http404
    return session


@never_cache
@login_required
@reauth.require_recent_auth
def mfa_enrol(request: AuthedRequest) -> HttpResponseBase:
    user = request.user
    actor = Actor.from_request(request)
    if mfa.has_device(user):
        return redirect("accounts:security")
    device = services.mfa_enrol_start(actor=actor, user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.mfa_enrol_confirm(
                actor=actor, user=user, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            request.session[NEW_CODES_KEY] = codes
            messages.success(request, _("The second factor is on."))
            return redirect("accounts:recovery_codes")
    context = {
        "form": form,
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.secret_of(device),
        "required": mfa.required_for(user),
    }
    return _no_store(render(request, "accounts/mfa_enrol.html", context))


@never_cache
@login_required
def recovery_codes(request: AuthedRequest) -> HttpResponseBase:
    """The recovery codes just made, this once: a reload shows them no more."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("accounts:security")
    return _no_store(render(request, "accounts/recovery_codes.html", {"codes": codes}))


@login_required
@require_POST
@reauth.require_recent_auth
def recovery_codes_renew(request: AuthedRequest) -> HttpResponseBase:
    try:
        codes = services.mfa_recovery_codes_renew(
            actor=Actor.from_request(request), user=request.user
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("accounts:security")
    request.session[NEW_CODES_KEY] = codes
    return redirect("accounts:recovery_codes")


@login_required
@require_POST
@reauth.require_recent_auth
def mfa_disable(request: AuthedRequest) -> HttpResponseBase:
    try:
        services.mfa_disable(actor=Actor.from_request(request), user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The second factor is off."))
    return redirect("accounts:security")


@never_cache
@login_required
def reauthenticate(request: AuthedRequest) -> HttpResponseBase:
    """Prove it is still you before a sensitive action: the second factor when the account has
    one, the password otherwise. A wrong answer counts as a failed sign-in."""
    user = request.user
    next_url = reauth.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    use_code = mfa.has_device(user)
    credentials = {"username": user.username, "second_factor": use_code}
    if AxesProxyHandler.is_locked(request, credentials):
        from .views import locked_out

        logout(request)
        return locked_out(request, None, credentials)
    form = ReauthForm(request.POST or None, use_code=use_code)
    if request.method == "POST" and form.is_valid():
        secret = form.cleaned_data["secret"]
        kind = mfa.verify(user, secret) if use_code else None
        if kind or (not use_code and user.check_password(secret)):
            reauth.mark_authenticated(request)
            actor = Actor.from_request(request)
            audit_record(
                actor=actor,
                action="security.reauthenticated",
                unit=user.unit,
                obj=user,
                after={"with": kind or "password"},
            )
            if kind == "recovery":
                services.mfa_recovery_code_used(actor=actor, user=user)
            return redirect(next_url)
        form.add_error("secret", _("That is not right."))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(
        request, "accounts/reauth.html", {"form": form, "next": next_url, "use_code": use_code}
    )
