"""REST endpoints under /api/v1/. Each stands on `ScopedViewSet` (base.py): the unit a request
is about is resolved once, in the user's subtree, and every queryset starts from its subtree;
filters are the FilterSets the pages use."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, pagination
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.members.filters import MemberFilterSet
from jiceng.members.models import Member
from jiceng.org.filters import UnitFilterSet
from jiceng.org.models import Unit

from .base import ScopedViewSet
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

    @extend_schema(filters=False)
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


class MemberCursor(pagination.CursorPagination):
    """Newest first, by id: pages stay cheap at millions of members (no COUNT)."""

    ordering = "-id"
    page_size = 50


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Members in your subtree, ID numbers and phones masked, newest first."""

    queryset = Member.objects.select_related("unit")
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    pagination_class = MemberCursor
    unit_query_param = "unit"
