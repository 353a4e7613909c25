"""For every URL of the app and every role: an outsider from a sibling subtree gets 404 (403
where the role may not use the page at all, or a list without the object), and a user at or
above the object gets in. The URL patterns are enumerated, so a new page cannot be left out."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from conftest import Tree, client_for, make_unit, make_user
from jiceng.accounts.models import User
from jiceng.accounts.roles import Perm, Role
from jiceng.core.actor import Actor
from jiceng.org import services
from jiceng.org.models import Level, StaffMember, VenuePhoto


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(prefix + p.name)

    walk(get_resolver().url_patterns, "")
    return names


@dataclass
class Objects:
    tree: Tree
    staff: StaffMember
    photo: VenuePhoto
    account: User


@dataclass(frozen=True)
class Case:
    kind: str  # "object" | "list" | "own" | "public"
    perm: Perm | None = None
    method: str = "get"
    kwargs: Callable[[Objects], dict[str, Any]] | None = None
    #: for lists: a string that identifies the target object and must not leak to outsiders
    marker: Callable[[Objects], str] | None = None


UNIT = lambda o: {"pk": o.tree.branch.pk}  # noqa: E731

CASES: dict[str, Case] = {
    "home": Case("own"),
    "set_language": Case("public", method="post"),
    "accounts:login": Case("public"),
    "accounts:logout": Case("own", method="post"),
    "accounts:password_change": Case("own"),
    "accounts:list": Case("list", Perm.ACCOUNT_MANAGE, marker=lambda o: o.account.username),
    "accounts:create": Case("list", Perm.ACCOUNT_MANAGE),
    "accounts:edit": Case("object", Perm.ACCOUNT_MANAGE, kwargs=lambda o: {"pk": o.account.pk}),
    "accounts:unlock": Case("object", Perm.ACCOUNT_MANAGE, "post", lambda o: {"pk": o.account.pk}),
    "org:search": Case("list", marker=lambda o: o.tree.branch.code),
    "org:unit": Case("object", kwargs=UNIT),
    "org:unit_edit": Case("object", Perm.UNIT_EDIT, kwargs=UNIT),
    "org:unit_move": Case("object", Perm.UNIT_MOVE, kwargs=lambda o: {"pk": o.tree.group.pk}),
    "org:unit_create": Case("object", Perm.UNIT_CREATE, kwargs=UNIT),
    "org:unit_export": Case("object", Perm.EXPORT, kwargs=UNIT),
    "org:venue_edit": Case("object", Perm.PROFILE_EDIT, kwargs=UNIT),
    "org:section_create": Case(
        "object", Perm.PROFILE_EDIT, kwargs=lambda o: {"pk": o.tree.branch.pk, "section": "staff"}
    ),
    "org:section_edit": Case(
        "object",
        Perm.PROFILE_EDIT,
        kwargs=lambda o: {"pk": o.tree.branch.pk, "section": "staff", "item_pk": o.staff.pk},
    ),
    "org:section_delete": Case(
        "object",
        Perm.PROFILE_EDIT,
        "post",
        lambda o: {"pk": o.tree.branch.pk, "section": "staff", "item_pk": o.staff.pk},
    ),
    "org:venue_photo": Case("object", kwargs=lambda o: {"pk": o.photo.pk}),
    "core:audit": Case("list", Perm.AUDIT_VIEW, marker=lambda o: "蜀山区城关分会"),
    "api:me": Case("own"),
    "api:schema": Case("own"),
    "api:unit-list": Case("list", marker=lambda o: o.tree.branch.code),
    "api:unit-detail": Case("object", kwargs=UNIT),
    "api:unit-children": Case("object", kwargs=UNIT),
}

#: Where each role sits inside 安徽 (at or above the target branch), and in the sibling 江苏.
INSIDE = {
    Role.NATIONAL_ADMIN: "root",
    Role.PROVINCIAL_ADMIN: "anhui",
    Role.CITY_ADMIN: "hefei",
    Role.GRASSROOTS_SECRETARY: "shushan",
    Role.BRANCH_STAFF: "branch",
    Role.REVIEWER: "anhui",
    Role.VIEWER: "hefei",
}
OUTSIDE = {
    Role.PROVINCIAL_ADMIN: "jiangsu",
    Role.CITY_ADMIN: "nanjing",
    Role.GRASSROOTS_SECRETARY: "xuanwu",
    Role.BRANCH_STAFF: "xuanwu_branch",
    Role.REVIEWER: "jiangsu",
    Role.VIEWER: "nanjing",
}


def test_every_url_pattern_is_in_the_matrix():
    missing = all_url_names() - set(CASES)
    assert not missing, f"add these URL names to the access matrix: {sorted(missing)}"
    assert not set(CASES) - all_url_names(), "the matrix names URLs that no longer exist"


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return SimpleUploadedFile("venue.png", buf.getvalue(), content_type="image/png")


@pytest.fixture
def objects(tree: Tree) -> Objects:
    actor = Actor.system()
    staff = services.profile_item_create(
        actor=actor, unit=tree.branch, model=StaffMember, data={"name": "王芳", "post": "联络员"}
    )
    photo = services.profile_item_create(
        actor=actor, unit=tree.branch, model=VenuePhoto, data={"image": _png(), "caption": "门头"}
    )
    account = make_user("group_staff", Role.BRANCH_STAFF, tree.group)
    return Objects(tree=tree, staff=staff, photo=photo, account=account)


def _request(client: Any, case: Case, url: str) -> Any:
    if case.method == "post":
        return client.post(url, {"version": 1, "language": "en"})
    return client.get(url)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(CASES))
def test_access(name: str, role: Role, objects: Objects) -> None:
    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(objects) if case.kwargs else None)
    allowed = (
        case.perm is None
        or Perm(case.perm)
        in __import__("jiceng.accounts.roles", fromlist=["ROLE_PERMISSIONS"]).ROLE_PERMISSIONS[role]
    )
    tree = objects.tree

    if role in OUTSIDE and case.kind in ("object", "list"):
        if OUTSIDE[role] == "xuanwu_branch":
            where = make_unit(tree.xuanwu, Level.BRANCH, "320102001", "玄武区分会")
        else:
            where = getattr(tree, OUTSIDE[role])
        outsider = make_user(f"out_{role}", role, where)
        response = _request(client_for(outsider), case, url)
        if case.kind == "object":
            assert response.status_code == (404 if allowed else 403), (name, role, "outsider")
        elif not allowed:
            assert response.status_code == 403, (name, role, "outsider")
        else:
            assert response.status_code == 200, (name, role, "outsider list")
            if case.marker:
                assert case.marker(objects) not in response.content.decode(), (name, role, "leak")

    insider = make_user(f"in_{role}", role, getattr(tree, INSIDE[role]))
    response = _request(client_for(insider), case, url)
    if not allowed:
        assert response.status_code == 403, (name, role, "insider without permission")
        return
    if name == "org:unit_move" and INSIDE[role] == "branch":
        return  # branch staff cannot move units (covered by `allowed`)
    assert response.status_code in (200, 302), (name, role, "insider", response.status_code)
    if case.kind == "list" and case.marker and response.status_code == 200:
        assert case.marker(objects) in response.content.decode(), (name, role, "insider sees it")
