"""Creating, changing, disabling and unlocking accounts, inside the admin's subtree only."""

import secrets
from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.errors import ForbiddenAction
from jiceng.core.locking import save_locked
from jiceng.core.scope import authorize
from jiceng.org.models import Level, Unit

from . import mfa
from .models import ApiToken, User
from .roles import ROLE_LEVELS, Perm, Role

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


#: The identifiers an account is found by, which no two accounts share.
_UNIQUE = ("username", "phone")


def check_unique(actor: Actor, user: User) -> None:
    """Refuse a username or phone another account holds, saying only what the actor may know:
    the usual message when that account is inside their area, a plain "cannot be used" when it
    is outside (which would otherwise reveal that it exists somewhere in the country); such a
    probe is audited (`security.existence_probe`, the field, never the value)."""
    errors: dict[str, Any] = {}
    probed: list[str] = []
    for field in _UNIQUE:
        value = getattr(user, field)
        if not value:
            continue
        clash = User.objects.filter(**{field: value}).exclude(pk=user.pk).select_related("unit")
        other = clash.first()
        if other is None:
            continue
        if actor.user is None or actor.user.can_reach(other.unit):
            errors[field] = user.unique_error_message(User, (field,))
        else:
            probed.append(field)
            errors[field] = (
                _("This username cannot be used: choose another.")
                if field == "username"
                else _("This mobile number cannot be used for a new account.")
            )
    if probed and actor.user is not None:
        # Outside any transaction of the caller's write: the refusal must not roll it back.
        audit_record(
            actor=actor,
            action="security.existence_probe",
            unit=actor.user.unit,
            obj=None,
            object_repr=str(User._meta.verbose_name),
            after={"fields": probed},
        )
    if errors:
        raise ValidationError(errors)


def account_create(*, actor: Actor, data: dict[str, Any], password: str) -> User:
    unit: Unit = data["unit"]
    _check_reach(actor, unit)
    authorize(actor, Perm.ACCOUNT_MANAGE, unit)
    validate_role_for_unit(role=data["role"], unit=unit)
    check_unique(actor, User(**data))
    with transaction.atomic():
        user = User(**data)
        validate_password(password, user)
        user.set_password(password)
        user.full_clean(exclude=["password"], validate_unique=False)
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
    authorize(actor, Perm.ACCOUNT_MANAGE, user.unit)  # where the account is now ...
    for name, value in data.items():
        if name not in User.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable account field")
        setattr(user, name, value)
    _check_reach(actor, user.unit)
    authorize(actor, Perm.ACCOUNT_MANAGE, user.unit)  # ... and where it goes
    validate_role_for_unit(role=user.role, unit=user.unit)
    check_unique(actor, user)
    if actor.user is not None and actor.user.pk == user.pk and not user.is_active:
        raise ValidationError({"is_active": _("You cannot disable your own account.")})
    fields = list(data)
    if new_password:
        validate_password(new_password, user)
        user.set_password(new_password)
        fields.append("password")
    user.full_clean(exclude=["password"], validate_unique=False)
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
    """Clear the failed sign-in attempts that locked the account out (from every address)."""
    authorize(actor, Perm.ACCOUNT_MANAGE, user.unit)
    with transaction.atomic():
        cleared = axes_reset(username=user.username)
        audit_record(actor=actor, action="account.unlock", unit=user.unit, obj=user)
        audit_record(
            actor=actor,
            action="security.unlocked",
            unit=user.unit,
            obj=user,
            after={"by": actor.name},
        )
    return int(cleared or 0)


def _own(actor: Actor, user: User) -> None:
    """Changes to the account's own credentials: only by the account itself (or the system)."""
    authorize(actor, None, user.unit)
    if actor.user is not None and actor.user.pk != user.pk:
        raise ForbiddenAction(_("Only the account itself may change this."))


def password_change(*, actor: Actor, user: User, new_password: str) -> None:
    _own(actor, user)
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
    _own(actor, user)
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
    authorize(actor, None, token.user.unit)
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


# --- Second factor ----------------------------------------------------------------------------


def mfa_enrol_start(*, actor: Actor, user: User) -> TOTPDevice:
    """An authenticator for the account, not yet confirmed: the same one until it is confirmed
    (reloading the page shows the same secret)."""
    _own(actor, user)
    if mfa.has_device(user):
        raise ForbiddenAction(_("The second factor is already on."))
    device = mfa.totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=mfa.RECOVERY_NAME, confirmed=True)
    codes = [mfa.new_recovery_code() for _ in range(mfa.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=mfa.recovery_hash(user, code)) for code in codes
    )
    return codes


def mfa_enrol_confirm(*, actor: Actor, user: User, code: str) -> list[str]:
    """Turn the second factor on once the app shows the right code. Returns the recovery codes,
    which are shown this once (only their keyed hashes are kept)."""
    device = mfa_enrol_start(actor=actor, user=user)
    digits = "".join((code or "").split())
    if not (digits.isdigit() and device.verify_token(digits)):
        raise ValidationError(
            {"code": _("That code is not right: type the 6 digits the app shows now.")}
        )
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit_record(
            actor=actor, action="security.mfa_enabled", unit=user.unit, obj=user, after=None
        )
    return codes


def mfa_recovery_codes_renew(*, actor: Actor, user: User) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working."""
    _own(actor, user)
    if not mfa.has_device(user):
        raise ForbiddenAction(_("Turn the second factor on first."))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit_record(
            actor=actor,
            action="security.recovery_codes_renewed",
            unit=user.unit,
            obj=user,
        )
    return codes


def _remove_devices(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def mfa_disable(*, actor: Actor, user: User) -> None:
    """The account turns its own second factor off: not when its role must use one."""
    _own(actor, user)
    if mfa.required_for(user):
        raise ForbiddenAction(_("Your role must sign in with a second factor."))
    with transaction.atomic():
        _remove_devices(user)
        audit_record(
            actor=actor, action="security.mfa_disabled", unit=user.unit, obj=user, after=None
        )


def mfa_reset(*, actor: Actor, user: User) -> None:
    """An administrator above the account removes its second factor (a lost phone): the user
    enrols again at the next sign-in if their role requires it."""
    authorize(actor, Perm.ACCOUNT_MANAGE, user.unit)
    if actor.user is not None and actor.user.pk == user.pk:
        raise ForbiddenAction(_("Ask an administrator above you to reset your second factor."))
    with transaction.atomic():
        _remove_devices(user)
        audit_record(
            actor=actor,
            action="security.mfa_reset",
            unit=user.unit,
            obj=user,
            after={"by": actor.name},
        )


def mfa_recovery_code_used(*, actor: Actor, user: User) -> None:
    """Record that a recovery code was spent (django-otp deleted it when it matched)."""
    audit_record(
        actor=actor,
        action="security.recovery_code_used",
        unit=user.unit,
        obj=user,
        after={"left": mfa.recovery_codes_left(user)},
    )
