"""Audit actions of documents (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register, register_group

register_group("document", _("All document actions"))
register("document.issue", _("Issue document"))
register("document.forward", _("Forward document"))
register("document.read", _("Open document"))
register("document.acknowledge", _("Acknowledge document"))
register("document.chase", _("Chase document acknowledgements"), fields={"units": _("units")})
