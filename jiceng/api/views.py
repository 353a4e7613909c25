"""REST endpoints under /api/v1/. Every queryset starts from the user's subtree."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.core.scope import get_in_scope_or_404, in_scope
from jiceng.org import selectors
from jiceng.org.models import Level, Unit

from .serializers import MeSerializer, UnitSerializer


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units in your subtree. Filter with `?level=`, `?parent=<id>` or `?q=` (name or code)."""

    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Unit.objects.none()
        return in_scope(Unit.objects.select_related("parent"), self.request.user, via="")  # type: ignore[arg-type]

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=Level.values),
            OpenApiParameter("parent", int),
            OpenApiParameter("q", str),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        params = self.request.query_params
        if params.get("q"):
            queryset = selectors.unit_search(user=self.request.user, query=params["q"])  # type: ignore[arg-type]
        if params.get("level") in Level.values:
            queryset = queryset.filter(level=params["level"])
        if params.get("parent", "").isdigit():
            queryset = queryset.filter(parent_id=int(params["parent"]))
        return queryset.order_by("path")

    @action(detail=True)
    def children(self, request: Request, pk: str | None = None) -> Response:
        unit = get_in_scope_or_404(Unit.objects.all(), request.user, via="", pk=pk)  # type: ignore[arg-type]
        page = self.paginate_queryset(selectors.unit_children(unit=unit).select_related("parent"))
        return self.get_paginated_response(UnitSerializer(page, many=True).data)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in account and its unit."""
    return Response(MeSerializer(request.user).data)
