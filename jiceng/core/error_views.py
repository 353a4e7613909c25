"""The site's error pages: 400, 403, 404, 500 and a failed CSRF check, in the site's layout and
the user's language (Chinese unless the language cookie says otherwise), each saying what
happened and offering the way home. Wired in `jiceng/urls.py` (handler400 … handler500) and
`CSRF_FAILURE_VIEW`; templates in `core/templates/errors/`.

(`core/errors.py` holds the domain errors services raise; these are the HTTP pages.)

The 500 page is drawn without the request: no database, no signed-in user, no context
processors (whatever failed may be one of them), and if even that fails a fixed page in
Chinese is sent.
"""

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

#: What each page says: heading and explanation.
PAGES: dict[int, tuple[Any, Any]] = {
    400: (
        _("Bad request"),
        _(
            "The request could not be understood: the address or the form data is malformed. "
            "Check the address, or go back and fill the form in again."
        ),
    ),
    403: (
        _("Access denied"),
        _(
            "Your role may not open this page or make this change. If your work needs it, ask "
            "the administrator of your association."
        ),
    ),
    404: (
        _("Page not found"),
        _(
            "There is no such page, or it is outside your area. Check the address, or start "
            "again from the home page."
        ),
    ),
    500: (
        _("Server error"),
        _(
            "Something went wrong on our side and your request was not completed. The error "
            "has been recorded. Please try again in a few minutes."
        ),
    ),
}
CSRF_PAGE = (
    _("The form has expired"),
    _(
        "The form could not be sent because its security check failed: the page may have "
        "been open too long, or you signed in again in another tab, or the browser blocks "
        "cookies. Go back, reload the page and send the form again."
    ),
)

#: Sent when even the 500 template cannot be drawn (no template engine, no translations).
FALLBACK_500 = (
    '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8">'
    "<title>服务器错误 · 基层</title></head><body>"
    "<h1>服务器错误</h1><p>系统出现错误，您的请求未能完成。请稍后再试。</p>"
    '<p><a href="/">返回首页</a></p></body></html>'
)


def _page(
    request: HttpRequest, status: int, heading: Any, explanation: Any, template: str
) -> HttpResponse:
    context = {"status": status, "heading": heading, "explanation": explanation}
    body = loader.render_to_string(template, context, request=request)
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, *PAGES[400], "errors/400.html")


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, *PAGES[403], "errors/403.html")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, *PAGES[404], "errors/404.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(request, 403, *CSRF_PAGE, "errors/csrf.html")


def _language(request: HttpRequest) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = getattr(request, "COOKIES", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def server_error(request: HttpRequest) -> HttpResponse:
    """Drawn from the template alone: no request context, hence no user or database."""
    try:
        with translation.override(_language(request)):
            heading, explanation = PAGES[500]
            body = loader.get_template("errors/500.html").render(
                {"status": 500, "heading": heading, "explanation": explanation}
            )
    except Exception:
        logger.exception("the 500 page could not be drawn")
        body = FALLBACK_500
    return HttpResponse(body, status=500)
