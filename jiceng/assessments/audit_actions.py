"""Audit actions of assessments (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register, register_group

register_group("assessments", _("All assessment actions"))
register("assessments.rubric.import", _("Import rubric"))
register("assessments.assessment.open", _("Start self-inspection"))
register("assessments.score.self", _("Self-score an indicator"))
register("assessments.evidence.add", _("Attach assessment evidence"), fields={"files": _("files")})
register("assessments.evidence.remove", _("Remove assessment evidence"))
register("assessments.assessment.submit", _("Submit self-inspection"))
register("assessments.assessment.adjust", _("Adjust an indicator's score"))
register("assessments.assessment.return", _("Return an assessment"))
register("assessments.assessment.approve", _("Approve an assessment"))
register("assessments.assessment.unapprove", _("Withdraw an assessment's approval"))
register("assessments.area.approve", _("Approve an area's assessments"), fields={"area": _("area")})
register("assessments.area.unapprove", _("Withdraw an area's approval"), fields={"area": _("area")})
register("assessments.rectification.create", _("Record a problem to rectify"))
register("assessments.rectification.update", _("Edit a rectification item"))
register(
    "assessments.rectification.close",
    _("Close a rectification item"),
    fields={"files": _("files")},
)
register("assessments.rectification.accept", _("Accept a rectification"))
register("assessments.rectification.send_back", _("Send a rectification back"))
register("assessments.rubric.version", _("New rubric version"), fields={"from": _("made from")})
register("assessments.rubric.edit", _("Edit a rubric item"))
register(
    "assessments.rubric.choose", _("Choose a campaign's rubric"), fields={"rubric": _("rubric")}
)
