"""Reads of members: the scoped, filtered list the page, the API and exports share."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from jiceng.core.audit import audit_entries_for_unit
from jiceng.core.models import AuditEntry
from jiceng.core.scope import in_subtree
from jiceng.org.models import Unit

from . import crypto
from .identifiers import compact
from .models import ImportProblem, Member, MemberImport, MemberStatus, MemberType

_DIGITS = re.compile(r"^\d{7,11}$")
_ID_NUMBER = re.compile(r"^(\d{17}[\dX]|\d{15})$")
_CODE_PREFIX = re.compile(r"^[0-9A-Z]{6,18}$")
#: What an ID number, a phone or a run of their digits looks like once compacted.
_IDENTIFIER_SHAPE = re.compile(r"^\+?\d{7,}X?$")


def identifier_kind(query: str) -> str:
    """ "id_number" or "phone" when a search looks like one (or a run of its digits), else "".
    Such a search stays out of URLs and logs, and only a role that may unmask searches those
    fields (`MemberFilters.identifiers`)."""
    key = compact(query)
    if not _IDENTIFIER_SHAPE.match(key):
        return ""
    digits = key.lstrip("+")
    if len(digits) <= 11 or key.startswith("+86") or (len(digits) == 13 and key.startswith("86")):
        return "phone"
    return "id_number"


@dataclass(frozen=True)
class MemberFilters:
    """What a person narrows the list by. Anything unknown is ignored, never an error.

    `identifiers` lets `q` match ID numbers and phones as well as names and codes. It is off
    unless the caller has checked that the user may unmask and has audited the search
    (`services.identifier_search_record`); it never travels in a URL."""

    q: str = ""
    member_type: str = ""
    status: str = ""
    industry: str = ""
    join_year: int | None = None
    flagged: bool = False
    identifiers: bool = False

    @classmethod
    def from_query(cls, params: "dict[str, str] | object") -> "MemberFilters":
        get = getattr(params, "get", None)
        if get is None:
            return cls()
        member_type = get("member_type", "") or ""
        status = get("status", "") or ""
        year = (get("join_year", "") or "").strip()
        return cls(
            q=(get("q", "") or "").strip()[:60],
            member_type=member_type if member_type in MemberType.values else "",
            status=status if status in MemberStatus.values else "",
            industry=(get("industry", "") or "").strip()[:50],
            join_year=int(year) if year.isdigit() and 1950 <= int(year) <= 2100 else None,
            flagged=get("flagged", "") in ("1", "on", "true"),
        )

    @property
    def private(self) -> bool:
        """Whether `q` looks like personal data (an ID number, a phone, a run of their digits),
        and so must stay out of URLs, browser history and logs."""
        return bool(self.q) and bool(identifier_kind(self.q))

    def as_form(self) -> dict[str, str]:
        """Every filter, for hidden inputs of a form sent by POST."""
        data = {
            "q": self.q,
            "member_type": self.member_type,
            "status": self.status,
            "industry": self.industry,
            "join_year": str(self.join_year or ""),
            "flagged": "1" if self.flagged else "",
        }
        return {k: v for k, v in data.items() if v}

    def as_query(self) -> dict[str, str]:
        """The filters as a URL may carry them: a search that looks like personal data is
        left out (links and forms that must keep it send `as_form()` by POST)."""
        data = self.as_form()
        if self.private:
            del data["q"]
        return data

    @property
    def active(self) -> bool:
        return bool(self.as_form())


def _registration_prefix(key: str) -> Q:
    """Old registration numbers (digits only); `<> ''` lets their partial index serve it."""
    return Q(registration_number__prefix=key) & ~Q(registration_number="")


def _search(qs: QuerySet[Member], query: str, *, identifiers: bool) -> QuerySet[Member]:
    """By the shape of what was typed: an ID number (exact, through its keyed hash), a phone,
    credit code or registration number (prefix), else the business or operator name
    (substring). Every branch but the last is served by an index.

    Without `identifiers` the ID number and phone are not searched at all: a query shaped like
    them matches codes only, so it tells nothing about anyone's ID number or phone."""
    key = compact(query)
    if identifiers and _ID_NUMBER.match(key):
        return qs.filter(id_number_index=crypto.blind_index(key))
    if _DIGITS.match(key):
        by_code = Q(credit_code__prefix=key) | _registration_prefix(key)
        return qs.filter(Q(phone__prefix=key) | by_code if identifiers else by_code)
    if _CODE_PREFIX.match(key) and any(c.isdigit() for c in key):
        if not key.isdigit():
            return qs.filter(credit_code__prefix=key)
        return qs.filter(Q(credit_code__prefix=key) | _registration_prefix(key))
    return qs.filter(Q(business_name__contains=query) | Q(operator__contains=query))


def member_list(*, unit: Unit, filters: MemberFilters) -> QuerySet[Member]:
    """Members of the unit's subtree, newest first, narrowed by the filters."""
    return filter_members(Member.objects.in_subtree(unit), filters)


def filter_members(qs: QuerySet[Member], filters: MemberFilters) -> QuerySet[Member]:
    """Any (already scoped) queryset of members narrowed by the filters, newest first."""
    if filters.q:
        qs = _search(qs, filters.q, identifiers=filters.identifiers)
    if filters.member_type:
        qs = qs.filter(member_type=filters.member_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.industry:
        qs = qs.filter(industry=filters.industry)
    if filters.join_year:
        qs = qs.filter(
            join_date__gte=datetime.date(filters.join_year, 1, 1),
            join_date__lte=datetime.date(filters.join_year, 12, 31),
        )
    if filters.flagged:
        qs = qs.exclude(flags=[])
    return qs.order_by("-id")


def member_imports(*, unit: Unit) -> QuerySet[MemberImport]:
    """Imports into the unit and its subtree, newest first."""
    return (
        in_subtree(MemberImport.objects.all(), unit)
        .select_related("unit", "created_by")
        .order_by("-id")
    )


#: Common industries (GB/T 4754 sections as rosters name them), offered in the filter.
INDUSTRIES = [
    "批发和零售业",
    "住宿和餐饮业",
    "居民服务、修理和其他服务业",
    "制造业",
    "交通运输、仓储和邮政业",
    "建筑业",
    "农、林、牧、渔业",
    "信息传输、软件和信息技术服务业",
    "租赁和商务服务业",
    "文化、体育和娱乐业",
    "教育",
    "卫生和社会工作",
]


# --- one member's history, an import's problems -----------------------------------------------


def member_history(*, member: Member, limit: int = 20) -> QuerySet[AuditEntry]:
    """The latest audit entries about one member (the slice of its unit's log)."""
    return audit_entries_for_unit(member.unit).filter(
        object_type="members.member", object_id=str(member.pk)
    )[:limit]


def import_problems(
    *, job: MemberImport, phase: str, severity: str = ""
) -> QuerySet[ImportProblem]:
    """The problems an import's check (or commit) found, in row order; "error" or "warning"
    narrows them."""
    problems = job.problems.filter(phase=phase)
    if severity in ("error", "warning"):
        problems = problems.filter(severity=severity)
    return problems


def import_problem_summary(*, job: MemberImport, phase: str) -> dict[str, int]:
    """How many errors and warnings (one query)."""
    return job.problems.filter(phase=phase).aggregate(
        errors=Count("id", filter=Q(severity="error")),
        warnings=Count("id", filter=Q(severity="warning")),
    )
