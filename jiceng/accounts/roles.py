"""Roles and what each may do. Permissions are data; `require` is the one check views use."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.org.models import Level


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National admin")
    PROVINCIAL_ADMIN = "provincial_admin", _("Provincial admin")
    CITY_ADMIN = "city_admin", _("City admin")
    GRASSROOTS_SECRETARY = "grassroots_secretary", _("Grassroots secretary")
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    REVIEWER = "reviewer", _("Reviewer")
    VIEWER = "viewer", _("Viewer")


class Perm(enum.StrEnum):
    UNIT_CREATE = "unit.create"
    UNIT_EDIT = "unit.edit"
    UNIT_MOVE = "unit.move"
    PROFILE_EDIT = "profile.edit"
    ACCOUNT_MANAGE = "account.manage"
    AUDIT_VIEW = "audit.view"
    EXPORT = "export"


_ADMIN = {
    Perm.UNIT_CREATE,
    Perm.UNIT_EDIT,
    Perm.PROFILE_EDIT,
    Perm.ACCOUNT_MANAGE,
    Perm.AUDIT_VIEW,
    Perm.EXPORT,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.NATIONAL_ADMIN: frozenset(_ADMIN | {Perm.UNIT_MOVE}),
    Role.PROVINCIAL_ADMIN: frozenset(_ADMIN | {Perm.UNIT_MOVE}),
    Role.CITY_ADMIN: frozenset(_ADMIN),
    Role.GRASSROOTS_SECRETARY: frozenset(_ADMIN),
    Role.BRANCH_STAFF: frozenset({Perm.PROFILE_EDIT}),
    Role.REVIEWER: frozenset({Perm.EXPORT}),
    Role.VIEWER: frozenset({Perm.EXPORT}),
}

#: The unit levels an account of each role may be bound to.
ROLE_LEVELS: dict[str, set[str]] = {
    Role.NATIONAL_ADMIN: {Level.NATIONAL},
    Role.PROVINCIAL_ADMIN: {Level.PROVINCE},
    Role.CITY_ADMIN: {Level.CITY},
    Role.GRASSROOTS_SECRETARY: {Level.GRASSROOTS},
    Role.BRANCH_STAFF: {Level.BRANCH, Level.GROUP},
    Role.REVIEWER: set(Level.values),
    Role.VIEWER: set(Level.values),
}


def role_allows(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
