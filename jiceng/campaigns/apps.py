from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "jiceng.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from jiceng.org.anchors import unit_moved
        from jiceng.org.tabs import UnitTab, register_unit_tab

        from .completion import follow_unit_move

        register_unit_tab(
            UnitTab("campaign", _("Construction year"), "campaigns:unit_campaign", order=90)
        )
        unit_moved.connect(follow_unit_move, dispatch_uid="campaigns.follow_unit_move")
