"""Personal data on the member pages (issue 9, items 1–4 and 17): masked in forms, searched by
identifier only by those who may unmask (audited, rate-limited, never in a URL), never cached,
and no existence oracle for credit codes outside the user's area."""

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.core.models import AuditEntry
from jiceng.members import crypto
from jiceng.members.models import Member

from .factories import credit_code, id_number, make_member

pytestmark = pytest.mark.django_db

PHONE = "13712345678"


def _list_url(unit) -> str:
    return reverse("members:list", kwargs={"pk": unit.pk})


def _search(client: Client, unit, query: str, **extra: str):
    """A search as the page's search box sends it (htmx, by POST)."""
    return client.post(_list_url(unit), {"q": query, **extra}, headers={"HX-Request": "true"})


@pytest.fixture
def target(tree: Tree) -> Member:
    make_member(tree.shushan, business_name="别的商户", operator="孙某", phone="13900000001")
    return make_member(
        tree.shushan,
        business_name="蜀山老字号酱菜",
        operator="钱多多",
        phone=PHONE,
        id_number=id_number(),
    )


# --- 1. the edit form -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["hefei_admin", "anhui_admin", "national", "shushan_secretary"])
def test_the_edit_form_shows_the_phone_masked(tree: Tree, people: People, target: Member, who):
    body = (
        client_for(getattr(people, who))
        .get(reverse("members:edit", kwargs={"pk": target.pk}))
        .content.decode()
    )
    assert PHONE not in body and target.id_number not in body
    assert 'value="137****5678"' in body
    assert not AuditEntry.objects.filter(action="member.unmask").exists()


def _edit_data(member: Member, **changes: str) -> dict[str, object]:
    return {
        "member_type": member.member_type,
        "business_name": member.business_name,
        "operator": member.operator,
        "status": member.status,
        "credit_code": member.credit_code,
        "phone": member.phone_masked,
        "join_date": member.join_date.isoformat() if member.join_date else "",
        "lock_version": member.lock_version,
        **changes,
    }


def test_a_save_that_leaves_the_masked_phone_alone_keeps_it(
    tree: Tree, people: People, target: Member
):
    client = client_for(people.hefei_admin)
    url = reverse("members:edit", kwargs={"pk": target.pk})
    response = client.post(url, _edit_data(target, business_name="改名的酱菜"))
    assert response.status_code == 302, response.content.decode()
    target.refresh_from_db()
    assert target.business_name == "改名的酱菜" and target.phone == PHONE
    entry = AuditEntry.objects.get(action="member.update")
    before, after = entry.before or {}, entry.after or {}
    assert "phone" not in {k for k in after if before.get(k) != after[k]}


def test_a_full_new_phone_typed_over_the_mask_is_saved(tree: Tree, people: People, target):
    client = client_for(people.hefei_admin)
    url = reverse("members:edit", kwargs={"pk": target.pk})
    assert client.post(url, _edit_data(target, phone="13987654321")).status_code == 302
    target.refresh_from_db()
    assert target.phone == "13987654321"
    # A half-typed mask is no phone: refused, nothing saved.
    target_data = _edit_data(target, phone="139****43")
    response = client.post(url, target_data)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.phone == "13987654321"


# --- 2. search by identifier ------------------------------------------------------------------


def _streamed(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _names(response) -> str:
    return response.content.decode()


def _hits(response) -> int:
    return len(re.findall(r'href="/members/\d+/"', response.content.decode()))


@pytest.mark.parametrize("who", ["viewer", "hefei_admin", "reviewer"])
def test_a_role_that_may_not_unmask_cannot_confirm_a_phone_or_id(
    tree: Tree, people: People, target: Member, who
):
    client = client_for(getattr(people, who), language="en")
    unit = tree.hefei if who != "reviewer" else tree.anhui
    nothing = _search(client, unit, "15000000000")
    assert _hits(nothing) == 0
    for query in [PHONE[:7], PHONE, target.id_number, PHONE[:9]]:
        for response in (
            _search(client, unit, query),
            client.get(_list_url(unit), {"q": query}),
            client.get(_list_url(unit), {"q": query}, headers={"HX-Request": "true"}),
        ):
            assert target.business_name not in _names(response), query
            assert _hits(response) == 0, query
        # Same answer as no match at all.
        assert _search(client, unit, query).content == nothing.content, query
    # Names and codes still work for them.
    assert target.business_name in _names(_search(client, unit, "酱菜"))
    assert target.business_name in _names(_search(client, unit, target.credit_code))
    assert not AuditEntry.objects.filter(action="security.identifier_search").exists()


def test_an_unmasking_role_searches_by_phone_and_id_audited_without_the_value(
    tree: Tree, people: People, target: Member
):
    client = client_for(people.shushan_secretary, language="en")
    number = target.id_number
    for query in [PHONE[:7], PHONE, number]:
        response = _search(client, tree.shushan, query)
        assert target.business_name in _names(response), query
        assert "别的商户" not in _names(response), query
    entries = list(AuditEntry.objects.filter(action="security.identifier_search").order_by("id"))
    assert len(entries) == 3
    for entry, query in zip(entries, [PHONE[:7], PHONE, number], strict=True):
        assert entry.actor == people.shushan_secretary and entry.unit == tree.shushan
        text = json.dumps([entry.before, entry.after, entry.object_repr], ensure_ascii=False)
        assert query not in text and query[:6] not in text and query[-4:] not in text
        digest = (entry.after or {})["query_hash"]
        assert re.fullmatch(r"[0-9a-f]{32,64}", digest)
        assert digest[:32] != crypto.blind_index(query)  # a key of its own
    assert (entries[1].after or {})["query_hash"] != (entries[0].after or {})["query_hash"]
    # The same value gives the same hash, so an auditor can see repeated searches.
    _search(client, tree.shushan, PHONE)
    again = AuditEntry.objects.filter(action="security.identifier_search").latest("id")
    assert (again.after or {})["query_hash"] == (entries[1].after or {})["query_hash"]
    # Names are not identifier searches: not audited.
    _search(client, tree.shushan, "酱菜")
    assert AuditEntry.objects.filter(action="security.identifier_search").count() == 4


def test_identifier_searches_are_rate_limited_per_account(
    tree: Tree, people: People, target: Member, settings
):
    settings.MEMBER_IDENTIFIER_SEARCH_LIMIT = 2
    client = client_for(people.shushan_secretary, language="en")
    for _ in range(2):
        assert target.business_name in _names(_search(client, tree.shushan, PHONE))
    refused = _search(client, tree.shushan, PHONE)
    assert target.business_name not in _names(refused)
    assert "Too many searches by ID number or phone" in _names(refused)
    assert AuditEntry.objects.filter(action="security.identifier_search").count() == 2
    # Another account has its own count; names still work for the first.
    other = client_for(people.branch_staff, language="en")
    assert "Too many searches" not in _names(_search(other, tree.branch, PHONE))
    assert target.business_name in _names(_search(client, tree.shushan, "酱菜"))


# --- 3. never in a URL ------------------------------------------------------------------------


def test_the_search_box_posts_and_keeps_identifiers_out_of_the_address(
    tree: Tree, people: People, target: Member
):
    client = client_for(people.shushan_secretary, language="en")
    page = client.get(_list_url(tree.shushan)).content.decode()
    form = re.search(r'<form[^>]*data-testid="member-filters"[^>]*>', page)
    assert form is not None and 'method="post"' in form.group(0)
    search_box = re.search(r'<input[^>]*data-testid="member-search"[^>]*>', page)
    assert search_box is not None
    assert "hx-get" not in search_box.group(0) and 'hx-push-url="true"' not in search_box.group(0)
    # An identifier search: the answer tells htmx not to put anything in the history ...
    response = _search(client, tree.shushan, PHONE)
    assert response.headers.get("HX-Push-Url") == "false"
    body = response.content.decode()
    for url in re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', body):
        assert PHONE[:7] not in url, url
    # ... a name goes into the address as before (bookmarkable).
    named = _search(client, tree.shushan, "酱菜")
    assert "q=" in named.headers["HX-Push-Url"]
    # Without htmx: a name search is redirected to its address; an identifier search is not.
    assert client.post(_list_url(tree.shushan), {"q": "酱菜"}).status_code == 302
    plain = client.post(_list_url(tree.shushan), {"q": PHONE})
    assert plain.status_code == 200 and target.business_name in plain.content.decode()
    page = plain.content.decode()
    for url in re.findall(r'(?:href|action|hx-get|hx-post)="([^"]*)"', page):
        assert PHONE[:7] not in url, url


def test_a_paged_identifier_search_pages_by_post(tree: Tree, people: People, settings):
    settings.PAGE_SIZE = 2
    for i in range(5):
        make_member(tree.shushan, phone=f"1371234000{i}")
    client = client_for(people.shushan_secretary, language="en")
    first = _search(client, tree.shushan, "1371234").content.decode()
    assert "Page 1 of 3" in first
    assert "1371234" not in " ".join(re.findall(r'href="([^"]*)"', first))
    second = _search(client, tree.shushan, "1371234", page="2").content.decode()
    assert "Page 2 of 3" in second


def test_the_csv_export_of_an_identifier_search_keeps_it_out_of_the_url(
    tree: Tree, people: People, target: Member
):
    client = client_for(people.shushan_secretary, language="en")
    page = client.post(_list_url(tree.shushan), {"q": PHONE}).content.decode()
    for url in re.findall(r'(?:href|action)="([^"]*)"', page):
        assert PHONE[:7] not in url, url
    response = client.post(
        reverse("members:export_csv", kwargs={"pk": tree.shushan.pk}), {"q": PHONE}
    )
    rows = _streamed(response).splitlines()
    assert len(rows) == 2 and target.business_name in rows[1]
    # By GET the identifier is not searched (it would be in the address).
    response = client.get(
        reverse("members:export_csv", kwargs={"pk": tree.shushan.pk}), {"q": PHONE}
    )
    assert target.business_name not in _streamed(response)


# --- 4. never cached --------------------------------------------------------------------------


def test_member_pages_and_unmasking_are_not_stored(tree: Tree, people: People, target: Member):
    client = client_for(people.shushan_secretary)
    responses = [
        client.get(_list_url(tree.shushan)),
        client.get(reverse("members:detail", kwargs={"pk": target.pk})),
        client.get(reverse("members:edit", kwargs={"pk": target.pk})),
        client.post(reverse("members:unmask", kwargs={"pk": target.pk})),
        _search(client, tree.shushan, PHONE),
        client.get(reverse("members:export_csv", kwargs={"pk": tree.shushan.pk})),
    ]
    for response in responses:
        assert "no-store" in response.headers.get("Cache-Control", ""), response


# --- 17. no existence oracle ------------------------------------------------------------------


def _create(client: Client, unit, code: str):
    data = {"member_type": "individual", "business_name": "新店", "status": "active"}
    url = reverse("members:create", kwargs={"pk": unit.pk})
    return client.post(url, {**data, "credit_code": code})


def test_a_code_held_outside_the_area_cannot_be_used_and_the_probe_is_counted(
    tree: Tree, people: People
):
    code = credit_code()
    make_member(tree.xuanwu, credit_code=code, business_name="南京某店")
    client = client_for(people.shushan_secretary, language="en")
    body = _create(client, tree.shushan, code).content.decode()
    assert "cannot be used" in body
    for telling in [
        "outside your area",
        "another association",
        "南京",
        "玄武",
        "already registered",
    ]:
        assert telling not in body, telling
    assert not Member.objects.filter(business_name="新店").exists()
    probe = AuditEntry.objects.get(action="security.existence_probe")
    assert probe.actor == people.shushan_secretary and probe.unit == tree.shushan
    assert code not in json.dumps([probe.before, probe.after, probe.object_repr])
    # The same through the edit page.
    member = make_member(tree.shushan)
    url = reverse("members:edit", kwargs={"pk": member.pk})
    body = client.post(url, _edit_data(member, credit_code=code)).content.decode()
    assert "cannot be used" in body and "南京" not in body
    assert AuditEntry.objects.filter(action="security.existence_probe").count() == 2


def test_a_code_held_inside_the_area_names_and_links_the_holder(tree: Tree, people: People):
    code = credit_code()
    holder = make_member(tree.baohe, credit_code=code, business_name="包河某店")
    body = _create(client_for(people.hefei_admin, language="en"), tree.shushan, code)
    text = body.content.decode()
    assert "包河某店" in text
    assert f'href="{reverse("members:detail", kwargs={"pk": holder.pk})}"' in text
    assert not AuditEntry.objects.filter(action="security.existence_probe").exists()
