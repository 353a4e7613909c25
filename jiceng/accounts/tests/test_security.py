"""Issue 9, items 15–19: the second factor, lockout by account and address, existence probes,
re-authentication, session lifetime and list, and the security events in the audit log."""

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD, People, client_for
from jiceng.accounts import mfa, reauth, services
from jiceng.accounts.middleware import STARTED_KEY
from jiceng.accounts.models import User, UserSession
from jiceng.accounts.roles import Role, mfa_roles
from jiceng.core.actor import Actor
from jiceng.core.errors import ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.members.tests.factories import make_member

LOGIN = "/login/"
A = "10.0.0.1"
B = "10.0.0.2"


def _client(address: str = A, agent: str = "Pytest browser") -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def _login(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def _code(device: TOTPDevice, *, step_offset: int = 0) -> str:
    return f"{totp(device.bin_key, t0=-step_offset * 30):06d}"


def _enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Enrol `user` through the services, as the page does; returns the device and codes."""
    actor = Actor(user=user)
    device = services.mfa_enrol_start(actor=actor, user=user)
    codes = services.mfa_enrol_confirm(actor=actor, user=user, code=_code(device))
    device.refresh_from_db()
    return device, codes


def _age_auth(client: Client, seconds: int) -> None:
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time()) - seconds
    session.save()


# --- 15. Second factor ------------------------------------------------------------------------


def test_enrolment_shows_a_qr_code_and_the_secret_and_confirms_with_a_code(people: People):
    user = people.viewer
    client = client_for(user, language="en")
    page = client.get(reverse("accounts:mfa_enrol"))
    body = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "<svg" in body and "<img" not in body.split("<main", 1)[1]  # inline, no image URL
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert mfa.secret_of(device) in body

    wrong = client.post(reverse("accounts:mfa_enrol"), {"code": "000000"})
    assert wrong.status_code == 200 and not mfa.has_device(user)
    # django-otp then throttles the device for a second; the user would type more slowly.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)

    done = client.post(reverse("accounts:mfa_enrol"), {"code": _code(device)})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:recovery_codes")
    shown = client.get(done["Location"])
    assert "no-store" in shown["Cache-Control"]
    codes = shown.content.decode().split('data-testid="recovery-codes"')[1].split("</ul>")[0]
    listed = [c.split("</li>")[0] for c in codes.split('<li class="col">')[1:]]
    assert len(listed) == mfa.RECOVERY_CODE_COUNT == 10
    # Shown once; stored only as keyed hashes.
    assert client.get(reverse("accounts:recovery_codes")).status_code == 302
    stored = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & set(listed)
    assert {mfa.recovery_hash(user, c) for c in listed} == stored
    assert mfa.has_device(user)
    assert AuditEntry.objects.filter(action="security.mfa_enabled", actor=user).exists()


def test_sign_in_asks_for_the_code_after_the_password(people: People):
    user = people.shushan_secretary
    device, _codes = _enrol(user)
    client = _client()
    response = _login(client, "shushan")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login_code")
    # Not signed in yet: pages send back to sign-in.
    assert client.get("/units/search/")["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session

    # The enrolment's code cannot be used again: the app's next one.
    assert client.post(reverse("accounts:login_code"), {"code": _code(device)}).status_code == 200
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    response = client.post(reverse("accounts:login_code"), {"code": _code(device, step_offset=1)})
    assert response.status_code == 302
    assert client.get("/units/search/").status_code == 200
    entry = AuditEntry.objects.filter(action="security.sign_in").latest("pk")
    assert entry.actor == user and entry.source_address == A
    assert entry.after == {"second_factor": "totp"}


def test_a_recovery_code_signs_in_once(people: People):
    user = people.shushan_secretary
    _device, codes = _enrol(user)
    client = _client()
    _login(client, "shushan")
    response = client.post(reverse("accounts:login_code"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/units/search/").status_code == 200
    assert mfa.recovery_codes_left(user) == 9
    assert AuditEntry.objects.filter(action="security.recovery_code_used", actor=user).exists()

    again = _client(B)
    _login(again, "shushan")
    response = again.post(reverse("accounts:login_code"), {"code": codes[0]})
    assert response.status_code == 200  # used up
    assert again.get("/units/search/")["Location"].startswith(LOGIN)


def test_wrong_codes_count_as_failed_sign_ins_and_lock(people: People):
    _enrol(people.shushan_secretary)
    client = _client()
    _login(client, "shushan")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("accounts:login_code"), {"code": "123456"})
        assert response.status_code == 200
    response = client.post(reverse("accounts:login_code"), {"code": "123456"})
    assert response.status_code == 429
    failed = AuditEntry.objects.filter(action="security.sign_in_failed")
    assert failed.count() == settings.AXES_FAILURE_LIMIT
    assert failed.first().after == {"step": "second_factor"}  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="security.locked_out").exists()
    # Locked from this address: even the password is refused now.
    assert _login(_client(), "shushan").status_code == 429


def test_required_roles_must_enrol_before_using_the_app(people: People, settings: Any):
    settings.MFA_REQUIRED_ROLES = [Role.GRASSROOTS_SECRETARY]
    client = _client()
    assert _login(client, "shushan").status_code == 302
    response = client.get("/units/search/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:mfa_enrol")
    assert client.get("/api/v1/units/").status_code == 403
    assert client.get("/units/search/", HTTP_HX_REQUEST="true")["HX-Redirect"] == reverse(
        "accounts:mfa_enrol"
    )
    page = client.get(reverse("accounts:mfa_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=people.shushan_secretary)
    client.post(reverse("accounts:mfa_enrol"), {"code": _code(device)})
    assert client.get("/units/search/").status_code == 200
    # A role outside the list signs in with the password alone.
    viewer = _client()
    _login(viewer, "viewer")
    assert viewer.get("/units/search/").status_code == 200
    # The user may not turn it off while the role requires it.
    with pytest.raises(ForbiddenAction):
        services.mfa_disable(
            actor=Actor(user=people.shushan_secretary), user=people.shushan_secretary
        )


def test_required_roles_setting_per_environment(settings: Any):
    sensitive = {
        Role.NATIONAL_ADMIN,
        Role.PROVINCIAL_ADMIN,
        Role.CITY_ADMIN,
        Role.GRASSROOTS_SECRETARY,
        Role.BRANCH_STAFF,
    }
    assert set(mfa_roles()) == sensitive  # every role that may unmask or manage accounts
    assert settings.MFA_REQUIRED_ROLES == []  # tests (and base) default to none
    env = {k: v for k, v in os.environ.items() if k not in ("MFA_REQUIRED_ROLES",)}
    env["SECRET_KEY"] = "x" * 60
    script = "import jiceng.settings.{0} as s; print(','.join(s.MFA_REQUIRED_ROLES))"
    for module, expected in (("production", sensitive), ("local", set())):
        out = subprocess.run(
            [sys.executable, "-c", script.format(module)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert set(filter(None, out.split(","))) == expected, module


def test_deploy_check_names_roles_without_a_second_factor(settings: Any, capsys: Any):
    from jiceng.accounts.checks import second_factor_roles

    settings.MFA_REQUIRED_ROLES = []
    warnings = second_factor_roles()
    assert [w.id for w in warnings] == ["accounts.W001"]
    assert "branch_staff" in warnings[0].msg
    settings.MFA_REQUIRED_ROLES = mfa_roles()
    assert second_factor_roles() == []


def test_an_admin_above_resets_the_second_factor(people: People):
    _enrol(people.shushan_secretary)
    url = reverse("accounts:mfa_reset", kwargs={"pk": people.shushan_secretary.pk})
    assert client_for(people.outsider).post(url).status_code == 404
    assert client_for(people.viewer).post(url).status_code == 403
    assert mfa.has_device(people.shushan_secretary)
    edit = client_for(people.hefei_admin, language="en").get(
        reverse("accounts:edit", kwargs={"pk": people.shushan_secretary.pk})
    )
    assert url in edit.content.decode()
    assert client_for(people.hefei_admin).post(url).status_code == 302
    assert not mfa.has_device(people.shushan_secretary)
    assert mfa.recovery_codes_left(people.shushan_secretary) == 0
    entry = AuditEntry.objects.get(action="security.mfa_reset")
    assert entry.actor == people.hefei_admin and entry.object_id == str(people.shushan_secretary.pk)
    with pytest.raises(ForbiddenAction):
        services.mfa_reset(actor=Actor(user=people.hefei_admin), user=people.hefei_admin)


def test_a_user_turns_the_second_factor_off(people: People):
    _enrol(people.viewer)
    client = client_for(people.viewer)
    assert client.post(reverse("accounts:mfa_disable")).status_code == 302
    assert not mfa.has_device(people.viewer)
    assert AuditEntry.objects.filter(action="security.mfa_disabled").exists()


def test_new_recovery_codes_replace_the_old_ones_and_are_audited(people: People):
    _device, old = _enrol(people.viewer)
    new = services.mfa_recovery_codes_renew(actor=Actor(user=people.viewer), user=people.viewer)
    assert len(new) == mfa.RECOVERY_CODE_COUNT and not set(new) & set(old)
    entry = AuditEntry.objects.get(action="security.recovery_codes_renewed")
    assert entry.actor == people.viewer and not any(code in str(entry.after) for code in new)


# --- 16. Lockout by account and address ------------------------------------------------------


def test_failures_from_one_address_do_not_lock_the_account_from_another(people: People):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(_client(A), "national", "wrong-password-1")
    locked = _login(_client(A), "national")
    assert locked.status_code == 429
    client_b = _client(B)
    assert _login(client_b, "national").status_code == 302
    assert client_b.get("/units/search/").status_code == 200


def test_the_login_page_says_the_account_is_locked_and_until_when(people: People):
    from django.utils import formats, timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(_client(), "viewer", "wrong-password-1")
    client = _client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = _login(client, "viewer")
    body = response.content.decode()
    assert response.status_code == 429 and "locked for 30 minutes" in body
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    assert f"ends at {formats.date_format(until, 'H:i')}" in body


# --- 17. Existence probes ---------------------------------------------------------------------


def _create(client: Client, **fields: str) -> Any:
    data = {
        "username": "newbie",
        "full_name": "新人",
        "role": "viewer",
        "unit_code": "340100",
        "new_password": PASSWORD,
        "is_active": "on",
        **fields,
    }
    return client.post(reverse("accounts:create"), data)


def test_a_username_or_phone_outside_scope_is_not_revealed_and_the_probe_is_audited(
    people: People,
):
    client = client_for(people.hefei_admin, language="en")
    outside = _create(client, username="jiangsu", phone=people.outsider.phone or "")
    body = outside.content.decode()
    assert outside.status_code == 200
    assert "This username cannot be used" in body and "cannot be used for a new account" in body
    assert "already exists" not in body
    probe = AuditEntry.objects.get(action="security.existence_probe")
    assert probe.actor == people.hefei_admin and probe.unit == people.hefei_admin.unit
    assert probe.after == {"fields": ["username", "phone"]}
    assert (people.outsider.phone or "") not in str(probe.after) + probe.object_repr

    inside = _create(client, username="shushan").content.decode()
    assert "already exists" in inside
    assert AuditEntry.objects.filter(action="security.existence_probe").count() == 1
    assert not User.objects.filter(username="newbie").exists()


def test_account_services_authorize_before_writing(people: People):
    with pytest.raises(ForbiddenAction):
        services.account_create(
            actor=Actor(user=people.viewer),
            data={"username": "sneaky", "role": Role.VIEWER, "unit": people.viewer.unit},
            password=PASSWORD,
        )
    with pytest.raises(ForbiddenAction):
        services.account_unlock(actor=Actor(user=people.branch_staff), user=people.viewer)
    with pytest.raises(ForbiddenAction):
        services.password_change(
            actor=Actor(user=people.hefei_admin), user=people.viewer, new_password="Another-pass-77"
        )
    assert not User.objects.filter(username="sneaky").exists()


# --- 18. Re-authentication, session lifetime, the session list --------------------------------


def test_unmasking_asks_for_the_password_again_after_a_while(people: People):
    member = make_member(people.branch_staff.unit, id_number="110105199001011232")
    client = client_for(people.branch_staff, language="en")
    url = reverse("members:unmask", kwargs={"pk": member.pk})
    detail = reverse("members:detail", kwargs={"pk": member.pk})
    assert client.post(url).status_code == 200  # just signed in: recent enough

    _age_auth(client, settings.REAUTH_MAX_AGE + 1)
    response = client.post(url, HTTP_REFERER=f"http://testserver{detail}")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth") + "?next=")
    htmx = client.post(
        url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{detail}"
    )
    assert htmx["HX-Redirect"] == f"{reverse('accounts:reauth')}?next={detail.replace('/', '%2F')}"

    wrong = client.post(reverse("accounts:reauth"), {"secret": "nope-nope-1", "next": detail})
    assert wrong.status_code == 200
    done = client.post(reverse("accounts:reauth"), {"secret": PASSWORD, "next": detail})
    assert done.status_code == 302 and done["Location"] == detail
    assert client.post(url).status_code == 200
    entry = AuditEntry.objects.get(action="security.reauthenticated")
    assert entry.actor == people.branch_staff and entry.after == {"with": "password"}


def test_reauthentication_uses_the_second_factor_when_enrolled(people: People):
    device, _ = _enrol(people.shushan_secretary)
    client = client_for(people.shushan_secretary)
    _age_auth(client, settings.REAUTH_MAX_AGE + 1)
    assert client.get(reverse("accounts:tokens")).status_code == 302
    assert client.post(reverse("accounts:reauth"), {"secret": PASSWORD}).status_code == 200
    # The next time step: the enrolment code cannot be replayed.
    code = _code(device, step_offset=1)
    assert client.post(reverse("accounts:reauth"), {"secret": code}).status_code == 302
    assert client.get(reverse("accounts:tokens")).status_code == 200


@pytest.mark.parametrize(
    ("name", "needs"),
    [
        ("accounts:edit", True),
        ("accounts:password_change", True),
        ("accounts:tokens", True),
        ("accounts:mfa_enrol", True),
        ("accounts:security", False),
        ("accounts:list", False),
    ],
)
def test_account_changes_need_a_recent_authentication(people: People, name: str, needs: bool):
    kwargs = {"pk": people.viewer.pk} if name == "accounts:edit" else None
    client = client_for(people.hefei_admin)
    _age_auth(client, settings.REAUTH_MAX_AGE + 1)
    response = client.get(reverse(name, kwargs=kwargs))
    assert (response.status_code == 302) is needs
    if needs:
        assert response["Location"].startswith(reverse("accounts:reauth"))


def test_only_the_unmasked_export_is_sensitive(people: People):
    client = client_for(people.shushan_secretary)
    _age_auth(client, settings.REAUTH_MAX_AGE + 1)
    url = reverse("members:export_csv", kwargs={"pk": people.shushan_secretary.unit.pk})
    assert client.get(url).status_code == 200
    assert client.get(url, {"unmasked": "1"})["Location"].startswith(reverse("accounts:reauth"))


def test_sessions_end_after_the_absolute_lifetime_however_active(people: People):
    client = _client()
    _login(client, "viewer")
    assert client.get("/units/search/").status_code == 200
    session = client.session
    session[STARTED_KEY] = int(time.time()) - settings.SESSION_ABSOLUTE_AGE - 1
    session.save()
    response = client.get("/units/search/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get("/units/search/")["Location"].startswith(LOGIN)
    assert AuditEntry.objects.filter(action="security.session_ended").exists()
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 3600


def test_a_user_sees_their_sessions_and_ends_another(people: People):
    laptop = _client(A)
    phone = _client(B, agent="Phone browser")
    _login(laptop, "viewer")
    _login(phone, "viewer")
    page = laptop.get(reverse("accounts:security")).content.decode()
    assert "Pytest browser" in page and "Phone browser" in page and B in page
    other = UserSession.objects.get(user=people.viewer, ip_address=B)
    mine = UserSession.objects.get(user=people.viewer, ip_address=A)
    # Not someone else's, not this one.
    page_url = reverse("accounts:security")
    assert client_for(people.national).post(page_url, {"end": other.pk}).status_code == 404
    for raw in (mine.pk, "abc", "-1", ""):
        assert laptop.post(page_url, {"end": raw}).status_code == 404, raw
    assert laptop.post(page_url, {"end": other.pk}).status_code == 302
    assert phone.get("/units/search/")["Location"].startswith(LOGIN)
    assert laptop.get("/units/search/").status_code == 200
    entry = AuditEntry.objects.get(action="security.session_ended")
    assert entry.actor == people.viewer and entry.source_address == A


# --- 19. Security events in the audit log -----------------------------------------------------


def test_sign_in_failure_lockout_unlock_and_sign_out_are_audited(people: People):
    client = _client()
    assert _login(client, "viewer").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(_client(), "viewer", "wrong-password-1")
    _login(_client(), "nobody-at-all", "wrong-password-1")
    admin = client_for(people.hefei_admin)
    admin.post(reverse("accounts:unlock", kwargs={"pk": people.viewer.pk}))

    def entries(action: str) -> Any:
        return AuditEntry.objects.filter(action=action)

    assert entries("security.sign_in").get().source_address == A
    assert entries("security.sign_out").get().actor == people.viewer
    failed = entries("security.sign_in_failed")
    assert (
        failed.filter(actor=people.viewer, source_address=A).count() == settings.AXES_FAILURE_LIMIT
    )
    unknown = failed.get(actor=None)
    assert unknown.unit is None and "nobody" not in unknown.object_repr + str(unknown.after)
    assert entries("security.locked_out").filter(actor=people.viewer).exists()
    assert entries("security.unlocked").get().actor == people.hefei_admin


def test_existing_sessions_still_work_with_the_new_checks(people: People):
    """A session signed in before this release has no start time: it runs to its idle limit."""
    client = client_for(people.viewer)
    session = client.session
    del session[STARTED_KEY]
    session.save()
    assert client.get("/units/search/").status_code == 200


def test_security_page_lists_the_sections(people: People):
    body = client_for(people.viewer, language="en").get(reverse("accounts:security")).content
    text = body.decode()
    for fragment in (
        reverse("accounts:password_change"),
        reverse("accounts:mfa_enrol"),
        reverse("accounts:tokens"),
        'data-testid="sessions"',
    ):
        assert fragment in text


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "accounts", "--check", "--dry-run", verbosity=0)
