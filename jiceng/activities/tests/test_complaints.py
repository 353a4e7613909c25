"""Complaints and help requests: the state machine, its times, audit, figures and roll-ups."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import People, Tree
from jiceng.activities import selectors, services
from jiceng.activities.measures import COMPLAINTS
from jiceng.activities.models import Complaint, ComplaintState
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError, ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.org.models import Unit

from .helpers import SYSTEM, make_complaint, move

THIS_YEAR = timezone.localdate().year


def test_recorded_by_staff_with_a_reference_and_an_audit_entry(tree: Tree, people: People):
    complaint = services.complaint_record(
        actor=Actor(user=people.shushan_secretary, source_address="10.2.3.4"),
        unit=tree.shushan,
        data={"kind": "complaint", "subject": " 收费问题 ", "content": "收费过高"},
    )
    assert complaint.state == ComplaintState.RECEIVED
    assert complaint.channel == "staff"
    assert complaint.recorded_by == people.shushan_secretary
    assert complaint.subject == "收费问题"
    assert complaint.reference.startswith(f"{timezone.localdate():%Y%m%d}-")
    assert complaint.source_hash == ""
    entry = AuditEntry.objects.get(action="complaint.record")
    assert entry.actor == people.shushan_secretary and entry.source_address == "10.2.3.4"


def test_a_future_receipt_time_is_refused(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        services.complaint_record(
            actor=SYSTEM,
            unit=tree.shushan,
            data={"kind": "complaint", "subject": "x", "content": "y"},
            received_at=timezone.now() + datetime.timedelta(hours=2),
        )
    assert "received_at" in exc.value.message_dict


def test_branch_staff_cannot_handle_complaints(tree: Tree, people: People):
    with pytest.raises(ForbiddenAction):
        services.complaint_record(
            actor=Actor(user=people.branch_staff),
            unit=tree.branch,
            data={"kind": "complaint", "subject": "x", "content": "y"},
        )


def test_received_to_in_progress_to_resolved_sets_the_times_once(tree: Tree):
    complaint = make_complaint(tree.shushan)
    move(complaint, "in_progress", "正在核实")
    complaint.refresh_from_db()
    first = complaint.responded_at
    assert complaint.state == "in_progress" and first is not None
    assert complaint.resolved_at is None
    move(complaint, "resolved", "已退还多收费用")
    complaint.refresh_from_db()
    assert complaint.state == "resolved"
    assert complaint.responded_at == first  # the first response stays the first
    assert complaint.resolved_at is not None and complaint.resolved_at >= first
    assert complaint.response == "已退还多收费用"
    entries = AuditEntry.objects.filter(action="complaint.transition").order_by("id")
    assert [e.after["state"] for e in entries] == ["in_progress", "resolved"]
    assert entries[1].before["state"] == "in_progress"


def test_received_may_be_closed_at_once_with_a_response(tree: Tree):
    complaint = make_complaint(tree.shushan)
    move(complaint, "closed", "不属于协会受理范围，已告知向市场监管部门反映")
    complaint.refresh_from_db()
    assert complaint.state == "closed"
    assert complaint.responded_at == complaint.resolved_at


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (["resolved"], "in_progress"),
        (["closed"], "resolved"),
        (["in_progress"], "received"),
        ([], "received"),
        (["in_progress"], "in_progress"),
    ],
)
def test_invalid_transitions_are_refused_with_a_clear_message(tree: Tree, path, target):
    complaint = make_complaint(tree.shushan)
    for state in path:
        complaint = move(complaint, state)
    with pytest.raises(DomainError) as exc:
        move(complaint, target)
    assert exc.value.code == "invalid_transition"
    assert "cannot be moved to" in str(exc.value.message)
    complaint.refresh_from_db()
    assert complaint.state == (path[-1] if path else "received")


def test_resolving_or_closing_needs_a_response(tree: Tree):
    complaint = make_complaint(tree.shushan)
    for target in ("resolved", "closed"):
        with pytest.raises(ValidationError) as exc:
            move(complaint, target, response="   ")
        assert "response" in exc.value.message_dict
    move(complaint, "in_progress", response="")  # an interim step needs none
    assert Complaint.objects.get(pk=complaint.pk).state == "in_progress"


def test_two_handlers_at_once_the_later_is_told(tree: Tree):
    complaint = make_complaint(tree.shushan)
    first = Complaint.objects.get(pk=complaint.pk)
    second = Complaint.objects.get(pk=complaint.pk)
    move(first, "in_progress")
    with pytest.raises(ConflictError):
        move(second, "closed", "重复")
    assert Complaint.objects.get(pk=complaint.pk).state == "in_progress"


def test_the_database_refuses_inconsistent_states(tree: Tree):
    complaint = make_complaint(tree.shushan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(state="resolved")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(
            state="in_progress", responded_at=complaint.received_at - datetime.timedelta(hours=1)
        )


def _at(complaint: Complaint, received: datetime.datetime, hours: float | None, state: str):
    """Place a complaint in time: received then, first answered `hours` later."""
    responded = received + datetime.timedelta(hours=hours) if hours is not None else None
    Complaint.objects.filter(pk=complaint.pk).update(
        received_at=received,
        responded_at=responded,
        resolved_at=responded if state in ("resolved", "closed") else None,
        state=state,
        response="答复" if state != "received" else "",
    )
    # Raw facts changed behind the services' back: bring the unit's summary rows up to date.
    COMPLAINTS.rebuild(units=Unit.objects.filter(pk=complaint.unit_id))


def test_stats_give_resolution_rate_and_average_response_hours(tree: Tree):
    base = timezone.make_aware(datetime.datetime(THIS_YEAR, 1, 10, 9, 0))
    _at(make_complaint(tree.shushan), base, 2, "resolved")
    _at(make_complaint(tree.shushan), base, 4, "closed")
    _at(make_complaint(tree.branch), base, 12, "in_progress")
    _at(make_complaint(tree.branch), base, None, "received")
    _at(make_complaint(tree.baohe), base, 100, "resolved")  # a sibling: not counted
    stats = selectors.complaint_stats(unit=tree.shushan, year=THIS_YEAR)
    assert (stats.total, stats.received, stats.in_progress, stats.resolved, stats.closed) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert stats.resolution_rate == 0.5 and stats.resolution_percent == 50
    assert stats.avg_response_hours == 6.0  # (2 + 4 + 12) / 3
    own = selectors.complaint_stats(unit=tree.shushan, year=THIS_YEAR, subtree=False)
    assert own.total == 2 and own.avg_response_hours == 3.0
    assert selectors.complaint_stats(unit=tree.shushan, year=THIS_YEAR - 1).total == 0


def test_no_complaints_means_no_rate_rather_than_zero(tree: Tree):
    stats = selectors.complaint_stats(unit=tree.baohe, year=THIS_YEAR)
    assert stats.resolution_rate is None and stats.avg_response_hours is None


def test_rollup_per_child_in_two_queries(tree: Tree):
    base = timezone.make_aware(datetime.datetime(THIS_YEAR, 1, 10, 9, 0))
    _at(make_complaint(tree.shushan), base, 1, "resolved")
    _at(make_complaint(tree.branch), base, 3, "resolved")
    _at(make_complaint(tree.baohe), base, 10, "in_progress")
    _at(make_complaint(tree.baohe), base, None, "received")
    with CaptureQueriesContext(connection) as ctx:
        rollup = selectors.complaint_rollup(unit=tree.hefei, year=THIS_YEAR)
    assert len(ctx.captured_queries) == 2
    by_code = {row.unit.code: row.figures for row in rollup.children}
    assert by_code["340104"].resolution_rate == 1.0
    assert by_code["340104"].avg_response_hours == 2.0
    assert by_code["340111"].resolution_rate == 0.0
    assert by_code["340111"].avg_response_hours == 10.0
    assert rollup.own.total == 0
    assert rollup.total.total == 4 and rollup.total.resolution_percent == 50
