"""Every write of the app: `<entity>_<action>(*, actor, …)`, each in a transaction with its
audit entry. Split by area; import from here."""

from .activities import (
    activity_create,
    activity_delete,
    activity_photo_add,
    activity_photo_delete,
    activity_update,
)
from .complaints import (
    PublicActor,
    accepts_complaints,
    complaint_record,
    complaint_submit,
    complaint_transition,
)
from .recognition import (
    honour_create,
    honour_delete,
    honour_update,
    media_report_create,
    media_report_delete,
    media_report_update,
)
from .rules import (
    rule_document_create,
    rule_document_delete,
    rule_document_update,
    rule_item_create,
    rule_item_delete,
    rule_item_move,
    rule_item_set_active,
    rule_item_update,
)

__all__ = [
    "PublicActor",
    "accepts_complaints",
    "activity_create",
    "activity_delete",
    "activity_photo_add",
    "activity_photo_delete",
    "activity_update",
    "complaint_record",
    "complaint_submit",
    "complaint_transition",
    "honour_create",
    "honour_delete",
    "honour_update",
    "media_report_create",
    "media_report_delete",
    "media_report_update",
    "rule_document_create",
    "rule_document_delete",
    "rule_document_update",
    "rule_item_create",
    "rule_item_delete",
    "rule_item_move",
    "rule_item_set_active",
    "rule_item_update",
]
