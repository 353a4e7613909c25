from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .errors import DomainError


def apply_errors(form: Any, exc: ValidationError | DomainError) -> None:
    """A service's refusal onto the form: field errors next to their fields, the rest at the
    top of the form."""
    if isinstance(exc, DomainError):
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)


class StyledFormMixin:
    """Bootstrap classes on every widget, and is-invalid on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                # On each input: core/_radios.html renders them one by one with their labels.
                widget.attrs["class"] = "form-check-input"
                continue
            if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_error(self, field: str | None, error: Any) -> None:
        """Every error, from the form's own cleaning or a service's refusal afterwards
        (`apply_errors`), marks its field's widget."""
        super().add_error(field, error)  # type: ignore[misc]
        for name in self._errors or {}:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: a list, empty when none was chosen. Each file is checked
    by the field's validators (`core.files.validate_photo` / `validate_document`), and at most
    `max_files` are taken."""

    def __init__(self, *args: Any, max_files: int = 10, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        self.max_files = max_files
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(items) > self.max_files:
            from django.utils.translation import gettext as _

            raise ValidationError(
                _("Choose at most %(count)s files.") % {"count": self.max_files},
                code="max_files",
            )
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [cleaned for item in items if (cleaned := single(item, initial))]
