"""Read-only dues endpoints, scoped like the pages, under /api/v1/units/<pk>/dues/ (see
jiceng/api/urls.py).

Money and rates are decimal strings ("1234.50", "0.9167"); `rate` is null when nothing is due.
"""

from typing import Any

from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.api.base import ScopedViewSet
from jiceng.org.models import Unit

from . import selectors
from .models import MAX_YEAR, MIN_YEAR


class CollectionRateSerializer(serializers.Serializer):
    members_due = serializers.IntegerField()
    members_paid = serializers.IntegerField()
    due = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Paid towards what is due (capped per member)."
    )
    received = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Everything received, uncapped."
    )
    rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="paid ÷ due, 0–1."
    )


class UnitCollectionRateSerializer(CollectionRateSerializer):
    unit_id = serializers.IntegerField()
    year = serializers.IntegerField()


class ChildCollectionRateSerializer(CollectionRateSerializer):
    unit_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    own = serializers.BooleanField(
        help_text="True for the line of members the unit holds itself, not a child unit."
    )


class ChildrenSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField()
    year = serializers.IntegerField()
    results = ChildCollectionRateSerializer(many=True)


def _year_message() -> str:
    return _("A year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text="Dues year (default: this year).",
        error_messages={
            key: lazy(_year_message, str)()
            for key in ("invalid", "min_value", "max_value", "max_string_length")
        },
    )


def _figures(rate: selectors.CollectionRate) -> dict[str, Any]:
    return {
        "members_due": rate.members_due,
        "members_paid": rate.members_paid,
        "due": rate.due,
        "paid": rate.paid,
        "received": rate.received,
        "rate": rate.rate,
    }


class DuesViewSet(ScopedViewSet):
    """The URL's unit is resolved and scoped once by `ScopedViewSet` (404 outside your area)."""

    queryset = Unit.objects.all()
    unit_url_kwarg = "pk"

    def _year(self) -> int:
        query = YearQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        year: int | None = query.validated_data.get("year")
        return year if year is not None else timezone.localdate().year

    @extend_schema(parameters=[YearQuerySerializer], responses=UnitCollectionRateSerializer)
    def collection_rate(self, request: Request, pk: int) -> Response:
        """The dues collection of the unit's whole subtree for a year."""
        year = self._year()
        rate = selectors.collection_rate(unit=self.unit, year=year)
        return Response(
            UnitCollectionRateSerializer(
                {"unit_id": self.unit.pk, "year": year, **_figures(rate)}
            ).data
        )

    @extend_schema(parameters=[YearQuerySerializer], responses=ChildrenSerializer)
    def collection_rates_by_child(self, request: Request, pk: int) -> Response:
        """The dues collection per child unit (and of the members the unit holds itself)."""
        year = self._year()
        results = [
            {
                "unit_id": line.unit.pk,
                "code": line.unit.code,
                "name": line.unit.name,
                "level": line.unit.level,
                "own": line.own,
                **_figures(line.figures),
            }
            for line in selectors.collection_rates_by_child(unit=self.unit, year=year)
        ]
        return Response(
            ChildrenSerializer({"unit_id": self.unit.pk, "year": year, "results": results}).data
        )


collection_rate = DuesViewSet.as_view({"get": "collection_rate"})
collection_rates_by_child = DuesViewSet.as_view({"get": "collection_rates_by_child"})
