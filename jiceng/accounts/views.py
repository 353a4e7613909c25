"""Sign-in and account management. Thin: parse, call a service, render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404, require
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


def _resolve_unit(request: AuthedRequest, form: AccountForm) -> Unit | None:
    code = form.cleaned_data.get("unit_code", "").strip()
    unit = unit_by_code(user=request.user, code=code)
    if unit is None:
        form.add_error("unit_code", _("No unit with code %(code)s in your area.") % {"code": code})
    return unit


@require(Perm.ACCOUNT_MANAGE)
def account_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    page = Paginator(
        selectors.account_list(user=request.user, query=query),
        settings.PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    locked = selectors.locked_usernames([u.username for u in page.object_list])
    return render(
        request, "accounts/account_list.html", {"page": page, "locked": locked, "query": query}
    )


@require(Perm.ACCOUNT_MANAGE)
def account_create(request: AuthedRequest) -> HttpResponse:
    form = AccountForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        unit = _resolve_unit(request, form)
        if unit is not None:
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            data["unit"] = unit
            try:
                user = services.account_create(
                    actor=Actor.from_request(request),
                    data=data,
                    password=form.cleaned_data["new_password"],
                )
            except ValidationError as exc:
                _apply_errors_with_password(form, exc)
            else:
                messages.success(request, _("Account %(name)s created.") % {"name": user.username})
                return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "creating": True})


def _apply_errors_with_password(form: AccountForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        apply_errors(form, exc)
    else:
        # Password validators raise plain lists of messages.
        for message in exc.messages:
            form.add_error("new_password", message)


@require(Perm.ACCOUNT_MANAGE)
def account_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_in_scope_or_404(User.objects.select_related("unit"), request.user, pk=pk)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        unit = _resolve_unit(request, form)
        if unit is not None:
            data = {
                name: form.cleaned_data[name] for name in form.Meta.fields if name != "username"
            }
            data["unit"] = unit
            try:
                services.account_update(
                    actor=Actor.from_request(request),
                    user=account,
                    data=data,
                    expected_version=form.expected_version,
                    new_password=form.cleaned_data.get("new_password", ""),
                )
            except ConflictError as exc:
                messages.error(request, str(exc.message))
                form = AccountForm(instance=exc.current)
            except ValidationError as exc:
                _apply_errors_with_password(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("accounts:list")
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
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=Actor.from_request(request),
                user=request.user,
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("new_password", message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})
