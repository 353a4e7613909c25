"""The issue and forward forms. Recipients are levels of the unit's subtree and/or units
named by their codes (a subtree may hold 100,000 units: no list to pick from). The files are
checked by content in the service (`core/files.py`), with the error on `attachments`."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import MultipleFileField, StyledFormMixin
from jiceng.org.forms import DateInput
from jiceng.org.models import Level, Unit

from .models import MAX_ATTACHMENTS, NUMBER_LENGTH, TITLE_LENGTH
from .services import DocumentData, Recipients, levels_below

#: Unit codes a form accepts in one go.
MAX_CODES = 500


class _RecipientsForm(StyledFormMixin, forms.Form):
    levels = forms.MultipleChoiceField(
        label=_("Send to every unit at these levels"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.CharField(
        label=_("…and/or to these units (codes)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Unit codes separated by spaces, commas or new lines."),
    )
    forward_required = forms.BooleanField(
        label=_("Recipients must forward it to the units below them"), required=False
    )
    ack_deadline = forms.DateField(label=_("Acknowledge by"), required=False, widget=DateInput())
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        max_files=MAX_ATTACHMENTS,
        help_text=_("PDF, Word, Excel or scanned images; at most %(n)s files.")
        % {"n": MAX_ATTACHMENTS},
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        below = levels_below(unit)
        levels: Any = self.fields["levels"]
        levels.choices = [(level.value, level.label) for level in Level if level.value in below]

    def clean_units(self) -> list[Unit]:
        raw = self.cleaned_data.get("units") or ""
        codes = list(dict.fromkeys(raw.replace(",", " ").replace("，", " ").split()))
        if len(codes) > MAX_CODES:
            raise forms.ValidationError(_("At most %(n)s units at a time.") % {"n": MAX_CODES})
        if not codes:
            return []
        found = {u.code: u for u in Unit.objects.filter(code__in=codes).only("pk", "code")}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No unit has the code %(codes)s.") % {"codes": ", ".join(unknown[:10])}
            )
        return [found[code] for code in codes]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("levels") and not data.get("units") and "units" not in self.errors:
            self.add_error("levels", _("Choose the levels or the units the document goes to."))
        return data

    def recipients(self) -> Recipients:
        return Recipients(
            levels=self.cleaned_data.get("levels") or [], units=self.cleaned_data.get("units") or []
        )

    def uploads(self) -> list[Any]:
        return list(self.cleaned_data.get("attachments") or [])


class IssueForm(_RecipientsForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_LENGTH)
    number = forms.CharField(
        label=_("Document number"),
        max_length=NUMBER_LENGTH,
        help_text=_("For example 个协发〔2009〕12号."),
    )
    issued_on = forms.DateField(label=_("Date of issue"), widget=DateInput())
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    field_order = [
        "title",
        "number",
        "issued_on",
        "body",
        "levels",
        "units",
        "forward_required",
        "ack_deadline",
        "attachments",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()

    def data_for_service(self) -> DocumentData:
        d = self.cleaned_data
        return DocumentData(
            title=d["title"],
            number=d["number"],
            body=d.get("body") or "",
            forward_required=bool(d.get("forward_required")),
            ack_deadline=d.get("ack_deadline"),
            issued_on=d.get("issued_on"),
        )


class ForwardForm(_RecipientsForm):
    number = forms.CharField(
        label=_("Your document number (optional)"), max_length=NUMBER_LENGTH, required=False
    )
    body = forms.CharField(
        label=_("Covering note"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    field_order = [
        "number",
        "body",
        "levels",
        "units",
        "forward_required",
        "ack_deadline",
        "attachments",
    ]

    def __init__(self, *args: Any, title: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = title

    def data_for_service(self) -> DocumentData:
        d = self.cleaned_data
        return DocumentData(
            title=self.title,
            number=d.get("number") or "",
            body=d.get("body") or "",
            forward_required=bool(d.get("forward_required")),
            ack_deadline=d.get("ack_deadline"),
        )
