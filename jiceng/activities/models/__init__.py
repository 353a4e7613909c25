from .activity import MAX_PHOTOS_PER_ACTIVITY, Activity, ActivityKind, ActivityPhoto
from .complaint import (
    ACCEPTING_LEVELS,
    FINAL_STATES,
    TRANSITIONS,
    Channel,
    Complaint,
    ComplaintKind,
    ComplaintState,
    ComplaintStep,
)
from .recognition import Honour, HonourLevel, MediaReport
from .rollups import ActivityRollup, ComplaintRollup, RecognitionRollup, RulesRollup
from .rules import RuleDocument, RuleItem

__all__ = [
    "ACCEPTING_LEVELS",
    "FINAL_STATES",
    "MAX_PHOTOS_PER_ACTIVITY",
    "TRANSITIONS",
    "Activity",
    "ActivityKind",
    "ActivityPhoto",
    "ActivityRollup",
    "Channel",
    "Complaint",
    "ComplaintKind",
    "ComplaintRollup",
    "ComplaintState",
    "ComplaintStep",
    "Honour",
    "HonourLevel",
    "MediaReport",
    "RecognitionRollup",
    "RuleDocument",
    "RuleItem",
    "RulesRollup",
]
