from .profile import (
    Duty,
    Employment,
    EquipmentItem,
    FundsYear,
    LeadershipMember,
    LeadershipPosition,
    LeadingGroupMember,
    LeadingGroupRole,
    StaffMember,
    Tenure,
    Venue,
    VenuePhoto,
)
from .tree import ALLOWED_PARENT_LEVELS, Level, Status, Unit

__all__ = [
    "ALLOWED_PARENT_LEVELS",
    "Duty",
    "Employment",
    "EquipmentItem",
    "FundsYear",
    "LeadershipMember",
    "LeadershipPosition",
    "LeadingGroupMember",
    "LeadingGroupRole",
    "Level",
    "StaffMember",
    "Status",
    "Tenure",
    "Unit",
    "Venue",
    "VenuePhoto",
]
