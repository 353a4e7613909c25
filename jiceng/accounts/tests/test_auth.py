"""Sign-in, lockout, passwords, sessions and the security headers."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from conftest import PASSWORD, People, Tree, client_for
from jiceng.accounts.models import User
from jiceng.core.models import AuditEntry

LOGIN = "/login/"


def _login(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def test_sign_in_with_username_or_phone(people: People):
    assert _login(Client(), "shushan", PASSWORD).status_code == 302
    phone = people.shushan_secretary.phone
    assert phone
    client = Client()
    assert _login(client, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}", PASSWORD).status_code == 302
    assert client.get("/").status_code == 302  # to the user's own unit
    assert client.get("/", follow=True).status_code == 200


def test_wrong_password_gives_a_clear_message(people: People):
    response = _login(Client(), "shushan", "wrong-password-1")
    assert response.status_code == 200
    assert "用户名、手机号或密码错误" in response.content.decode()


def test_disabled_account_cannot_sign_in(people: People):
    User.objects.filter(pk=people.viewer.pk).update(is_active=False)
    assert _login(Client(), "viewer", PASSWORD).status_code == 200


def test_lockout_after_repeated_failures_and_admin_unlock(people: People):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), people.shushan_secretary.phone or "", "wrong-password-1")
    # Locked: even the right password is refused, whichever identifier is typed.
    response = _login(Client(), "shushan", PASSWORD)
    assert response.status_code == 429
    assert "已被锁定" in response.content.decode()
    admin = client_for(people.hefei_admin)
    listing = admin.get(reverse("accounts:list")).content.decode()
    assert "已锁定" in listing
    # An outsider cannot unlock it; the city admin above can.
    outsider = client_for(people.outsider)
    unlock_url = reverse("accounts:unlock", kwargs={"pk": people.shushan_secretary.pk})
    assert outsider.post(unlock_url).status_code == 404
    assert admin.post(unlock_url).status_code == 302
    assert AuditEntry.objects.filter(action="account.unlock").exists()
    assert _login(Client(), "shushan", PASSWORD).status_code == 302


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_passwords_are_hashed_with_argon2(tree: Tree):
    from jiceng.accounts.roles import Role

    user = User(username="newbie", role=Role.VIEWER, unit=tree.hefei)
    user.set_password(PASSWORD)
    assert identify_hasher(user.password).algorithm == "argon2"
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1!", "密码太短"),
        ("12345678901", "密码只包含数字"),
        ("password123", "这个密码太常见了"),
    ],
)
def test_password_policy(people: People, password: str, fragment: str):
    admin = client_for(people.hefei_admin)
    response = admin.post(
        reverse("accounts:create"),
        {
            "username": "newbie",
            "full_name": "新人",
            "role": "viewer",
            "unit_code": "340100",
            "new_password": password,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert fragment in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_session_expires_after_inactivity(people: People):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    assert _login(client, "shushan", PASSWORD).status_code == 302
    assert client.get("/", follow=True).status_code == 200
    # Each request pushes the expiry forward by the idle limit.
    session = Session.objects.get()
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert session.expire_date > timezone.now() + idle - timedelta(minutes=1)
    # Idle past the limit: the next request is sent back to sign in.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/units/search/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_security_headers_and_csp(people: People):
    response = Client().get(LOGIN)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "csrftoken" in response.cookies


def test_csrf_is_enforced(people: People):
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "shushan", "password": PASSWORD}).status_code == 403


def test_pages_refuse_anonymous_users(tree: Tree):
    response = Client().get(reverse("org:unit", kwargs={"pk": tree.root.pk}))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert Client().get("/api/v1/units/").status_code == 403


def test_no_asset_is_loaded_from_another_host(people: People):
    body = client_for(people.national).get("/", follow=True).content.decode()
    for marker in ("http://", "https://", "//cdn"):
        assert marker not in body.replace("http://www.w3.org", "")
