"""Roles and what each may do. Permissions are data; `require` is the one check views use."""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.org.models import Level


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National admin")
    PROVINCIAL_ADMIN = "provincial_admin", _("Provincial admin")
    CITY_ADMIN = "city_admin", _("City admin")
    GRASSROOTS_SECRETARY = "grassroots_secretary", _("Grassroots secretary")
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    REVIEWER = "reviewer", _("Reviewer")
    VIEWER = "viewer", _("Viewer")


class Perm(enum.StrEnum):
    UNIT_CREATE = "unit.create"
    UNIT_EDIT = "unit.edit"
    UNIT_MOVE = "unit.move"
    PROFILE_EDIT = "profile.edit"
    ACCOUNT_MANAGE = "account.manage"
    AUDIT_VIEW = "audit.view"
    EXPORT = "export"
    MEMBER_EDIT = "member.edit"
    MEMBER_UNMASK = "member.unmask"
    DUES_EDIT = "dues.edit"
    ACTIVITY_EDIT = "activity.edit"
    COMPLAINT_HANDLE = "complaint.handle"
    RULES_EDIT = "rules.edit"
    RULES_CHECKLIST_MANAGE = "rules.checklist"
    RECOGNITION_EDIT = "recognition.edit"
    CAMPAIGN_MANAGE = "campaign.manage"
    #: Complete the campaign's tasks of one's own unit (and of units below it).
    CAMPAIGN_REPORT = "campaign.report"
    #: Score one's own association's self-inspection (自查自评) and submit it.
    ASSESSMENT_SELF = "assessment.self"
    #: Review the assessments below one's unit: adjust, return, approve, approve areas.
    ASSESSMENT_REVIEW = "assessment.review"
    #: Build, import and edit rubrics (评分细则) and choose a campaign's: national admins.
    RUBRIC_MANAGE = "rubric.manage"


_ADMIN = {
    Perm.UNIT_CREATE,
    Perm.UNIT_EDIT,
    Perm.PROFILE_EDIT,
    Perm.ACCOUNT_MANAGE,
    Perm.AUDIT_VIEW,
    Perm.EXPORT,
    Perm.MEMBER_EDIT,
    Perm.DUES_EDIT,
    Perm.ACTIVITY_EDIT,
    Perm.COMPLAINT_HANDLE,
    Perm.RULES_EDIT,
    Perm.RECOGNITION_EDIT,
}

#: Who works with members face to face may see their full ID numbers and phones, one audited
#: unmasking at a time; everyone else sees them masked (110105********1234, 138****1234).
_FRONT_LINE = {Perm.MEMBER_UNMASK}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.NATIONAL_ADMIN: frozenset(
        _ADMIN
        | {
            Perm.UNIT_MOVE,
            Perm.RULES_CHECKLIST_MANAGE,
            Perm.CAMPAIGN_MANAGE,
            Perm.CAMPAIGN_REPORT,
            Perm.ASSESSMENT_REVIEW,
            Perm.RUBRIC_MANAGE,
        }
    ),
    # A province or city writes its own implementation plan (实施方案) for its subtree.
    Role.PROVINCIAL_ADMIN: frozenset(
        _ADMIN
        | {Perm.UNIT_MOVE, Perm.CAMPAIGN_MANAGE, Perm.CAMPAIGN_REPORT, Perm.ASSESSMENT_REVIEW}
    ),
    Role.CITY_ADMIN: frozenset(
        _ADMIN | {Perm.CAMPAIGN_MANAGE, Perm.CAMPAIGN_REPORT, Perm.ASSESSMENT_REVIEW}
    ),
    Role.GRASSROOTS_SECRETARY: frozenset(
        _ADMIN | _FRONT_LINE | {Perm.CAMPAIGN_REPORT, Perm.ASSESSMENT_SELF}
    ),
    Role.BRANCH_STAFF: frozenset(
        {
            Perm.PROFILE_EDIT,
            Perm.MEMBER_EDIT,
            Perm.DUES_EDIT,
            Perm.ACTIVITY_EDIT,
            Perm.CAMPAIGN_REPORT,
        }
        | _FRONT_LINE
    ),
    Role.REVIEWER: frozenset({Perm.EXPORT, Perm.ASSESSMENT_REVIEW}),
    Role.VIEWER: frozenset({Perm.EXPORT}),
}

#: The unit levels an account of each role may be bound to.
ROLE_LEVELS: dict[str, set[str]] = {
    Role.NATIONAL_ADMIN: {Level.NATIONAL},
    Role.PROVINCIAL_ADMIN: {Level.PROVINCE},
    Role.CITY_ADMIN: {Level.CITY},
    Role.GRASSROOTS_SECRETARY: {Level.GRASSROOTS},
    Role.BRANCH_STAFF: {Level.BRANCH, Level.GROUP},
    Role.REVIEWER: set(Level.values),
    Role.VIEWER: set(Level.values),
}


def role_allows(role: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS.get(role, frozenset())


#: What makes a role sensitive enough to need a second factor.
MFA_PERMS = frozenset({Perm.MEMBER_UNMASK, Perm.ACCOUNT_MANAGE})


def mfa_roles() -> list[str]:
    """The roles that may unmask personal data or administer accounts, which production's
    `MFA_REQUIRED_ROLES` must list."""
    return [str(role) for role in Role if ROLE_PERMISSIONS[role] & MFA_PERMS]
