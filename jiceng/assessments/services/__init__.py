"""Writes of assessments: `<entity>_<action>(*, actor, …)`, each in one transaction, audited.
By stage: rubrics (`rubrics`), self-inspection (`inspection`), review and approval (`review`);
`common` holds what the last two share."""

from .inspection import (
    StateError,
    assessment_open,
    assessment_submit,
    evidence_add,
    evidence_remove,
    score_save,
    setup_for,
)
from .rectification import (
    rectification_close,
    rectification_create,
    rectification_update,
    rectification_verify,
)
from .review import (
    AreaNotReady,
    area_approve,
    area_unapprove,
    assessment_adjust,
    assessment_approve,
    assessment_return,
    assessment_unapprove,
)
from .rubrics import rubric_import, save_items

__all__ = [
    "AreaNotReady",
    "StateError",
    "area_approve",
    "area_unapprove",
    "assessment_adjust",
    "assessment_approve",
    "assessment_open",
    "assessment_return",
    "assessment_submit",
    "assessment_unapprove",
    "evidence_add",
    "evidence_remove",
    "rectification_close",
    "rectification_create",
    "rectification_update",
    "rectification_verify",
    "rubric_import",
    "save_items",
    "score_save",
    "setup_for",
]
