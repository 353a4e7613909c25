"""Sign-in and account management. Thin: parse, call a service, render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.actor import Actor
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
from jiceng.core.views import paginate, save_flow
from jiceng.org.models import Unit
from jiceng.org.selectors import unit_by_code

from . import selectors, services
from .forms import AccountForm, PasswordChangeForm, SignInForm
from .models import User
from .roles import Perm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def locked_out(
    request: AuthedRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """What django-axes answers once an account is locked out."""
    form = SignInForm(request, data=request.POST or None)
    form.errors.clear()
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form.add_error(
        None,
        _(
            "Too many failed sign-ins: this account is locked for %(minutes)s minutes. "
            "An administrator of your unit or above can unlock it."
        )
        % {"minutes": minutes},
    )
    return render(request, "accounts/login.html", {"form": form}, status=429)


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
        AccountForm(request.POST or None, creating=True),
        save,
        done=reverse("accounts:list"),
        message=lambda user: _("Account %(name)s created.") % {"name": user.username},
    )
    if response is not None:
        return response
    return render(request, "accounts/account_form.html", {"form": form, "creating": True})


@require(Perm.ACCOUNT_MANAGE)
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
        AccountForm(request.POST or None, instance=account),
        save,
        done=reverse("accounts:list"),
        message=_("Changes saved."),
    )
    if response is not None:
        return response
    return render(request, "accounts/account_form.html", {"form": form, "account": account})


@require(Perm.ACCOUNT_MANAGE)
@require_POST
def account_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_in_scope_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    services.account_unlock(actor=Actor.from_request(request), user=account)
    messages.success(request, _("Account %(name)s unlocked.") % {"name": account.username})
    return redirect("accounts:list")


@login_required
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
        done=reverse("home"),
        message=_("Your password has been changed."),
    )
    if response is not None:
        return response
    return render(request, "accounts/password_change.html", {"form": form})
