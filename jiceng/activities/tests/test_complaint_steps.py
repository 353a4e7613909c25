"""Issue 9 item 12: every step of a complaint keeps its reply and time; response and resolution
times are measured from receipt; complaints past the response deadline (2 working days by
default, `COMPLAINT_RESPONSE_WORKING_DAYS`) are flagged overdue in the list, the detail page and
the roll-up, and the roll-up stays equal to a rebuild."""

import datetime
import importlib

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django.utils import timezone

from conftest import People, Tree, client_for
from jiceng.activities import deadlines, selectors, services
from jiceng.activities.measures import COMPLAINTS
from jiceng.activities.models import Complaint, ComplaintStep
from jiceng.core import rollups

from .helpers import SYSTEM, make_complaint, move

pytestmark = pytest.mark.django_db


def _received(unit, hours_ago: float) -> Complaint:
    return services.complaint_record(
        actor=SYSTEM,
        unit=unit,
        data={"kind": "complaint", "subject": "摊位费", "content": "摊位费上涨。"},
        received_at=timezone.now() - datetime.timedelta(hours=hours_ago),
    )


def test_each_step_keeps_its_reply_and_time(tree: Tree):
    complaint = _received(tree.shushan, hours_ago=30)
    move(complaint, "in_progress", "开始办理，已联系市场管理方。")
    complaint.refresh_from_db()
    move(complaint, "resolved", "已解决：摊位费恢复原价。")
    steps = list(ComplaintStep.objects.filter(complaint=complaint))
    assert [(s.state, s.response) for s in steps] == [
        ("in_progress", "开始办理，已联系市场管理方。"),
        ("resolved", "已解决：摊位费恢复原价。"),
    ]
    assert steps[0].at <= steps[1].at
    complaint.refresh_from_db()
    assert complaint.responded_at == steps[0].at
    assert complaint.resolved_at == steps[1].at
    # Measured from receipt, not from the previous step.
    assert complaint.response_hours == pytest.approx(30, abs=0.1)
    assert complaint.resolution_hours == pytest.approx(30, abs=0.1)


def test_the_detail_page_shows_the_timeline(tree: Tree, people: People):
    complaint = _received(tree.shushan, hours_ago=5)
    move(complaint, "in_progress", "开始办理")
    complaint.refresh_from_db()
    move(complaint, "resolved", "已解决")
    client = client_for(people.shushan_secretary, language="en")
    body = client.get(reverse("activities:complaint_detail", args=[complaint.pk])).content.decode()
    timeline = body.split('data-testid="complaint-timeline"')[1].split("</ol>")[0]
    assert timeline.index("开始办理") < timeline.index("已解决")
    assert timeline.count('data-testid="step"') == 3  # received, in progress, resolved
    assert "0.0 h" not in body
    assert "5.0 h" in body


def test_the_due_date_counts_working_days():
    tz = timezone.get_current_timezone()
    monday = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=tz)
    saturday = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=tz)
    assert deadlines.response_due_on(monday) == datetime.date(2026, 12, 2)
    assert deadlines.response_due_on(saturday) == datetime.date(2026, 12, 8)


def test_overdue_complaints_are_flagged_and_counted(tree: Tree, people: People):
    waiting = _received(tree.branch, hours_ago=24 * 10)  # no response for ten days
    late = _received(tree.shushan, hours_ago=24 * 10)
    move(late, "in_progress", "迟到的答复")
    fresh = _received(tree.shushan, hours_ago=1)
    move(fresh, "in_progress", "及时答复")
    _received(tree.shushan, hours_ago=2)  # waiting, still in time
    waiting.refresh_from_db()
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert waiting.is_overdue and late.is_overdue and not fresh.is_overdue

    year = timezone.localdate().year
    assert selectors.complaint_stats(unit=tree.shushan, year=year).overdue == 2
    rollup = selectors.complaint_rollup(unit=tree.hefei, year=year)
    assert rollup.total.overdue == 2
    assert {row.unit.code: row.figures.overdue for row in rollup.children}["340104"] == 2

    client = client_for(people.shushan_secretary, language="en")
    listing = client.get(reverse("activities:complaint_list", args=[tree.shushan.pk]))
    assert listing.content.decode().count('data-testid="overdue"') == 2
    detail = client.get(reverse("activities:complaint_detail", args=[waiting.pk]))
    assert 'data-testid="overdue"' in detail.content.decode()
    summary = client.get(
        reverse("activities:complaint_rollup", args=[tree.shushan.pk]) + f"?year={year}"
    ).content.decode()
    total_row = summary.split('data-testid="rollup-total"')[1].split("</tr>")[0]
    assert 'data-testid="overdue-count">2<' in total_row
    assert rollups.differences(COMPLAINTS) == []


def test_maintained_rows_equal_a_rebuild_through_every_step(tree: Tree):
    for unit, hours in ((tree.shushan, 24 * 9), (tree.branch, 3), (tree.group, 24 * 10)):
        complaint = _received(unit, hours_ago=hours)
        move(complaint, "in_progress", "办理中")
        complaint.refresh_from_db()
        move(complaint, "closed", "已办结")
        _received(unit, hours_ago=hours)
    assert rollups.differences(COMPLAINTS) == []
    before = selectors.complaint_stats(unit=tree.hefei, year=timezone.localdate().year)
    COMPLAINTS.rebuild()
    after = selectors.complaint_stats(unit=tree.hefei, year=timezone.localdate().year)
    assert before == after and after.overdue == 4
    assert after.avg_resolution_hours is not None


def test_existing_complaints_keep_their_reply_as_a_step(tree: Tree):
    complaint = make_complaint(tree.shushan)
    move(complaint, "resolved", "旧的唯一答复")
    ComplaintStep.objects.all().delete()  # as before the history existed
    migration = importlib.import_module("jiceng.activities.migrations.0008_complaint_steps")
    migration.backfill_steps(global_apps, None)
    step = ComplaintStep.objects.get(complaint=complaint)
    complaint.refresh_from_db()
    assert (step.state, step.response, step.at) == (
        "resolved",
        "旧的唯一答复",
        complaint.resolved_at,
    )


def test_demo_complaints_have_their_steps(tree: Tree):
    import random

    from jiceng.activities.demo import seed_activities
    from jiceng.org.models import Unit

    seed_activities(units=list(Unit.objects.all()), rng=random.Random(7))
    handled = Complaint.objects.exclude(state="received")
    assert handled.exists()
    for complaint in handled.prefetch_related("steps"):
        steps = list(complaint.steps.all())
        assert steps and steps[0].at == complaint.responded_at
        assert steps[-1].state == complaint.state and steps[-1].response == complaint.response
    assert not ComplaintStep.objects.filter(complaint__state="received").exists()
    assert rollups.differences(COMPLAINTS) == []
