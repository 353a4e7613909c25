"""Pages of the tree: what they show, what they refuse, and flat query counts."""

import pytest
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core.models import AuditEntry
from jiceng.core.tests.helpers import add_children, assert_queries_flat
from jiceng.org.models import StaffMember, Unit, Venue


@pytest.mark.parametrize("url_name", ["tree", "profile", "history", "accounts", "search", "audit"])
def test_query_count_is_flat_from_10_to_1000_children(tree: Tree, people: People, url_name: str):
    from conftest import make_user
    from jiceng.accounts.roles import Role

    client = client_for(people.national)
    urls = {
        "tree": reverse("org:unit", kwargs={"pk": tree.hefei.pk}),
        "profile": reverse("org:unit", kwargs={"pk": tree.hefei.pk}) + "?tab=profile",
        "history": reverse("org:unit", kwargs={"pk": tree.hefei.pk}) + "?tab=history",
        "accounts": reverse("accounts:list"),
        "search": reverse("org:search") + "?q=单位",
        "audit": reverse("core:audit"),
    }
    url = urls[url_name]
    # With the children: first 10 accounts, then 90 more and 60 audit entries.
    steps = iter([(range(10), 0), (range(10, 100), 60)])

    def grow(n: int) -> None:
        add_children(tree.hefei, n)
        accounts, audit_entries = next(steps)
        for i in accounts:
            make_user(f"acct{i}", Role.VIEWER, tree.hefei)
        for _ in range(audit_entries):
            AuditEntry.objects.create(unit=tree.hefei, action="test.touch", actor_name="t")

    assert_queries_flat(client, url, grow, label=url_name)


def test_tree_browser_shows_children_counts_and_breadcrumbs(tree: Tree, people: People):
    response = client_for(people.hefei_admin).get(
        reverse("org:unit", kwargs={"pk": tree.shushan.pk})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "蜀山区城关分会" in body
    # Breadcrumbs start at the user's own unit: nothing above it is shown.
    crumbs = body.split('data-testid="breadcrumbs"')[1].split("</ol>")[0]
    assert "合肥市个私协会" in crumbs and "安徽省个私协会" not in crumbs
    counts = body.split('data-testid="level-counts"')[1].split("</div>")[0]
    assert "1</strong>" in counts


def test_chinese_by_default_even_for_an_english_browser(tree: Tree, people: People):
    client = client_for(people.hefei_admin)
    response = client.get(
        reverse("org:unit", kwargs={"pk": tree.hefei.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert 'lang="zh-hans"' in response.content.decode()
    assert "下级单位" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("org:unit", kwargs={"pk": tree.hefei.pk}))
    assert "Sub-units" in response.content.decode()


def test_venue_edit_saves_and_shows_in_history(tree: Tree, people: People):
    client = client_for(people.shushan_secretary)
    url = reverse("org:venue_edit", kwargs={"pk": tree.shushan.pk})
    venue = Venue.objects.get(unit=tree.shushan)
    response = client.post(
        url,
        {
            "address": "长江西路1号",
            "floor_area": "120.5",
            "tenure": "leased",
            "has_meeting_room": "on",
            "lock_version": venue.lock_version,
        },
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert str(venue.floor_area) == "120.50"
    history = client.get(reverse("org:unit", kwargs={"pk": tree.shushan.pk}) + "?tab=history")
    assert "长江西路1号" in history.content.decode()


def test_negative_area_is_shown_next_to_the_field_and_nothing_is_saved(tree: Tree, people: People):
    client = client_for(people.shushan_secretary)
    venue = Venue.objects.get(unit=tree.shushan)
    response = client.post(
        reverse("org:venue_edit", kwargs={"pk": tree.shushan.pk}),
        {"address": "x", "floor_area": "-3", "lock_version": venue.lock_version},
    )
    assert response.status_code == 200
    assert 'data-field="floor_area"' in response.content.decode()
    assert "大于或等于0" in response.content.decode()
    venue.refresh_from_db()
    assert venue.address == ""


def test_stale_edit_is_told_and_shown_the_newer_version(tree: Tree, people: People):
    url = reverse("org:unit_edit", kwargs={"pk": tree.shushan.pk})
    unit = Unit.objects.get(pk=tree.shushan.pk)
    data = {
        "name": unit.name,
        "short_name": "",
        "code": unit.code,
        "status": "active",
        "contact_person": "",
        "phone": "",
        "address": "",
        "lock_version": unit.lock_version,
    }
    first = client_for(people.hefei_admin).post(url, {**data, "contact_person": "先保存"})
    assert first.status_code == 302
    second = client_for(people.shushan_secretary).post(url, {**data, "contact_person": "后保存"})
    body = second.content.decode()
    assert second.status_code == 200
    assert "有人在您打开后保存了此记录" in body
    assert 'value="先保存"' in body
    assert Unit.objects.get(pk=tree.shushan.pk).contact_person == "先保存"


def test_profile_section_add_with_bad_phone_is_refused(tree: Tree, people: People):
    client = client_for(people.branch_staff)
    url = reverse("org:section_create", kwargs={"pk": tree.branch.pk, "section": "staff"})
    response = client.post(
        url, {"name": "王芳", "post": "联络员", "employment": "full_time", "phone": "1234"}
    )
    assert response.status_code == 200
    assert 'data-field="phone"' in response.content.decode()
    assert not StaffMember.objects.exists()
    response = client.post(
        url, {"name": "王芳", "post": "联络员", "employment": "full_time", "phone": "0551-63456789"}
    )
    assert response.status_code == 302
    assert StaffMember.objects.get().phone == "0551-63456789"


def test_unknown_section_is_404(tree: Tree, people: People):
    client = client_for(people.national)
    url = reverse("org:section_create", kwargs={"pk": tree.branch.pk, "section": "nope"})
    assert client.get(url).status_code == 404


def test_unit_create_offers_only_levels_allowed_under_the_parent(tree: Tree, people: People):
    client = client_for(people.hefei_admin)
    url = reverse("org:unit_create", kwargs={"pk": tree.shushan.pk})
    body = client.get(url).content.decode()
    assert 'value="branch"' in body and 'value="city"' not in body
    response = client.post(url, {"level": "branch", "name": "新分会", "code": "340105001"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-field="code"' in body
    assert "区划以下单位的代码为上级单位代码加 3 位数字，如 340104001" in body
    response = client.post(url, {"level": "branch", "name": "新分会", "code": "340104002"})
    assert response.status_code == 302
    assert Unit.objects.filter(code="340104002", parent=tree.shushan).exists()


def test_move_page_refuses_target_outside_scope_and_own_subtree(tree: Tree, people: People):
    client = client_for(people.anhui_admin)
    url = reverse("org:unit_move", kwargs={"pk": tree.shushan.pk})
    response = client.post(url, {"new_parent_code": tree.nanjing.code})
    assert "320100" in response.content.decode() and response.status_code == 200
    response = client.post(url, {"new_parent_code": tree.branch.code})
    assert response.status_code == 200
    assert Unit.objects.get(pk=tree.shushan.pk).parent_id == tree.hefei.pk


def test_export_streams_the_subtree_with_formulas_neutralised(tree: Tree, people: People):
    Unit.objects.filter(pk=tree.branch.pk).update(contact_person="=HYPERLINK(1)")
    response = client_for(people.hefei_admin).get(
        reverse("org:unit_export", kwargs={"pk": tree.shushan.pk})
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "340104001001" in body and "340111" not in body
    assert "'=HYPERLINK(1)" in body


def test_venue_edit_works_for_a_unit_without_a_venue_row(tree: Tree, people: People):
    Venue.objects.filter(unit=tree.branch).delete()
    client = client_for(people.branch_staff)
    response = client.post(
        reverse("org:venue_edit", kwargs={"pk": tree.branch.pk}),
        {"address": "城关街道12号", "floor_area": "45", "tenure": "lent", "lock_version": 1},
    )
    assert response.status_code == 302
    assert Venue.objects.get(unit=tree.branch).address == "城关街道12号"
