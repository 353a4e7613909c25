"""The shared form helpers: a field's widget is marked invalid whether the form's own cleaning
or a service's refusal afterwards (`apply_errors`) put the error there."""

from django import forms
from django.core.exceptions import ValidationError

from jiceng.core.errors import DomainError
from jiceng.core.forms import StyledFormMixin, apply_errors


class DeadlineForm(StyledFormMixin, forms.Form):
    deadline = forms.DateField()
    note = forms.CharField(required=False)


def _classes(form: forms.Form, name: str) -> list[str]:
    return form.fields[name].widget.attrs["class"].split()


def test_a_cleaning_error_marks_the_field():
    form = DeadlineForm({"deadline": "not a date"})
    assert not form.is_valid()
    assert "is-invalid" in _classes(form, "deadline")
    assert "is-invalid" not in _classes(form, "note")


def test_a_services_refusal_marks_the_field_it_names():
    form = DeadlineForm({"deadline": "2009-03-30"})
    assert form.is_valid()
    apply_errors(form, ValidationError({"deadline": "never later than 2009-03-25"}))
    assert "is-invalid" in _classes(form, "deadline")
    assert form.errors["deadline"] == ["never later than 2009-03-25"]


def test_a_domain_error_without_a_field_goes_on_top():
    form = DeadlineForm({"deadline": "2009-03-30"})
    form.is_valid()
    apply_errors(form, DomainError("the campaign is closed", code="closed"))
    assert form.non_field_errors() == ["the campaign is closed"]
    assert "is-invalid" not in _classes(form, "deadline")
