"""Sign-in and account management. Thin: parse, call a service, render."""

import time
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jiceng.core.actor import Actor
from jiceng.core.errors import DomainError
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import paginate, save_flow
from jiceng.org.models import Unit
from jiceng.org.selectors import unit_by_code

from . import mfa, selectors, services
from .backends import axes_username
from .forms import AccountForm, PasswordChangeForm, SecondFactorForm, SignInForm
from .models import User
from .reauth import require_recent_auth, safe_next
from .roles import Perm
from .signals import SECOND_FACTOR_ATTR

#: Session key: the account whose password was right, waiting for its second factor.
PENDING_KEY = "jiceng_mfa_pending"


class SignInView(auth_views.LoginView):
    """The password first; an account with a second factor is then asked for its code
    (`sign_in_code`) before it is signed in."""

    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not mfa.has_device(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_code")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None, {}
    if time.time() - pending.get("at", 0) > settings.MFA_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None, {}
    pk = pending.get("user")
    if not isinstance(pk, int):
        return None, {}
    user = User.objects.select_related("unit").filter(pk=pk).first()
    return (user if user is not None and user.is_active else None), pending


@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponseBase:
    """The second step of signing in: a code from the authenticator app or a recovery code.
    A wrong code counts as a failed sign-in (django-axes locks as for passwords)."""
    user, pending = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("accounts:login")
    credentials = {"username": user.username, "second_factor": True}
    if AxesProxyHandler.is_locked(request, credentials):
        request.session.pop(PENDING_KEY, None)
        return locked_out(request, None, credentials)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind = mfa.verify(user, form.cleaned_data["code"])
        if kind is not None:
            request.session.pop(PENDING_KEY, None)
            setattr(request, SECOND_FACTOR_ATTR, kind)
            auth_login(request, user, backend=pending["backend"])
            if kind == "recovery":
                services.mfa_recovery_code_used(actor=Actor.from_request(request), user=user)
                _recovery_warning(request, user)
            return redirect(safe_next(request, pending.get("next")))
        form.add_error("code", _("That code is not right."))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(request, "accounts/login_code.html", {"form": form, "account": user})


def _recovery_warning(request: HttpRequest, user: User) -> None:
    left = mfa.recovery_codes_left(user)
    messages.warning(
        request,
        _(
            "You signed in with a recovery code; %(left)s are left. If your phone is lost, "
            "make new codes or set up the app again on the account security page."
        )
        % {"left": left},
    )


def _unlocks_at(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """When the lock on this account from this address ends, in the user's time zone."""
    username = axes_username(request, credentials)
    attempt = (
        AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        )
        .order_by("-attempt_time")
        .first()
    )
    at = (attempt.attempt_time if attempt else timezone.now()) + settings.AXES_COOLOFF_TIME
    return formats.date_format(timezone.localtime(at), "H:i")


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers once an account is locked out (from this address)."""
    if isinstance(original_response, dict):  # axes' two-argument form
        credentials, original_response = original_response, None
    AxesProxyHandler.update_request(request)
    # An unbound form: validating the posted one would try the password again (and count it).
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    locked = [
        _(
            "Too many failed sign-ins: this account is locked for %(minutes)s minutes. "
            "An administrator of your unit or above can unlock it."
        )
        % {"minutes": minutes},
        _(
            "The lock holds for sign-ins from this address only, and ends at %(time)s: from "
            "your usual device and network you can still sign in."
        )
        % {"time": _unlocks_at(request, credentials)},
    ]
    return render(request, "accounts/login.html", {"form": form, "locked": locked}, status=429)


def _resolve_unit(request: AuthedRequest, form: AccountForm) -> Unit:
    code = form.cleaned_data.get("unit_code", "").strip()
    unit = unit_by_code(user=request.user, code=code)
    if unit is None:
        raise ValidationError(
            {"unit_code": _("No unit with code %(code)s in your area.") % {"code": code}}
        )
    return unit


def _password_errors(exc: ValidationError) -> ValidationError:
    """Password validators raise plain lists of messages: they belong to the password field."""
    if hasattr(exc, "error_dict"):
        return exc
    return ValidationError({"new_password": exc.messages})


@require(Perm.ACCOUNT_MANAGE)
def account_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    page = paginate(request, selectors.account_list(user=request.user, query=query))
    locked = selectors.locked_usernames([u.username for u in page.object_list])
    return render(
        request, "accounts/account_list.html", {"page": page, "locked": locked, "query": query}
    )


@require(Perm.ACCOUNT_MANAGE)
@require_recent_auth
def account_create(request: AuthedRequest) -> HttpResponse:

    def save(form: AccountForm) -> User:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        data["unit"] = _resolve_unit(request, form)
        try:
            return services.account_create(
                actor=Actor.from_request(request),
                data=data,
                password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            raise _password_errors(exc) from exc

    response, form = save_flow(
        request,
        AccountForm(request.POST or None, creating=True, actor=Actor.from_request(request)),
        save,
        done=reverse("accounts:list"),
        message=lambda user: _("Account %(name)s created.") % {"name": user.username},
    )
    if response is not None:
        return response
    return render(request, "accounts/account_form.html", {"form": form, "creating": True})


@require(Perm.ACCOUNT_MANAGE)
@require_recent_auth
def account_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_in_scope_or_404(User.objects.select_related("unit"), request.user, pk=pk)

    def save(form: AccountForm) -> object:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "username"}
        data["unit"] = _resolve_unit(request, form)
        try:
            return services.account_update(
                actor=Actor.from_request(request),
                user=account,
                data=data,
                expected_lock_version=form.expected_lock_version,
                new_password=form.cleaned_data.get("new_password", ""),
            )
        except ValidationError as exc:
            raise _password_errors(exc) from exc

    response, form = save_flow(
        request,
        AccountForm(request.POST or None, instance=account, actor=Actor.from_request(request)),
        save,
        done=reverse("accounts:list"),
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    return render(
        request,
        "accounts/account_form.html",
        {"form": form, "account": account, "has_second_factor": mfa.has_device(account)},
    )


@require(Perm.ACCOUNT_MANAGE)
@require_POST
@require_recent_auth
def account_mfa_reset(request: AuthedRequest, pk: int) -> HttpResponse:
    """An administrator above the account removes its second factor (a lost phone)."""
    account = get_in_scope_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    try:
        services.mfa_reset(actor=Actor.from_request(request), user=account)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The second factor of %(name)s was reset.") % {"name": account.username},
        )
    return redirect("accounts:edit", pk=account.pk)


@require(Perm.ACCOUNT_MANAGE)
@require_POST
@require_recent_auth
def account_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_in_scope_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    services.account_unlock(actor=Actor.from_request(request), user=account)
    messages.success(request, _("Account %(name)s unlocked.") % {"name": account.username})
    return redirect("accounts:list")


@login_required
@require_recent_auth
def password_change(request: AuthedRequest) -> HttpResponse:

    def save(form: PasswordChangeForm) -> None:
        try:
            services.password_change(
                actor=Actor.from_request(request),
                user=request.user,
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            raise ValidationError({"new_password": exc.messages}) from exc
        update_session_auth_hash(request, request.user)

    response, form = save_flow(
        request,
        PasswordChangeForm(request.POST or None, user=request.user),
        save,
        done=reverse("accounts:security"),
        message=_("Your password has been changed."),
    )
    if response is not None:
        return response
    return render(request, "accounts/password_change.html", {"form": form})
