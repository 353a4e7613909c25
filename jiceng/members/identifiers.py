"""Identifiers of members and operators, checked as the national standards define them.

See shared VALIDATION.md for the algorithms and the worked examples the tests use.
Each checker returns the normalised value, or raises `IdentifierError` with a stable code and a
message in the user's language that says what is wrong and what would be right.
"""

import datetime
import re
import unicodedata
from operator import mul
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- Unified social credit code (GB 32100-2015) -----------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
#: The first 17 characters; the 18th is judged by the check, so a wrong one is named as such.
CREDIT_CODE_BODY_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{9}$")

#: Positions 1–2 of a credit code: the registering authority and the kind of entity.
CREDIT_CODE_INDIVIDUAL = "92"  # 个体工商户
CREDIT_CODE_ENTERPRISE = "91"  # 企业

# --- Citizen ID number (GB 11643-1999) ---------------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")
LEGACY_ID_RE = re.compile(r"^\d{15}$")


#: Why an identifier is refused: (code, reason) → message, formatted with the error's params.
MESSAGES = {
    ("invalid_credit_code", "length"): _(
        "“%(value)s” is not a unified social credit code: it has %(n)s characters, a credit code "
        "has 18."
    ),
    ("invalid_credit_code", "characters"): _(
        "“%(value)s” is not a unified social credit code: characters 3–8 must be digits and the "
        "letters I, O, Z, S and V are never used."
    ),
    ("invalid_credit_code", "check"): _(
        "Credit code “%(value)s” fails its check: the last character should be “%(expected)s”, "
        "not “%(actual)s”. Check the code for a typing error."
    ),
    ("invalid_id_number", "form"): _(
        "“%(value)s” is not a citizen ID number: it must be 18 characters, 17 digits followed by "
        "a digit or X."
    ),
    ("invalid_id_number", "birth_date"): _(
        "ID number “%(value)s” has no valid birth date (digits 7–14: %(digits)s)."
    ),
    ("invalid_id_number", "check"): _(
        "ID number “%(value)s” fails its check: the last character should be “%(expected)s”, "
        "not “%(actual)s”. Check it for a typing error."
    ),
}


class IdentifierError(ValueError):
    def __init__(self, code: str, reason: str, **params: Any):
        super().__init__(f"{code}/{reason}")
        self.code = code
        self.reason = reason
        self.params = {"reason": reason, **params}

    @property
    def message(self) -> str:
        return render_message(self.code, self.params)

    def __str__(self) -> str:
        return self.message


def render_message(code: str, params: dict[str, Any]) -> str:
    return str(MESSAGES[(code, params["reason"])]) % params


_SEPARATORS = re.compile(r"[\s\-‐–—_]")


def compact(value: object) -> str:
    """Full-width to half-width, no spaces or dashes, upper case: how codes are compared."""
    text = str(value)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    if not text.isalnum():
        text = _SEPARATORS.sub("", text)
    return text.upper()


#: Each character's value as a byte (A → 10, Y → 30), for a checksum computed in C.
_CREDIT_BYTES = bytes.maketrans(CREDIT_CODE_ALPHABET.encode(), bytes(range(31)))


def credit_code_check_char(first17: str) -> str:
    values = first17.encode().translate(_CREDIT_BYTES)  # the caller checked the characters
    total = sum(map(mul, values, CREDIT_CODE_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: object) -> str:
    code = compact(value)
    if len(code) != 18 or not CREDIT_CODE_BODY_RE.match(code[:17]):
        if len(code) != 18:
            raise IdentifierError("invalid_credit_code", "length", value=str(value), n=len(code))
        raise IdentifierError("invalid_credit_code", "characters", value=str(value))
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            "invalid_credit_code", "check", value=code, expected=expected, actual=code[17]
        )
    return code


_ID_WEIGHT_SUM = 48 * sum(ID_WEIGHTS)


def id_check_char(first17: str) -> str:
    # Σ (byte − 48) · w over the ASCII digits, computed in C: Σ byte · w − 48 · Σ w.
    return ID_CHECK[(sum(map(mul, first17.encode(), ID_WEIGHTS)) - _ID_WEIGHT_SUM) % 11]


def _birth_date(text: str) -> datetime.date | None:
    try:
        return datetime.date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def check_id_number(value: object, *, today: datetime.date | None = None) -> tuple[str, bool]:
    """Return (normalised number, is_legacy). A legacy 15-digit number has no check digit and is
    accepted as it stands; callers flag it."""
    number = compact(value)
    if len(number) == 15 and LEGACY_ID_RE.match(number):
        born = _birth_date("19" + number[6:12])
        if born is None:
            raise IdentifierError(
                "invalid_id_number", "birth_date", value=str(value), digits=number[6:12]
            )
        return number, True
    if not ID_RE.match(number):
        raise IdentifierError("invalid_id_number", "form", value=str(value))
    born = _birth_date(number[6:14])
    if born is None or born > (today or timezone.localdate()) or born.year < 1800:
        raise IdentifierError(
            "invalid_id_number", "birth_date", value=str(value), digits=number[6:14]
        )
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise IdentifierError(
            "invalid_id_number", "check", value=number, expected=expected, actual=number[17]
        )
    return number, False


def mask_id_number(number: str) -> str:
    """110105********1234: the first 6 and last 4 characters."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def make_credit_code(*, kind: str, area: str, body: str) -> str:
    """A well-formed credit code: `kind` (92, 91, …), a 6-digit area, a 9-character organisation
    code; the check character is computed. For demo data and tests."""
    first17 = f"{kind}{area}{body}"
    return first17 + credit_code_check_char(first17)


def make_id_number(*, area: str, born: datetime.date, sequence: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)
