"""The REST API answers inside the user's subtree only, like the pages."""

from conftest import People, Tree, client_for


def test_unit_list_is_scoped(people: People, tree: Tree):
    body = client_for(people.hefei_admin).get("/api/v1/units/").json()
    codes = {u["code"] for u in body["results"]}
    assert codes == {"340100", "340104", "340111", "340104001", "340104001001"}


def test_unit_list_filters(people: People, tree: Tree):
    client = client_for(people.national)
    assert {u["code"] for u in client.get("/api/v1/units/?level=city").json()["results"]} == {
        "340100",
        "320100",
    }
    children = client.get(f"/api/v1/units/?parent={tree.hefei.pk}").json()["results"]
    assert {u["code"] for u in children} == {"340104", "340111"}
    found = client.get("/api/v1/units/?q=蜀山").json()["results"]
    assert [u["code"] for u in found] == ["340104", "340104001"]
    by_code = client.get("/api/v1/units/?q=34011").json()["results"]
    assert [u["code"] for u in by_code] == ["340111"]


def test_detail_outside_scope_is_404(people: People, tree: Tree):
    client = client_for(people.outsider)
    assert client.get(f"/api/v1/units/{tree.shushan.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{tree.shushan.pk}/children/").status_code == 404
    assert client.get(f"/api/v1/units/{tree.xuanwu.pk}/").status_code == 200


def test_children_and_me(people: People, tree: Tree):
    client = client_for(people.shushan_secretary)
    children = client.get(f"/api/v1/units/{tree.shushan.pk}/children/").json()["results"]
    assert [c["code"] for c in children] == ["340104001"]
    me = client.get("/api/v1/me/").json()
    assert me["role"] == "grassroots_secretary" and me["unit"]["code"] == "340104"


def test_openapi_schema(people: People):
    response = client_for(people.viewer).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/units/{id}/children/" in response.content


def test_members_are_scoped_masked_and_cursor_paginated(people: People, tree: Tree):
    from jiceng.members.tests.factories import id_number, make_member

    number = id_number()
    mine = make_member(tree.branch, phone="13812345678", id_number=number)
    make_member(tree.baohe, business_name="包河的商户")
    make_member(tree.xuanwu, business_name="南京的商户")
    client = client_for(people.shushan_secretary)
    body = client.get("/api/v1/members/").json()
    assert [m["business_name"] for m in body["results"]] == [mine.business_name]
    row = body["results"][0]
    assert (
        row["phone"] == "138****5678" and row["id_number"] == number[:6] + "********" + number[-4:]
    )
    assert "count" not in body and "next" in body  # a cursor, no COUNT over millions
    assert client.get(f"/api/v1/members/?unit={tree.baohe.pk}").status_code == 404
    national = client_for(people.national)
    names = {
        m["business_name"]
        for m in national.get(f"/api/v1/members/?unit={tree.hefei.pk}").json()["results"]
    }
    assert names == {mine.business_name, "包河的商户"}
    assert (
        national.get("/api/v1/members/?q=南京").json()["results"][0]["business_name"]
        == "南京的商户"
    )
    assert client_for(people.outsider).get(f"/api/v1/members/{mine.pk}/").status_code == 404
