"""The one save flow, one-click action, posted version, year parameter and paginator of
`core.views`."""

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.test import RequestFactory
from rest_framework.request import Request

from conftest import Tree
from jiceng.core import views as core_views
from jiceng.core.errors import ConflictError, DomainError
from jiceng.core.pagination import CappedPaginator
from jiceng.core.views import (
    InvalidYear,
    act,
    paginate,
    posted_lock_version,
    save_flow,
    year_choices,
    year_param,
)
from jiceng.org.models import Unit

TODAY = datetime.date(2026, 6, 15)


class NoteForm(forms.Form):
    title = forms.CharField()
    size = forms.IntegerField(required=False)

    def __init__(self, data: Any = None, *, instance: Any = None) -> None:
        super().__init__(data, initial={"title": getattr(instance, "title", "")})
        self.instance = instance


def _post(data: dict[str, str] | None = None, query: str = "") -> Any:
    request = RequestFactory().post("/x/" + query, data or {"title": "new"})
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _said(request: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


# --- save_flow ------------------------------------------------------------------------------------


def test_a_save_redirects_with_the_message():
    request = _post()
    calls: list[str] = []

    def save(form: NoteForm) -> str:
        calls.append(form.cleaned_data["title"])
        return "7"

    response, _form = save_flow(
        request, NoteForm(request.POST), save, done=lambda pk: f"/notes/{pk}/", message="Saved."
    )
    assert calls == ["new"]
    assert response is not None and response.status_code == 302
    assert response["Location"] == "/notes/7/"
    assert _said(request) == [("success", "Saved.")]


def test_an_invalid_form_calls_nothing():
    request = _post({"title": ""})
    response, form = save_flow(
        request, NoteForm(request.POST), lambda f: pytest.fail(), done="/", message="Saved."
    )
    assert response is None and "title" in form.errors and _said(request) == []


@pytest.mark.parametrize(
    ("error", "field"),
    [
        (ValidationError({"size": "Too big."}), "size"),
        (ValidationError({"elsewhere": "Not here."}), "__all__"),
        (ValidationError("Plain."), "__all__"),
        (DomainError("Refused.", field="title"), "title"),
        (DomainError("Refused."), "__all__"),
    ],
)
def test_a_refusal_lands_on_the_form(error: Exception, field: str):
    request = _post()

    def save(form: NoteForm) -> None:
        raise error

    response, form = save_flow(request, NoteForm(request.POST), save, done="/", message="Saved.")
    assert response is None
    assert field in form.errors and form.is_bound
    assert _said(request) == []


def test_a_conflict_says_so_and_shows_the_newer_version():
    request = _post()
    newer = SimpleNamespace(title="theirs")

    def save(form: NoteForm) -> None:
        raise ConflictError(current=newer)

    response, form = save_flow(request, NoteForm(request.POST), save, done="/", message="Saved.")
    assert response is None
    assert not form.is_bound and form.instance is newer and form.initial["title"] == "theirs"
    [(level, text)] = _said(request)
    assert level == "error" and "Someone else saved this record" in text


def test_a_conflict_uses_the_pages_reload_and_a_vanished_row_is_404():
    request = _post()

    def save(form: NoteForm) -> None:
        raise ConflictError(current=None)

    with pytest.raises(Http404):
        save_flow(request, NoteForm(request.POST), save, done="/", message="Saved.")
    reloaded = NoteForm(instance=SimpleNamespace(title="reloaded"))
    response, form = save_flow(
        _post(), NoteForm(request.POST), save, done="/", message="m", reload=lambda c: reloaded
    )
    assert response is None and form is reloaded


def test_a_message_can_depend_on_the_result_or_be_left_to_the_page():
    request = _post()
    save_flow(request, NoteForm(request.POST), lambda f: 3, done="/", message=lambda n: f"{n}!")
    save_flow(request, NoteForm(request.POST), lambda f: 3, done="/", message=None)
    assert _said(request) == [("success", "3!")]


# --- act, posted_lock_version ----------------------------------------------------------


def test_an_action_says_what_happened_and_where_to_go():
    request = _post()
    response = act(request, lambda: None, done="/list/", message="Deleted.")
    assert response["Location"] == "/list/" and _said(request) == [("success", "Deleted.")]

    def stale() -> None:
        raise ConflictError(current=None)

    request = _post()
    response = act(request, stale, done="/list/", message="Deleted.", failed="/detail/")
    assert response["Location"] == "/detail/"
    assert [level for level, _text in _said(request)] == ["error"]


def test_posted_lock_version():
    assert posted_lock_version(_post({"lock_version": "4"}), 1) == 4
    assert posted_lock_version(_post({"lock_version": "x"}), 1) == 1
    assert posted_lock_version(_post({}), 2) == 2


# --- the year parameter ---------------------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(core_views.timezone, "localdate", lambda: TODAY)


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        (None, 2026),
        ("", 2026),
        ("2019", 2019),
        (" 2024 ", 2024),
        ("2000", 2000),
        ("2100", 2100),
        ("1999", 2026),
        ("2101", 2026),
        ("abc", 2026),
        ("2024.5", 2026),
    ],
)
def test_the_year_rule(today, raw: str | None, year: int):
    """A whole number from 2000 to 2100; anything else, or nothing, is this year."""
    query = {} if raw is None else {"year": raw}
    assert year_param(RequestFactory().get("/", query)) == year


def test_a_strict_year_refuses_instead(today):
    assert year_param(RequestFactory().get("/"), strict=True) == 2026
    assert year_param(RequestFactory().get("/", {"year": "2024"}), strict=True) == 2024
    with pytest.raises(InvalidYear) as exc:
        year_param(RequestFactory().get("/", {"year": "1990"}), strict=True)
    assert exc.value.http_status == 400 and exc.value.field == "year"


def test_the_year_parameter_reads_an_api_request(today):
    request = Request(RequestFactory().get("/", {"year": "2023"}))
    assert year_param(request) == 2023


def test_offered_years_include_the_one_shown(today):
    assert year_choices() == [2026, 2025, 2024, 2023, 2022, 2021]
    assert year_choices(back=2, ahead=1) == [2027, 2026, 2025, 2024]
    assert year_choices(back=2, ahead=1, including=2019) == [2027, 2026, 2025, 2024, 2019]


# --- paginate -------------------------------------------------------------------------------------


def test_querysets_page_through_the_capped_paginator(tree: Tree):
    page = paginate(RequestFactory().get("/", {"page": "1"}), Unit.objects.order_by("id"))
    assert isinstance(page.paginator, CappedPaginator)
    page = paginate(RequestFactory().get("/", {"page": "x"}), list(range(5)))
    assert type(page.paginator) is Paginator and page.number == 1
