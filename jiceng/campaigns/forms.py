"""The campaign tab's small forms: completing a form or meeting task with its evidence, and
waiving a child unit's task with a reason. Each task's form carries its own prefix (`t<pk>`),
so the tab holds one per task."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import validate_document, validate_photo
from jiceng.core.forms import MultipleFileField, StyledFormMixin
from jiceng.documents.models import Document
from jiceng.org.anchors import ancestor_paths
from jiceng.org.models import Unit

from .completion import MAX_EVIDENCE_FILES
from .models import Campaign, CompletionKind, Phase, Task, level_rank

#: The kinds of task completed on the tab; the others are completed elsewhere (acknowledging a
#: document in the documents app, conditions by the system: `conditions.py`).
COMPLETED_ON_TAB = frozenset({CompletionKind.FORM, CompletionKind.MEETING, CompletionKind.DOCUMENT})


def task_prefix(task: Task) -> str:
    return f"t{task.pk}"


class CompleteForm(StyledFormMixin, forms.Form):
    """A note for a form task (required); for a meeting, the date, place and attendance
    (required) and an optional note."""

    date = forms.DateField(
        label=_("Meeting date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    place = forms.CharField(label=_("Meeting place"), max_length=100, required=False)
    attendance = forms.IntegerField(
        label=_("Attendance"), min_value=1, max_value=100_000, required=False
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    attachments = MultipleFileField(label=_("Files"), required=False, max_files=MAX_EVIDENCE_FILES)

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, prefix=task_prefix(task), **kwargs)
        self.task = task
        self.is_meeting = task.completion == CompletionKind.MEETING
        if self.is_meeting:
            for name in ("date", "place", "attendance"):
                self.fields[name].required = True
            self.fields["attachments"].label = _("Photos of the meeting")
            self.fields["attachments"].validators = [validate_photo]
            self.fields["attachments"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        else:
            for name in ("date", "place", "attendance"):
                del self.fields[name]
        if task.completion == CompletionKind.DOCUMENT:
            self.fields["attachments"].label = _("The document")
            self.fields["attachments"].required = True
            self.fields["attachments"].validators = [validate_document]
            self.fields["attachments"].error_messages["required"] = _(
                "Upload the document that shows this task is done."
            )
        elif task.completion == CompletionKind.FORM:
            del self.fields["attachments"]
            self.fields["note"].required = True

    def clean_date(self) -> datetime.date | None:
        date: datetime.date | None = self.cleaned_data.get("date")
        if date is not None and date > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("The meeting cannot have been held in the future."))
        return date

    def uploads(self) -> list[Any]:
        return list(self.cleaned_data.get("attachments") or [])

    def evidence(self) -> dict[str, Any]:
        data = self.cleaned_data
        evidence: dict[str, Any] = {}
        if data.get("note"):
            evidence["note"] = data["note"].strip()
        if self.is_meeting:
            evidence["fields"] = {
                "date": data["date"].isoformat(),
                "place": data["place"].strip(),
                "attendance": data["attendance"],
            }
        return evidence


class WaiveForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for waiving"),
        max_length=500,
        widget=forms.TextInput(),
        error_messages={"required": _("Give the reason for waiving the task.")},
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"w{task.pk}", **kwargs)
        self.task = task


# --- The plan pages ----------------------------------------------------------------------------


class CopyForm(StyledFormMixin, forms.Form):
    """The wizard: an earlier campaign of this unit, the year of the new one (every date moves
    by the same number of whole years), its name, and whether the local plans come too."""

    source = forms.ModelChoiceField(
        label=_("Copy from"), queryset=Campaign.objects.none(), empty_label=None
    )
    year = forms.IntegerField(label=_("Year of the new campaign"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Name"), max_length=100)
    include_local = forms.BooleanField(
        label=_("Also copy the provinces' and cities' local plans"), required=False
    )

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source: Any = self.fields["source"]
        source.queryset = Campaign.objects.filter(unit=unit).order_by("-year", "-pk")
        source.label_from_instance = lambda c: f"{c.year} · {c.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source, year = data.get("source"), data.get("year")
        if source is not None and year is not None and year == source.year:
            self.add_error(
                "year", _("Choose another year than %(year)s's.") % {"year": source.year}
            )
        return data


class TaskForm(StyledFormMixin, forms.ModelForm):
    """A task of a plan: the campaign's own, or a province's or city's local one."""

    class Meta:
        model = Task
        fields = [
            "phase",
            "level",
            "title",
            "description",
            "deadline",
            "completion",
            "condition",
            "document",
        ]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, campaign: Campaign, owner: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase: Any = self.fields["phase"]
        phase.queryset = campaign.phases.order_by("order")
        phase.empty_label = None
        level: Any = self.fields["level"]
        level.choices = [
            (value, label)
            for value, label in level.choices
            if value and level_rank(value) > level_rank(owner.level)
        ]
        self.fields["condition"].required = False
        document: Any = self.fields["document"]
        # Originals issued by this unit or above it; acknowledging one (or a forward of it)
        # completes the task.
        document.queryset = Document.objects.filter(
            origin__isnull=True, issuer__path__in=ancestor_paths(owner.path)
        ).order_by("-issued_at")
        document.help_text = _(
            "For a task completed by acknowledging a document: a unit's acknowledgement of it "
            "completes the task."
        )

    def data_for_service(self) -> tuple[Phase, dict[str, Any]]:
        data = dict(self.cleaned_data)
        return data.pop("phase"), data


class DeadlineForm(StyledFormMixin, forms.Form):
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"d{task.pk}", **kwargs)
        self.task = task
