"""notify(): one notification per active user bound to each unit, once per (user, key), shown
in the reader's language; the model keeps links on this site; email when configured."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conftest import People, Tree, make_user
from jiceng.accounts.roles import Role
from jiceng.notifications import services
from jiceng.notifications.kinds import Kind, get_kind, register_kind
from jiceng.notifications.models import Notification, validate_site_path
from jiceng.notifications.reminders import Notice
from jiceng.org.models import Unit

from .conftest import TEST_KIND

URL = "/units/1/campaign/"


def _notify(units: list[Unit], key: str = "k1", params: dict | None = None) -> int:
    return services.notify(
        kind=TEST_KIND,
        units=units,
        params=params or {"n": 3, "total": 5},
        url=URL,
        key=key,
    )


def test_one_per_active_bound_user_and_never_twice(tree: Tree, people: People):
    second = make_user("shushan2", Role.GRASSROOTS_SECRETARY, tree.shushan)
    gone = make_user("shushan3", Role.GRASSROOTS_SECRETARY, tree.shushan)
    gone.is_active = False
    gone.save()
    assert _notify([tree.shushan, tree.baohe]) == 3
    assert set(Notification.objects.values_list("user__username", flat=True)) == {
        "shushan",
        second.username,
        "baohe",
    }
    # Users above or below the unit are not bound to it.
    assert not Notification.objects.filter(user__in=[people.hefei_admin, people.branch_staff])
    assert _notify([tree.shushan, tree.baohe]) == 0  # running it twice sends nothing twice
    assert Notification.objects.count() == 3
    assert _notify([tree.shushan], key="k2") == 2  # another key is another notice


def test_a_queryset_of_units_is_sent_set_based(
    tree: Tree, people: People, django_assert_max_num_queries
):
    units = Unit.objects.filter(level="grassroots")
    with django_assert_max_num_queries(6):
        assert _notify(units) == 2  # shushan and baohe have a secretary; xuanwu has nobody
    assert _notify(units) == 0


def test_many_notices_take_a_few_queries_per_batch(
    tree: Tree, people: People, django_assert_max_num_queries
):
    notices = [
        Notice(
            kind=TEST_KIND, units=[unit], params={"n": 1, "total": 2}, url=URL, key=f"k{unit.pk}"
        )
        for unit in Unit.objects.all()
    ]
    with django_assert_max_num_queries(6):
        created = services.notify_many(notices)
    assert created == Notification.objects.count() == 9  # every person of the tree


@pytest.mark.parametrize(
    ("language", "text", "label"),
    [
        ("en", "3 of 5 resolved or closed", "Audit log"),
        ("zh-hans", "5 件中已办结 3 件", "审计日志"),
    ],
)
def test_text_is_rendered_in_the_readers_language(
    tree: Tree, people: People, language: str, text: str, label: str
):
    _notify([tree.shushan], params={"n": 3, "total": 5})
    notification = Notification.objects.get()
    with translation.override(language):
        assert notification.text == text
        assert notification.label == label


def test_unknown_kind_and_bad_params_are_refused(tree: Tree, people: People):
    with pytest.raises(KeyError):
        services.notify(kind="no.such", units=[tree.shushan], params={}, url=URL, key="k")
    with pytest.raises(TypeError):
        services.notify(
            kind=TEST_KIND,
            units=[tree.shushan],
            params={"task": object()},  # type: ignore[dict-item]
            url=URL,
            key="k",
        )
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "units/1/", "/\\evil"]
)
def test_links_stay_on_the_site(tree: Tree, people: People, url: str):
    with pytest.raises(ValidationError) as caught:
        validate_site_path(url)
    assert caught.value.code == "invalid_path"
    with pytest.raises(ValidationError):
        services.notify(kind=TEST_KIND, units=[tree.shushan], params={}, url=url, key="k")
    if not url.startswith("/"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(
                user=people.shushan_secretary, kind=TEST_KIND, url=url, key="x"
            )


def test_register_kind_refuses_a_taken_code():
    register_kind(get_kind(TEST_KIND))  # the same kind again is fine
    with pytest.raises(ValueError, match="registered twice"):
        register_kind(Kind(code=TEST_KIND, label=get_kind(TEST_KIND).label, message="other"))  # type: ignore[arg-type]


def test_unique_per_user_and_key(people: People):
    Notification.objects.create(user=people.shushan_secretary, kind=TEST_KIND, url=URL, key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=people.shushan_secretary, kind=TEST_KIND, url=URL, key="k")


def test_read_and_read_all_touch_only_the_users_own(people: People):
    mine = Notification.objects.create(
        user=people.shushan_secretary, kind=TEST_KIND, url=URL, key="a"
    )
    Notification.objects.create(user=people.shushan_secretary, kind=TEST_KIND, url=URL, key="b")
    theirs = Notification.objects.create(
        user=people.baohe_secretary, kind=TEST_KIND, url=URL, key="a"
    )
    from django.http import Http404

    with pytest.raises(Http404):
        services.notification_read(user=people.shushan_secretary, pk=theirs.pk)
    assert services.notification_read(user=people.shushan_secretary, pk=mine.pk).is_read
    assert services.notifications_read_all(user=people.shushan_secretary) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- email ----------------------------------------------------------------------------------


def test_no_mail_by_default(tree: Tree, people: People, django_capture_on_commit_callbacks):
    people.shushan_secretary.email = "s@example.org"
    people.shushan_secretary.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([tree.shushan]) == 1
    assert mail.outbox == []


def test_mail_in_chinese_when_a_mail_host_is_set(
    tree: Tree, people: People, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "mail.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    people.shushan_secretary.email = "s@example.org"
    people.shushan_secretary.save()
    make_user("shushan2", Role.GRASSROOTS_SECRETARY, tree.shushan)  # no address: no mail
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([tree.shushan]) == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["s@example.org"]
    assert "5 件中已办结 3 件" in message.subject and "5 件中已办结 3 件" in message.body
    assert URL in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([tree.shushan]) == 0
    assert len(mail.outbox) == 1  # nothing twice


class _Broken:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        raise OSError("connection refused for s@example.org")

    def __exit__(self, *args):
        return False


def test_a_mail_failure_is_logged_without_personal_data_and_keeps_the_notifications(
    tree: Tree, people: People, settings, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "mail.example.org"
    people.shushan_secretary.email = "s@example.org"
    people.shushan_secretary.save()
    monkeypatch.setattr(services.mail, "get_connection", lambda *a, **k: _Broken())
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify([tree.shushan]) == 1
    assert Notification.objects.count() == 1
    assert "mailing 1 notifications failed: OSError" in caplog.text
    assert "s@example.org" not in caplog.text and "shushan" not in caplog.text


def test_a_notice_to_more_units_than_a_batch_is_cut(tree: Tree, people: People, monkeypatch):
    monkeypatch.setattr(services, "BATCH_UNITS", 2)
    units = list(Unit.objects.order_by("path"))  # ten units, nine with someone bound
    with CaptureQueriesContext(connection) as ctx:
        assert _notify(units) == 9
    users = [q for q in ctx.captured_queries if 'FROM "accounts_user"' in q["sql"]]
    assert len(users) == 5  # five batches of two units
    assert _notify(units) == 0
