"""Audit actions of members, their import and export (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register

register("member.create", _("Add member"))
register("member.update", _("Edit member"))
register("member.move", _("Move member"))
register("member.unmask", _("View full ID number and phone"))
register("member.export.unmasked", _("Export members with full ID numbers and phones"))
register("member.import", _("Import members"))
register("member.import.refused", _("Import members (refused)"))
register("member.import.resume", _("Resume member import"))
