"""Audit actions of the tree and unit profiles (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register

register("unit.create", _("Create unit"))
register("unit.update", _("Edit unit"))
register("unit.move", _("Move unit"))
register("seed.demo", _("Load the demo network"))

# Profile: the venue is one row per unit; the list sections are
# `profile.<model_name>.<create|update|delete>` (org/services.py).
register("profile.venue.update", _("Edit venue"))
register("profile.staffmember.create", _("Add staff member"))
register("profile.staffmember.update", _("Edit staff member"))
register("profile.staffmember.delete", _("Delete staff member"))
register("profile.venuephoto.create", _("Add venue photo"))
register("profile.venuephoto.update", _("Edit venue photo"))
register("profile.venuephoto.delete", _("Delete venue photo"))
register("profile.fundsyear.create", _("Add a year's funds"))
register("profile.fundsyear.update", _("Edit a year's funds"))
register("profile.fundsyear.delete", _("Delete a year's funds"))
register("profile.equipmentitem.create", _("Add equipment"))
register("profile.equipmentitem.update", _("Edit equipment"))
register("profile.equipmentitem.delete", _("Delete equipment"))
register("profile.duty.create", _("Add duty"))
register("profile.duty.update", _("Edit duty"))
register("profile.duty.delete", _("Delete duty"))
register("profile.leadershipmember.create", _("Add leadership team member"))
register("profile.leadershipmember.update", _("Edit leadership team member"))
register("profile.leadershipmember.delete", _("Delete leadership team member"))
register("profile.leadinggroupmember.create", _("Add leading group member"))
register("profile.leadinggroupmember.update", _("Edit leading group member"))
register("profile.leadinggroupmember.delete", _("Delete leading group member"))
