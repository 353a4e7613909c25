"""The activity log: writes, their audit entries and refusals; lists and roll-ups by kind."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import People, Tree
from jiceng.activities import selectors, services
from jiceng.activities.models import MAX_PHOTOS_PER_ACTIVITY, Activity, ActivityPhoto
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.core.tests.uploads import image_upload

from .helpers import SYSTEM, make_activity

THIS_YEAR = timezone.localdate().year


def test_create_is_audited_with_actor_and_address(tree: Tree, people: People):
    actor = Actor(user=people.branch_staff, source_address="10.0.0.7")
    activity = services.activity_create(
        actor=actor,
        unit=tree.branch,
        data={
            "date": datetime.date(THIS_YEAR, 1, 5),
            "kind": "legal_aid",
            "title": "法律服务进市场",
            "participants": 40,
            "members_served": 32,
        },
    )
    entry = AuditEntry.objects.get(action="activity.create", object_id=str(activity.pk))
    assert entry.actor == people.branch_staff
    assert entry.unit_id == tree.branch.pk
    assert entry.source_address == "10.0.0.7"
    assert entry.after and entry.after["title"] == "法律服务进市场"


def test_update_records_before_and_after(tree: Tree):
    activity = make_activity(tree.shushan)
    services.activity_update(
        actor=SYSTEM,
        activity=activity,
        data={"participants": 99},
        expected_lock_version=activity.lock_version,
    )
    entry = AuditEntry.objects.get(action="activity.update")
    assert ("participants", 30, 99) in entry.changes()
    assert Activity.objects.get(pk=activity.pk).lock_version == 2


def test_the_later_of_two_edits_is_told(tree: Tree):
    activity = make_activity(tree.shushan)
    first = Activity.objects.get(pk=activity.pk)
    second = Activity.objects.get(pk=activity.pk)
    services.activity_update(
        actor=SYSTEM,
        activity=first,
        data={"title": "先保存"},
        expected_lock_version=first.lock_version,
    )
    with pytest.raises(ConflictError) as exc:
        services.activity_update(
            actor=SYSTEM,
            activity=second,
            data={"title": "后保存"},
            expected_lock_version=second.lock_version,
        )
    assert exc.value.current.title == "先保存"
    assert Activity.objects.get(pk=activity.pk).title == "先保存"
    assert not AuditEntry.objects.filter(action="activity.update", after__title="后保存").exists()


def test_a_future_date_is_refused(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        make_activity(tree.shushan, date=timezone.localdate() + datetime.timedelta(days=1))
    assert "date" in exc.value.message_dict
    assert not Activity.objects.exists()


def test_an_unknown_kind_is_refused(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        make_activity(tree.shushan, kind="party")
    assert "kind" in exc.value.message_dict


def test_roles_without_the_permission_or_outside_the_area_are_refused(tree: Tree, people: People):
    with pytest.raises(ForbiddenAction):
        make_activity_as(people.reviewer, tree.shushan)
    with pytest.raises(ForbiddenAction):
        make_activity_as(people.baohe_secretary, tree.shushan)
    make_activity_as(people.branch_staff, tree.branch)  # branch staff keep their own log


def make_activity_as(user, unit):
    return services.activity_create(
        actor=Actor(user=user),
        unit=unit,
        data={"date": timezone.localdate(), "kind": "other", "title": "会员座谈会"},
    )


# --- Photos ------------------------------------------------------------------------------------


def test_photo_is_stored_under_a_random_name_by_unit(tree: Tree):
    activity = make_activity(tree.branch)
    photo = services.activity_photo_add(
        actor=SYSTEM, activity=activity, image=image_upload("我的照片.png"), caption="合影"
    )
    name = photo.image.name or ""
    assert name.startswith(f"activity-photos/{tree.branch.pk}/")
    assert "我的照片" not in name
    assert photo.unit_id == tree.branch.pk
    assert AuditEntry.objects.filter(action="activity.photo.add").exists()


def test_a_gif_is_refused_as_a_photo(tree: Tree):
    activity = make_activity(tree.branch)
    with pytest.raises(ValidationError) as exc:
        services.activity_photo_add(
            actor=SYSTEM, activity=activity, image=image_upload("a.gif", "GIF")
        )
    assert "image" in exc.value.message_dict
    assert "JPEG, PNG or WebP" in exc.value.message_dict["image"][0]
    assert not ActivityPhoto.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(tree: Tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    activity = make_activity(tree.branch)
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        services.activity_photo_add(actor=SYSTEM, activity=activity, image=fake)
    assert "image" in exc.value.message_dict


def test_an_oversized_photo_is_refused(tree: Tree, settings):
    settings.MAX_PHOTO_BYTES = 100
    activity = make_activity(tree.branch)
    with pytest.raises(ValidationError) as exc:
        services.activity_photo_add(
            actor=SYSTEM, activity=activity, image=image_upload(size=64, fmt="PNG")
        )
    assert "limit" in exc.value.message_dict["image"][0]


def test_photos_per_activity_are_limited(tree: Tree):
    activity = make_activity(tree.branch)
    for _ in range(MAX_PHOTOS_PER_ACTIVITY):
        services.activity_photo_add(actor=SYSTEM, activity=activity, image=image_upload())
    with pytest.raises(ValidationError) as exc:
        services.activity_photo_add(actor=SYSTEM, activity=activity, image=image_upload())
    assert "at most" in exc.value.message_dict["image"][0]


def test_deleting_an_activity_removes_its_photos_and_files_after_commit(
    tree: Tree, django_capture_on_commit_callbacks
):
    activity = make_activity(tree.branch)
    photo = services.activity_photo_add(actor=SYSTEM, activity=activity, image=image_upload())
    storage, name = photo.image.storage, photo.image.name or ""
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_delete(actor=SYSTEM, activity=activity, expected_lock_version=1)
    assert not Activity.objects.exists() and not ActivityPhoto.objects.exists()
    assert not storage.exists(name)
    entry = AuditEntry.objects.get(action="activity.delete")
    assert entry.before and entry.before["photos"] == 1


def test_a_photo_file_shared_with_another_row_is_kept(
    tree: Tree, django_capture_on_commit_callbacks
):
    """The demo shares files between rows: removing one row must not break the others."""
    activity = make_activity(tree.branch)
    photo = services.activity_photo_add(actor=SYSTEM, activity=activity, image=image_upload())
    twin = ActivityPhoto.objects.create(activity=activity, unit=tree.branch, image=photo.image.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.activity_photo_delete(actor=SYSTEM, photo=photo)
    assert photo.image.storage.exists(twin.image.name or "")


# --- Lists and roll-ups ------------------------------------------------------------------------


def test_list_is_the_subtree_newest_first_with_filters(tree: Tree):
    old = make_activity(tree.shushan, date=datetime.date(THIS_YEAR - 1, 6, 1), title="去年")
    new = make_activity(tree.group, date=timezone.localdate(), kind="charity", title="今年")
    make_activity(tree.baohe, title="包河")
    services.activity_photo_add(actor=SYSTEM, activity=new, image=image_upload())
    rows = list(selectors.activity_list(unit=tree.shushan))
    assert [a.pk for a in rows] == [new.pk, old.pk]
    assert [a.photo_count for a in rows] == [1, 0]  # type: ignore[attr-defined]
    assert [a.pk for a in selectors.activity_list(unit=tree.shushan, kind="charity")] == [new.pk]
    assert [a.pk for a in selectors.activity_list(unit=tree.shushan, year=THIS_YEAR - 1)] == [
        old.pk
    ]


def test_counts_per_kind_for_a_year(tree: Tree):
    make_activity(tree.shushan, kind="training", participants=10, members_served=8)
    make_activity(tree.branch, kind="training", participants=20, members_served=15)
    make_activity(tree.branch, kind="financing", participants=5, members_served=5)
    make_activity(tree.branch, date=datetime.date(THIS_YEAR - 1, 3, 3))
    counts = selectors.activity_counts(unit=tree.shushan, year=THIS_YEAR)
    assert counts.total == 3
    assert counts.by_kind == {"training": 2, "financing": 1}
    assert counts.kinds_covered == 2
    assert (counts.participants, counts.members_served) == (35, 28)
    own = selectors.activity_counts(unit=tree.shushan, year=THIS_YEAR, subtree=False)
    assert own.total == 1
    assert selectors.activity_counts(unit=tree.shushan, year=THIS_YEAR - 1).total == 1


def test_rollup_per_child_in_two_queries(tree: Tree):
    make_activity(tree.hefei, kind="policy_briefing")  # the city's own
    make_activity(tree.shushan, kind="training")
    make_activity(tree.group, kind="training")  # two levels down, counts for 蜀山区
    make_activity(tree.baohe, kind="charity")
    make_activity(tree.xuanwu, kind="charity")  # another province: not in 合肥's figures
    with CaptureQueriesContext(connection) as ctx:
        rollup = selectors.activity_rollup(unit=tree.hefei, year=THIS_YEAR)
    assert len(ctx.captured_queries) == 2
    by_unit = {row.unit.code: row.figures for row in rollup.children}
    assert by_unit["340104"].by_kind == {"training": 2}
    assert by_unit["340111"].by_kind == {"charity": 1}
    assert rollup.own.by_kind == {"policy_briefing": 1}
    assert rollup.total.total == 4
    assert rollup.total.kind_cells[0] == 2  # training comes first


def test_a_photo_is_stored_by_its_real_format_not_its_claimed_name(tree: Tree):
    """What the stored name says is what the file is: the content decides it, never the name
    uploaded (a PNG called page.html is stored, and served, as a PNG)."""
    activity = make_activity(tree.branch)
    page = services.activity_photo_add(
        actor=SYSTEM, activity=activity, image=image_upload("page.html", "PNG")
    )
    assert (page.image.name or "").endswith(".png")
    assert "page" not in (page.image.name or "").rsplit("/", 1)[-1]
    png = services.activity_photo_add(
        actor=SYSTEM, activity=activity, image=image_upload("scan.pdf", "PNG")
    )
    assert (png.image.name or "").endswith(".png")
    jpeg = services.activity_photo_add(
        actor=SYSTEM, activity=activity, image=image_upload("photo.png", "JPEG")
    )
    assert (jpeg.image.name or "").endswith(".jpg")
