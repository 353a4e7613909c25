"""Audit actions of accounts (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register

register("account.create", _("Create account"))
register("account.update", _("Edit account"))
register("account.unlock", _("Unlock account"))
register("account.password_change", _("Change password"))
register("account.token.create", _("Create API token"))
register("account.token.revoke", _("Revoke API token"))
