from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "jiceng.dues"
    label = "dues"
    verbose_name = _("Dues")

    def ready(self) -> None:
        from jiceng.org.tabs import UnitTab, register_unit_tab

        register_unit_tab(UnitTab("dues", _("Dues"), "dues:unit_dues", order=40))

        from jiceng.org.anchors import unit_moved

        from .services import rollup_follow_unit_move

        unit_moved.connect(rollup_follow_unit_move, dispatch_uid="dues.follow_unit_move")
