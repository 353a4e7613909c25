"""Dues pages: what they show, what they do, and flat query counts as data grows."""

import re
import uuid
from typing import Any

import pytest
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core.tests.helpers import add_children, assert_queries_flat, count_queries
from jiceng.dues.models import DuesRollup, DuesStandard, Payment
from jiceng.members.tests.factories import make_member
from jiceng.org.models import Unit

from .helpers import YEAR, pay, set_standards

pytestmark = pytest.mark.django_db


def _dues(unit: Unit, year: int = YEAR) -> str:
    return reverse("dues:unit_dues", kwargs={"pk": unit.pk}) + f"?year={year}"


def _no_inline_code(body: str) -> None:
    assert not re.search(r"\sstyle=", body)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert not re.search(r"\son[a-z]+=", body)


@pytest.fixture
def dues_data(tree: Tree):
    set_standards(tree.shushan, individual="200", enterprise="1000")
    set_standards(tree.anhui, individual="100")
    paid = make_member(tree.shushan, business_name="已缴商户")
    owing = make_member(tree.branch, business_name="欠费商户")
    part = make_member(tree.group, business_name="部分缴纳商户")
    make_member(tree.baohe, business_name="包河商户")
    pay(paid, "200", receipt="SS-1")
    pay(part, "50", receipt="SS-2")
    return {"paid": paid, "owing": owing, "part": part}


def test_unit_dues_page_shows_totals_children_standards_and_payments(
    tree: Tree, people: People, dues_data
):
    response = client_for(people.hefei_admin, language="en").get(_dues(tree.hefei))
    body = response.content.decode()
    assert response.status_code == 200
    _no_inline_code(body)
    assert 'data-testid="total-members-due">4<' in body
    assert 'data-testid="total-due">700.00<' in body
    assert 'data-testid="total-paid">250.00<' in body
    assert "35.7%" in body
    lines = body.split('data-testid="dues-children"')[1].split("</table>")[0]
    assert "蜀山区个私协会" in lines and "包河区个私协会" in lines
    assert _dues(tree.shushan).replace("&", "&amp;") in lines
    assert 'data-testid="arrears-link"' in body
    assert "set by 安徽省个私协会" in body  # 合肥 inherits the provincial default
    assert "SS-2" in body.split('data-testid="recent-payments"')[1]
    # The tab is registered with the unit pages.
    assert 'aria-current="page">Dues' in body


def test_the_dues_tab_appears_on_the_unit_page(tree: Tree, people: People):
    body = client_for(people.hefei_admin, language="en").get(
        reverse("org:unit", kwargs={"pk": tree.hefei.pk})
    )
    assert reverse("dues:unit_dues", kwargs={"pk": tree.hefei.pk}) in body.content.decode()


def test_grassroots_page_has_a_line_for_its_own_members(tree: Tree, people: People, dues_data):
    body = (
        client_for(people.shushan_secretary, language="en")
        .get(_dues(tree.shushan))
        .content.decode()
    )
    lines = body.split('data-testid="dues-children"')[1].split("</table>")[0]
    assert "Members held by this unit" in lines and "蜀山区城关分会" in lines
    assert 'data-testid="edit-standards"' in body


def test_viewer_sees_but_cannot_edit(tree: Tree, people: People, dues_data):
    body = client_for(people.viewer, language="en").get(_dues(tree.shushan)).content.decode()
    assert 'data-testid="edit-standards"' not in body
    response = client_for(people.viewer, language="en").get(
        reverse("dues:standards_edit", kwargs={"pk": tree.shushan.pk})
    )
    assert response.status_code == 403


def test_standards_edit_saves_and_refreshes(tree: Tree, people: People, dues_data):
    client = client_for(people.shushan_secretary, language="en")
    url = reverse("dues:standards_edit", kwargs={"pk": tree.shushan.pk}) + f"?year={YEAR}"
    page = client.get(url)
    assert page.status_code == 200
    _no_inline_code(page.content.decode())
    versions = {
        s.member_type: s.lock_version for s in DuesStandard.objects.filter(unit=tree.shushan)
    }
    response: Any = client.post(
        url,
        {
            "individual": "250",
            "individual_lock_version": versions["individual"],
            "enterprise": "",
            "enterprise_lock_version": versions["enterprise"],
        },
    )
    assert response.status_code == 302 and response.url == _dues(tree.shushan)
    assert DuesStandard.objects.get(unit=tree.shushan, member_type="individual").amount == 250
    assert not DuesStandard.objects.filter(unit=tree.shushan, member_type="enterprise").exists()
    assert DuesRollup.objects.get(unit=tree.shushan, year=YEAR).due_cents == 250_00
    # The same form again is stale: told, and shown the values now on record.
    response = client.post(
        url,
        {"individual": "260", "individual_lock_version": versions["individual"], "enterprise": ""},
        follow=True,
    )
    assert "Someone else saved this record" in response.content.decode()
    assert DuesStandard.objects.get(unit=tree.shushan, member_type="individual").amount == 250


def test_branch_pages_send_standards_to_the_association(tree: Tree, people: People):
    client = client_for(people.branch_staff, language="en")
    response: Any = client.get(reverse("dues:standards_edit", kwargs={"pk": tree.branch.pk}))
    assert response.status_code == 302
    assert response.url.startswith(reverse("dues:unit_dues", kwargs={"pk": tree.branch.pk}))


def test_record_payment_page_double_submit_records_once(tree: Tree, people: People, dues_data):
    client = client_for(people.branch_staff, language="en")
    member = dues_data["owing"]
    url = reverse("dues:payment_create", kwargs={"member_pk": member.pk})
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    _no_inline_code(body)
    assert 'data-testid="member-dues"' in body
    # The form offers the latest year the member owes for, and the amount owed.
    assert re.search(r'name="dues_year" value="2025"', body)
    assert re.search(r'name="amount" value="200.00"', body)
    found = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', body)
    assert found is not None
    key = found.group(1)
    data = {
        "dues_year": YEAR,
        "paid_on": "2025-04-01",
        "amount": "200",
        "method": "wechat",
        "receipt_number": "SS-100",
        "idempotency_key": key,
    }
    first = client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)
    assert Payment.objects.filter(receipt_number="SS-100").count() == 1
    payment = Payment.objects.get(receipt_number="SS-100")
    assert first.redirect_chain[-1][0] == reverse("dues:payment_detail", kwargs={"pk": payment.pk})
    assert "Payment recorded" in first.content.decode()
    assert "already recorded" in second.content.decode()
    assert payment.recorded_by == people.branch_staff and payment.method == "wechat"
    assert DuesRollup.objects.get(unit=tree.branch, year=YEAR).members_paid == 1


def test_a_taken_receipt_number_is_refused_on_the_form(tree: Tree, people: People, dues_data):
    client = client_for(people.shushan_secretary, language="en")
    member = dues_data["owing"]
    url = reverse("dues:payment_create", kwargs={"member_pk": member.pk})
    response = client.post(
        url,
        {
            "dues_year": YEAR,
            "paid_on": "2025-04-01",
            "amount": "200",
            "method": "cash",
            "receipt_number": "SS-1",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    error = response.content.decode().split('data-field="receipt_number"')[1][:400]
    assert "SS-1" in error and "已缴商户" in error
    assert Payment.objects.count() == 2


def test_void_page(tree: Tree, people: People, dues_data):
    payment = Payment.objects.get(receipt_number="SS-2")
    client = client_for(people.shushan_secretary, language="en")
    detail = client.get(reverse("dues:payment_detail", kwargs={"pk": payment.pk}))
    assert 'data-testid="void-form"' in detail.content.decode()
    url = reverse("dues:payment_void", kwargs={"pk": payment.pk})
    assert client.post(url, {"reason": ""}).status_code == 200  # the reason is required
    response = client.post(url, {"reason": "金额录错"}, follow=True)
    body = response.content.decode()
    assert 'data-testid="void-badge"' in body and "金额录错" in body
    again = client.post(url, {"reason": "再次"}, follow=True)
    assert "already voided" in again.content.decode()


def test_arrears_lists_members_who_owe(tree: Tree, people: People, dues_data):
    response = client_for(people.shushan_secretary, language="en").get(
        reverse("dues:arrears", kwargs={"pk": tree.shushan.pk}) + f"?year={YEAR}"
    )
    body = response.content.decode()
    _no_inline_code(body)
    table = body.split('data-testid="arrears"')[1].split("</table>")[0]
    assert "欠费商户" in table and "部分缴纳商户" in table and "已缴商户" not in table
    assert "150.00" in table  # the part payer owes 200 - 50
    assert "2 members owe" in body


def test_arrears_above_the_association_lists_associations(tree: Tree, people: People, dues_data):
    response = client_for(people.anhui_admin, language="en").get(
        reverse("dues:arrears", kwargs={"pk": tree.anhui.pk}) + f"?year={YEAR}"
    )
    table = response.content.decode().split('data-testid="arrears-associations"')[1]
    table = table.split("</table>")[0]
    assert "蜀山区个私协会" in table and "包河区个私协会" in table
    assert table.index("蜀山区") < table.index("包河区")  # 350 owed before 100


def test_member_dues_panel(tree: Tree, people: People, dues_data):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from jiceng.dues.selectors import member_dues

    member = dues_data["part"]
    request = RequestFactory().get("/")
    request.user = people.viewer
    html = render_to_string(
        "dues/_member_dues.html",
        {"member": member, "member_dues": member_dues(member=member), "can": {}},
        request=request,
    )
    assert f'data-testid="member-dues-{YEAR}"' in html and "Part paid" in html
    assert "record-payment" not in html
    html = render_to_string(
        "dues/_member_dues.html",
        {"member": member, "member_dues": member_dues(member=member), "can": {"DUES_EDIT": True}},
    )
    assert reverse("dues:payment_create", kwargs={"member_pk": member.pk}) in html


# --- Query counts -------------------------------------------------------------------------------


def _add_grassroots_with_rollups(parent: Unit, n: int) -> None:
    """n associations under `parent` with a roll-up row each, inserted set-based."""
    units = add_children(parent, n)
    province_id = Unit.objects.get(path=parent.path[:8]).pk
    DuesRollup.objects.bulk_create(
        [
            DuesRollup(
                unit=u,
                year=YEAR,
                province_id=province_id,
                grassroots=u,
                members_due=10,
                members_paid=7,
                due_cents=2000_00,
                paid_cents=1400_00,
                received_cents=1500_00,
            )
            for u in units
        ],
        batch_size=500,
    )


@pytest.mark.parametrize("unit_name", ["root", "anhui", "hefei"])
def test_dues_page_query_count_is_flat_from_10_to_1000_children(
    tree: Tree, people: People, unit_name: str
):
    client = client_for(people.national, language="en")
    unit = getattr(tree, unit_name)
    assert_queries_flat(
        client,
        _dues(unit),
        lambda n: _add_grassroots_with_rollups(tree.hefei, n),
        label=unit_name,
    )
    if unit_name == "hefei":
        body = client.get(_dues(unit)).content.decode()
        assert "70.0%" in body


@pytest.mark.parametrize("page", ["arrears", "payment_create", "payment_detail", "province"])
def test_member_pages_query_count_is_flat_as_members_and_payments_grow(
    tree: Tree, people: People, page: str
):
    set_standards(tree.shushan, individual="200")
    client = client_for(
        people.shushan_secretary if page != "province" else people.anhui_admin, language="en"
    )
    member = make_member(tree.branch)
    first = pay(member, "10", year=2024).payment

    def url() -> str:
        return {
            "arrears": reverse("dues:arrears", kwargs={"pk": tree.shushan.pk}) + f"?year={YEAR}",
            "payment_create": reverse("dues:payment_create", kwargs={"member_pk": member.pk}),
            "payment_detail": reverse("dues:payment_detail", kwargs={"pk": first.pk}),
            "province": reverse("dues:arrears", kwargs={"pk": tree.anhui.pk}) + f"?year={YEAR}",
        }[page]

    for _ in range(3):
        make_member(tree.shushan)
    few = count_queries(client, url())
    for i in range(60):
        m = make_member(tree.group if i % 2 else tree.shushan)
        pay(m, "20")
    for year in (2024, 2025, 2026):
        pay(member, "5", year=year)
    many = count_queries(client, url())
    assert few == many, f"{page}: {few} queries, then {many}"
