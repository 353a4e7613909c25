"""The site's URLs plus one that fails, for the 500 page's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from jiceng.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("boom/", boom)]
