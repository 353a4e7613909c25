"""For every URL of the app and every role: an outsider from a sibling subtree gets 404 for a
page about an object, whatever the role (scope before permission), and 403 or a list without
the object for a list page, and a user at or
above the object gets in. The URL patterns are enumerated, so a new page cannot be left out.

The cases live beside each app (`<app>/tests/access.py`); see `jiceng/core/tests/access.py`."""

import importlib
import importlib.util
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import Tree, client_for, make_unit, make_user
from jiceng.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from jiceng.org.models import Level

from .access import Case


def _access_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jiceng."):
            continue
        # An app may split its cases: pages in `access`, the API in `access_api`, and more.
        for module in ("access", "access_api", "access_progress"):
            name = f"{config.name}.tests.{module}"
            if importlib.util.find_spec(name) is not None:
                modules.append(importlib.import_module(name))
    return modules


MODULES = _access_modules()
CASES: dict[str, Case] = {}
for _module in MODULES:
    overlap = set(CASES) & set(_module.CASES)
    assert not overlap, f"URL names in two access modules: {overlap}"
    CASES.update(_module.CASES)


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


#: Pages about an object that belongs to no unit (the national rules checklist's items).
NO_UNIT = {
    "activities:rule_item_edit",
    "activities:rule_item_move",
    "activities:rule_item_toggle",
    "activities:rule_item_delete",
}


def test_every_url_pattern_is_in_the_matrix():
    missing = all_url_names() - set(CASES)
    assert not missing, f"add these URL names to the access matrix: {sorted(missing)}"
    assert not set(CASES) - all_url_names(), "the matrix names URLs that no longer exist"


@pytest.fixture
def objects(tree: Tree) -> SimpleNamespace:
    objects = SimpleNamespace(tree=tree)
    for module in MODULES:
        module.make_objects(tree, objects)
    return objects


def _request(client: Any, case: Case, url: str, objects: SimpleNamespace) -> Any:
    if case.method == "put":
        body = case.data(objects) if case.data else {}
        return client.put(url, json.dumps(body), content_type="application/json")
    if case.method == "post":
        data = case.data(objects) if case.data else {"lock_version": 1, "language": "en"}
        return client.post(url, data)
    return client.get(url)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(CASES))
def test_access(name: str, role: Role, objects: SimpleNamespace) -> None:
    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(objects) if case.kwargs else None)
    if case.query:
        url += "?" + case.query(objects)
    allowed = case.perm is None or Perm(case.perm) in ROLE_PERMISSIONS[role]
    tree = objects.tree

    if role in OUTSIDE and case.kind in ("object", "list"):
        if OUTSIDE[role] == "xuanwu_branch":
            where = make_unit(tree.xuanwu, Level.BRANCH, "320102001", "玄武区分会")
        else:
            where = getattr(tree, OUTSIDE[role])
        outsider = make_user(f"out_{role}", role, where)
        response = _request(client_for(outsider), case, url, objects)
        if case.kind == "object":
            # Scope before permission: outside the subtree 404, whatever the role may do
            # (a 403 would reveal that the object exists; issue 9, item 10). Objects of no
            # unit (the national rules checklist) have no outside: the role's 403 answers.
            refused = (403,) if name in NO_UNIT else (404, 405)
            assert response.status_code in ((404,) if allowed else refused), (
                name,
                role,
                "outsider",
                response.status_code,
            )
        elif not allowed:
            assert response.status_code == 403, (name, role, "outsider")
        else:
            assert response.status_code == 200, (name, role, "outsider list")
            if case.marker:
                assert case.marker(objects) not in response.content.decode(), (name, role, "leak")

    place = getattr(tree, INSIDE[role])
    insider = make_user(f"in_{role}", role, place)
    response = _request(client_for(insider), case, url, objects)
    owner = getattr(tree, case.owner)
    if case.kind in ("object", "list") and not owner.path.startswith(place.path):
        # Placed below the page's unit: outside its subtree, whatever the role.
        if case.kind == "object":
            assert response.status_code == 404, (name, role, "below", response.status_code)
        elif allowed:
            assert response.status_code == 200, (name, role, "below the owner list")
            if case.marker:
                assert case.marker(objects) not in response.content.decode(), (name, role)
        return
    if case.insiders and role in case.insiders:
        assert response.status_code == case.insiders[role], (
            name,
            role,
            "insider whose place decides",
            response.status_code,
        )
        return
    if not allowed:
        assert response.status_code == 403, (name, role, "insider without permission")
        return
    if name == "org:unit_move" and INSIDE[role] == "branch":
        return  # branch staff cannot move units (covered by `allowed`)
    assert response.status_code in (200, 302), (name, role, "insider", response.status_code)
    if case.kind == "list" and case.marker and response.status_code == 200:
        assert case.marker(objects) in response.content.decode(), (name, role, "insider sees it")
