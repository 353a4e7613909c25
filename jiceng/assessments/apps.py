from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "jiceng.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from jiceng.campaigns.conditions import register_check
        from jiceng.campaigns.models import Condition
        from jiceng.org.tabs import UnitTab, register_unit_tab

        from .services.inspection import submitted_units

        register_check(Condition.SELF_INSPECTION_SUBMITTED, submitted_units)
        register_unit_tab(
            UnitTab("assessment", _("Assessment"), "assessments:unit_assessment", order=95)
        )
