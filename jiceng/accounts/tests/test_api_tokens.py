"""API tokens: a script acts as the token's account, inside its subtree, until the token is
revoked or the account disabled. Only the key's hash is stored; every change is audited."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import People, Tree, client_for
from jiceng.accounts import services
from jiceng.accounts.models import ApiToken, User
from jiceng.core.actor import Actor
from jiceng.core.errors import ForbiddenAction
from jiceng.core.models import AuditEntry
from jiceng.members.tests.factories import make_member


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _token(user: User, name: str = "script") -> tuple[ApiToken, str]:
    return services.api_token_create(actor=Actor(user=user), name=name)


def test_a_token_sees_only_its_owners_subtree(people: People, tree: Tree):
    mine = make_member(tree.branch, business_name="城关的商户")
    sibling = make_member(tree.baohe, business_name="包河的商户")
    _, key = _token(people.shushan_secretary)
    api = _api(key)

    assert api.get("/api/v1/me/").json()["username"] == "shushan"
    codes = {u["code"] for u in api.get("/api/v1/units/").json()["results"]}
    assert codes == {"340104", "340104001", "340104001001"}
    assert api.get(f"/api/v1/units/{tree.baohe.pk}/").status_code == 404
    assert api.get(f"/api/v1/units/{tree.baohe.pk}/children/").status_code == 404
    assert api.get(f"/api/v1/units/{tree.baohe.pk}/dues/").status_code == 404
    names = [m["business_name"] for m in api.get("/api/v1/members/").json()["results"]]
    assert names == [mine.business_name]
    assert api.get(f"/api/v1/members/{sibling.pk}/").status_code == 404
    assert api.get(f"/api/v1/members/?unit={tree.baohe.pk}").status_code == 404
    assert api.get(f"/api/v1/members/{mine.pk}/").status_code == 200


def test_the_hash_is_stored_not_the_key(people: People):
    token, key = _token(people.viewer)
    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix) and len(token.prefix) < len(key) // 2
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(key in str(value) for value in row.values())


def test_last_use_is_recorded(people: People):
    token, key = _token(people.viewer)
    assert token.last_used_at is None
    assert _api(key).get("/api/v1/me/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_tokens_stop_working(people: People):
    token, key = _token(people.viewer)
    assert _api(key).get("/api/v1/units/").status_code == 200
    services.api_token_revoke(actor=Actor(user=people.viewer), token=token)
    assert token.revoked_at is not None
    assert _api(key).get("/api/v1/units/").status_code == 403


def test_tokens_of_a_disabled_account_stop_working(people: People):
    _, key = _token(people.viewer)
    assert _api(key).get("/api/v1/units/").status_code == 200
    User.objects.filter(pk=people.viewer.pk).update(is_active=False)
    assert _api(key).get("/api/v1/units/").status_code == 403


@pytest.mark.parametrize("header", ["Token", "Token not-a-key", "Token a b", "Token jct_\xe9"])
def test_bad_token_headers_are_refused(people: People, header: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/units/")
    assert response.status_code == 403


def test_a_token_does_not_sign_in_to_the_pages(people: People):
    _, key = _token(people.viewer)
    response = Client().get(reverse("org:search"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 302  # to the sign-in page


def test_creating_and_revoking_are_audited_without_the_key(people: People):
    token, key = _token(people.viewer, name="月报脚本")
    services.api_token_revoke(actor=Actor(user=people.viewer), token=token)
    services.api_token_revoke(actor=Actor(user=people.viewer), token=token)  # no second entry
    created = AuditEntry.objects.get(action="account.token.create")
    revoked = AuditEntry.objects.get(action="account.token.revoke")
    for entry in (created, revoked):
        assert entry.actor == people.viewer and entry.unit == people.viewer.unit
        assert entry.object_id == str(token.pk)
        assert key not in str(entry.before) + str(entry.after) + entry.object_repr
    assert created.after == {"name": "月报脚本", "prefix": token.prefix}


def test_one_user_cannot_revoke_anothers_token(people: People):
    token, key = _token(people.viewer)
    with pytest.raises(ForbiddenAction):
        services.api_token_revoke(actor=Actor(user=people.national), token=token)
    response = client_for(people.national).post(reverse("accounts:tokens"), {"revoke": token.pk})
    assert response.status_code == 404
    for raw in ("abc", "-1", "99999999999999999999", ""):
        response = client_for(people.viewer).post(reverse("accounts:tokens"), {"revoke": raw})
        assert response.status_code == 404, raw
    token.refresh_from_db()
    assert token.revoked_at is None and _api(key).get("/api/v1/me/").status_code == 200
    assert not AuditEntry.objects.filter(action="account.token.revoke").exists()


def test_the_page_creates_shows_the_key_once_and_revokes(people: People):
    client = client_for(people.branch_staff)
    assert (
        client.get(reverse("accounts:security")).content.decode().count(reverse("accounts:tokens"))
    )
    # Post/redirect/get: the POST makes the token and redirects; a reload of the page that
    # follows cannot make a second one, and shows the key no more.
    response = client.post(reverse("accounts:tokens"), {"name": "导出脚本"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:tokens")
    response = client.get(response["Location"])
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=people.branch_staff)
    body = response.content.decode()
    key = body.split('data-testid="new-key"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert token.key_hash == ApiToken.hash_key(key) and "导出脚本" in body
    listing = client.get(reverse("accounts:tokens")).content.decode()
    assert token.prefix in listing and key not in listing
    assert ApiToken.objects.filter(user=people.branch_staff).count() == 1

    assert client.post(reverse("accounts:tokens"), {"name": " "}).status_code == 200
    assert ApiToken.objects.filter(user=people.branch_staff).count() == 1

    response = client.post(reverse("accounts:tokens"), {"revoke": token.pk})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _api(key).get("/api/v1/me/").status_code == 403


def test_the_page_lists_only_ones_own_tokens(people: People):
    _token(people.national, name="national-secret-script")
    body = client_for(people.viewer).get(reverse("accounts:tokens")).content.decode()
    assert "national-secret-script" not in body
    assert Client().get(reverse("accounts:tokens")).status_code == 302


def test_the_token_list_heads_the_creation_time_column(people: People):
    body = client_for(people.viewer, language="en").get(reverse("accounts:tokens"))
    assert "<th>Created at</th>" in body.content.decode()
