"""The public complaint page's defences against scripted abuse. Members use it with no
account, so it cannot ask who they are; it asks instead whether a person is filling it in:

- a honeypot field people never see (hidden by the stylesheet) but form-filling robots do;
- a signed timestamp issued with the form: a submission in under `FORM_MIN_SECONDS` is too
  fast for a person, and one after `FORM_MAX_SECONDS` comes from a stale (or harvested) form;
- limits counted in the complaints table itself through keyed hashes (HMAC) — the address is
  never stored, and without the key a hash cannot be reversed by trying the (small) IPv4 space.
  A complaint's `source_hash` is two halves: the client address (`core/clientip.py`, which
  reads the trusted proxy header behind the production proxy), then the submitter (address
  and contact, or the text when no contact is given). One submitter may send `SOURCE_LIMIT`
  messages to a unit an hour; one address, shared by everyone behind an office or carrier
  NAT (or behind our own proxy when no proxy header is configured), `ADDRESS_LIMIT`.
"""

import time
from datetime import timedelta

from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from jiceng.core.errors import DomainError

FORM_MIN_SECONDS = 3
FORM_MAX_SECONDS = 2 * 3600
#: At most this many submissions from one submitter (address and contact) to one unit within
#: `SOURCE_WINDOW` ...
SOURCE_LIMIT = 5
#: ... and this many from one address, whoever sends them (many people may share it).
ADDRESS_LIMIT = 60
#: Hex characters of each half of `source_hash` (the field holds 64).
HALF = 32
SOURCE_WINDOW = timedelta(hours=1)
#: The name of the honeypot field: one a robot expects to fill in.
HONEYPOT_FIELD = "website"

_STAMP_SALT = "jiceng.activities.complaint-form"
_SOURCE_SALT = "jiceng.activities.complaint-source"


class AbuseRefused(DomainError):
    """The submission looks scripted or too frequent. The message is for a person."""

    code = "abuse_refused"
    http_status = 400


class RateLimited(AbuseRefused):
    code = "rate_limited"
    http_status = 429


def form_stamp(unit_pk: int, *, now: float | None = None) -> str:
    """A signed token naming the unit and when the form was issued."""
    issued = time.time() if now is None else now
    return signing.dumps({"u": unit_pk, "t": round(issued, 3)}, salt=_STAMP_SALT, compress=True)


def check_form_stamp(stamp: str, unit_pk: int, *, now: float | None = None) -> None:
    """Refuse a missing, forged, too-fast or stale form."""
    now = time.time() if now is None else now
    try:
        payload = signing.loads(stamp or "", salt=_STAMP_SALT)
        issued = float(payload["t"])
        stamped_unit = int(payload["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise AbuseRefused(
            _("The form could not be checked. Please reload the page and fill it in again."),
            code="form_invalid",
        ) from None
    if stamped_unit != unit_pk:
        raise AbuseRefused(
            _("This form belongs to another unit. Please reload the page."), code="form_invalid"
        )
    age = now - issued
    if age < FORM_MIN_SECONDS:
        raise AbuseRefused(
            _(
                "The form was sent %(seconds)s seconds after it opened, faster than a person "
                "can fill it in. Please check your text and send it again."
            )
            % {"seconds": max(0, round(age, 1))},
            code="form_too_fast",
        )
    if age > FORM_MAX_SECONDS:
        raise AbuseRefused(
            _(
                "The form was opened more than %(hours)s hours ago and has expired. Your text "
                "is kept below: send it again."
            )
            % {"hours": FORM_MAX_SECONDS // 3600},
            code="form_expired",
        )


def check_honeypot(value: str) -> None:
    if value:
        raise AbuseRefused(
            _("The form could not be accepted. Please reload the page and fill it in again."),
            code="honeypot",
        )


def _keyed(*parts: str) -> str:
    return salted_hmac(_SOURCE_SALT, "\x1f".join(parts), algorithm="sha256").hexdigest()[:HALF]


def address_hash(address: str | None) -> str:
    """The first half of `source_hash`: a keyed hash of the client address alone."""
    return _keyed("address", address or "")


def source_hash(address: str | None, contact: str = "", content: str = "") -> str:
    """Keyed hashes (HMAC-SHA256, the site's secret) of the client address, then of the
    submitter: the address with the contact (digits only for a phone), or with the text when
    no contact is given. Equal for one submitter, meaningless without the key."""
    who = "".join(ch for ch in contact if ch.isalnum()).lower()
    submitter = f"contact:{who}" if who else f"content:{' '.join(content.split())}"
    return address_hash(address) + _keyed("submitter", address or "", submitter)
