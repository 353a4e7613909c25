"""The notification centre's pages: the bell and its unread count on every page, the list in
the reader's language, opening one (marks it read, follows its link), marking all read; only
the user's own; query counts flat from 10 to 1,000 notifications."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import People, client_for
from jiceng.accounts.models import User
from jiceng.core.tests.helpers import assert_queries_flat
from jiceng.notifications.models import Notification

from .conftest import TEST_KIND

LIST = reverse("notifications:list")


def _add(user: User, n: int, *, start: int = 0, read: bool = False) -> list[Notification]:
    now = timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=TEST_KIND,
                params={"n": start + i, "total": 99},
                url=f"/units/{start + i}/campaign/",
                key=f"k{start + i}",
                read_at=now if read else None,
            )
            for i in range(n)
        ]
    )


def _read(pk: int) -> str:
    return reverse("notifications:read", kwargs={"pk": pk})


def test_the_bell_shows_the_unread_count(people: People):
    _add(people.shushan_secretary, 3)
    _add(people.shushan_secretary, 2, start=10, read=True)
    body = (
        client_for(people.shushan_secretary, language="en").get("/", follow=True).content.decode()
    )
    assert 'data-testid="nav-bell"' in body and LIST in body
    assert 'data-testid="bell-count">3<' in body
    body = client_for(people.baohe_secretary, language="en").get("/", follow=True).content.decode()
    assert 'data-testid="nav-bell"' in body and 'data-testid="bell-count"' not in body


def test_the_bell_costs_one_query_and_none_for_anonymous(people: People):
    _add(people.shushan_secretary, 3)
    client = client_for(people.shushan_secretary, language="en")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/", follow=True).status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "read_at" in counts[0]
    with CaptureQueriesContext(connection) as ctx:
        body = Client().get(reverse("accounts:login")).content.decode()
    assert not [q for q in ctx.captured_queries if "notification" in q["sql"]]
    assert 'data-testid="nav-bell"' not in body


@pytest.mark.parametrize(
    ("language", "text", "older"),
    [
        ("en", "7 of 99 resolved or closed", "1 of 99 resolved or closed"),
        ("zh-hans", "99 件中已办结 7 件", "99 件中已办结 1 件"),
    ],
)
def test_the_list_is_newest_first_in_the_readers_language(
    people: People, language: str, text: str, older: str
):
    old = _add(people.shushan_secretary, 1, start=1, read=True)[0]
    Notification.objects.filter(pk=old.pk).update(
        created=timezone.now() - datetime.timedelta(days=1)
    )
    _add(people.shushan_secretary, 1, start=7)
    _add(people.baohe_secretary, 1, start=5)  # someone else's
    body = client_for(people.shushan_secretary, language=language).get(LIST).content.decode()
    assert body.count('data-testid="notification"') == 2
    assert text in body
    assert body.index(text) < body.index(older)
    first, second = body.split('data-testid="notification" ')[1:3]
    assert first.startswith('data-state="unread"') and second.startswith('data-state="read"')
    assert "notification-unread" in body
    assert "5 of 99" not in body and "已办结 5 件" not in body  # not the other user's


def test_the_list_is_paginated(people: People):
    _add(people.shushan_secretary, 60)
    client = client_for(people.shushan_secretary, language="en")
    assert client.get(LIST).content.decode().count('data-testid="notification"') == 50
    body = client.get(LIST + "?page=2").content.decode()
    assert body.count('data-testid="notification"') == 10


def test_opening_one_marks_it_read_and_follows_its_link(people: People):
    notification = _add(people.shushan_secretary, 1, start=4)[0]
    client = client_for(people.shushan_secretary, language="en")
    response = client.post(_read(notification.pk))
    assert response.status_code == 302 and response["Location"] == "/units/4/campaign/"
    notification.refresh_from_db()
    assert notification.is_read
    read_at = notification.read_at
    client.post(_read(notification.pk))  # again: still read, the first time kept
    notification.refresh_from_db()
    assert notification.read_at == read_at
    assert client.get(_read(notification.pk)).status_code == 405


def test_anothers_notification_is_404_and_stays_unread(people: People):
    theirs = _add(people.baohe_secretary, 1)[0]
    client = client_for(people.shushan_secretary, language="en")
    assert client.post(_read(theirs.pk)).status_code == 404
    assert client.post(_read(999_999)).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_all_read(people: People):
    _add(people.shushan_secretary, 3)
    theirs = _add(people.baohe_secretary, 1)[0]
    client = client_for(people.shushan_secretary, language="en")
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(user=people.shushan_secretary, read_at__isnull=True)
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_anonymous_is_sent_to_sign_in():
    response = Client().get(LIST)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
def test_list_query_count_is_flat_from_10_to_1000(people: People):
    added = {"n": 0}

    def grow(n: int) -> None:
        _add(people.shushan_secretary, n, start=added["n"])
        added["n"] += n

    assert_queries_flat(
        client_for(people.shushan_secretary, language="en"), LIST, grow, label="notifications"
    )
