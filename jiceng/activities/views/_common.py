"""What the app's pages share: errors onto forms, the versioned save flow, years, pages."""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.forms import apply_errors
from jiceng.core.http import AuthedRequest

#: How many years back the year filters offer.
YEARS_BACK = 5


def save_flow(
    request: AuthedRequest,
    form: Any,
    save: Callable[[Any], object],
    *,
    done: str | Callable[[Any], str],
    message: str,
    reload: Callable[[Any], Any] | None = None,
) -> tuple[HttpResponse | None, Any]:
    """Validate, save through a service, then redirect — or show the field errors, or, after
    a conflict, say so and show the newer version (`reload(current)` builds its form)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form)
        except ConflictError as exc:
            messages.error(request, str(exc.message))
            if exc.current is None or reload is None:
                raise Http404 from exc
            return None, reload(exc.current)
        except (ValidationError, DomainError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(done(result) if callable(done) else done), form
    return None, form


def posted_version(request: AuthedRequest, default: int) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return default


def this_year() -> int:
    return timezone.localdate().year


def year_choices() -> list[int]:
    year = this_year()
    return list(range(year, year - YEARS_BACK - 1, -1))


def year_param(request: AuthedRequest) -> int:
    """The `year` query parameter when it is one of the offered years, else this year."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return this_year()
    return year if year in year_choices() else this_year()


def paginate(request: AuthedRequest, queryset: QuerySet[Any]) -> Page:
    return Paginator(queryset, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def query_string(**params: Any) -> str:
    """Filters to carry through the pager (empty ones left out)."""
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})
