"""The app's pages: what they show, what they refuse, and query counts that stay flat."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import People, Tree, client_for
from jiceng.activities.measures import COMPLAINTS
from jiceng.activities.models import (
    Activity,
    ActivityPhoto,
    Complaint,
    Honour,
    MediaReport,
    RuleDocument,
    RuleItem,
)
from jiceng.core.tests.helpers import add_children, assert_queries_flat
from jiceng.core.tests.uploads import exe_upload, image_upload, pdf_upload
from jiceng.org.models import Unit

from .helpers import adopt, items, make_activity, make_complaint, move

TODAY = timezone.localdate()


# --- Flat query counts -------------------------------------------------------------------------


def _add_children_with_records(parent: Unit, n: int) -> None:
    """n grassroots children under `parent`, each with a record of every kind, set-based."""
    units = add_children(parent, n)
    item = RuleItem.objects.get(code="charter")
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(unit=u, date=TODAY, kind="training", title=f"培训{u.code}") for u in units
    )
    Complaint.objects.bulk_create(
        Complaint(
            unit=u,
            reference=f"T{u.code}",
            kind="complaint",
            subject="收费",
            content="x",
            channel="staff",
            received_at=now,
        )
        for u in units
    )
    RuleDocument.objects.bulk_create(
        RuleDocument(unit=u, item=item, document="demo/x.pdf", adopted_on=TODAY) for u in units
    )
    Honour.objects.bulk_create(
        Honour(unit=u, title="先进", level="city", issuer="市局", date=TODAY) for u in units
    )
    MediaReport.objects.bulk_create(
        MediaReport(unit=u, outlet="日报", title="报道", date=TODAY, url="https://e.example/1")
        for u in units
    )


@pytest.mark.parametrize(
    ("name", "at", "query"),
    [
        ("activities:activity_list", "hefei", ""),
        ("activities:activity_list", "hefei", f"?kind=training&year={TODAY.year}"),
        ("activities:activity_rollup", "hefei", ""),
        ("activities:complaint_list", "hefei", ""),
        ("activities:complaint_rollup", "anhui", ""),
        ("activities:rules", "hefei", ""),
        ("activities:rules", "anhui", ""),
        ("activities:recognition", "hefei", ""),
        ("activities:recognition", "hefei", "?list=media"),
    ],
)
def test_query_count_is_flat_from_10_to_1000_children(
    tree: Tree, people: People, name: str, at: str, query: str
):
    c = client_for(people.national, language="en")
    url = reverse(name, kwargs={"pk": getattr(tree, at).pk}) + query
    assert_queries_flat(
        c, url, lambda n: _add_children_with_records(tree.hefei, n), label=f"{name}{query}"
    )


def test_checklist_page_query_count_is_flat(tree: Tree, people: People):
    c = client_for(people.national, language="en")
    url = reverse("activities:rule_checklist")
    assert_queries_flat(c, url, lambda n: _add_children_with_records(tree.hefei, n), many=510)


# --- Tabs and lists ----------------------------------------------------------------------------


def test_the_unit_page_has_the_four_tabs(tree: Tree, people: People):
    body = (
        client_for(people.viewer, language="en")
        .get(reverse("org:unit", kwargs={"pk": tree.shushan.pk}))
        .content
    )
    for name in ("activity_list", "complaint_list", "rules", "recognition"):
        assert reverse(f"activities:{name}", kwargs={"pk": tree.shushan.pk}).encode() in body


def test_activity_list_shows_the_subtree_and_filters(tree: Tree, people: People):
    make_activity(tree.group, title="小组学习会", kind="other")
    make_activity(tree.shushan, title="区协会培训")
    make_activity(tree.baohe, title="包河培训")
    url = reverse("activities:activity_list", kwargs={"pk": tree.shushan.pk})
    body = client_for(people.viewer, language="en").get(url).content.decode()
    assert "小组学习会" in body and "区协会培训" in body and "包河培训" not in body
    body = client_for(people.viewer, language="en").get(url + "?kind=other").content.decode()
    assert "小组学习会" in body and "区协会培训" not in body


def test_rollup_page_shows_children_and_totals(tree: Tree, people: People):
    make_activity(tree.shushan, kind="charity")
    make_activity(tree.branch, kind="charity")
    make_activity(tree.baohe, kind="training")
    response = client_for(people.hefei_admin, language="en").get(
        reverse("activities:activity_rollup", kwargs={"pk": tree.hefei.pk})
    )
    body = response.content.decode()
    assert body.count('data-testid="rollup-child"') == 2
    total = body.split('data-testid="rollup-total"')[1].split("</tr>")[0]
    assert ">3<" in total


# --- Activities --------------------------------------------------------------------------------


def test_branch_staff_record_an_activity_and_add_a_photo(tree: Tree, people: People):
    c = client_for(people.branch_staff, language="en")
    response = c.post(
        reverse("activities:activity_create", kwargs={"pk": tree.branch.pk}),
        {
            "date": TODAY.isoformat(),
            "kind": "policy_briefing",
            "title": "政策宣讲进社区",
            "description": "讲解个体工商户扶持政策",
            "participants": "45",
            "members_served": "40",
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("activities:activity_detail", kwargs={"pk": activity.pk})
    response = c.post(
        reverse("activities:activity_photo_add", kwargs={"pk": activity.pk}),
        {"image": image_upload("现场.jpg", "JPEG"), "caption": "现场"},
    )
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    served = c.get(reverse("activities:activity_photo", kwargs={"pk": photo.pk}))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    # Served files are never cached (core/files.serve_file): photos can show people too.
    assert served["Cache-Control"] == "no-store"
    detail = c.get(reverse("activities:activity_detail", kwargs={"pk": activity.pk}))
    assert reverse("activities:activity_photo", kwargs={"pk": photo.pk}) in detail.content.decode()


def test_a_gif_upload_is_shown_next_to_the_field(tree: Tree, people: People):
    activity = make_activity(tree.branch)
    response = client_for(people.branch_staff, language="en").post(
        reverse("activities:activity_photo_add", kwargs={"pk": activity.pk}),
        {"image": image_upload("a.gif", "GIF")},
    )
    assert response.status_code == 200
    assert 'data-field="image"' in response.content.decode()
    assert not ActivityPhoto.objects.exists()


def test_bad_input_is_shown_next_to_its_field(tree: Tree, people: People):
    url = reverse("activities:activity_create", kwargs={"pk": tree.branch.pk})
    future = {
        "date": (TODAY + datetime.timedelta(days=3)).isoformat(),
        "kind": "training",
        "title": "未来的培训",
        "participants": "-1",
        "members_served": "0",
    }
    response = client_for(people.branch_staff, language="en").post(url, future)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field="participants"' in body
    assert not Activity.objects.exists()
    response = client_for(people.branch_staff, language="en").post(
        url, {**future, "participants": "1"}
    )
    assert 'data-field="date"' in response.content.decode()
    assert "cannot be later than today" in response.content.decode()


def test_a_stale_edit_is_told_and_shown_the_newer_version(tree: Tree, people: People):
    activity = make_activity(tree.branch, title="原标题")
    url = reverse("activities:activity_edit", kwargs={"pk": activity.pk})
    data = {
        "date": TODAY.isoformat(),
        "kind": "training",
        "title": "先保存",
        "description": "",
        "participants": "1",
        "members_served": "1",
        "lock_version": "1",
    }
    assert client_for(people.branch_staff, language="en").post(url, data).status_code == 302
    response = client_for(people.shushan_secretary, language="en").post(
        url, {**data, "title": "后保存"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in body
    assert 'value="先保存"' in body
    assert Activity.objects.get().title == "先保存"


# --- Complaints --------------------------------------------------------------------------------


def test_handlers_see_the_contact_and_readers_see_it_masked(tree: Tree, people: People):
    complaint = make_complaint(tree.shushan)
    url = reverse("activities:complaint_detail", kwargs={"pk": complaint.pk})
    assert (
        "13812345678"
        in client_for(people.shushan_secretary, language="en").get(url).content.decode()
    )
    body = client_for(people.viewer, language="en").get(url).content.decode()
    assert "13812345678" not in body and "138****5678" in body


def test_moving_a_case_through_its_states_on_the_page(tree: Tree, people: People):
    complaint = make_complaint(tree.shushan)
    c = client_for(people.shushan_secretary, language="en")
    url = reverse("activities:complaint_transition", kwargs={"pk": complaint.pk})
    detail = reverse("activities:complaint_detail", kwargs={"pk": complaint.pk})
    page = c.get(detail).content.decode()
    assert 'data-testid="to-in_progress"' in page and 'data-testid="to-resolved"' in page
    assert (
        c.post(url, {"to_state": "in_progress", "response": "", "lock_version": 1}).status_code
        == 302
    )
    response = c.post(url, {"to_state": "resolved", "response": "", "lock_version": 2})
    assert response.status_code == 200
    assert 'data-field="response"' in response.content.decode()
    response = c.post(url, {"to_state": "received", "response": "x", "lock_version": 2})
    assert "cannot be moved to" in response.content.decode()
    response = c.post(url, {"to_state": "resolved", "response": "已协调解决", "lock_version": 2})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.state == "resolved" and complaint.response == "已协调解决"
    assert 'data-testid="transition"' not in c.get(detail).content.decode()


def test_a_stale_transition_says_so(tree: Tree, people: People):
    complaint = make_complaint(tree.shushan)
    move(complaint, "in_progress")
    c = client_for(people.shushan_secretary, language="en")
    url = reverse("activities:complaint_transition", kwargs={"pk": complaint.pk})
    response = c.post(url, {"to_state": "closed", "response": "x", "lock_version": 1}, follow=True)
    assert "Someone else saved this record" in response.content.decode()
    assert Complaint.objects.get().state == "in_progress"


def test_staff_record_a_complaint(tree: Tree, people: People):
    response = client_for(people.shushan_secretary, language="en").post(
        reverse("activities:complaint_create", kwargs={"pk": tree.shushan.pk}),
        {
            "kind": "help_request",
            "subject": "电话求助",
            "content": "来电咨询贷款",
            "submitter_name": "",
            "submitter_contact": "",
            "received_at": (timezone.localtime() - datetime.timedelta(hours=3)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.channel == "staff" and complaint.kind == "help_request"
    assert timezone.now() - complaint.received_at > datetime.timedelta(hours=2)


def test_complaint_list_offers_the_public_link_where_it_exists(tree: Tree, people: People):
    c = client_for(people.hefei_admin, language="en")
    body = c.get(reverse("activities:complaint_list", kwargs={"pk": tree.shushan.pk})).content
    public = reverse("activities:public_complaint_new", kwargs={"code": "340104"})
    assert public.encode() in body
    body = c.get(reverse("activities:complaint_list", kwargs={"pk": tree.hefei.pk})).content
    assert b'data-testid="public-link"' not in body


def test_complaint_figures_on_the_list(tree: Tree, people: People):
    done = make_complaint(tree.shushan)
    move(done, "resolved", "已解决")
    make_complaint(tree.branch)
    body = (
        client_for(people.viewer, language="en")
        .get(reverse("activities:complaint_list", kwargs={"pk": tree.shushan.pk}))
        .content.decode()
    )
    assert 'data-testid="stat-total">2<' in body
    assert 'data-testid="stat-resolution">50%<' in body


# --- Rules -------------------------------------------------------------------------------------


def test_rules_page_shows_ticks_crosses_and_coverage(tree: Tree, people: People):
    for item in items()[:3]:
        adopt(tree.shushan, item)
    body = (
        client_for(people.viewer, language="en")
        .get(reverse("activities:rules", kwargs={"pk": tree.shushan.pk}))
        .content.decode()
    )
    table = body.split('data-testid="checklist"')[1].split("</table>")[0]
    assert table.count("✔") == 3 and table.count("✘") == 7
    assert 'data-testid="coverage-percent">30%<' in body
    assert "Association charter" in table  # the English name on an English page
    assert "蜀山区城关分会" in body.split('data-testid="children-coverage"')[1]


def test_rules_page_in_chinese_shows_the_chinese_names(tree: Tree, people: People):
    body = client_for(people.viewer).get(
        reverse("activities:rules", kwargs={"pk": tree.shushan.pk})
    )
    assert "协会章程" in body.content.decode()


def test_upload_a_rule_document_and_download_it(tree: Tree, people: People):
    item = RuleItem.objects.get(code="finance")
    c = client_for(people.shushan_secretary, language="en")
    url = reverse(
        "activities:rule_document_edit", kwargs={"pk": tree.shushan.pk, "item_pk": item.pk}
    )
    response = c.post(url, {"document": exe_upload("财务制度.pdf"), "adopted_on": "2021-03-01"})
    assert response.status_code == 200 and 'data-field="document"' in response.content.decode()
    response = c.post(url, {"document": pdf_upload("财务制度.pdf"), "adopted_on": "2021-03-01"})
    assert response.status_code == 302
    doc = RuleDocument.objects.get()
    download: Any = c.get(reverse("activities:rule_document_file", kwargs={"pk": doc.pk}))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    # Changing only the date keeps the file.
    response = c.post(url, {"adopted_on": "2022-01-01", "lock_version": "1"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.adopted_on == datetime.date(2022, 1, 1) and doc.document_name == "财务制度.pdf"


def test_national_admin_manages_the_checklist_on_its_page(tree: Tree, people: People):
    adopt(tree.shushan, items()[0])
    c = client_for(people.national, language="en")
    page = c.get(reverse("activities:rule_checklist")).content.decode()
    assert page.count('<tr data-testid="rule-item-') == 10
    response = c.post(
        reverse("activities:rule_item_create"),
        {"code": "party_building", "name": "党建工作制度", "name_en": "Party-building rules"},
    )
    assert response.status_code == 302
    assert RuleItem.objects.get(code="party_building").position == 11
    charter = RuleItem.objects.get(code="charter")
    response = c.post(
        reverse("activities:rule_item_delete", kwargs={"pk": charter.pk}), follow=True
    )
    assert "is in use" in response.content.decode()
    c.post(reverse("activities:rule_item_toggle", kwargs={"pk": charter.pk}), {"lock_version": 1})
    assert not RuleItem.objects.get(pk=charter.pk).is_active


# --- Recognition -------------------------------------------------------------------------------


def test_a_media_report_without_link_or_scan_is_refused_on_the_page(tree: Tree, people: People):
    c = client_for(people.shushan_secretary, language="en")
    url = reverse("activities:media_report_create", kwargs={"pk": tree.shushan.pk})
    data = {"outlet": "合肥日报", "date": "2024-06-01", "title": "报道", "url": ""}
    response = c.post(url, data)
    assert response.status_code == 200 and 'data-field="url"' in response.content.decode()
    response = c.post(url, {**data, "scan": pdf_upload("剪报.pdf")})
    assert response.status_code == 302
    report = MediaReport.objects.get()
    served = c.get(reverse("activities:media_report_file", kwargs={"pk": report.pk}))
    assert served.status_code == 200


def test_a_honour_file_can_be_removed_on_edit(tree: Tree, people: People):
    c = client_for(people.shushan_secretary, language="en")
    c.post(
        reverse("activities:honour_create", kwargs={"pk": tree.shushan.pk}),
        {
            "title": "先进基层协会",
            "level": "provincial",
            "issuer": "安徽省个私协会",
            "date": "2024-05-01",
            "document": pdf_upload("证书.pdf"),
        },
    )
    item = Honour.objects.get()
    assert item.document
    edit = reverse("activities:honour_edit", kwargs={"pk": item.pk})
    assert 'name="remove"' in c.get(edit).content.decode()
    response = c.post(
        edit,
        {
            "title": "先进基层协会",
            "level": "provincial",
            "issuer": "安徽省个私协会",
            "date": "2024-05-01",
            "remove": "on",
            "lock_version": "1",
        },
    )
    assert response.status_code == 302
    assert not Honour.objects.get().document
    body = c.get(reverse("activities:recognition", kwargs={"pk": tree.shushan.pk})).content
    assert "先进基层协会" in body.decode()


def test_last_years_open_cases_stay_on_the_list(tree: Tree, people: People):
    old = make_complaint(tree.shushan, subject="去年未办结的投诉")
    last_year = timezone.now().replace(year=TODAY.year - 1, month=12, day=20)
    Complaint.objects.filter(pk=old.pk).update(received_at=last_year)
    COMPLAINTS.rebuild(units=Unit.objects.filter(pk=tree.shushan.pk))  # facts changed by hand
    make_complaint(tree.shushan, subject="今年的投诉")
    url = reverse("activities:complaint_list", kwargs={"pk": tree.shushan.pk})
    body = client_for(people.viewer, language="en").get(url).content.decode()
    assert "去年未办结的投诉" in body and "今年的投诉" in body
    assert 'data-testid="stat-total">1<' in body  # the figures are this year's
    body = client_for(people.viewer, language="en").get(f"{url}?year={TODAY.year}").content.decode()
    assert "去年未办结的投诉" not in body


def test_a_pdf_named_like_a_web_page_is_served_as_a_pdf(tree: Tree, people: People):
    c = client_for(people.shushan_secretary, language="en")
    c.post(
        reverse("activities:media_report_create", kwargs={"pk": tree.shushan.pk}),
        {"outlet": "日报", "date": "2024-06-01", "title": "报道", "scan": pdf_upload("x.html")},
    )
    report = MediaReport.objects.get()
    served = c.get(reverse("activities:media_report_file", kwargs={"pk": report.pk}))
    assert served["Content-Type"] == "application/pdf"
    assert served["X-Content-Type-Options"] == "nosniff"
