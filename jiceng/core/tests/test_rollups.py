"""The roll-up engine: summary rows kept by the services' deltas equal a rebuild from the raw
facts, whatever the sequence of writes; reads give one shape; a unit move carries the rows."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Tree
from jiceng.activities import services
from jiceng.activities.measures import ACTIVITIES, COMPLAINTS, RECOGNITION, RULES
from jiceng.activities.models import (
    Activity,
    ActivityKind,
    ActivityRollup,
    Honour,
    HonourLevel,
    RuleItem,
)
from jiceng.activities.tests.helpers import SYSTEM, adopt, make_activity, make_complaint, move
from jiceng.core import rollups
from jiceng.core.actor import Actor
from jiceng.core.models import AuditEntry
from jiceng.org.anchors import anchors_of, rewrite_anchors
from jiceng.org.models import Unit
from jiceng.org.services import unit_move

TODAY = timezone.localdate()

write = st.sampled_from(
    ["create", "create_old", "update", "delete", "complain", "advance", "honour", "unhonour"]
)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(st.tuples(write, st.integers(0, 3)), min_size=1, max_size=12))
def test_deltas_from_any_sequence_of_writes_equal_a_rebuild(tree: Tree, steps):
    units = [tree.shushan, tree.branch, tree.baohe, tree.hefei]
    for action, index in steps:
        unit = units[index]
        mine = Activity.objects.filter(unit=unit).order_by("id")
        if action == "create":
            make_activity(unit, kind=ActivityKind.values[index])
        elif action == "create_old":
            make_activity(unit, date=TODAY - datetime.timedelta(days=400), participants=7)
        elif action == "update" and mine.exists():
            activity = mine.first()
            assert activity is not None
            services.activity_update(
                actor=SYSTEM,
                activity=activity,
                data={"kind": ActivityKind.values[-1], "participants": 3 + index},
                expected_lock_version=activity.lock_version,
            )
        elif action == "delete" and mine.exists():
            activity = mine.last()
            assert activity is not None
            services.activity_delete(
                actor=SYSTEM, activity=activity, expected_lock_version=activity.lock_version
            )
        elif action == "complain" and unit != tree.hefei:
            make_complaint(unit)
        elif action == "honour":
            services.honour_create(
                actor=SYSTEM,
                unit=unit,
                data={
                    "title": "先进基层协会",
                    "level": HonourLevel.values[index],
                    "issuer": "安徽省个私协会",
                    "date": TODAY - datetime.timedelta(days=200 * index),
                },
            )
        elif action == "unhonour":
            honour = Honour.objects.filter(unit=unit).first()
            if honour is not None:
                services.honour_update(
                    actor=SYSTEM,
                    honour=honour,
                    data={"level": HonourLevel.values[-1]},
                    expected_lock_version=honour.lock_version,
                )
                honour.refresh_from_db()
                services.honour_delete(
                    actor=SYSTEM, honour=honour, expected_lock_version=honour.lock_version
                )
        elif action == "advance":
            complaint = unit.complaints.filter(state="received").first()
            if complaint is not None:
                move(complaint, "in_progress" if index % 2 else "resolved")
    for measure in (ACTIVITIES, COMPLAINTS, RULES, RECOGNITION):
        assert rollups.differences(measure) == [], measure.name


def test_rules_rows_follow_documents_and_the_checklist(tree: Tree):
    item_a, item_b = list(RuleItem.objects.order_by("position")[:2])
    adopt(tree.shushan, item_a, on=datetime.date(2019, 5, 1))
    adopt(tree.shushan, item_b)
    assert rollups.own_figures(RULES, units=[tree.shushan], year=2019)[tree.shushan.pk] == 1
    RuleItem.objects.filter(pk=item_a.pk).update(is_active=False)
    assert rollups.own_figures(RULES, units=[tree.shushan], year=None)[tree.shushan.pk] == 1
    assert rollups.differences(RULES) == []


def test_read_gives_total_own_and_children_in_two_queries(tree: Tree):
    make_activity(tree.hefei, participants=5)  # the city's own
    make_activity(tree.shushan, participants=10)
    make_activity(tree.branch, participants=20)
    make_activity(tree.baohe, participants=40)
    with CaptureQueriesContext(connection) as ctx:
        rollup = rollups.read(ACTIVITIES, unit=tree.hefei, year=TODAY.year)
    assert len(ctx.captured_queries) == 2
    assert rollup.total.participants == 75
    assert rollup.own.participants == 5
    by_code = {row.unit.code: row.figures.participants for row in rollup.children}
    assert by_code[tree.shushan.code] == 30 and by_code[tree.baohe.code] == 40
    national = rollups.read(ACTIVITIES, unit=tree.root, year=TODAY.year)
    assert national.total.participants == 75
    assert {r.unit.pk: r.figures.participants for r in national.children}[tree.anhui.pk] == 75
    # The same figures through the anchors, for many units at once.
    many = rollups.subtree_figures(
        ACTIVITIES, units=[tree.shushan, tree.baohe, tree.hefei, tree.anhui], year=TODAY.year
    )
    assert [many[u.pk].participants for u in (tree.shushan, tree.baohe, tree.hefei)] == [
        30,
        40,
        75,
    ]
    assert many[tree.anhui.pk].participants == 75


def test_a_unit_move_carries_its_rows_anchors_and_keeps_figures_right(tree: Tree):
    make_activity(tree.shushan, participants=10)
    make_activity(tree.branch, participants=20)
    unit_move(actor=Actor.system(), unit=tree.shushan, new_parent=tree.nanjing)
    shushan = Unit.objects.get(pk=tree.shushan.pk)
    expected = anchors_of([shushan])[shushan.pk]
    assert expected.province_id == tree.jiangsu.pk
    provinces = set(
        ActivityRollup.objects.filter(unit_id__in=[tree.shushan.pk, tree.branch.pk]).values_list(
            "province_id", flat=True
        )
    )
    assert provinces == {tree.jiangsu.pk}
    assert rollups.total(ACTIVITIES, unit=tree.jiangsu, year=TODAY.year).participants == 30
    assert rollups.total(ACTIVITIES, unit=tree.anhui, year=TODAY.year).participants == 0
    assert rewrite_anchors(shushan)["activities.ActivityRollup"] == 0  # nothing left to fix
    assert rollups.differences(ACTIVITIES) == []


def test_rebuild_command_checks_and_repairs(tree: Tree, capsys):
    make_activity(tree.shushan)
    ActivityRollup.objects.update(activities=99)
    with pytest.raises(SystemExit):
        call_command("rebuild_rollups", "--check", "--measure", "activities")
    assert "1 difference(s)" in capsys.readouterr().out
    call_command("rebuild_rollups", "--measure", "activities")
    after = AuditEntry.objects.get(action="rollups.rebuild").after or {}
    assert after["measure"] == "activities" and after["rows"] == 1
    call_command("rebuild_rollups", "--check")
    assert "activities: 0 difference(s)" in capsys.readouterr().out


def test_a_measure_rebuilds_some_units_alone(tree: Tree):
    make_activity(tree.shushan)
    make_activity(tree.baohe)
    ActivityRollup.objects.update(activities=99)
    ACTIVITIES.rebuild(units=Unit.objects.filter(pk=tree.shushan.pk))
    stored = dict(ActivityRollup.objects.values_list("unit_id", "activities"))
    assert stored == {tree.shushan.pk: 1, tree.baohe.pk: 99}
