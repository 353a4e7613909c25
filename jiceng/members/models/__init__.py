from .jobs import (
    ExportFormat,
    ExportState,
    ImportMode,
    ImportProblem,
    ImportState,
    MemberExport,
    MemberImport,
    ProblemSeverity,
)
from .member import Member, MemberStatus, MemberType

__all__ = [
    "ExportFormat",
    "ExportState",
    "ImportMode",
    "ImportProblem",
    "ImportState",
    "Member",
    "MemberExport",
    "MemberImport",
    "MemberStatus",
    "MemberType",
    "ProblemSeverity",
]
