"""The campaign tab's small forms: completing a form or meeting task with its evidence, and
waiving a child unit's task with a reason. Each task's form carries its own prefix (`t<pk>`),
so the tab holds one per task."""

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import StyledFormMixin

from .models import CompletionKind, Task

#: The kinds of task completed on the tab with typed fields; the others come with their apps
#: (documents and photos as files, acknowledgement with the documents, conditions by the system).
COMPLETED_ON_TAB = frozenset({CompletionKind.FORM, CompletionKind.MEETING})


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

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, prefix=task_prefix(task), **kwargs)
        self.task = task
        self.is_meeting = task.completion == CompletionKind.MEETING
        if self.is_meeting:
            for name in ("date", "place", "attendance"):
                self.fields[name].required = True
        else:
            for name in ("date", "place", "attendance"):
                del self.fields[name]
            self.fields["note"].required = True

    def clean_date(self) -> datetime.date | None:
        date: datetime.date | None = self.cleaned_data.get("date")
        if date is not None and date > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("The meeting cannot have been held in the future."))
        return date

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
