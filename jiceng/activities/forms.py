"""Forms parse and check input; the services validate the whole record and write it.

Model forms here skip ModelForm's own model validation (`_post_clean`): it would write the
input into the instance the service is about to snapshot for the audit log, and validate
twice. The service's ValidationError comes back onto the form's fields instead."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.files import validate_document, validate_photo
from jiceng.core.forms import StyledFormMixin
from jiceng.org.forms import DateInput, LockedForm

from . import antiabuse
from .models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Complaint,
    ComplaintKind,
    ComplaintState,
    Honour,
    MediaReport,
    RuleDocument,
    RuleItem,
)

DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.webp,.doc,.docx,.xls,.xlsx"


class ServiceForm(LockedForm):
    def _post_clean(self) -> None:
        pass


class ActivityForm(ServiceForm):
    class Meta:
        model = Activity
        fields = Activity.EDITABLE_FIELDS
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 4})}


class ActivityPhotoForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ActivityPhoto
        fields = ["image", "caption"]
        widgets = {"image": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})}

    def clean_image(self) -> Any:
        return validate_photo(self.cleaned_data["image"])

    def _post_clean(self) -> None:
        pass


class ActivityFilterForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("All kinds")), *ActivityKind.choices], required=False
    )
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in years)]  # type: ignore[attr-defined]


# --- Complaints --------------------------------------------------------------------------------


class ComplaintRecordForm(StyledFormMixin, forms.ModelForm):
    """Staff record a complaint that came by phone, letter or in person."""

    received_at = forms.DateTimeField(
        label=_("received"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("When it reached the association; the response time counts from here."),
    )

    class Meta:
        model = Complaint
        fields = ["kind", "subject", "content", "submitter_name", "submitter_contact"]
        widgets = {"content": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["received_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def _post_clean(self) -> None:
        pass

    def model_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or []}


class ComplaintTransitionForm(StyledFormMixin, forms.Form):
    to_state = forms.ChoiceField(choices=ComplaintState.choices, widget=forms.HiddenInput)
    response = forms.CharField(
        label=_("Response"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was done or answered. Needed to resolve or close the case."),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class PublicComplaintForm(StyledFormMixin, forms.Form):
    """The member's form on the public page. The honeypot is read from the raw data (it is
    rendered apart, hidden by the stylesheet), the timestamp from a signed hidden field."""

    kind = forms.ChoiceField(
        label=_("I want to"),
        choices=[
            (ComplaintKind.COMPLAINT, _("make a complaint")),
            (ComplaintKind.HELP_REQUEST, _("ask for help")),
        ],
        initial=ComplaintKind.COMPLAINT,
    )
    subject = forms.CharField(label=_("Subject"), max_length=100)
    content = forms.CharField(
        label=_("What happened, and what you would like done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    submitter_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    submitter_contact = forms.CharField(
        label=_("Phone or other contact (optional)"),
        max_length=50,
        required=False,
        help_text=_("Leave a contact if you would like an answer."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, unit_pk: int, now: float | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.unit_pk = unit_pk
        self.now = now
        if not self.is_bound:
            self.initial["stamp"] = antiabuse.form_stamp(unit_pk, now=now)

    refusal: antiabuse.AbuseRefused | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            antiabuse.check_honeypot(str(self.data.get(antiabuse.HONEYPOT_FIELD, "")))
            antiabuse.check_form_stamp(cleaned.get("stamp", ""), self.unit_pk, now=self.now)
        except antiabuse.AbuseRefused as exc:
            self.refusal = exc
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return cleaned

    def model_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "stamp"}

    def fresh_stamp(self) -> None:
        """Re-issue the timestamp when the form is shown again after a refusal."""
        data = dict(self.data.items())
        data["stamp"] = antiabuse.form_stamp(self.unit_pk, now=self.now)
        self.data = data


# --- Rules -------------------------------------------------------------------------------------


class RuleItemCreateForm(ServiceForm):
    class Meta:
        model = RuleItem
        fields = ["code", "name", "name_en", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "code": _(
                "A short stable key in lower-case letters, digits and underscores "
                "(e.g. finance); the assessment refers to it. It cannot change later."
            )
        }


class RuleItemForm(ServiceForm):
    class Meta:
        model = RuleItem
        fields = ["name", "name_en", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class RuleDocumentForm(ServiceForm):
    class Meta:
        model = RuleDocument
        fields = ["document", "adopted_on"]
        widgets = {
            "adopted_on": DateInput(),
            "document": forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["document"].required = False
            self.fields["document"].help_text = _("Upload a file only to replace the current one.")

    def clean_document(self) -> Any:
        return validate_document(self.cleaned_data.get("document"))


# --- Recognition -------------------------------------------------------------------------------


class _RecognitionForm(ServiceForm):
    """A record with one optional file, which an edit may replace or remove."""

    file_field = ""
    remove = forms.BooleanField(label=_("Remove the current file"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not getattr(self.instance, self.file_field):
            del self.fields["remove"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = self.files.get(self.file_field)
        if upload:
            try:
                validate_document(upload)
            except forms.ValidationError as exc:
                self.add_error(self.file_field, exc)
        return cleaned

    def model_data(self) -> dict[str, Any]:
        data = super().model_data()
        upload = self.files.get(self.file_field)
        if upload:
            data[self.file_field] = upload
        elif self.cleaned_data.get("remove"):
            data[self.file_field] = False
        else:
            data.pop(self.file_field, None)
        return data


class HonourForm(_RecognitionForm):
    file_field = "document"

    class Meta:
        model = Honour
        fields = ["title", "level", "issuer", "date", "document"]
        widgets = {
            "date": DateInput(),
            "document": forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        }


class MediaReportForm(_RecognitionForm):
    file_field = "scan"
    url = forms.URLField(
        label=_("Link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Give the report's link, upload a scan of it, or both."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = MediaReport
        fields = ["outlet", "date", "title", "url", "scan"]
        widgets = {
            "date": DateInput(),
            "scan": forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        }
