"""Member validation shared by the pages, the API and the import: what a valid member is, and which
warnings a record carries for a person to check."""

import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from jiceng.org.models import Level, Unit

from .identifiers import CREDIT_CODE_ENTERPRISE, CREDIT_CODE_INDIVIDUAL
from .models import MemberType

if TYPE_CHECKING:
    from jiceng.accounts.models import User

#: Units that hold members: a grassroots association and what lies below it.
MEMBER_LEVELS = frozenset({Level.GRASSROOTS, Level.BRANCH, Level.GROUP})

#: The credit code's entity-type characters each member type should carry.
EXPECTED_CODE_TYPE = {
    MemberType.INDIVIDUAL: CREDIT_CODE_INDIVIDUAL,
    MemberType.ENTERPRISE: CREDIT_CODE_ENTERPRISE,
}

#: Warnings a member may carry (stored in `Member.flags`), with what they mean.
FLAG_MESSAGES = {
    "invalid_phone": _("The phone is neither a mobile nor a landline number."),
    "credit_code_type_mismatch": _(
        "The credit code's type characters do not match the member type."
    ),
    "missing_join_date": _("The join date is missing."),
    "legacy_id_number": _("The ID number is an old 15-digit number."),
}


CREDIT_CODE_TAKEN = _(
    "Credit code %(code)s is already registered to “%(name)s”, an active member of %(unit)s. A "
    "business is a member of one association: to move it, use Move on that member."
)
#: Outside the user's area they learn no more than that the code cannot be used: not that
#: another association holds it, nor where (issue 9, item 17); the page counts such probes.
CREDIT_CODE_TAKEN_ELSEWHERE = _(
    "Credit code %(code)s cannot be used. Check it; if it is right, ask the association above "
    "you to look into it."
)


def credit_code_taken_params(
    *, code: str, holder_name: str, holder_unit: Unit, viewer: "User | None"
) -> dict[str, str]:
    """Name the holder and its unit only to someone whose subtree contains it."""
    if viewer is None or viewer.can_reach(holder_unit):
        return {"code": code, "name": holder_name, "unit": holder_unit.name}
    return {"code": code}


def render_credit_code_taken(params: dict[str, str]) -> str:
    template = CREDIT_CODE_TAKEN if "unit" in params else CREDIT_CODE_TAKEN_ELSEWHERE
    return str(template) % params


def holds_members(unit: Unit) -> bool:
    return unit.level in MEMBER_LEVELS


def credit_code_matches_type(credit_code: str, member_type: str) -> bool:
    expected = EXPECTED_CODE_TYPE.get(member_type)  # type: ignore[call-overload]
    return not credit_code or expected is None or credit_code[:2] == expected


_TYPE_OF_CODE = {prefix: str(member_type) for member_type, prefix in EXPECTED_CODE_TYPE.items()}


def member_type_from_credit_code(credit_code: str) -> str:
    """The member type a credit code implies (92… individual, 91… enterprise), or ""."""
    return _TYPE_OF_CODE.get(credit_code[:2], "")


def member_flags(
    *,
    member_type: str,
    credit_code: str,
    phone_kind: str,
    join_date: datetime.date | None,
    id_legacy: bool,
) -> list[str]:
    flags = []
    if phone_kind == "invalid":
        flags.append("invalid_phone")
    if not credit_code_matches_type(credit_code, member_type):
        flags.append("credit_code_type_mismatch")
    if join_date is None:
        flags.append("missing_join_date")
    if id_legacy:
        flags.append("legacy_id_number")
    return flags
