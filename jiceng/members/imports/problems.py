"""What can be wrong with a row of a roster: a stable code per problem, its severity, and the
message a person reads (rendered in their language when shown, not when found)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..identifiers import render_message
from ..models import MemberType
from ..validation import render_credit_code_taken

#: Problems that reject the row.
ERRORS: dict[str, Any] = {
    "missing_name": _("The business name is missing."),
    # Rendered by identifiers.render_message, by the reason the check gives.
    "invalid_credit_code": None,
    "invalid_id_number": None,
    "number_lost_digits": _(
        "Excel stored this code as a number and dropped its last digits; format the column as "
        "text and enter it again."
    ),
    "duplicate_in_file": _(
        "Credit code %(code)s already appears in row %(first_row)s of this file; only that row "
        "is imported."
    ),
    "duplicate_row_in_file": _(
        "The same business (%(name)s, operator %(operator)s) already appears in row "
        "%(first_row)s of this file; only that row is imported."
    ),
    # Rendered by validation.render_credit_code_taken (names the holder only to those who may
    # see it).
    "credit_code_taken": None,
    "unknown_member_type": _(
        "“%(value)s” is not a member type: use 个体工商户 (individual business) or 私营企业 "
        "(private enterprise)."
    ),
    "missing_member_type": _(
        "The member type is missing and the credit code does not tell it: fill in 个体工商户 or "
        "私营企业, or choose a member type for rows without one."
    ),
    "unknown_status": _("“%(value)s” is not a member status: use 正常, 停缴 or 退会."),
    "invalid_date": _(
        "“%(value)s” is not a date: write it as 2023-05-06, 2023/5/6, 2023.5.6 or 2023年5月6日."
    ),
    "future_date": _("The join date %(value)s is in the future."),
    "too_long": _("The text is %(length)s characters long; at most %(limit)s fit."),
    "unknown_unit": _(
        "“%(value)s” is not a branch or group of %(unit)s: use the name or code of one of its "
        "sub-units, or leave the cell blank."
    ),
}

#: Problems that import the row and flag it for a person to check.
WARNINGS: dict[str, Any] = {
    "invalid_phone": _("“%(value)s” is neither a mobile nor a landline number; kept as written."),
    "credit_code_type_mismatch": _(
        "The credit code starts with %(prefix)s (%(code_type)s) but the member type is "
        "%(member_type)s."
    ),
    "missing_join_date": _("The join date is missing."),
    "legacy_id_number": _("The ID number is an old 15-digit number; kept as written."),
}

#: Codes of warnings that also flag the member record (see members/validation.py FLAG_MESSAGES).
MEMBER_FLAGS = frozenset(WARNINGS)


def is_error(code: str) -> bool:
    return code in ERRORS


def render(code: str, params: dict[str, Any]) -> str:
    if code in ("invalid_credit_code", "invalid_id_number"):
        return render_message(code, params)
    if code == "credit_code_taken":
        return render_credit_code_taken(params)
    template = ERRORS.get(code) or WARNINGS.get(code)
    if template is None:
        return code
    if "member_type" in params:
        params = {**params, "member_type": MemberType(params["member_type"]).label}
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
