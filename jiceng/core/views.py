"""What every page shares: the one save flow, the one posted version, the one year parameter,
the one paginator, and the audit log page.

- `save_flow` — validate → call a service → redirect with a message; a `ValidationError` or
  `DomainError` lands on the form (`core.forms.apply_errors`); a `ConflictError` says so and
  shows the newer version.
- `act` — the same for a one-click POST (delete, toggle): call → message → redirect.
- `posted_lock_version` — the version the user loaded, from the POSTed `lock_version`.
- `year_param` — the `year` query parameter. One rule: a year is a whole number from
  `MIN_YEAR` to `MAX_YEAR`; no year means this year; anything else means this year on a page
  (`strict=True`, for the API: `InvalidYear`, a 400).
- `paginate` — a page of a list; querysets go through the capped paginator, so a list of
  millions costs one bounded count.
"""

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.audit import audit_entries_for_user
from jiceng.core.audit_forms import AuditFilterForm
from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest
from jiceng.core.pagination import CappedPaginator
from jiceng.core.scope import require

#: The years any year field or parameter accepts.
MIN_YEAR = 2000
MAX_YEAR = 2100
#: How many years back a year filter offers by default.
YEARS_BACK = 5

Message = str | Promise


# --- saving ---------------------------------------------------------------------------------------


def save_flow(
    request: AuthedRequest,
    form: Any,
    save: Callable[[Any], Any],
    *,
    done: str | Callable[[Any], str],
    message: Message | Callable[[Any], Message | None] | None,
    reload: Callable[[Any], Any] | None = None,
) -> tuple[HttpResponse | None, Any]:
    """The one way a page saves a form. Returns (response, form): a redirect after a save,
    else None and the form to render again.

    On a valid POST, `save(form)` calls the service. Then either
    - it saved: `message` (or `message(result)`; None says nothing) and a redirect to `done`
      (or `done(result)`);
    - it refused (`ValidationError`, `DomainError`): the errors go onto the form;
    - someone saved first (`ConflictError`): the message, and a form showing the newer version,
      `reload(current)` — by default the form's class on the current row; a row that has gone
      meanwhile is a 404 (a custom `reload` is also called with None and decides)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form)
        except ConflictError as exc:
            messages.error(request, str(exc.message))
            return None, _newer_version(form, exc, reload)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            text = message(result) if callable(message) else message
            if text:
                messages.success(request, str(text))
            return redirect(done(result) if callable(done) else done), form
    return None, form


def _newer_version(form: Any, exc: ConflictError, reload: Callable[[Any], Any] | None) -> Any:
    if reload is not None:
        return reload(exc.current)
    if exc.current is None:
        raise Http404 from exc
    return type(form)(instance=exc.current)


def act(
    request: AuthedRequest,
    call: Callable[[], Any],
    *,
    done: str | Callable[[Any], str],
    message: Message | Callable[[Any], Message | None] | None,
    failed: str | None = None,
) -> HttpResponse:
    """A one-click POST (delete, toggle) through a service: on success the message and a
    redirect to `done`; when the service refuses (`DomainError`, a `ConflictError` included) its
    message and a redirect to `failed` (default: `done`)."""
    try:
        result = call()
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if failed is not None:
            return redirect(failed)
        return redirect(done(None) if callable(done) else done)
    text = message(result) if callable(message) else message
    if text:
        messages.success(request, str(text))
    return redirect(done(result) if callable(done) else done)


def posted_lock_version(request: AuthedRequest, default: int) -> int:
    """The version the user loaded (the POSTed `lock_version`), else `default`."""
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return default


# --- years ----------------------------------------------------------------------------------------


class InvalidYear(DomainError):
    code = "invalid_year"
    http_status = 400

    def __init__(self) -> None:
        super().__init__(
            _("A year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
            field="year",
        )


def this_year() -> int:
    return timezone.localdate().year


def parse_year(raw: object) -> int | None:
    """A year from MIN_YEAR to MAX_YEAR, or None."""
    try:
        year = int(str(raw).strip())
    except ValueError:
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None


def year_param(request: Any, *, strict: bool = False) -> int:
    """The `year` query parameter (see the module's rule). Takes a Django request or a DRF
    one; `strict` raises `InvalidYear` for a year given but invalid, instead of this year."""
    params: Mapping[str, Any] = getattr(request, "query_params", None) or request.GET
    raw = params.get("year", "")
    if raw in ("", None):
        return this_year()
    year = parse_year(raw)
    if year is None:
        if strict:
            raise InvalidYear()
        return this_year()
    return year


def year_choices(
    *, back: int = YEARS_BACK, ahead: int = 0, including: int | None = None
) -> list[int]:
    """The years a year filter offers, newest first: this year, `back` before it and `ahead`
    after it, and `including` (the year being shown) if it is another one."""
    year = this_year()
    years = list(range(year + ahead, year - back - 1, -1))
    if including is not None and including not in years:
        years = sorted({*years, including}, reverse=True)
    return years


# --- lists ----------------------------------------------------------------------------------------


def paginate(request: Any, object_list: Any) -> Page:
    """The `page` of a list. A queryset is counted by the capped paginator (one bounded count
    however long the list); a list, or an object that knows its length, by the plain one."""
    paginator_class = CappedPaginator if isinstance(object_list, QuerySet) else Paginator
    return paginator_class(object_list, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def query_string(**params: Any) -> str:
    """Filters to carry through the pager (empty ones left out)."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


# --- the audit log --------------------------------------------------------------------------------


@require(Perm.AUDIT_VIEW)
def audit_list(request: AuthedRequest) -> HttpResponse:
    """The audit log of the user's subtree, newest first; filter by unit code or by an action
    or group of actions. A filter the form does not offer is an error, not an empty list."""
    form = AuditFilterForm(request.GET or None, user=request.user)
    context: dict[str, Any] = {"form": form}
    if form.is_bound and not form.is_valid():
        return render(request, "core/audit_list.html", context)
    entries = audit_entries_for_user(request.user)
    if form.is_bound:
        entries = form.filter(entries)
        context["extra"] = query_string(
            unit=request.GET.get("unit", ""), action=request.GET.get("action", "")
        )
    context["page"] = paginate(request, entries)
    return render(request, "core/audit_list.html", context)
