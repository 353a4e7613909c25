"""Request types for views behind sign-in, so `request.user` is an account, not Anonymous."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from jiceng.accounts.models import User


class AuthedRequest(HttpRequest):
    user: "User"
    htmx: "HtmxDetails"
