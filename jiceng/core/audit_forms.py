"""The audit log's filter: units of the user's area by code or by (part of) their name, and an
action or a group of actions chosen by label. A value the form does not offer is an error, never
a new option."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .actions import action_groups, is_registered
from .forms import StyledFormMixin
from .models import AuditEntry
from .scope import in_scope

if TYPE_CHECKING:
    from jiceng.accounts.models import User
    from jiceng.org.models import Unit


def action_choices() -> list[tuple[Any, Any]]:
    """The choices: "all actions", then per group an option for the whole group and one per
    action, each under its translated label; the values are the codes ("security." for a
    group)."""
    choices: list[tuple[Any, Any]] = [("", _("All actions"))]
    for group in action_groups():
        options = [(a.code, a.label) for a in group.actions]
        if group.label:
            choices.append((group.label, [(group.prefix, group.label), *options]))
        else:
            choices.extend(options)
    return choices


#: At most this many units match a name; more ask for a longer name or the code.
MAX_NAMED_UNITS = 50


class AuditFilterForm(StyledFormMixin, forms.Form):
    unit = forms.CharField(label=_("Unit code or name"), required=False, max_length=100)
    action = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args: Any, user: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = action_choices()
        self.fields["unit"].widget.attrs.update(
            placeholder=_("Unit code or name"), autocomplete="off"
        )

    def clean_unit(self) -> "list[Unit]":
        """The units the filter keeps: the one with this code (anything with a digit is a code),
        else those whose name or short name holds the text. Outside the user's area is the
        same answer as nowhere."""
        from jiceng.org.models import Unit
        from jiceng.org.models.tree import code_format

        text = " ".join(self.cleaned_data["unit"].split())
        if not text:
            return []
        if any(ch.isdigit() for ch in text):
            code_format(text)  # "A unit code is a 6-digit division code …"
            units = list(in_scope(Unit.objects.filter(code=text), self.user)[:1])
            if not units:
                raise ValidationError(
                    _("No unit with this code in your area: %(code)s."),
                    code="unknown_unit",
                    params={"code": text},
                )
            return units
        named = Unit.objects.filter(Q(name__icontains=text) | Q(short_name__icontains=text))
        units = list(in_scope(named, self.user).order_by("path")[: MAX_NAMED_UNITS + 1])
        if not units:
            raise ValidationError(
                _("No unit with a name like this in your area: %(name)s."),
                code="unknown_unit",
                params={"name": text},
            )
        if len(units) > MAX_NAMED_UNITS:
            raise ValidationError(
                _("More than %(count)s units have a name like this: type more of it, or the code."),
                code="too_many_units",
                params={"count": MAX_NAMED_UNITS},
            )
        return units

    def filter(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """The entries the valid filter keeps."""
        units = self.cleaned_data.get("unit") or []
        action = self.cleaned_data.get("action") or ""
        if len(units) == 1:
            entries = entries.filter(unit=units[0])
        elif units:
            entries = entries.filter(unit__in=units)
        if action and is_registered(action):
            entries = entries.filter(action=action)
        elif action:  # a group: every code starting with "security."
            entries = entries.filter(action__startswith=action)
        return entries
