"""What a unit list can be narrowed by, declared once: the search page builds its form from it
and the API filters (and documents its parameters) through it. A bad value is a form error (a
400 naming the parameter in the API), never ignored and never a 500."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from jiceng.core.forms import StyledFormMixin

from .models import Level, Unit

#: The largest primary key the databases hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A primary key typed into a query: a positive 64-bit integer, else a form error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number (django-filter's own NumberFilter takes decimals)."""

    field_class = forms.IntegerField


class IdFilter(IntegerFilter):
    """Filter by a row's id, validated as a primary key (see `IdField`)."""

    field_class = IdField


class FilterForm(StyledFormMixin, forms.Form):
    """The form under every FilterSet of the pages: Bootstrap classes, invalid fields marked."""


def unit_text_q(query: str) -> Q:
    """Units whose name or short name contains, or whose code starts with, the query."""
    return Q(name__contains=query) | Q(short_name__contains=query) | Q(code__startswith=query)


class UnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        max_length=50,
        label=_("Name or code"),
        help_text=_("Name or short name containing it, or code starting with it."),
    )
    level = django_filters.ChoiceFilter(
        choices=Level.choices, label=_("Level"), empty_label=_("All levels")
    )
    parent = IdFilter(
        field_name="parent_id", label=_("Parent unit"), help_text=_("Id of the parent unit.")
    )

    class Meta:
        model = Unit
        form = FilterForm
        fields = ["q", "level", "parent"]

    def search(self, queryset: QuerySet[Unit], name: str, value: str) -> QuerySet[Unit]:
        return queryset.filter(unit_text_q(value))


def filter_errors(filterset: django_filters.FilterSet) -> list[str]:
    """A bound FilterSet's errors as lines for a page ("Level: Select a valid choice…")."""
    form = filterset.form
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            lines.append(f"{label}: {error}" if label else str(error))
    return lines
