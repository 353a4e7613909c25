from .activity import MAX_PHOTOS_PER_ACTIVITY, Activity, ActivityKind, ActivityPhoto
from .complaint import (
    ACCEPTING_LEVELS,
    FINAL_STATES,
    TRANSITIONS,
    Channel,
    Complaint,
    ComplaintKind,
    ComplaintState,
)
from .recognition import Commendation, CommendationLevel, MediaReport
from .rules import RuleDocument, RuleItem

__all__ = [
    "ACCEPTING_LEVELS",
    "FINAL_STATES",
    "MAX_PHOTOS_PER_ACTIVITY",
    "TRANSITIONS",
    "Activity",
    "ActivityKind",
    "ActivityPhoto",
    "Channel",
    "Commendation",
    "CommendationLevel",
    "Complaint",
    "ComplaintKind",
    "ComplaintState",
    "MediaReport",
    "RuleDocument",
    "RuleItem",
]
