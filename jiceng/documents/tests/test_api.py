"""The documents' API: list, detail with status by level, acknowledge (idempotent), scope."""

import datetime

from django.urls import reverse
from django.utils import timezone

from conftest import People, Tree, client_for
from jiceng.documents.models import Receipt

from .conftest import issue


def _detail(pk: int) -> str:
    return reverse("api:document-detail", kwargs={"pk": pk})


def _acknowledge(pk: int) -> str:
    return reverse("api:document-acknowledge", kwargs={"pk": pk})


def test_paths_are_the_issues():
    assert reverse("api:document-list") == "/api/v1/documents/"
    assert _detail(7) == "/api/v1/documents/7/"
    assert _acknowledge(7) == "/api/v1/documents/7/acknowledge/"


def test_list_holds_the_inbox_and_what_the_unit_issued(tree: Tree, people: People):
    received = issue(tree.root, levels=["city"], number="1", title="来文")
    sent = issue(tree.hefei, levels=["grassroots"], number="2", title="发文")
    issue(tree.root, levels=["grassroots"], number="3", title="别人的")
    data = client_for(people.hefei_admin).get(reverse("api:document-list")).json()
    rows = {row["id"]: row for row in data["results"]}
    assert set(rows) == {received.pk, sent.pk}
    assert rows[received.pk]["receipt"]["acknowledged_at"] is None
    assert rows[sent.pk]["receipt"] is None
    assert rows[received.pk]["issuer"]["code"] == tree.root.code


def test_detail_with_status_by_level_and_child(tree: Tree, people: People):
    notice = issue(
        tree.root,
        levels=["province", "grassroots"],
        deadline=timezone.localdate() + datetime.timedelta(days=3),
    )
    client = client_for(people.national)
    data = client.get(_detail(notice.pk)).json()
    assert data["status"]["unit"]["id"] == tree.root.pk
    assert data["status"]["total"]["received"] == 5
    levels = {line["level"]: line["received"] for line in data["status"]["levels"]}
    assert levels == {"province": 2, "grassroots": 3}
    children = {line["unit"]["code"]: line["received"] for line in data["status"]["children"]}
    assert children == {"340000": 3, "320000": 2}
    # a province sees its own part
    anhui = client_for(people.anhui_admin).get(_detail(notice.pk)).json()
    assert anhui["status"]["total"]["received"] == 3
    assert anhui["receipt"]["unit_id"] == tree.anhui.pk


def test_acknowledge_is_idempotent(tree: Tree, people: People):
    notice = issue(tree.root, levels=["grassroots"])
    client = client_for(people.shushan_secretary)
    first = client.post(_acknowledge(notice.pk))
    assert first.status_code == 200 and first.json()["acknowledged"] is True
    at = first.json()["receipt"]["acknowledged_at"]
    second = client.post(_acknowledge(notice.pk))
    assert second.status_code == 200 and second.json()["acknowledged"] is False
    assert second.json()["receipt"]["acknowledged_at"] == at


def test_acknowledge_for_a_unit_below(tree: Tree, people: People):
    notice = issue(tree.root, levels=["grassroots"])
    response = client_for(people.hefei_admin).post(_acknowledge(notice.pk), {"unit": tree.baohe.pk})
    assert response.status_code == 200
    assert (
        Receipt.objects.get(document=notice, unit=tree.baohe).acknowledged_by == people.hefei_admin
    )


def test_not_addressed_to_you_or_outside_is_404(tree: Tree, people: People):
    anhui_doc = issue(tree.anhui, levels=["grassroots"])
    # the outsider cannot see it at all
    assert client_for(people.outsider).get(_detail(anhui_doc.pk)).status_code == 404
    assert client_for(people.outsider).post(_acknowledge(anhui_doc.pk)).status_code == 404
    # the city sees it, but it was not addressed to the city
    response = client_for(people.hefei_admin).post(_acknowledge(anhui_doc.pk))
    assert response.status_code == 404
    # nor may anyone act for a unit outside their subtree
    national = issue(tree.root, levels=["grassroots"], number="n")
    refused = client_for(people.hefei_admin).post(
        _acknowledge(national.pk), {"unit": tree.xuanwu.pk}
    )
    assert refused.status_code == 404
    assert client_for(people.national).get(_detail(999999)).status_code == 404


def test_a_role_without_the_permission_gets_403(tree: Tree, people: People):
    notice = issue(tree.root, levels=["province"])
    response = client_for(people.reviewer).post(_acknowledge(notice.pk))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_the_schema_documents_the_endpoints(people: People):
    schema = client_for(people.national).get(reverse("api:schema") + "?format=json").json()
    assert {
        "/api/v1/documents/",
        "/api/v1/documents/{id}/",
        "/api/v1/documents/{id}/acknowledge/",
    } <= set(schema["paths"])
