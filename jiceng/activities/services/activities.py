"""Writes to the activity log and its photos."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiceng.accounts.roles import Perm
from jiceng.core.actor import Actor
from jiceng.core.audit import audit_record, snapshot
from jiceng.core.locking import delete_locked, save_locked
from jiceng.core.scope import authorize
from jiceng.org.models import Unit

from ..measures import activity_delta
from ..models import MAX_PHOTOS_PER_ACTIVITY, Activity, ActivityPhoto
from ._common import check_photo, discard_file_on_commit, remove_uncommitted


def _check_fields(data: dict[str, Any]) -> None:
    for name in data:
        if name not in Activity.EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable activity field")


def activity_create(*, actor: Actor, unit: Unit, data: dict[str, Any]) -> Activity:
    authorize(actor, Perm.ACTIVITY_EDIT, unit)
    _check_fields(data)
    with transaction.atomic():
        activity = Activity(unit=unit, **data)
        activity.full_clean()
        activity.save()
        activity_delta(activity, +1)
        audit_record(
            actor=actor,
            action="activity.create",
            unit=unit,
            obj=activity,
            after=snapshot(activity, Activity.EDITABLE_FIELDS),
        )
    return activity


def activity_update(
    *, actor: Actor, activity: Activity, data: dict[str, Any], expected_lock_version: int
) -> Activity:
    authorize(actor, Perm.ACTIVITY_EDIT, activity.unit)
    _check_fields(data)
    with transaction.atomic():
        before = snapshot(activity, Activity.EDITABLE_FIELDS)
        stored = Activity.objects.filter(pk=activity.pk).first()
        for name, value in data.items():
            setattr(activity, name, value)
        activity.full_clean()
        save_locked(activity, expected_lock_version=expected_lock_version, fields=list(data))
        if stored is not None:
            activity_delta(stored, -1)
        activity_delta(activity, +1)
        audit_record(
            actor=actor,
            action="activity.update",
            unit=activity.unit,
            obj=activity,
            before=before,
            after=snapshot(activity, Activity.EDITABLE_FIELDS),
        )
    return activity


def activity_delete(*, actor: Actor, activity: Activity, expected_lock_version: int) -> None:
    """Delete an activity with its photos (the files go once the deletion is committed)."""
    authorize(actor, Perm.ACTIVITY_EDIT, activity.unit)
    with transaction.atomic():
        before = snapshot(activity, Activity.EDITABLE_FIELDS)
        photo_names = list(
            ActivityPhoto.objects.filter(activity=activity).values_list("image", flat=True)
        )
        ActivityPhoto.objects.filter(activity=activity).delete()
        stored = Activity.objects.filter(pk=activity.pk).first()
        delete_locked(activity, expected_lock_version=expected_lock_version)
        if stored is not None:
            activity_delta(stored, -1)
        audit_record(
            actor=actor,
            action="activity.delete",
            unit=activity.unit,
            obj=activity,
            before={**before, "photos": len(photo_names)},
            object_repr=str(activity),
        )
        for name in photo_names:
            discard_file_on_commit(ActivityPhoto, "image", name)


def activity_photo_add(
    *, actor: Actor, activity: Activity, image: Any, caption: str = ""
) -> ActivityPhoto:
    """Add a photo (already checked by `validate_image_upload` in the form)."""
    authorize(actor, Perm.ACTIVITY_EDIT, activity.unit)
    check_photo(image)
    with transaction.atomic():
        # Lock the activity so two uploads at once cannot pass the limit together.
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if ActivityPhoto.objects.filter(activity=locked).count() >= MAX_PHOTOS_PER_ACTIVITY:
            raise ValidationError(
                {
                    "image": _(
                        "An activity keeps at most %(limit)s photos; delete one before adding "
                        "another."
                    )
                    % {"limit": MAX_PHOTOS_PER_ACTIVITY}
                }
            )
        photo = ActivityPhoto(activity=locked, unit_id=locked.unit_id, image=image, caption=caption)
        photo.full_clean()
        try:
            photo.save()
            audit_record(
                actor=actor,
                action="activity.photo.add",
                unit=activity.unit,
                obj=photo,
                after={"activity": str(activity), "image": photo.image.name, "caption": caption},
            )
        except BaseException:
            remove_uncommitted(photo.image)
            raise
    return photo


def activity_photo_delete(*, actor: Actor, photo: ActivityPhoto) -> None:
    authorize(actor, Perm.ACTIVITY_EDIT, photo.unit)
    with transaction.atomic():
        name = photo.image.name or ""
        before = {"activity": str(photo.activity), "image": name, "caption": photo.caption}
        deleted, _rows = ActivityPhoto.objects.filter(pk=photo.pk).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="activity.photo.delete",
                unit=photo.unit,
                obj=photo,
                before=before,
                object_repr=str(photo),
            )
            discard_file_on_commit(ActivityPhoto, "image", name)
