"""REST endpoints under /api/v1/. Each stands on `ScopedViewSet` (base.py): the unit a request
is about is resolved once, in the user's subtree, and every queryset starts from its subtree;
filters are the FilterSets the pages use."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.members.filters import MemberFilterSet
from jiceng.members.models import Member
from jiceng.org.filters import UnitFilterSet
from jiceng.org.models import Unit

from .base import ScopedViewSet
from .pagination import IdCursorPagination
from .serializers import MemberSerializer, MeSerializer, UnitSerializer


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Units in your subtree, in tree order."""

    queryset = Unit.objects.select_related("parent").order_by("path")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet
    unit_url_kwarg = "pk"

    def get_object(self) -> Unit:
        """The URL's unit, resolved (and scoped) once by `ScopedViewSet`."""
        self.check_object_permissions(self.request, self.unit)
        return self.unit

    @extend_schema(filters=False, responses=UnitSerializer(many=True))
    @action(detail=True, filterset_class=None)
    def children(self, request: Request, pk: str | None = None) -> Response:
        """The unit's direct children, by code."""
        children = self.get_queryset().filter(parent=self.unit).order_by("code")
        page = self.paginate_queryset(children)
        return self.get_paginated_response(UnitSerializer(page, many=True).data)


class MeViewSet(ScopedViewSet):
    @extend_schema(responses=MeSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The signed-in account and its unit."""
        return Response(MeSerializer(request.user).data)


me = MeViewSet.as_view({"get": "retrieve"})


class MemberCursor(IdCursorPagination):
    """Newest first, by id: pages stay cheap at millions of members (no COUNT)."""

    page_size = 50


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Members in your subtree, ID numbers and phones masked, newest first."""

    queryset = Member.objects.select_related("unit")
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    pagination_class = MemberCursor
    unit_query_param = "unit"


class EndpointSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="The path, ids as {id}.")
    methods = serializers.ListField(child=serializers.CharField())
    summary = serializers.CharField()


class ApiRootSerializer(serializers.Serializer):
    title = serializers.CharField()
    version = serializers.CharField()
    schema = serializers.URLField(help_text="The OpenAPI schema (JSON with ?format=json).")
    docs = serializers.URLField(help_text="The interactive documentation of the schema.")
    endpoints = EndpointSerializer(many=True)


def _endpoints() -> list[dict[str, Any]]:
    """Every operation of the schema, from the same generator as the schema itself."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints = []
    for path, operations in schema["paths"].items():
        methods = [m.upper() for m in operations if m in {"get", "post", "put", "patch", "delete"}]
        first = next(iter(operations.values()))
        text = first.get("summary") or first.get("description") or ""
        endpoints.append({"path": path, "methods": methods, "summary": text.strip().split("\n")[0]})
    return endpoints


class ApiRootView(APIView):
    """The index of the API: its schema, its documentation and every endpoint."""

    @extend_schema(responses=ApiRootSerializer, tags=["index"])
    def get(self, request: Request) -> Response:
        spectacular = settings.SPECTACULAR_SETTINGS
        body = {
            "title": str(_("Jiceng API")),
            "version": spectacular["VERSION"],
            "schema": request.build_absolute_uri(reverse("api:schema")),
            "docs": request.build_absolute_uri(reverse("api:docs")),
            "endpoints": _endpoints(),
        }
        return Response(ApiRootSerializer(body).data)


root = ApiRootView.as_view()


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI over the schema, under the site's CSP (`script-src 'self'`, no inline code):
    the page loads the Swagger UI assets installed by drf-spectacular-sidecar from the app's
    static files, and its start-up script from this same URL (`?script`). That script carries
    the CSRF token, so it is never cached."""

    template_name = "api/docs.html"
    url_name = "api:schema"


#: For signed-in users (anonymous: to the sign-in page), never cached.
docs = login_required(never_cache(DocsView.as_view()))


class NotFoundView(APIView):
    """Any other path under /api/v1/: the API's JSON 404 (after the sign-in check), also for an
    id the `id` converter refused."""

    schema = None  # not an operation

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise NotFound


not_found = NotFoundView.as_view()
