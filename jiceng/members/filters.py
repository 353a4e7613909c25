"""What a member list can be narrowed by, declared once: the member list page builds its form
from it, and the API filters (and documents its parameters) through it. The filtering itself is
the selector's (`selectors.filter_members`), so the page, the API and exports search alike. A
bad value is a form error (a 400 naming the parameter in the API), never ignored silently."""

from typing import Any

import django_filters  # type: ignore[import-untyped]
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from jiceng.org.filters import FilterForm, IdFilter, IntegerFilter

from .models import Member, MemberStatus, MemberType
from .selectors import MemberFilters, filter_members

TRUE_VALUES = {"1", "on", "true", "yes"}
FALSE_VALUES = {"", "0", "off", "false", "no"}


class FlagField(forms.Field):
    """A checkbox as a query sends it: 1/on/true/yes, or 0/off/false/no (or absent)."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        text = str(value or "").strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return None
        raise ValidationError(_("Give 1 or 0."), code="invalid")


class FlagFilter(django_filters.BooleanFilter):
    field_class = FlagField


class MemberFilterFormBase(FilterForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = field.widget.attrs.get("class", "")
            field.widget.attrs["class"] = css.replace("form-select", "form-select form-select-sm")


class MemberFilterSet(django_filters.FilterSet):
    #: Validated and documented here; the API's view resolves it (404 outside the user's area)
    #: and starts from that unit's subtree (`jiceng.api.base.ScopedViewSet`), and a page takes
    #: its unit from its URL, so `filter_queryset` does not narrow by it again.
    unit = IdFilter(
        label=_("unit"), help_text=_("Only this unit's subtree (it must lie in yours).")
    )
    q = django_filters.CharFilter(
        max_length=60,
        label=_("Search"),
        # ID numbers and phones are searched only from the member list's search box, by POST,
        # for a role that may unmask (audited): never from a URL, so never from the API.
        help_text=_("Business or operator name, credit code or registration number."),
        widget=forms.TextInput(attrs={"placeholder": _("name, operator or code")}),
    )
    member_type = django_filters.ChoiceFilter(
        choices=MemberType.choices,
        label=_("member type"),
        empty_label=_("all types"),
    )
    status = django_filters.ChoiceFilter(
        choices=MemberStatus.choices,
        label=_("status"),
        empty_label=_("all statuses"),
    )
    industry = django_filters.CharFilter(max_length=50, label=_("industry"))
    join_year = IntegerFilter(
        label=_("join year"),
        min_value=1950,
        max_value=2100,
    )
    flagged = FlagFilter(
        label=_("only flagged"), help_text=_("Only members with warnings to check (1).")
    )

    class Meta:
        model = Member
        form = MemberFilterFormBase
        fields = ["unit", "q", "member_type", "status", "industry", "join_year", "flagged"]

    @property
    def filters_used(self) -> MemberFilters:
        """The valid values as the selectors take them. A caller checks `is_valid()` first
        (the API's filter backend answers 400; the page lists nothing and names the error)."""
        if not self.is_bound:
            return MemberFilters()
        self.is_valid()  # cleans the form: cleaned_data holds the valid values
        data = self.form.cleaned_data
        year = data.get("join_year")
        return MemberFilters(
            q=data.get("q") or "",
            member_type=data.get("member_type") or "",
            status=data.get("status") or "",
            industry=data.get("industry") or "",
            join_year=int(year) if year is not None else None,
            flagged=bool(data.get("flagged")),
        )

    def filter_queryset(self, queryset: QuerySet[Member]) -> QuerySet[Member]:
        """All the filters at once, through the selector (not one `Filter.filter` each)."""
        return filter_members(queryset, self.filters_used)
