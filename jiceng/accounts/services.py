"""Creating, changing, disabling and unlocking accounts, inside the admin's subtree only."""

import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import ForbiddenAction
from jiceng.core.locking import save_locked
from jiceng.org.models import Level, Unit

from .models import ApiToken, User
from .roles import ROLE_LEVELS, Role

AUDITED = ["username", "full_name", "phone", "email", "role", "unit", "is_active"]


def validate_role_for_unit(*, role: str, unit: Unit) -> None:
    if unit.level not in ROLE_LEVELS.get(role, set()):
        levels = "、".join(
            str(Level(lv).label) for lv in Level if lv in ROLE_LEVELS.get(role, set())
        )
        raise ValidationError(
            {
                "role": _(
                    "A “%(role)s” account must belong to a unit of level: %(levels)s; "
                    "“%(unit)s” is “%(level)s”."
                )
                % {
                    "role": Role(role).label,
                    "levels": levels,
                    "unit": unit.name,
                    "level": Level(unit.level).label,
                }
            }
        )


def _check_reach(actor: Actor, unit: Unit) -> None:
    if actor.user is not None and not actor.user.can_reach(unit):
        raise ValidationError({"unit": _("You can only manage accounts inside your own area.")})


def account_create(*, actor: Actor, data: dict[str, Any], password: str) -> User:
    unit: Unit = data["unit"]
    _check_reach(actor, unit)
    validate_role_for_unit(role=data["role"], unit=unit)
    with transaction.atomic():
        user = User(**data)
        validate_password(password, user)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        audit_record(
            actor=actor, action="account.create", unit=unit, obj=user, after=snapshot(user, AUDITED)
        )
    return user


def account_update(
    *,
    actor: Actor,
    user: User,
    data: dict[str, Any],
    expected_lock_version: int,
    new_password: str = "",
) -> User:
    before = snapshot(user, AUDITED)
    for name, value in data.items():
        if name not in User.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable account field")
        setattr(user, name, value)
    _check_reach(actor, user.unit)
    validate_role_for_unit(role=user.role, unit=user.unit)
    if actor.user is not None and actor.user.pk == user.pk and not user.is_active:
        raise ValidationError({"is_active": _("You cannot disable your own account.")})
    fields = list(data)
    if new_password:
        validate_password(new_password, user)
        user.set_password(new_password)
        fields.append("password")
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        save_locked(user, expected_lock_version=expected_lock_version, fields=fields)
        after = snapshot(user, AUDITED)
        if new_password:
            after["password"] = "changed"  # never the value
        audit_record(
            actor=actor,
            action="account.update",
            unit=user.unit,
            obj=user,
            before=before,
            after=after,
        )
    return user


def account_unlock(*, actor: Actor, user: User) -> int:
    """Clear the failed sign-in attempts that locked the account out."""
    with transaction.atomic():
        cleared = axes_reset(username=user.username)
        audit_record(actor=actor, action="account.unlock", unit=user.unit, obj=user)
    return int(cleared or 0)


def password_change(*, actor: Actor, user: User, new_password: str) -> None:
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="account.password_change", unit=user.unit, obj=user)


# --- API tokens -------------------------------------------------------------------------------

#: Keys start with this, so a leaked one is recognisable (secret scanners, logs).
API_TOKEN_KEY_PREFIX = "jct_"
#: How many characters of a key are kept to tell tokens apart in the list.
API_TOKEN_SHOWN_CHARS = 12
#: How many live tokens one account may hold.
API_TOKEN_LIMIT = 20


def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the acting account. Returns the token and its key: the key is shown
    once and never stored (only its SHA-256 is) nor written to the audit log."""
    user = actor.user
    if user is None:
        raise ValueError("API tokens belong to an account; the system actor has none")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    with transaction.atomic():
        if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= API_TOKEN_LIMIT:
            raise ValidationError(
                {
                    "name": _("You already have %(n)s tokens: revoke one you no longer use.")
                    % {"n": API_TOKEN_LIMIT}
                }
            )
        key = API_TOKEN_KEY_PREFIX + secrets.token_urlsafe(32)
        token = ApiToken(
            user=user,
            name=name,
            prefix=key[:API_TOKEN_SHOWN_CHARS],
            key_hash=ApiToken.hash_key(key),
        )
        token.full_clean()
        token.save()
        audit_record(
            actor=actor,
            action="account.token.create",
            unit=user.unit,
            obj=token,
            after={"name": token.name, "prefix": token.prefix},
        )
    return token, key


def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke one of the acting account's own tokens (once; revoking again changes nothing)."""
    if actor.user is not None and actor.user.pk != token.user_id:
        raise ForbiddenAction(_("You can only revoke your own tokens."))
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
        if updated:
            audit_record(
                actor=actor,
                action="account.token.revoke",
                unit=token.user.unit,
                obj=token,
                before={"name": token.name, "prefix": token.prefix, "revoked": False},
                after={"revoked": True},
            )
    return token
