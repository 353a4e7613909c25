"""What every API endpoint stands on, so none can forget the user's subtree.

- `SignedIn` (permissions.py): an authenticated, active account — by session or API token.
- `ScopedViewSet`: resolves the unit the request is about ONCE, before the action runs — the
  URL's unit (`unit_url_kwarg`, an id by the `id` path converter), else the `unit_query_param`
  query parameter (a malformed value is a 400 naming it), else the user's own unit — through
  `unit_in_scope_or_404` (404 outside the user's area), and starts every queryset from that
  unit's subtree. Subclasses declare `queryset`; they may not override `get_queryset`.
- Filters are django-filter FilterSets (`filterset_class`), applied by `DjangoFilterBackend`
  (REST_FRAMEWORK settings), which answers 400 naming the parameter for a bad value; the
  OpenAPI schema documents them from the same declaration.
"""

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from rest_framework import exceptions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from jiceng.core.scope import in_subtree, unit_in_scope_or_404
from jiceng.org.filters import IdField
from jiceng.org.models import Unit

from .permissions import SignedIn


class ScopedViewSet(viewsets.GenericViewSet):
    permission_classes = [SignedIn]
    #: The URL keyword that names the unit an endpoint is about ("pk" on /units/<pk>/dues/).
    unit_url_kwarg: ClassVar[str | None] = None
    #: The query parameter that narrows a list to a unit's subtree ("unit" on /members/).
    unit_query_param: ClassVar[str | None] = None

    #: The unit the request is about, in the user's subtree: set before the action runs.
    unit: Unit
    #: Ids in the URL go through the `id` path converter (converters.py).
    lookup_value_converter = "id"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__}: declare `queryset`; ScopedViewSet.get_queryset scopes it"
            )

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        method = request.method.lower() if request.method else ""
        if method not in self.http_method_names or not hasattr(self, method):
            # 405 for a method the endpoint does not have, whatever the unit asked for.
            raise exceptions.MethodNotAllowed(request.method or "")
        self.unit = self.resolve_unit()

    def resolve_unit(self) -> Unit:
        user: Any = self.request.user
        if self.unit_url_kwarg and self.unit_url_kwarg in self.kwargs:
            return unit_in_scope_or_404(user, self.kwargs[self.unit_url_kwarg])
        param = self.unit_query_param
        raw = self.request.query_params.get(param) if param else ""
        if param and raw:
            try:
                key = IdField().clean(raw)
            except forms.ValidationError as error:
                raise ValidationError({param: error.messages}) from None
            return unit_in_scope_or_404(user, key)
        unit: Unit = user.unit
        return unit

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no unit
            return queryset.none()
        return in_subtree(queryset, self.unit)
