"""Reads the pages and the assessment share, each in a fixed number of queries.

The per-unit figures the assessment's derived indicators rest on take a unit and a year:
`activity_counts`, `complaint_stats`, `rules_coverage`, `recognition_counts`."""

from jiceng.core.rollups import Rollup, Row

from .activities import (
    ActivityCounts,
    activity_counts,
    activity_list,
    activity_photos,
    activity_rollup,
)
from .complaints import ComplaintStats, complaint_list, complaint_rollup, complaint_stats
from .recognition import (
    RecognitionCounts,
    honour_list,
    media_report_list,
    recognition_counts,
    recognition_rollup,
)
from .rules import (
    ChecklistRow,
    ChildCoverage,
    Coverage,
    RulesChecklist,
    rule_item_usage,
    rule_items,
    rules_checklist,
    rules_coverage,
    rules_coverage_children,
)

__all__ = [
    "ActivityCounts",
    "ChecklistRow",
    "ChildCoverage",
    "ComplaintStats",
    "Coverage",
    "RecognitionCounts",
    "Rollup",
    "Row",
    "RulesChecklist",
    "activity_counts",
    "activity_list",
    "activity_photos",
    "activity_rollup",
    "complaint_list",
    "complaint_rollup",
    "complaint_stats",
    "honour_list",
    "media_report_list",
    "recognition_counts",
    "recognition_rollup",
    "rule_item_usage",
    "rule_items",
    "rules_checklist",
    "rules_coverage",
    "rules_coverage_children",
]
