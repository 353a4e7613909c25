"""Audit actions of the core mechanisms (labels for the history, `core/actions.py`)."""

from django.utils.translation import gettext_lazy as _

from .actions import register

register("rollups.rebuild", _("Rebuild summary figures"))
