from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "jiceng.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import lookups  # noqa: F401  (registers the path__subtree lookup)
        from .actions import autodiscover

        autodiscover()  # every app's audit_actions.py: the registry of audit action codes
