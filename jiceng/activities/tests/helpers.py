"""Test data for the app: records made through the services. Uploads of each kind are in
jiceng/core/tests/uploads.py."""

import datetime
import time
from typing import Any

from django.utils import timezone

from jiceng.activities import antiabuse, services
from jiceng.activities.models import Activity, ActivityKind, Complaint, RuleItem
from jiceng.core.actor import Actor
from jiceng.core.tests.uploads import pdf_upload
from jiceng.org.models import Unit

SYSTEM = Actor.system()


def make_activity(unit: Unit, **extra: Any) -> Activity:
    data: dict[str, Any] = {
        "date": timezone.localdate(),
        "kind": ActivityKind.TRAINING,
        "title": "财税知识培训",
        "participants": 30,
        "members_served": 25,
    }
    data.update(extra)
    return services.activity_create(actor=SYSTEM, unit=unit, data=data)


def make_complaint(unit: Unit, **extra: Any) -> Complaint:
    data: dict[str, Any] = {
        "kind": "complaint",
        "subject": "市场收费不合理",
        "content": "摊位费比去年涨了一倍。",
        "submitter_name": "张先生",
        "submitter_contact": "13812345678",
    }
    data.update(extra)
    return services.complaint_record(actor=SYSTEM, unit=unit, data=data)


def move(complaint: Complaint, to: str, response: str = "已处理。") -> Complaint:
    return services.complaint_transition(
        actor=SYSTEM,
        complaint=complaint,
        to_state=to,
        response=response,
        expected_lock_version=complaint.lock_version,
    )


def old_stamp(unit: Unit, seconds: float = 10) -> str:
    """A form stamp issued `seconds` ago (a person has had time to fill the form in)."""
    return antiabuse.form_stamp(unit.pk, now=time.time() - seconds)


def public_data(unit: Unit, **extra: Any) -> dict[str, Any]:
    data = {
        "kind": "help_request",
        "subject": "咨询创业贷款",
        "content": "想了解个体工商户创业担保贷款怎么申请。",
        "submitter_name": "李女士",
        "submitter_contact": "13900001111",
        "stamp": old_stamp(unit),
        antiabuse.HONEYPOT_FIELD: "",
    }
    data.update(extra)
    return data


def items() -> list[RuleItem]:
    return list(RuleItem.objects.filter(is_active=True).order_by("position"))


def adopt(unit: Unit, item: RuleItem, on: datetime.date | None = None) -> Any:
    return services.rule_document_create(
        actor=SYSTEM,
        unit=unit,
        item=item,
        data={"document": pdf_upload(), "adopted_on": on or datetime.date(2020, 5, 1)},
    )
