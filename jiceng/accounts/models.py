"""Accounts: every user is bound to one unit and acts inside its subtree only."""

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.locking import Locked
from jiceng.core.scope import in_scope
from jiceng.core.validators import validate_mobile
from jiceng.org.models import Unit

from .roles import Perm, Role, role_allows


class AccountManager(UserManager["User"]):
    def for_user(self, user: "User") -> "models.QuerySet[User]":
        """Accounts bound to units inside the user's subtree."""
        return in_scope(self.get_queryset(), user).select_related("unit")


class User(Locked, AbstractUser):
    # Sign-in is by username or phone; e-mail is optional.
    personal_fields = ("phone",)  # the audit log keeps a keyed hash (core/audit.py)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(
        _("mobile phone"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile],
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="accounts"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    REQUIRED_FIELDS = ["unit", "role"]
    EDITABLE_FIELDS = ["full_name", "phone", "email", "role", "unit", "is_active"]

    objects = AccountManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        indexes = [models.Index(fields=["unit", "username"], name="account_unit_username")]

    def __str__(self) -> str:
        return self.full_name or self.username

    def can(self, perm: Perm) -> bool:
        return self.is_active and role_allows(self.role, perm)

    def can_reach(self, unit: Unit) -> bool:
        return unit.path.startswith(self.unit.path)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.phone == "":
            self.phone = None
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A key a script signs in to the API with (`Authorization: Token <key>`), acting as the
    account that made it, inside that account's subtree. Only the key's SHA-256 is stored; the
    key itself is shown once, when it is made."""

    scope_via = "user__unit"

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key starts with"), max_length=16)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class UserSession(models.Model):
    """A signed-in session of an account, beside Django's own session row (same key): what the
    account page lists (device, address, last seen) and lets the user end."""

    scope_via = "user__unit"

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(_("device"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} · {self.ip_address or '—'}"
