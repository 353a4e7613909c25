from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "jiceng.activities"
    label = "activities"
    verbose_name = _("Activities, complaints, rules and recognition")

    def ready(self) -> None:
        from jiceng.org.tabs import UnitTab, register_unit_tab

        for tab in (
            UnitTab("activities", _("Activities"), "activities:activity_list", order=60),
            UnitTab("complaints", _("Complaints"), "activities:complaint_list", order=70),
            UnitTab("rules", _("Rules"), "activities:rules", order=80),
            UnitTab("recognition", _("Recognition"), "activities:recognition", order=85),
        ):
            register_unit_tab(tab)
