"""Sign-in with a username or a mobile number."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from jiceng.core.validators import normalize_phone

from .models import User


def find_account(identifier: str) -> User | None:
    """The account a typed identifier (username or mobile number, any spacing) names."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    kind, normalized = normalize_phone(identifier)
    qs = User.objects.select_related("unit")
    if kind == "mobile":
        user = qs.filter(phone=normalized).first()
        if user:
            return user
    return qs.filter(username=identifier).first()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Lock out the account, whichever identifier was typed (username or phone)."""
    identifier = (credentials or {}).get("username") or request.POST.get("username", "")
    user = find_account(identifier)
    return user.username if user else str(identifier).strip()


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # Spend the same time as a real check, so probing for accounts is not cheaper.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("unit").filter(pk=user_id).first()
        return user if user and self.user_can_authenticate(user) else None
