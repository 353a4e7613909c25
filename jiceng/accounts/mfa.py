"""The second factor, read side: who must have one, whether they do, checking a code, and the
enrolment QR code. Writes (enrol, disable, reset, new recovery codes) are in `services.py`.

Devices are django-otp's: a `TOTPDevice` (an authenticator app) and a `StaticDevice` holding
the one-time recovery codes. django-otp keeps static tokens as typed; here a static token holds
a keyed hash of the code instead (`recovery_hash`), so the table never holds a usable code.
"""

import base64
import re
import secrets

import segno
from django.conf import settings
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

#: How many recovery codes a user gets at a time.
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def required_for(user: User) -> bool:
    return user.role in settings.MFA_REQUIRED_ROLES


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).first()


def has_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _normalize_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def recovery_hash(user: User, code: str) -> str:
    """What a static token stores for `code`: 16 characters (96 bits) of an HMAC keyed by the
    site's secret and bound to the account."""
    digest = salted_hmac(
        "jiceng.accounts.recovery", f"{user.pk}:{_normalize_recovery(code)}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode()[:16]


def verify(user: User, code: str) -> str | None:
    """Check a code typed at sign-in or re-authentication: "totp" for a code from the app,
    "recovery" for a recovery code (used up by this), None when it is neither."""
    code = (code or "").strip()
    if not code:
        return None
    digits = re.sub(r"\s", "", code)
    device = totp_device(user)
    if device is not None and digits.isdigit() and len(digits) == device.digits:
        return "totp" if device.verify_token(digits) else None
    static = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if (
        static is not None
        and len(_normalize_recovery(code)) == 10
        and static.verify_token(recovery_hash(user, code))
    ):
        return "recovery"
    return None


def secret_of(device: TOTPDevice) -> str:
    """The secret as the user types it into an app by hand (base32, in groups of four)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as an inline <svg> element (no image URL: the CSP allows none)."""
    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=5, border=2, dark="#000", light="#fff")
    return svg
