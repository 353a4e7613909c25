"""The assessment's forms: what a page posts, checked for shape; the services check the rules
(ranges per indicator, reasons, states) and their refusals land back on these forms."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiceng.campaigns.models import Campaign
from jiceng.core.files import validate_document
from jiceng.core.forms import MultipleFileField, StyledFormMixin

from .models import ProblemSource
from .rules import RuleKind

MAX_TEXT = 2000


class ScoreForm(StyledFormMixin, forms.Form):
    """The association's own score of one indicator, with a note."""

    self_score = forms.CharField(label=_("Self-score"), max_length=10)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EvidenceForm(StyledFormMixin, forms.Form):
    upload = MultipleFileField(
        label=_("Evidence files"),
        validators=[validate_document],
        help_text=_("PDF, photos, Word or Excel files."),
    )


class AdjustForm(StyledFormMixin, forms.Form):
    """A reviewing level's score of one indicator, with the reason (扣分原因)."""

    score = forms.CharField(label=_("Score"), max_length=10)
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )


#: "4.2 原因", "4.2：原因", "4.2: reason" — an indicator's code at the start of a line.
_LINE = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3}){0,3})\s*[:：、,，\s]\s*(.+?)\s*$")


class ReturnForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    indicators = forms.CharField(
        label=_("Reasons per indicator"),
        required=False,
        max_length=10 * MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "4.2：经费来源缺少佐证材料"}),
        help_text=_("One line per indicator: its code, then the reason."),
    )

    def clean_indicators(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data.get("indicators", "").splitlines(), 1):
            if not line.strip():
                continue
            match = _LINE.match(line)
            if match is None:
                raise ValidationError(
                    gettext("Line %(line)s: start with the indicator's code, e.g. “4.2：reason”.")
                    % {"line": number}
                )
            found[match.group(1)] = match.group(2)
        return found


class UnapproveForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def field_errors(form: Any) -> str:
    return "; ".join(str(e) for errors in form.errors.values() for e in errors)


class RectificationForm(StyledFormMixin, forms.Form):
    """A problem to fix: where it was found, what, the indicator it concerns, who, by when."""

    source = forms.ChoiceField(label=_("Found in"), choices=ProblemSource.choices)
    code = forms.CharField(
        label=_("Indicator"),
        required=False,
        max_length=20,
        help_text=_("Its code, e.g. 4.2, when the problem concerns one."),
    )
    description = forms.CharField(
        label=_("Problem"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=_("Responsible person"), max_length=50)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    measures = forms.CharField(
        label=_("Measures"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, own: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        if own:  # the association records what its own self-inspection found
            source.choices = [(ProblemSource.SELF_INSPECTION, ProblemSource.SELF_INSPECTION.label)]
        else:
            source.choices = [
                c for c in ProblemSource.choices if c[0] != ProblemSource.SELF_INSPECTION
            ]


class CloseForm(StyledFormMixin, forms.Form):
    measures = forms.CharField(
        label=_("What was done"), max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    upload = MultipleFileField(
        label=_("Proof of closure"),
        validators=[validate_document],
        help_text=_("PDF, photos, Word or Excel files."),
    )


class VerifyForm(StyledFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("send_back", _("Send back"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when sending back."),
    )


class RubricImportForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Rubric name"),
        max_length=100,
        help_text=_("A name already used makes the next version of that rubric."),
    )
    file = forms.FileField(
        label=_("Rubric sheet"),
        help_text=_(
            "Excel (.xlsx or .xls): a code column (编号) or a column per level (一级指标 …), "
            "with 分值 and 评分依据."
        ),
    )


class RubricItemForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    basis = forms.CharField(
        label=_("Basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    points = forms.CharField(label=_("Points"), required=False, max_length=10)
    rule = forms.ChoiceField(label=_("Rule"), choices=RuleKind.choices, required=False)
    per_item = forms.CharField(label=_("Points per item"), required=False, max_length=10)
    floor = forms.CharField(label=_("Floor"), required=False, max_length=10)
    cap = forms.CharField(label=_("Cap"), required=False, max_length=10)
    tiers = forms.CharField(
        label=_("Tiers"),
        required=False,
        max_length=200,
        help_text=_("Threshold:points, highest first, e.g. 90:7; 70:4."),
    )
    source = forms.ChoiceField(label=_("Data source"), required=False)
    needs_evidence = forms.BooleanField(label=_("Evidence required"), required=False)

    def __init__(self, *args: Any, indicator: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from jiceng.core.figures import registry

        source = self.fields["source"]
        assert isinstance(source, forms.ChoiceField)
        source.choices = [("", "—")] + [
            (code, f"{code} · {figure.label}") for code, figure in sorted(registry().items())
        ]
        if not indicator:  # a criterion: words and points only
            for name in ("rule", "per_item", "floor", "cap", "tiers", "source", "needs_evidence"):
                del self.fields[name]


class CampaignRubricForm(StyledFormMixin, forms.Form):
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none()
    )

    def __init__(self, *args: Any, campaigns: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaigns
