"""Audit actions of dues (see `jiceng.core.actions`)."""

from django.utils.translation import gettext_lazy as _

from jiceng.core.actions import register

register("dues.standard.set", _("Set dues standard"))
register("dues.standard.clear", _("Clear dues standard"))
register("dues.payment.record", _("Record dues payment"))
register("dues.payment.void", _("Void dues payment"))
# Written before the roll-up engine's "rollups.rebuild"; kept so old history entries read well.
register("dues.rollup.rebuild", _("Rebuild dues roll-ups"))
