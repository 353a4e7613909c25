"""The assessment workflow through the API (issue 11): paths, status codes, stable codes."""

import pytest
from rest_framework.test import APIClient

from conftest import People, Tree
from jiceng.assessments.models import Assessment
from jiceng.campaigns.models import Campaign

from .conftest import fill


def api(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)  # type: ignore[arg-type]
    return client


def test_the_whole_chain_through_the_api(running: Campaign, tree: Tree, people: People):
    secretary = api(people.shushan_secretary)
    opened = secretary.post(
        "/api/v1/assessments/", {"campaign": running.pk, "unit": tree.shushan.pk}, format="json"
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    pk = body["id"]
    assert body["state"] == "draft"
    codes = {i["code"]: i for i in body["indicators"]}
    assert {"self_score", "computed_score", "final_score", "flagged"} <= set(codes["1.1"])

    rubric = secretary.get(f"/api/v1/rubrics/{body['rubric']}/").json()
    assert rubric["criteria"] == 11 and rubric["indicators"] == 21

    bad = secretary.put(f"/api/v1/assessments/{pk}/scores/1.2/", {"self_score": 9}, format="json")
    assert bad.status_code == 400 and "self_score" in bad.json()
    assert "1.2" in bad.json()["self_score"][0]
    ok = secretary.put(
        f"/api/v1/assessments/{pk}/scores/1.2/",
        {"self_score": 3, "note": "两个分会"},
        format="json",
    )
    assert ok.status_code == 200
    missing = secretary.post(f"/api/v1/assessments/{pk}/submit/", {}, format="json")
    assert missing.status_code == 400 and "2.1" in missing.json()

    fill(Assessment.objects.get(pk=pk), people.shushan_secretary)
    version = secretary.get(f"/api/v1/assessments/{pk}/").json()["version"]
    submitted = secretary.post(
        f"/api/v1/assessments/{pk}/submit/", {"version": version}, format="json"
    )
    assert submitted.status_code == 200 and submitted.json()["state"] == "submitted"
    locked = secretary.put(
        f"/api/v1/assessments/{pk}/scores/1.2/", {"self_score": 1}, format="json"
    )
    assert locked.status_code == 409 and locked.json()["code"] == "not_editable"

    city = api(people.hefei_admin)
    assert (
        city.post(
            f"/api/v1/assessments/{pk}/approve/", {"version": version}, format="json"
        ).status_code
        == 409
    )  # stale
    no_reason = city.post(
        f"/api/v1/assessments/{pk}/adjust/", {"code": "1.2", "score": 2}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    adjusted = city.post(
        f"/api/v1/assessments/{pk}/adjust/",
        {"code": "1.2", "score": 2, "reason": "分会覆盖不全"},
        format="json",
    )
    assert adjusted.status_code == 200
    assert {i["code"]: i for i in adjusted.json()["indicators"]}["1.2"]["final_score"] == "2.0"
    returned = city.post(
        f"/api/v1/assessments/{pk}/return/",
        {"reason": "补充材料", "indicators": {"4.2": "无佐证"}},
        format="json",
    )
    assert returned.status_code == 200 and returned.json()["state"] == "returned"
    assert secretary.post(f"/api/v1/assessments/{pk}/submit/", {}, format="json").status_code == 200
    assert city.post(f"/api/v1/assessments/{pk}/approve/", {}, format="json").status_code == 200

    province = api(people.anhui_admin)
    not_ready = province.post(f"/api/v1/units/{tree.hefei.pk}/approve-area/?campaign={running.pk}")
    assert not_ready.status_code == 409 and not_ready.json()["code"] == "area_not_ready"

    listed = city.get(f"/api/v1/assessments/?campaign={running.pk}&unit=340100").json()
    assert [row["unit_code"] for row in listed["results"]] == ["340104"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("viewer", 403), ("baohe_secretary", 404), ("anhui_admin", 403)],
)
def test_who_may_approve(submitted: dict, people: People, who: str, status: int):
    pk = submitted["340104"].pk
    answer = api(getattr(people, who)).post(f"/api/v1/assessments/{pk}/approve/", {}, format="json")
    assert answer.status_code == status, answer.content


def test_a_bad_unit_code_and_a_missing_campaign_are_400(people: People, tree: Tree):
    client = api(people.national)
    assert client.get("/api/v1/assessments/?unit=12ab").status_code == 400
    assert client.get("/api/v1/assessments/?unit=999999").status_code == 404
    answer = client.post(f"/api/v1/units/{tree.hefei.pk}/approve-area/")
    assert answer.status_code == 400 and "campaign" in answer.json()
