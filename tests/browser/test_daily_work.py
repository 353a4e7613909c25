"""A grassroots association's daily work in Chromium: find a member, see their ID number and
phone only on asking, record their dues (a payment submitted twice is recorded once), see the
collection rate, export the list; a branch records an activity with a photo."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from conftest import People, Tree
from jiceng.activities.models import Activity, ActivityPhoto
from jiceng.core.models import AuditEntry
from jiceng.dues.models import Payment
from jiceng.dues.tests.helpers import set_standards
from jiceng.members.tests.factories import id_number, make_member

from .conftest import shot, sign_in

pytestmark = pytest.mark.browser


def test_find_a_member_unmask_record_dues_once_and_export(
    page: Page, live_server, tree: Tree, people: People, tmp_path: Path
):
    year = timezone.localdate().year
    set_standards(tree.shushan, year, individual="200", enterprise="500")
    number = id_number()
    member = make_member(
        tree.shushan,
        business_name="蜀山老街豆腐坊",
        operator="钱多多",
        phone="13712345678",
        id_number=number,
    )
    make_member(tree.shushan, business_name="别的商户", phone="13900000000")

    sign_in(page, live_server.url, "shushan")
    page.goto(f"{live_server.url}/units/{tree.shushan.pk}/members/")
    page.locator('[name="q"]').fill("1371234")
    page.locator('[name="q"]').press("Enter")
    table = page.get_by_test_id("members")
    expect(table).to_contain_text("蜀山老街豆腐坊")
    expect(table).not_to_contain_text("别的商户")
    expect(table).to_contain_text("137****5678")
    expect(table).not_to_contain_text("13712345678")
    shot(page, "members-search")

    table.get_by_role("link", name="蜀山老街豆腐坊").click()
    expect(page.get_by_test_id("member-phone")).to_have_text("137****5678")
    expect(page.get_by_test_id("member-id-number")).not_to_contain_text(number)
    page.get_by_test_id("unmask").click()
    expect(page.get_by_test_id("member-phone")).to_have_text("13712345678")
    expect(page.get_by_test_id("member-id-number")).to_contain_text(number)
    unmasked = AuditEntry.objects.filter(action="member.unmask").get()
    logged = f"{unmasked.before} {unmasked.after}"
    assert number not in logged and "13712345678" not in logged

    page.get_by_test_id("record-payment").click()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    def record() -> None:
        form = page.get_by_test_id("payment-form")
        form.locator('[name="dues_year"]').fill(str(year))
        form.locator('[name="paid_on"]').fill(timezone.localdate().isoformat())
        form.locator('[name="amount"]').fill("200")
        form.locator('[name="method"]').select_option("wechat")
        form.locator('[name="receipt_number"]').fill("SS-2026-0001")
        form.get_by_test_id("save").click()
        page.wait_for_url(re.compile(r"/payments/\d+/$"))

    record()
    expect(page.locator(".alert-success")).to_contain_text("SS-2026-0001")
    # The clerk is not sure it went through: back to the form, and submit it again.
    page.go_back()
    record()
    expect(page.locator(".alert-info")).to_contain_text("SS-2026-0001")
    shot(page, "dues-payment-recorded-once")
    assert len(posts) == 2, posts
    payment = Payment.objects.get(member=member)
    assert payment.receipt_number == "SS-2026-0001" and str(payment.amount) == "200.00"

    page.goto(f"{live_server.url}/units/{tree.shushan.pk}/dues/?year={year}")
    # Two members owe 200 each; one has paid: half the dues are collected.
    expect(page.get_by_test_id("total-rate")).to_have_text("50.0%")
    expect(page.get_by_test_id("total-members-due")).to_have_text("2")
    shot(page, "dues-unit")

    # A phone search goes by POST: what was typed is in no address, and the export of its
    # result is a POST too.
    page.goto(f"{live_server.url}/units/{tree.shushan.pk}/members/")
    page.get_by_test_id("member-search").fill("1371234")
    page.get_by_test_id("member-search").press("Enter")
    expect(page.get_by_test_id("members")).not_to_contain_text("别的商户")
    assert "1371234" not in page.url
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    path = tmp_path / "members.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 2, rows  # the header and the one member the search found
    assert "蜀山老街豆腐坊" in rows[1] and "137****5678" in rows[1]
    assert number not in path.read_text(encoding="utf-8-sig")


def test_branch_records_an_activity_with_a_photo(
    page: Page, live_server, tree: Tree, people: People, tmp_path: Path
):
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (640, 480), (200, 80, 40)).save(photo, "JPEG")
    not_a_photo = tmp_path / "现场.jpg.exe"
    not_a_photo.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)

    sign_in(page, live_server.url, "branch")
    page.goto(f"{live_server.url}/units/{tree.branch.pk}/activities/new/")
    page.locator('[name="date"]').fill(datetime.date.today().isoformat())
    page.locator('[name="kind"]').select_option("policy_briefing")
    page.locator('[name="title"]').fill("政策宣讲进社区")
    page.locator('[name="description"]').fill("讲解个体工商户扶持政策")
    page.locator('[name="participants"]').fill("45")
    page.locator('[name="members_served"]').fill("40")
    page.get_by_test_id("form").get_by_test_id("save").click()
    expect(page.get_by_test_id("activity-title")).to_have_text("政策宣讲进社区")
    activity = Activity.objects.get()

    # Something that is not a picture is refused next to the field, and nothing is stored.
    page.get_by_test_id("photo-form").locator('[name="image"]').set_input_files(not_a_photo)
    page.get_by_test_id("photo-add").click()
    expect(page.locator('[data-field="image"]')).to_be_visible()
    shot(page, "activity-photo-refused")
    assert not ActivityPhoto.objects.exists()

    page.goto(f"{live_server.url}/activities/{activity.pk}/")
    page.get_by_test_id("photo-form").locator('[name="image"]').set_input_files(photo)
    page.get_by_test_id("photo-form").locator('[name="caption"]').fill("现场")
    page.get_by_test_id("photo-add").click()
    image = page.get_by_test_id("photos").locator("img")
    expect(image).to_have_count(1)
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.activity-photo');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert page.evaluate("document.querySelector('.activity-photo').naturalWidth") == 640
    shot(page, "activity-with-photo")
    assert ActivityPhoto.objects.get().activity_id == activity.pk
