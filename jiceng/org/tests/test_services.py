"""Writes to units and profiles: validation, audit, optimistic locking, nothing half-saved."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree, make_unit
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.org import services
from jiceng.org.models import LeadershipMember, Level, StaffMember, Unit, Venue


def test_create_records_audit_and_venue(tree: Tree, people: People):
    actor = Actor(user=people.hefei_admin, source_address="10.1.2.3")
    unit = services.unit_create(
        actor=actor,
        parent=tree.hefei,
        data={"code": "340102", "name": "瑶海区个私协会", "level": Level.GRASSROOTS},
    )
    assert unit.parent == tree.hefei
    assert unit.path.startswith(tree.hefei.path)
    assert Venue.objects.filter(unit=unit).exists()
    entry = AuditEntry.objects.get(action="unit.create", object_id=str(unit.pk))
    assert entry.actor == people.hefei_admin
    assert entry.source_address == "10.1.2.3"
    assert entry.after and entry.after["code"] == "340102"


def test_duplicate_code_is_refused_and_nothing_is_saved(tree: Tree):
    before = Unit.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_unit(tree.hefei, Level.GRASSROOTS, "340104", "重复的蜀山区")
    assert "code" in exc.value.message_dict
    assert Unit.objects.count() == before
    tree.hefei.refresh_from_db()
    assert tree.hefei.numchild == 2


def test_bad_phone_names_the_field(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        make_unit(tree.hefei, Level.GRASSROOTS, "340102", "瑶海区", phone="12345")
    assert "phone" in exc.value.message_dict


def test_update_is_audited_with_before_and_after(tree: Tree, people: People):
    unit = Unit.objects.get(pk=tree.shushan.pk)
    services.unit_update(
        actor=Actor(user=people.hefei_admin),
        unit=unit,
        data={"address": "合肥市蜀山区长江西路1号"},
        expected_lock_version=unit.lock_version,
    )
    entry = AuditEntry.objects.filter(action="unit.update").latest("id")
    assert entry.before and entry.before["address"] == ""
    assert entry.after and entry.after["address"] == "合肥市蜀山区长江西路1号"
    assert ("address", "", "合肥市蜀山区长江西路1号") in entry.changes()


def test_the_later_of_two_saves_is_told_and_gets_the_newer_version(tree: Tree, people: People):
    first = Unit.objects.get(pk=tree.shushan.pk)
    second = Unit.objects.get(pk=tree.shushan.pk)
    services.unit_update(
        actor=Actor(user=people.hefei_admin),
        unit=first,
        data={"contact_person": "张三"},
        expected_lock_version=first.lock_version,
    )
    with pytest.raises(ConflictError) as exc:
        services.unit_update(
            actor=Actor(user=people.shushan_secretary),
            unit=second,
            data={"contact_person": "李四"},
            expected_lock_version=second.lock_version,
        )
    assert exc.value.current.contact_person == "张三"
    assert Unit.objects.get(pk=tree.shushan.pk).contact_person == "张三"


def test_negative_floor_area_is_refused(tree: Tree, people: People):
    venue = Venue.objects.get(unit=tree.shushan)
    with pytest.raises(ValidationError) as exc:
        services.venue_update(
            actor=Actor(user=people.shushan_secretary),
            unit=tree.shushan,
            data={"floor_area": Decimal("-5")},
            expected_lock_version=venue.lock_version,
        )
    assert "floor_area" in exc.value.message_dict
    venue.refresh_from_db()
    assert venue.floor_area is None
    assert not AuditEntry.objects.filter(action="profile.venue.update").exists()


def test_term_ending_before_it_starts_is_refused(tree: Tree, people: People):
    with pytest.raises(ValidationError) as exc:
        services.profile_item_create(
            actor=Actor(user=people.shushan_secretary),
            unit=tree.shushan,
            model=LeadershipMember,
            data={
                "name": "王伟",
                "position": "president",
                "term_start": datetime.date(2025, 1, 1),
                "term_end": datetime.date(2024, 1, 1),
            },
        )
    assert "term_end" in exc.value.message_dict
    assert not LeadershipMember.objects.exists()


def test_profile_item_update_and_delete_under_versions(tree: Tree, people: People):
    actor = Actor(user=people.shushan_secretary)
    item = services.profile_item_create(
        actor=actor,
        unit=tree.shushan,
        model=StaffMember,
        data={"name": "李娜", "post": "秘书长", "phone": "13912345678"},
    )
    stale = StaffMember.objects.get(pk=item.pk)
    services.profile_item_update(
        actor=actor, item=item, data={"post": "副秘书长"}, expected_lock_version=1
    )
    with pytest.raises(ConflictError):
        services.profile_item_delete(
            actor=actor, item=stale, expected_lock_version=stale.lock_version
        )
    assert StaffMember.objects.filter(pk=item.pk).exists()
    services.profile_item_delete(actor=actor, item=item, expected_lock_version=item.lock_version)
    assert not StaffMember.objects.filter(pk=item.pk).exists()
    actions = list(AuditEntry.objects.filter(unit=tree.shushan).values_list("action", flat=True))
    assert {
        "profile.staffmember.create",
        "profile.staffmember.update",
        "profile.staffmember.delete",
    } <= set(actions)


def test_move_rewrites_the_subtree(tree: Tree, people: People):
    services.unit_move(
        actor=Actor(user=people.national), unit=tree.shushan, new_parent=tree.nanjing
    )
    shushan = Unit.objects.get(pk=tree.shushan.pk)
    assert shushan.parent_id == tree.nanjing.pk
    for unit in Unit.objects.subtree(shushan):
        assert unit.path.startswith(Unit.objects.get(pk=tree.nanjing.pk).path)
    assert Unit.objects.get(pk=tree.group.pk).path.startswith(shushan.path)
    assert Unit.objects.get(pk=tree.hefei.pk).numchild == 1
    assert Unit.objects.get(pk=tree.nanjing.pk).numchild == 2
    assert Unit.objects.find_problems() == ([], [], [], [], [])


def test_move_into_own_subtree_is_refused(tree: Tree, people: People):
    with pytest.raises(ValidationError) as exc:
        services.unit_move(
            actor=Actor(user=people.national), unit=tree.hefei, new_parent=tree.shushan
        )
    assert "own sub-units" in exc.value.message_dict["new_parent"][0]


def test_move_to_the_wrong_level_is_refused(tree: Tree, people: People):
    with pytest.raises(ValidationError):
        services.unit_move(
            actor=Actor(user=people.national), unit=tree.branch, new_parent=tree.nanjing
        )


def test_only_national_and_provincial_admins_move(tree: Tree, people: People):
    with pytest.raises(ForbiddenAction):
        services.unit_move(
            actor=Actor(user=people.hefei_admin), unit=tree.shushan, new_parent=tree.hefei
        )


def test_profile_item_edit_through_its_form_audits_the_old_value(tree: Tree, people: People):
    """A bound ModelForm writes the new values onto the row it is given; the audit entry must
    still say what the row held before."""
    from django.urls import reverse

    from conftest import client_for
    from jiceng.org.models import StaffMember

    staff = services.profile_item_create(
        actor=Actor.system(),
        unit=tree.shushan,
        model=StaffMember,
        data={"name": "旧名", "post": "秘书"},
    )
    url = reverse(
        "org:section_edit", kwargs={"pk": tree.shushan.pk, "section": "staff", "item_pk": staff.pk}
    )
    data = {
        "name": "新名",
        "post": "秘书",
        "employment": "full_time",
        "lock_version": staff.lock_version,
    }
    assert client_for(people.shushan_secretary).post(url, data).status_code == 302
    entry = AuditEntry.objects.filter(action="profile.staffmember.update").get()
    before: Any = entry.before
    after: Any = entry.after
    assert before["name"] == "旧名" and after["name"] == "新名"
