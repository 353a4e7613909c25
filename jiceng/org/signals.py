"""Signals the tree app sends for consumers it does not know (campaign conditions, later the
assessment's indicators). `unit_moved` lives with the anchors (`anchors.py`)."""

from django.dispatch import Signal

#: A unit's profile section changed: sent by `services.profile_item_create/update/delete`
#: inside their transaction, with `unit` and `model` (the profile item's class).
profile_changed = Signal()
