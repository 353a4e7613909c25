"""Read-only dues endpoints, scoped like the pages, under /api/v1/units/<pk>/dues/ (see
jiceng/api/urls.py).

Money and rates are decimal strings ("1234.50", "0.9167"); `rate` is null when nothing is due.
"""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jiceng.core.scope import get_in_scope_or_404
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


YEAR_PARAMETER = OpenApiParameter("year", int, description="Dues year (default: this year).")


def _year(request: Request) -> int:
    raw = request.query_params.get("year", "")
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not MIN_YEAR <= int(raw) <= MAX_YEAR:
        raise ValidationError({"year": f"A year from {MIN_YEAR} to {MAX_YEAR}."})
    return int(raw)


def _figures(rate: selectors.CollectionRate) -> dict[str, Any]:
    return {
        "members_due": rate.members_due,
        "members_paid": rate.members_paid,
        "due": rate.due,
        "paid": rate.paid,
        "received": rate.received,
        "rate": rate.rate,
    }


@extend_schema(parameters=[YEAR_PARAMETER], responses=UnitCollectionRateSerializer)
@api_view(["GET"])
def collection_rate(request: Request, pk: int) -> Response:
    """The dues collection of the unit's whole subtree for a year."""
    unit = get_in_scope_or_404(Unit.objects.all(), request.user, pk=pk)  # type: ignore[arg-type]
    year = _year(request)
    rate = selectors.collection_rate(unit=unit, year=year)
    return Response(
        UnitCollectionRateSerializer({"unit_id": unit.pk, "year": year, **_figures(rate)}).data
    )


@extend_schema(parameters=[YEAR_PARAMETER], responses=ChildrenSerializer)
@api_view(["GET"])
def collection_rates_by_child(request: Request, pk: int) -> Response:
    """The dues collection per child unit (and of the members the unit holds itself)."""
    unit = get_in_scope_or_404(Unit.objects.all(), request.user, pk=pk)  # type: ignore[arg-type]
    year = _year(request)
    results = [
        {
            "unit_id": line.unit.pk,
            "code": line.unit.code,
            "name": line.unit.name,
            "level": line.unit.level,
            "own": line.own,
            **_figures(line.figures),
        }
        for line in selectors.collection_rates_by_child(unit=unit, year=year)
    ]
    return Response(ChildrenSerializer({"unit_id": unit.pk, "year": year, "results": results}).data)
