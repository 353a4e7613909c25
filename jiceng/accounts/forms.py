from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from jiceng.core.actor import Actor
from jiceng.core.forms import StyledFormMixin
from jiceng.org.forms import LockedForm

from .models import User
from .services import check_unique


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

    def __init__(
        self, *args: Any, creating: bool = False, actor: Actor | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.actor = actor
        if creating:
            self.fields["new_password"].required = True
        else:
            self.fields["username"].disabled = True
            self.fields["new_password"].label = _("New password (leave empty to keep)")
            self.initial.setdefault("unit_code", self.instance.unit.code)

    def validate_unique(self) -> None:
        """The service's check (`services.check_unique`), which says only what the user may
        know about an account holding the username or phone (it may lie outside their area),
        so that it is named beside the form's other errors."""
        if self.actor is None:
            return
        try:
            check_unique(self.actor, self.instance)
        except forms.ValidationError as exc:
            self._update_errors(exc)  # type: ignore[attr-defined]  # ModelForm's own


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


class SecondFactorForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReauthForm(StyledFormMixin, forms.Form):
    """Prove it is still you: the password, or with a second factor its code."""

    secret = forms.CharField(max_length=128)

    def __init__(self, *args: Any, use_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if use_code:
            self.fields["secret"].label = _("Code from your authenticator app, or a recovery code")
            self.fields["secret"].widget = forms.TextInput(
                attrs={"autocomplete": "one-time-code", "autofocus": True, "class": "form-control"}
            )
        else:
            self.fields["secret"].label = _("Your password")
            self.fields["secret"].widget = forms.PasswordInput(
                attrs={
                    "autocomplete": "current-password",
                    "autofocus": True,
                    "class": "form-control",
                }
            )
