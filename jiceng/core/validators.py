"""Contact numbers: mainland mobiles and landlines (see shared VALIDATION.md)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# Area code (3-4 digits starting with 0) and a 7-8 digit number, optional extension.
LANDLINE_RE = re.compile(r"^0\d{2,3}-\d{7,8}(-\d{1,6})?$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９＋－　", "0123456789+- ")


def normalize_phone(raw: object) -> tuple[str, str]:
    """Return (kind, normalized) where kind is "mobile", "landline" or "invalid".

    Removes spaces and dashes, full-width digits, a leading +86/86 and a float's ".0".
    """
    text = str(raw).strip().translate(_FULLWIDTH)
    if text.endswith(".0"):
        text = text[:-2]
    compact = re.sub(r"[\s()（）]", "", text)
    digits_only = compact.replace("-", "")
    for prefix in ("+86", "0086", "86"):
        if digits_only.startswith(prefix) and len(digits_only) - len(prefix) == 11:
            digits_only = digits_only[len(prefix) :]
            break
    if MOBILE_RE.match(digits_only):
        return "mobile", digits_only
    landline = compact.lstrip("+")
    if "-" not in landline and digits_only.startswith("0") and 10 <= len(digits_only) <= 12:
        # 0551 63456789 written without a dash: split the area code off.
        area = 3 if digits_only[1] in "12" else 4
        landline = f"{digits_only[:area]}-{digits_only[area:]}"
    if LANDLINE_RE.match(landline):
        return "landline", landline
    return "invalid", text


def validate_phone(value: str) -> None:
    if value and normalize_phone(value)[0] == "invalid":
        raise ValidationError(
            _(
                "“%(value)s” is not a phone number: enter a mobile (11 digits starting with 1) or "
                "a landline with its area code, such as 0551-63456789."
            ),
            code="invalid_phone",
            params={"value": value},
        )


def validate_mobile(value: str) -> None:
    if value and normalize_phone(value)[0] != "mobile":
        raise ValidationError(
            _("“%(value)s” is not a mobile number: it must be 11 digits starting with 1."),
            code="invalid_mobile",
            params={"value": value},
        )


def mask_phone(value: str) -> str:
    kind, normalized = normalize_phone(value)
    if kind == "mobile":
        return f"{normalized[:3]}****{normalized[-4:]}"
    return value[:-4] + "****" if len(value) > 4 else "****"
