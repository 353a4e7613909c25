"""Forms parse and check input; services write. Errors name the field and the right form."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import StyledFormMixin
from jiceng.org.forms import DateInput, LockedForm

from .identifiers import IdentifierError, check_credit_code, check_id_number
from .imports.headers import FIELD_LABELS
from .models import ExportFormat, ImportMode, Member, MemberImport, MemberType
from .selectors import INDUSTRIES


class MemberForm(LockedForm):
    id_number = forms.CharField(
        label=_("operator's ID number"),
        max_length=20,
        required=False,
        help_text=_("18 characters; stored encrypted and shown masked."),
    )

    class Meta:
        model = Member
        fields = Member.EDITABLE_FIELDS
        widgets = {"join_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.id_number_encrypted:
            self.fields["id_number"].help_text = _(
                "On record: %(masked)s. Leave blank to keep it."
            ) % {"masked": self.instance.id_number_masked}
        if self.instance.pk and self.instance.phone:
            # The form never shows the stored phone: showing it would be an unmasking nobody
            # audited. Left as shown, the masked value keeps the stored one (`clean_phone`).
            self.initial["phone"] = self.instance.phone_masked
            self.fields["phone"].help_text = _(
                "Shown masked; leave it to keep the number on record, or type a new one."
            )
        self.fields["industry"].widget.attrs["list"] = "industries"

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if self.instance.pk and self.instance.phone and value == self.instance.phone_masked:
            return str(self.instance.phone)
        return value

    def clean_credit_code(self) -> str:
        value = self.cleaned_data.get("credit_code", "")
        if not value:
            return ""
        try:
            return check_credit_code(value)
        except IdentifierError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        if not value:
            return ""
        try:
            return check_id_number(value)[0]
        except IdentifierError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None

    def _post_clean(self) -> None:
        # The service checks the whole member (anchors, uniqueness) once.
        pass

    @property
    def industries(self) -> list[str]:
        return INDUSTRIES


class MemberMoveForm(StyledFormMixin, forms.Form):
    new_unit_code = forms.CharField(
        label=_("Code of the unit to move to"),
        max_length=15,
        help_text=_("A grassroots association, branch or group in your area."),
    )
    lock_version = forms.IntegerField(widget=forms.HiddenInput)


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("Excel (.xlsx or .xls) or CSV, as exported from Excel or WPS."),
    )
    mode = forms.ChoiceField(
        label=_("When some rows have errors"),
        choices=ImportMode.choices,
        initial=ImportMode.VALID_ONLY,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; rosters of up to %(limit)s MB can be imported.")
                % {
                    "size": round(upload.size / 1048576, 1),
                    "limit": settings.MAX_IMPORT_BYTES // 1048576,
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


IGNORE = ""


class MappingForm(StyledFormMixin, forms.Form):
    """One choice per source column (its header and a few masked samples shown beside it)."""

    mode = forms.ChoiceField(
        label=_("When some rows have errors"), choices=ImportMode.choices, widget=forms.RadioSelect
    )
    default_member_type = forms.ChoiceField(
        label=_("Member type for rows that give none"),
        required=False,
        choices=[("", _("none: such rows are rejected")), *MemberType.choices],
        help_text=_("Used only when the row has no member type and its credit code does not tell."),
    )

    def __init__(self, *args: Any, job: MemberImport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        if len(job.sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet"), choices=[(s, s) for s in job.sheets], initial=job.sheet_name
            )
            self.fields["sheet"].widget.attrs["class"] = "form-select"
        choices = [(IGNORE, _("— not imported —"))] + [
            (key, label) for key, label in FIELD_LABELS.items()
        ]
        for column in job.columns:
            name = f"col_{column['index']}"
            self.fields[name] = forms.ChoiceField(
                label=f"{column['letter']} {column['header']}".strip(),
                choices=choices,
                required=False,
                initial=job.mapping.get(str(column["index"]), IGNORE),
            )
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.initial.setdefault("mode", job.mode)
        self.initial.setdefault("default_member_type", job.default_member_type)

    def column_rows(self) -> list[tuple[dict[str, Any], Any]]:
        return [(col, self[f"col_{col['index']}"]) for col in self.job.columns]

    def mapping(self) -> dict[int, str]:
        return {
            col["index"]: self.cleaned_data.get(f"col_{col['index']}", IGNORE)
            for col in self.job.columns
        }


class ExportForm(StyledFormMixin, forms.Form):
    file_format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
    unmasked = forms.BooleanField(
        label=_("Full ID numbers and phones (recorded in the audit log)"), required=False
    )
