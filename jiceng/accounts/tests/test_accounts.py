"""Admins create, change and disable accounts inside their subtree only."""

from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.accounts.models import User
from jiceng.core.models import AuditEntry

GOOD = "Strong-enough-pass-7"


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newbie",
        "full_name": "新人",
        "phone": "",
        "email": "",
        "role": "viewer",
        "unit_code": "340104",
        "new_password": GOOD,
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_city_admin_creates_an_account_in_its_subtree(people: People, tree: Tree):
    response = client_for(people.hefei_admin).post(reverse("accounts:create"), _form())
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.unit == tree.shushan
    assert user.check_password(GOOD)
    entry = AuditEntry.objects.get(action="account.create")
    assert entry.after and "password" not in entry.after


def test_account_outside_the_subtree_is_refused(people: People):
    response = client_for(people.hefei_admin).post(
        reverse("accounts:create"), _form(unit_code="320102")
    )
    assert response.status_code == 200
    assert "您的管辖范围内没有代码为 320102 的单位" in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


def test_role_must_fit_the_unit_level(people: People):
    response = client_for(people.hefei_admin).post(
        reverse("accounts:create"), _form(role="city_admin")
    )
    assert response.status_code == 200
    assert "账号只能属于以下层级的单位" in response.content.decode()


def test_duplicate_username_and_bad_phone_are_named(people: People):
    response = client_for(people.hefei_admin).post(
        reverse("accounts:create"), _form(username="shushan", phone="1380013800")
    )
    body = response.content.decode()
    assert 'data-field="username"' in body and 'data-field="phone"' in body


def test_admin_disables_an_account_but_not_their_own(people: People):
    admin = client_for(people.hefei_admin)
    target = people.viewer
    url = reverse("accounts:edit", kwargs={"pk": target.pk})
    response = admin.post(
        url,
        {
            "full_name": "x",
            "role": "viewer",
            "unit_code": "340100",
            "lock_version": target.lock_version,
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    own = reverse("accounts:edit", kwargs={"pk": people.hefei_admin.pk})
    response = admin.post(
        own,
        {
            "full_name": "x",
            "role": "city_admin",
            "unit_code": "340100",
            "lock_version": people.hefei_admin.lock_version,
        },
    )
    assert "不能停用自己的账号" in response.content.decode()


def test_account_list_is_scoped(people: People):
    body = client_for(people.hefei_admin).get(reverse("accounts:list")).content.decode()
    assert "shushan" in body and "jiangsu" not in body and ">anhui<" not in body


def test_branch_staff_cannot_manage_accounts(people: People):
    assert client_for(people.branch_staff).get(reverse("accounts:list")).status_code == 403


def test_password_change(people: People):
    client = client_for(people.viewer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "Correct-horse-battery-9", "new_password": GOOD},
    )
    assert response.status_code == 302
    people.viewer.refresh_from_db()
    assert people.viewer.check_password(GOOD)
