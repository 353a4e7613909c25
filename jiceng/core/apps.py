from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from jiceng.org.anchors import unit_moved

        from . import lookups  # noqa: F401  (registers the path__subtree lookup)
        from .actions import autodiscover
        from .rollups import follow_unit_move

        autodiscover()  # every app's audit_actions.py: the registry of audit action codes
        # Province totals follow a unit into another province.
        unit_moved.connect(follow_unit_move, dispatch_uid="core.rollups.follow_unit_move")
