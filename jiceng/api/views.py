"""REST endpoints under /api/v1/. Every queryset starts from the user's subtree."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import pagination, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.core.scope import get_in_scope_or_404, in_scope
from jiceng.members.models import Member
from jiceng.members.selectors import MemberFilters, member_list
from jiceng.org import selectors
from jiceng.org.models import Level, Unit

from .serializers import MemberSerializer, MeSerializer, UnitSerializer


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units in your subtree. Filter with `?level=`, `?parent=<id>` or `?q=` (name or code)."""

    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[Unit]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Unit.objects.none()
        return in_scope(Unit.objects.select_related("parent"), self.request.user)  # type: ignore[arg-type]

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
        unit = get_in_scope_or_404(Unit.objects.all(), request.user, pk=pk)  # type: ignore[arg-type]
        page = self.paginate_queryset(selectors.unit_children(unit=unit).select_related("parent"))
        return self.get_paginated_response(UnitSerializer(page, many=True).data)


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The signed-in account and its unit."""
    return Response(MeSerializer(request.user).data)


class MemberCursor(pagination.CursorPagination):
    """Newest first, by id: pages stay cheap at millions of members (no COUNT)."""

    ordering = "-id"
    page_size = 50


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """Members in your subtree, ID numbers and phones masked. `?unit=<id>` narrows to a unit's
    subtree; `?q=` searches name, operator, code, phone or ID number; `?status=`,
    `?member_type=`, `?industry=`, `?join_year=` filter."""

    serializer_class = MemberSerializer
    pagination_class = MemberCursor

    def get_queryset(self) -> QuerySet[Member]:
        if getattr(self, "swagger_fake_view", False):
            return Member.objects.none()
        user = self.request.user
        unit = user.unit  # type: ignore[union-attr]
        raw_unit = self.request.query_params.get("unit", "")
        if raw_unit.isdigit():
            unit = get_in_scope_or_404(Unit.objects.all(), user, pk=int(raw_unit))  # type: ignore[arg-type]
        if self.action == "retrieve":
            return in_scope(Member.objects.select_related("unit"), user)  # type: ignore[arg-type]
        filters = MemberFilters.from_query(self.request.query_params)
        return member_list(unit=unit, filters=filters).select_related("unit")

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", int),
            OpenApiParameter("q", str),
            OpenApiParameter("status", str),
            OpenApiParameter("member_type", str),
            OpenApiParameter("industry", str),
            OpenApiParameter("join_year", int),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)
