from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "jiceng.campaigns"
    label = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from jiceng.documents.signals import document_acknowledged
        from jiceng.org.anchors import unit_moved
        from jiceng.org.signals import profile_changed
        from jiceng.org.tabs import UnitTab, register_unit_tab

        from .completion import follow_unit_move
        from .conditions import on_document_acknowledged, on_profile_changed

        register_unit_tab(
            UnitTab("campaign", _("Construction year"), "campaigns:unit_campaign", order=90)
        )
        unit_moved.connect(follow_unit_move, dispatch_uid="campaigns.follow_unit_move")
        profile_changed.connect(on_profile_changed, dispatch_uid="campaigns.conditions")
        document_acknowledged.connect(
            on_document_acknowledged, dispatch_uid="campaigns.acknowledgements"
        )
