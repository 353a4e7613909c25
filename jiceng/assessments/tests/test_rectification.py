"""Rectification items (问题清单 / 整改台账): who records, closes and verifies; overdue items on
the pages and in the notification centre; re-scoring once verified."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import People, Tree, client_for
from jiceng.assessments import services
from jiceng.assessments.models import RectificationItem, RectificationState
from jiceng.assessments.reminders import CHILD_RECTIFICATION_OVERDUE, RECTIFICATION_OVERDUE
from jiceng.campaigns.models import Campaign
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError, DomainError, ForbiddenAction
from jiceng.core.tests.uploads import pdf_upload
from jiceng.notifications.models import Notification
from jiceng.notifications.reminders import run_reminders

TODAY = datetime.date.today()


def data(**extra: object) -> dict[str, object]:
    return {
        "source": "review",
        "code": "4.2",
        "description": "经费来源单一，仅靠会费",
        "owner": "张秘书长",
        "deadline": TODAY + datetime.timedelta(days=30),
        **extra,
    }


def record(running: Campaign, tree: Tree, people: People, **extra: object) -> RectificationItem:
    return services.rectification_create(
        actor=Actor(user=people.hefei_admin),
        campaign=running,
        unit=tree.shushan,
        data=data(**extra),
    )


def test_who_records_what(running: Campaign, tree: Tree, people: People):
    item = record(running, tree, people)
    assert item.created_by_unit == tree.hefei and item.state == RectificationState.OPEN
    own = services.rectification_create(
        actor=Actor(user=people.shushan_secretary),
        campaign=running,
        unit=tree.shushan,
        data=data(source="self"),
    )
    assert own.created_by_unit == tree.shushan
    with pytest.raises(ValidationError) as caught:
        services.rectification_create(
            actor=Actor(user=people.shushan_secretary),
            campaign=running,
            unit=tree.shushan,
            data=data(source="review"),
        )
    assert "source" in caught.value.message_dict
    with pytest.raises(ForbiddenAction):
        services.rectification_create(
            actor=Actor(user=people.viewer), campaign=running, unit=tree.shushan, data=data()
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("description", " "), ("owner", ""), ("deadline", None), ("code", "99.9"), ("source", "x")],
)
def test_a_bad_item_names_the_field_and_saves_nothing(
    running: Campaign, tree: Tree, people: People, field: str, value: object
):
    with pytest.raises(ValidationError) as caught:
        record(running, tree, people, **{field: value})
    assert field in caught.value.message_dict
    assert not RectificationItem.objects.exists()


def test_close_verify_send_back_and_accept(running: Campaign, tree: Tree, people: People):
    item = record(running, tree, people)
    secretary, city = Actor(user=people.shushan_secretary), Actor(user=people.hefei_admin)
    with pytest.raises(ValidationError) as caught:
        services.rectification_close(
            actor=secretary, item=item, measures="", files=[], expected_lock_version=1
        )
    assert set(caught.value.message_dict) == {"measures", "upload"}
    with pytest.raises(ForbiddenAction):  # the association closes, not the city
        services.rectification_close(
            actor=city, item=item, measures="x", files=[pdf_upload()], expected_lock_version=1
        )
    services.rectification_close(
        actor=secretary,
        item=item,
        measures="争取财政补助，开展有偿服务",
        files=[pdf_upload()],
        expected_lock_version=1,
    )
    assert item.state == RectificationState.CLOSED and item.files.count() == 1
    with pytest.raises(ForbiddenAction):  # nobody verifies their own
        services.rectification_verify(
            actor=secretary, item=item, accept=True, expected_lock_version=item.lock_version
        )
    with pytest.raises(ValidationError):
        services.rectification_verify(
            actor=city, item=item, accept=False, expected_lock_version=item.lock_version
        )
    with pytest.raises(ConflictError):
        services.rectification_verify(actor=city, item=item, accept=True, expected_lock_version=1)
    services.rectification_verify(
        actor=city,
        item=item,
        accept=False,
        reason="补助尚未到位",
        expected_lock_version=item.lock_version,
    )
    item.refresh_from_db()
    assert item.state == RectificationState.OPEN and item.sent_back_reason == "补助尚未到位"
    services.rectification_close(
        actor=secretary,
        item=item,
        measures="补助已到位",
        files=[pdf_upload()],
        expected_lock_version=item.lock_version,
    )
    services.rectification_verify(
        actor=Actor(user=people.anhui_admin),
        item=item,
        accept=True,
        expected_lock_version=item.lock_version,
    )
    item.refresh_from_db()
    assert item.state == RectificationState.VERIFIED and item.verified_by_unit == tree.anhui
    with pytest.raises(DomainError) as state:
        services.rectification_update(
            actor=city, item=item, data=data(), expected_lock_version=item.lock_version
        )
    assert state.value.code == "wrong_state"


def test_overdue_items_show_on_the_pages_and_in_the_notification_centre(
    running: Campaign, tree: Tree, people: People
):
    item = record(running, tree, people, deadline=TODAY - datetime.timedelta(days=3))
    record(running, tree, people, description="已按期", deadline=TODAY + datetime.timedelta(days=3))
    own = client_for(people.shushan_secretary).get(f"/units/{tree.shushan.pk}/assessment/")
    assert own.content.decode().count('data-overdue="1"') == 1
    above = client_for(people.anhui_admin).get(f"/units/{tree.anhui.pk}/assessment/")
    page = above.content.decode()
    assert 'data-testid="overdue-item"' in page and "经费来源单一" in page and "已按期" not in page
    run_reminders(TODAY)
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {RECTIFICATION_OVERDUE, CHILD_RECTIFICATION_OVERDUE} <= kinds
    before = Notification.objects.count()
    run_reminders(TODAY)  # once per item and deadline
    assert Notification.objects.count() == before
    # Verified: no longer overdue.
    services.rectification_close(
        actor=Actor(user=people.shushan_secretary),
        item=item,
        measures="已整改",
        files=[pdf_upload()],
        expected_lock_version=item.lock_version,
    )
    services.rectification_verify(
        actor=Actor(user=people.hefei_admin),
        item=item,
        accept=True,
        expected_lock_version=item.lock_version,
    )
    assert (
        'data-overdue="1"'
        not in client_for(people.shushan_secretary)
        .get(f"/units/{tree.shushan.pk}/assessment/")
        .content.decode()
    )
