from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "jiceng.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from jiceng.org.tabs import UnitTab, register_unit_tab

        from . import reminders  # noqa: F401  (registers the notification kinds)

        register_unit_tab(
            UnitTab("documents", _("Documents"), "documents:unit_documents", order=95)
        )
