from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from jiceng.assessments import api as assessments_api
from jiceng.campaigns import api as campaigns_api
from jiceng.documents import api as documents_api
from jiceng.dues import api as dues_api

from . import (
    converters,  # noqa: F401  (registers the `id` path converter)
    views,
)

app_name = "api"

#: Path converters, not regexes: an id is an `id` (converters.py) or the URL does not match.
router = SimpleRouter(use_regex_path=False)
router.register("units", views.UnitViewSet, basename="unit")
router.register("members", views.MemberViewSet, basename="member")

urlpatterns = [
    path("", views.root, name="root"),
    path("me/", views.me, name="me"),
    path("units/<id:pk>/dues/", dues_api.collection_rate, name="unit-dues"),
    path(
        "units/<id:pk>/dues/children/",
        dues_api.collection_rates_by_child,
        name="unit-dues-children",
    ),
    *campaigns_api.urlpatterns,
    *assessments_api.urlpatterns,
    *documents_api.urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    *router.urls,
    # Last: every other path ending in a slash is the API's JSON 404 (a path without one is
    # first redirected to it by APPEND_SLASH).
    re_path(r"^.*/$", views.not_found),
]
