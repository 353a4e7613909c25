"""Audit actions of activities, complaints, rules and recognition (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register

register("activity.create", _("Add activity"))
register("activity.update", _("Edit activity"))
register("activity.delete", _("Delete activity"))
register("activity.photo.add", _("Add activity photo"))
register("activity.photo.delete", _("Delete activity photo"))
register("seed.activities", _("Load the demo activities"))

register("complaint.submit", _("Submit complaint"))
register("complaint.record", _("Record complaint"))
register("complaint.transition", _("Change complaint status"))

register("rules.item.create", _("Add checklist item"))
register("rules.item.update", _("Edit checklist item"))
register("rules.item.move", _("Reorder checklist item"))
register("rules.item.activate", _("Put item back on the checklist"))
register("rules.item.deactivate", _("Take item off the checklist"))
register("rules.item.delete", _("Delete checklist item"))
register("rules.document.create", _("Add rule document"))
register("rules.document.update", _("Edit rule document"))
register("rules.document.delete", _("Remove rule document"))

# `recognition.<kind>.<create|update|delete>` (activities/services/recognition.py).
register("recognition.honour.create", _("Add honour"))
register("recognition.honour.update", _("Edit honour"))
register("recognition.honour.delete", _("Delete honour"))
register("recognition.media_report.create", _("Add media report"))
register("recognition.media_report.update", _("Edit media report"))
register("recognition.media_report.delete", _("Delete media report"))
