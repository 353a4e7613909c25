"""Audit actions of campaigns (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register, register_group

register_group("campaign", _("All campaign actions"))
register("campaign.create", _("Create campaign"))
register("campaign.update", _("Edit campaign"))
register("campaign.start", _("Start campaign"))
register("campaign.close", _("Close campaign"))
register(
    "campaign.copy",
    _("Copy campaign"),
    fields={
        "source": _("copied from"),
        "year_shift": _("years shifted"),
        "phases": _("phases"),
        "tasks": _("tasks"),
    },
)
register("campaign.phase.create", _("Add campaign phase"))
register("campaign.phase.update", _("Edit campaign phase"))
register("campaign.phase.delete", _("Delete campaign phase"))
register("campaign.task.create", _("Add campaign task"))
register("campaign.task.update", _("Edit campaign task"))
register("campaign.task.delete", _("Delete campaign task"))
register("campaign.task.override", _("Set local deadline for campaign task"))
register("campaign.task.complete", _("Complete campaign task"), fields={"files": _("files")})
register("campaign.task.waive", _("Waive campaign task"))
register("campaign.task.reopen", _("Reopen campaign task"))
