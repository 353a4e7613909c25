"""Accounts: every user is bound to one unit and acts inside its subtree only."""

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.scope import in_scope
from jiceng.core.validators import validate_mobile
from jiceng.core.versioning import Versioned
from jiceng.org.models import Unit

from .roles import Perm, Role, role_allows


class AccountManager(UserManager["User"]):
    def for_user(self, user: "User") -> "models.QuerySet[User]":
        """Accounts bound to units inside the user's subtree."""
        return in_scope(self.get_queryset(), user).select_related("unit")


class User(Versioned, AbstractUser):
    # Sign-in is by username or phone; e-mail is optional.
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
