"""The campaign's reminder source through the daily job: a task due within REMINDER_DUE_DAYS
goes to the unit's users; an overdue one to the unit's and its parent's; the deadline in force
(a local plan's earlier one) counts; done or waived tasks send nothing; reruns send nothing
twice; the job is set-based (its queries do not grow with the units)."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from conftest import People, Tree, make_unit, make_user
from jiceng.accounts.models import User
from jiceng.accounts.roles import Role
from jiceng.campaigns import completion, services
from jiceng.campaigns.models import Campaign, Task
from jiceng.campaigns.reminders import CHILD_OVERDUE, TASK_DUE, TASK_OVERDUE
from jiceng.core.actor import Actor
from jiceng.core.tests.helpers import add_children
from jiceng.core.tests.jobs import run_jobs
from jiceng.notifications import reminders, tasks
from jiceng.notifications.models import Notification
from jiceng.notifications.reminders import reminder_sources, run_reminders
from jiceng.org.models import Level


@pytest.fixture(autouse=True)
def _only_the_campaigns_source(monkeypatch) -> None:
    """These tests count the campaign's notices: other apps' sources are left out."""
    sources = [(label, f) for label, f in reminder_sources() if label == "campaigns"]
    monkeypatch.setattr(reminders, "reminder_sources", lambda: sources)


def test_sources_are_discovered_over_installed_apps():
    from jiceng.campaigns import reminders as campaign_reminders

    found = dict(reminders.reminder_sources())
    assert found["campaigns"] is campaign_reminders.reminders


def d(month: int, day: int) -> datetime.date:
    return datetime.date(2009, month, day)


def _sent() -> set[tuple[str, str]]:
    return set(Notification.objects.values_list("user__username", "kind"))


def test_due_in_n_days_goes_to_the_units_users(tree: Tree, people: People, running: Campaign):
    assert run_reminders(d(3, 27)) == 0  # 31 March is 4 days away
    assert run_reminders(d(3, 28)) == 2
    assert _sent() == {("shushan", TASK_DUE), ("baohe", TASK_DUE)}
    notification = Notification.objects.get(user=people.shushan_secretary)
    assert notification.params == {"task": "签收《规范》", "deadline": "2009-03-31"}
    assert notification.url == reverse("campaigns:unit_campaign", kwargs={"pk": tree.shushan.pk})
    assert run_reminders(d(3, 29)) == 0  # running it again sends nothing twice


def test_due_days_come_from_the_setting(tree: Tree, people: People, running: Campaign, settings):
    settings.REMINDER_DUE_DAYS = 10
    assert run_reminders(d(3, 21)) == 2


def test_overdue_goes_to_the_unit_and_its_parent(
    tree: Tree, people: People, running: Campaign, grassroots_task: Task
):
    assert run_reminders(d(4, 1)) == 6
    assert _sent() == {
        ("shushan", TASK_OVERDUE),
        ("baohe", TASK_OVERDUE),
        ("hefei", CHILD_OVERDUE),  # the city admin of 合肥, the parent of both
        ("viewer", CHILD_OVERDUE),  # bound to 合肥 too
    }
    assert Notification.objects.filter(user=people.hefei_admin).count() == 2  # one per child
    to_parent = Notification.objects.get(user=people.hefei_admin, params__unit="蜀山区个私协会")
    assert to_parent.url == reverse("campaigns:unit_campaign", kwargs={"pk": tree.shushan.pk})
    with translation.override("en"):
        assert to_parent.text == (
            "蜀山区个私协会 has not done campaign task “签收《规范》”, due on 2009-03-31."
        )
    assert run_reminders(d(4, 1)) == 0
    assert run_reminders(d(4, 2)) == 0  # still overdue: already told


def test_a_local_earlier_deadline_is_respected(
    tree: Tree, people: People, running: Campaign, branch_task: Task
):
    services.task_override_deadline(
        actor=Actor(user=people.anhui_admin), task=branch_task, unit=tree.anhui, deadline=d(4, 10)
    )
    elsewhere = make_unit(tree.xuanwu, Level.BRANCH, "320102001", "玄武区分会")
    make_user("xuanwu_branch", Role.BRANCH_STAFF, elsewhere)
    run_reminders(d(4, 8))
    assert ("branch", TASK_DUE) in _sent()
    assert ("xuanwu_branch", TASK_DUE) not in _sent()  # 江苏 keeps 20 May
    due = Notification.objects.get(user=people.branch_staff)
    assert due.params["deadline"] == "2009-04-10"
    run_reminders(d(4, 11))
    assert ("branch", TASK_OVERDUE) in _sent() and ("shushan", CHILD_OVERDUE) in _sent()
    assert ("xuanwu_branch", TASK_OVERDUE) not in _sent()
    run_reminders(d(5, 18))
    assert ("xuanwu_branch", TASK_DUE) in _sent()


def test_a_done_or_waived_task_sends_nothing(
    tree: Tree, people: People, running: Campaign, branch_task: Task
):
    second = make_unit(tree.shushan, Level.BRANCH, "340104002", "蜀山区第二分会")
    make_user("branch2", Role.BRANCH_STAFF, second)
    completion.task_complete(
        actor=Actor(user=people.branch_staff),
        task=branch_task,
        unit=tree.branch,
        evidence={"note": "已完成调查"},
    )
    completion.task_waive(
        actor=Actor(user=people.hefei_admin), task=branch_task, unit=second, reason="新设"
    )
    run_reminders(d(5, 18))
    run_reminders(d(5, 21))
    assert Notification.objects.exists()  # the grassroots task is overdue
    assert not Notification.objects.filter(params__task="会员调查")  # the branch task is not
    # Reopened, the waived one is open again: the next run sends it.
    completion.task_reopen(actor=Actor(user=people.hefei_admin), task=branch_task, unit=second)
    run_reminders(d(5, 21))
    assert set(
        Notification.objects.filter(params__task="会员调查").values_list("user__username", "kind")
    ) == {("branch2", TASK_OVERDUE), ("shushan", CHILD_OVERDUE)}


def test_a_campaign_not_running_sends_nothing(
    tree: Tree, people: People, campaign: Campaign, grassroots_task: Task
):
    assert run_reminders(d(4, 1)) == 0  # a draft
    services.campaign_start(actor=Actor(user=people.national), campaign=campaign)
    services.campaign_close(actor=Actor(user=people.national), campaign=campaign)
    assert run_reminders(d(4, 1)) == 0


def _grow(parent, n: int) -> None:
    units = add_children(parent, n)
    User.objects.bulk_create(
        [
            User(username=f"u{u.pk}", unit=u, role=Role.GRASSROOTS_SECRETARY, full_name="x")
            for u in units
        ]
    )


def _queries(day: datetime.date) -> tuple[int, int, int]:
    """(queries other than the bulk inserts, the inserts, notifications created)."""
    with CaptureQueriesContext(connection) as ctx:
        created = run_reminders(day)
    inserts = sum(q["sql"].startswith("INSERT") for q in ctx.captured_queries)
    return len(ctx.captured_queries) - inserts, inserts, created


def test_the_job_is_set_based(tree: Tree, people: People, running: Campaign):
    _grow(tree.hefei, 10)
    few, _inserts, created_few = _queries(d(4, 1))
    Notification.objects.all().delete()
    _grow(tree.hefei, 590)
    many, inserts, created_many = _queries(d(4, 1))
    assert created_few == 6 + 10 + 10 * 2  # each new association and 合肥's two users
    assert created_many == 6 + 600 + 600 * 2
    assert few == many, (few, many)  # reads: a fixed number, however many units
    assert inserts <= created_many // 100 + 1  # writes: bulk inserts (SQLite: 999 parameters)


def test_the_command_and_the_task(tree: Tree, people: People, running: Campaign):
    call_command("send_reminders", "--date", "2009-03-30")
    assert Notification.objects.count() == 2
    with pytest.raises(CommandError, match="--date"):
        call_command("send_reminders", "--date", "30 March")
    tasks.send_reminders.enqueue("2009-04-01")
    run_jobs()
    assert Notification.objects.count() == 8


@pytest.mark.django_db
def test_the_demo_rings_the_bell():
    call_command("seed_demo", "--scale", "small")
    assert Notification.objects.filter(kind=TASK_OVERDUE).exists()
    assert Notification.objects.filter(kind=CHILD_OVERDUE).exists()
    assert run_reminders() == 0  # seed_demo ran today's job already
