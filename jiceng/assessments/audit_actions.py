"""Audit actions of assessments (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register, register_group

register_group("assessments", _("All assessment actions"))
register("assessments.rubric.import", _("Import rubric"))
