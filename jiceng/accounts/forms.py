from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiceng.core.forms import StyledFormMixin
from jiceng.org.forms import LockedForm

from .models import User


class SignInForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username, phone or password. Accounts are locked after repeated failures."
        ),
        "inactive": _("This account has been disabled."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username or mobile phone")


class AccountForm(LockedForm):
    unit_code = forms.CharField(label=_("Unit code"), max_length=15)
    new_password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("At least 10 characters, not common, not all digits."),
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "email", "role", "is_active"]

    def __init__(self, *args: Any, creating: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.fields["new_password"].required = True
        else:
            self.fields["username"].disabled = True
            self.fields["new_password"].label = _("New password (leave empty to keep)")
            self.initial.setdefault("unit_code", self.instance.unit.code)


class PasswordChangeForm(StyledFormMixin, forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self) -> str:
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("The current password is not right."))
        return value
