"""Venue photos go through the one file mechanism: checked by content, stored and served by
their real type, whatever name they were uploaded with."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core.actor import Actor
from jiceng.core.tests import uploads
from jiceng.org import services
from jiceng.org.models import VenuePhoto

pytestmark = pytest.mark.usefixtures("media_in_tmp")


def image_upload(name: str, fmt: str) -> SimpleUploadedFile:
    """An image sent without a type of its own: only its content says what it is."""
    return uploads.image_upload(name, fmt, content_type=uploads.OCTET_STREAM)


def _upload(c, unit_pk: int, image: SimpleUploadedFile):
    url = reverse("org:section_create", kwargs={"pk": unit_pk, "section": "photos"})
    return c.post(url, {"image": image, "caption": "门头"})


@pytest.mark.parametrize(
    ("name", "fmt", "extension", "content_type"),
    [("photo.pdf", "PNG", "png", "image/png"), ("x.html", "JPEG", "jpg", "image/jpeg")],
)
def test_a_photo_with_a_misleading_name_is_stored_and_served_by_its_real_type(
    tree: Tree, people: People, name: str, fmt: str, extension: str, content_type: str
):
    c = client_for(people.shushan_secretary)
    response = _upload(c, tree.shushan.pk, image_upload(name, fmt))
    assert response.status_code == 302
    photo = VenuePhoto.objects.get()
    stored = photo.image.name or ""
    assert stored.startswith(f"venue-photos/{tree.shushan.pk}/")
    assert stored.endswith(f".{extension}")
    token = stored.rsplit("/", 1)[-1].split(".")[0]
    assert len(token) == 32 and name.split(".")[0] not in token  # random, not the upload's name
    served = c.get(reverse("org:venue_photo", kwargs={"pk": photo.pk}))
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert served["Content-Disposition"].startswith("inline")
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "no-store"  # core/files.serve_file: nothing is cached


def test_a_text_file_named_jpg_is_refused(tree: Tree, people: People):
    fake = SimpleUploadedFile("photo.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    response = _upload(client_for(people.shushan_secretary), tree.shushan.pk, fake)
    assert response.status_code == 200
    assert response.context["form"].errors["image"]
    assert not VenuePhoto.objects.exists()


def test_a_gif_is_refused_with_the_formats_we_take(tree: Tree, people: People):
    response = _upload(
        client_for(people.shushan_secretary), tree.shushan.pk, image_upload("a.gif", "GIF")
    )
    assert response.status_code == 200
    # Chinese by default: the message names the formats we take.
    assert "JPEG、PNG 或 WebP" in response.context["form"].errors["image"][0]
    assert not VenuePhoto.objects.exists()


def test_the_service_checks_and_names_by_content_without_a_form(tree: Tree):
    actor = Actor.system()
    photo = services.profile_item_create(
        actor=actor,
        unit=tree.shushan,
        model=VenuePhoto,
        data={"image": image_upload("a.html", "PNG")},
    )
    assert (photo.image.name or "").endswith(".png")
    with pytest.raises(ValidationError) as exc:
        services.profile_item_create(
            actor=actor,
            unit=tree.shushan,
            model=VenuePhoto,
            data={"image": SimpleUploadedFile("b.png", b"plain text")},
        )
    assert "image" in exc.value.message_dict
    assert VenuePhoto.objects.count() == 1


def test_photos_outside_the_users_area_are_not_served(tree: Tree, people: People):
    photo = services.profile_item_create(
        actor=Actor.system(),
        unit=tree.shushan,
        model=VenuePhoto,
        data={"image": image_upload("a.png", "PNG")},
    )
    served = client_for(people.outsider).get(reverse("org:venue_photo", kwargs={"pk": photo.pk}))
    assert served.status_code == 404
