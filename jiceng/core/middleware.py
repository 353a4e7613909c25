import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


class DefaultLanguageMiddleware:
    """Simplified Chinese unless the user chose otherwise (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; this platform's
    default is Chinese whatever the browser says, with English one click away.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Nothing shown to a signed-in user is kept by a browser or proxy cache: member pages,
    lists, unmasked values and fragments all carry personal data, and a shared office computer
    must not show them again from its cache. A response that already says `no-store` (file
    downloads, `core/files.serve_file`) keeps its own header; anything looser is replaced."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            directives = [
                d.strip() for d in response.headers.get("Cache-Control", "").split(",") if d.strip()
            ]
            if "no-store" not in [d.lower() for d in directives]:
                kept = [d for d in directives if d.split("=")[0].strip().lower() in _STRICT]
                response.headers["Cache-Control"] = ", ".join(
                    ["no-store", *[d for d in kept if d.lower() != "no-store"]]
                )
                response.headers.pop("Expires", None)
        return response


#: Directives a view may add to `no-store` without loosening it.
_STRICT = {"private", "no-cache", "must-revalidate", "no-transform"}


_QUERY_STRING = re.compile(r"(/[^\s?\"'<>]*)\?[^\s\"'<>]*")


class WithoutQueryStrings(logging.Filter):
    """A logging filter that cuts the query string off every URL in a log line: a member search
    by ID number or phone must never reach a log (the development server's request lines,
    `django.server`, and anything else that logs a URL)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _QUERY_STRING.sub(r"\1", message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
