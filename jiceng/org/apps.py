from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "jiceng.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .counts import tree_changed
        from .models import Unit

        def unit_saved(*, created: bool, **_signal: object) -> None:
            if created:
                tree_changed()

        # Cached counts of the tree (`counts.py`) are stale when a unit is added or removed.
        post_save.connect(unit_saved, sender=Unit, weak=False, dispatch_uid="org.counts.saved")
        post_delete.connect(tree_changed, sender=Unit, dispatch_uid="org.counts.deleted")
