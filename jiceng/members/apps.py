from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "jiceng.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from jiceng.org.tabs import UnitTab, register_unit_tab

        from . import checks  # noqa: F401  (registers the deployment check)

        register_unit_tab(UnitTab("members", _("Members"), "members:list", order=30))
