"""A signed-in user's own API tokens: list, create (the key is shown once), revoke. One page,
one URL: what a person may do here is only ever about their own tokens."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.core.actor import Actor
from jiceng.core.forms import StyledFormMixin, apply_errors
from jiceng.core.http import AuthedRequest

from . import services
from .models import ApiToken
from .reauth import require_recent_auth


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “monthly dues report script”."),
    )


def _own_token(request: AuthedRequest, raw: Any) -> ApiToken:
    """One of the user's own tokens; 404 for anyone else's, a missing one or a malformed id."""
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    token = ApiToken.objects.filter(pk=pk, user=request.user).first() if pk > 0 else None
    if token is None:
        raise Http404
    return token


#: Session key: the token just made and its key, shown once by the next GET.
NEW_TOKEN_KEY = "jiceng_new_api_token"


@login_required
@require_recent_auth
def api_tokens(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm()
    new_token: ApiToken | None = None
    new_key = ""
    if request.method == "POST" and "revoke" in request.POST:
        token = _own_token(request, request.POST["revoke"])
        services.api_token_revoke(actor=Actor.from_request(request), token=token)
        messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
        return redirect("accounts:tokens")
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                new_token, new_key = services.api_token_create(
                    actor=Actor.from_request(request), name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                # Post/redirect/get: a reload must not make a second token. The key waits in
                # the session for the one GET that shows it.
                request.session[NEW_TOKEN_KEY] = {"id": new_token.pk, "key": new_key}
                return redirect("accounts:tokens")
    else:
        shown = request.session.pop(NEW_TOKEN_KEY, None)
        if isinstance(shown, dict) and isinstance(shown.get("id"), int):
            new_token = ApiToken.objects.filter(pk=shown["id"], user=request.user).first()
            new_key = shown.get("key", "") if new_token else ""
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token, "new_key": new_key},
    )
    if new_key:
        response["Cache-Control"] = "no-store"  # the key is on this page, once
    return response
