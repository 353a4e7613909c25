"""Personal data in transit (issue 9, items 3 and 4): responses to signed-in users are never
stored by a cache, and no access or request log line carries a query string."""

import io
import logging
import re
import shlex
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from conftest import People, client_for
from jiceng.core.middleware import NoStoreMiddleware, WithoutQueryStrings

ID_NUMBER = "11010519491231002X"


# --- 4. Cache-Control: no-store --------------------------------------------------------------


def _through(header: str | None, *, signed_in: bool = True) -> HttpResponse:
    response = HttpResponse("x")
    if header is not None:
        response["Cache-Control"] = header
    request = RequestFactory().get("/")
    request.user = SimpleNamespace(is_authenticated=True) if signed_in else AnonymousUser()  # type: ignore[assignment]
    return NoStoreMiddleware(lambda r: response)(request)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, "no-store"),
        ("private, max-age=3600", "no-store, private"),
        ("public, max-age=60", "no-store"),
        ("no-store", "no-store"),
        ("private, no-store, must-revalidate", "private, no-store, must-revalidate"),
        ("no-cache", "no-store, no-cache"),
    ],
)
def test_signed_in_responses_are_never_stored_and_stricter_headers_are_kept(before, after):
    assert _through(before)["Cache-Control"] == after


def test_anonymous_responses_are_left_alone():
    assert "Cache-Control" not in _through(None, signed_in=False)


def test_the_middleware_is_installed_after_authentication():
    middleware = settings.MIDDLEWARE
    assert "jiceng.core.middleware.NoStoreMiddleware" in middleware
    assert middleware.index("jiceng.core.middleware.NoStoreMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )


@pytest.mark.django_db
def test_pages_of_a_signed_in_user_say_no_store(people: People):
    client = client_for(people.viewer)
    for url in [reverse("home"), reverse("members:list", kwargs={"pk": people.viewer.unit.pk})]:
        assert "no-store" in client.get(url)["Cache-Control"], url


# --- 3. no query strings in logs ---------------------------------------------------------------


def _run_line() -> list[str]:
    """The gunicorn command of `make run`, as its arguments."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0].replace("\\\n", " ")
    command = re.search(r"gunicorn .*?(?=\n|$)", recipe, re.S)
    assert command, recipe
    return shlex.split(command.group(0).replace("$(HOST)", "h").replace("$(PORT)", "1"))


def test_the_access_log_of_make_run_has_no_query_strings():
    from gunicorn.config import Config  # type: ignore[import-untyped]
    from gunicorn.glogging import Logger  # type: ignore[import-untyped]

    args = _run_line()
    assert "--access-logformat" in args
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", args[args.index("--access-logformat") + 1])
    logger = Logger(config)
    stream = io.StringIO()
    logger.access_log.handlers = [logging.StreamHandler(stream)]
    query = f"q={ID_NUMBER}&page=2"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/units/1/members/?{query}",
        "PATH_INFO": "/units/1/members/",
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"http://h/units/1/members/?{query}",
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="200 OK", status_code=200, sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    from datetime import timedelta

    logger.access(response, request, environ, timedelta(seconds=0.01))
    line = stream.getvalue()
    assert "/units/1/members/" in line and "POST" in line and "200" in line
    assert ID_NUMBER not in line and "?" not in line


def test_the_development_server_log_has_no_query_strings():
    logger = logging.getLogger("django.server")
    assert logger.handlers, "django.server has its handler from settings.LOGGING"
    stream = io.StringIO()
    handler = logger.handlers[0]
    old = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        logger.info(
            '"%s" %s %s',
            f"GET /units/1/members/?q={ID_NUMBER} HTTP/1.1",
            "200",
            "512",
            extra={"status_code": 200, "request": None},
        )
    finally:
        handler.setStream(old)  # type: ignore[attr-defined]
    line = stream.getvalue()
    assert "GET /units/1/members/ HTTP/1.1" in line and ID_NUMBER not in line


def test_every_root_log_line_loses_its_query_strings():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/x/?q={ID_NUMBER}",),
        None,
    )
    assert WithoutQueryStrings().filter(record)
    assert record.getMessage() == "Not Found: /x/"
    handlers = logging.getLogger().handlers
    assert any(isinstance(f, WithoutQueryStrings) for h in handlers for f in h.filters), (
        "the console handler filters query strings"
    )
