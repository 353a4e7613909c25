"""Item 7 of issue 9: crafted input is a 400 naming the parameter (404 for a malformed id in
the path, always the API's JSON 404), in the user's language, never a 500."""

import base64

import pytest
from django.test import Client

from conftest import People, Tree, client_for
from jiceng.members.tests.factories import make_member

HUGE = "9223372036854775808"  # 2**63: one past the largest key


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _json_client(client: Client) -> Client:
    client.raise_request_exception = False  # a 500 is an answer to assert on, not a crash
    return client


@pytest.mark.parametrize(
    "cursor",
    [
        "cD1hYmM=",  # p=abc: the position is not an id
        _cursor(f"p={HUGE}"),  # past the largest key (OverflowError on SQLite)
        _cursor("p=-1"),
        _cursor("o=abc"),
        _cursor("r=1&p=1.5"),
        "!!!",  # not base64
    ],
)
def test_a_malformed_cursor_is_400_naming_it(people: People, tree: Tree, cursor: str):
    make_member(tree.branch)
    client = _json_client(client_for(people.national, language="en"))
    response = client.get("/api/v1/members/", {"cursor": cursor})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["cursor"]
    assert response.json()["cursor"] == ["Invalid cursor"]


def test_a_good_cursor_still_pages(people: People, tree: Tree, monkeypatch: pytest.MonkeyPatch):
    from jiceng.api.views import MemberCursor

    monkeypatch.setattr(MemberCursor, "page_size", 1)
    for n in range(3):
        make_member(tree.branch, business_name=f"商户{n}")
    client = client_for(people.national)
    names: list[str] = []
    url = "/api/v1/members/"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        names += [m["business_name"] for m in response.json()["results"]]
        url = response.json()["next"]
    assert names == ["商户2", "商户1", "商户0"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("page=-3", "page"),
        (f"page={HUGE}0", "page"),
    ],
)
def test_a_malformed_page_number_is_400_naming_it(
    people: People, tree: Tree, query: str, parameter: str
):
    response = client_for(people.national, language="en").get(f"/api/v1/units/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()


def test_a_page_past_the_end_is_404(people: People, tree: Tree):
    response = client_for(people.national).get("/api/v1/units/?page=99")
    assert response.status_code == 404 and "detail" in response.json()


@pytest.mark.parametrize("value", ["abc", HUGE, "-5", "0", "1.5"])
def test_a_malformed_unit_parameter_is_400_naming_it(people: People, tree: Tree, value: str):
    response = client_for(people.national, language="en").get("/api/v1/members/", {"unit": value})
    assert response.status_code == 400
    assert list(response.json()) == ["unit"]


def test_a_unit_parameter_outside_the_area_is_404(people: People, tree: Tree):
    client = client_for(people.shushan_secretary)
    assert client.get("/api/v1/members/", {"unit": tree.baohe.pk}).status_code == 404
    assert client.get("/api/v1/members/", {"unit": tree.branch.pk}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/units/abc/",
        "/api/v1/units/abc/children/",
        "/api/v1/units/abc/dues/",
        "/api/v1/units/-1/dues/children/",
        f"/api/v1/units/{HUGE}/",
        f"/api/v1/units/{HUGE}/dues/",
        "/api/v1/units/0/children/",
        "/api/v1/members/1.5/",
        f"/api/v1/members/{HUGE}/",
        "/api/v1/no-such-thing/",
    ],
)
def test_a_malformed_path_id_is_the_apis_json_404(people: People, tree: Tree, path: str):
    response = _json_client(client_for(people.national, language="en")).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_errors_speak_the_users_language(people: People, tree: Tree):
    chinese = client_for(people.national).get("/api/v1/members/", {"cursor": "cD1hYmM="})
    assert chinese.status_code == 400 and chinese.json()["cursor"] == ["无效游标"]
    parent = client_for(people.national).get("/api/v1/units/", {"parent": HUGE})
    assert parent.status_code == 400 and "9223372036854775807" in parent.json()["parent"][0]
    english = client_for(people.national, language="en").get("/api/v1/units/", {"page": "x"})
    assert english.status_code == 400 and english.json()["page"] == ["Invalid page."]


def test_an_undeclared_method_is_405_before_the_unit_is_looked_up(people: People):
    """TRACE on a list with a unit outside the user's area (or no such unit) is 405, as for any
    other unit: the method is checked first (schemathesis ST204)."""
    client = client_for(people.shushan_secretary)
    for unit in ("999999999", str(people.outsider.unit_id), str(people.shushan_secretary.unit_id)):
        response = client.generic("TRACE", f"/api/v1/members/?unit={unit}")
        assert response.status_code == 405, unit
