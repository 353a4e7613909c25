"""Scope is checked before permission everywhere (issue 9, item 10): a page about a unit
outside the user's subtree answers 404 whatever the role may do, never 403, which would reveal
that the unit exists. Walks every unit page (edit and write URLs included) for a parent and
siblings of the user's unit, by GET and POST."""

from typing import Any

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from conftest import Tree, client_for, make_unit, make_user
from jiceng.accounts.roles import Role
from jiceng.org.models import Level, Unit

UNIT_ROUTE = "units/<int:pk>/"


def unit_url_names() -> list[str]:
    """Every page whose URL starts with a unit's key."""
    names: list[str] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif (
                isinstance(p, URLPattern)
                and p.name
                and (prefix + str(p.pattern)).startswith(UNIT_ROUTE)
            ):
                names.append(namespace + p.name)

    walk(get_resolver().url_patterns, "", "")
    return sorted(names)


NAMES = unit_url_names()


def _url(name: str, unit: Unit) -> str:
    """The page's URL for `unit`; a profile section or an item where the route has one (the
    item need not exist: the unit is what is out of scope)."""
    for extra in (
        {},
        {"item_pk": 1},
        {"task_pk": 1},
        {"file_pk": 1},
        {"code": "1.1"},
        {"campaign_pk": 1},
        {"campaign_pk": 1, "task_pk": 1},
        {"section": "staff"},
        {"section": "staff", "item_pk": 1},
    ):
        try:
            return reverse(name, kwargs={"pk": unit.pk, **extra})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot build {name}")


def test_the_walk_covers_the_edit_pages():
    for name in ("org:unit_edit", "org:venue_edit", "members:create", "dues:standards_edit"):
        assert name in NAMES


@pytest.mark.parametrize("role", [Role.BRANCH_STAFF, Role.GRASSROOTS_SECRETARY])
def test_units_outside_the_subtree_answer_404_for_every_page(tree: Tree, role: Role):
    sibling_branch = make_unit(tree.shushan, Level.BRANCH, "340104002", "蜀山区南七分会")
    if role == Role.BRANCH_STAFF:
        user = make_user("branch_walker", role, tree.branch)
        outside = {"parent": tree.shushan, "sibling": sibling_branch, "uncle": tree.baohe}
    else:
        user = make_user("secretary_walker", role, tree.shushan)
        outside = {"parent": tree.hefei, "sibling": tree.baohe, "root": tree.root}
    client = client_for(user)
    wrong = []
    for name in NAMES:
        for where, unit in outside.items():
            url = _url(name, unit)
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"lock_version": 1})
                # 405: a POST-only page refuses GET before anything else, for any unit.
                if response.status_code not in (404, 405) or (
                    method == "post" and response.status_code != 404
                ):
                    wrong.append((name, where, method, response.status_code))
    assert not wrong, wrong


def test_inside_the_subtree_a_missing_permission_is_still_403(tree: Tree):
    viewer = make_user("hefei_viewer", Role.VIEWER, tree.hefei)
    client = client_for(viewer)
    for name in ("org:unit_edit", "org:venue_edit", "members:create"):
        assert client.get(reverse(name, kwargs={"pk": tree.shushan.pk})).status_code == 403
        # ... and 404 one step outside.
        assert client.get(reverse(name, kwargs={"pk": tree.nanjing.pk})).status_code == 404


def test_a_probed_view_keeps_nothing(tree: Tree):
    """The branch staff's POST to the parent's edit page changes nothing, inside or out."""
    staff = make_user("branch_poster", Role.BRANCH_STAFF, tree.branch)
    client = client_for(staff)
    before = Unit.objects.get(pk=tree.shushan.pk)
    response = client.post(
        reverse("org:unit_edit", kwargs={"pk": tree.shushan.pk}),
        {"name": "改名", "lock_version": before.lock_version},
    )
    assert response.status_code == 404
    assert Unit.objects.get(pk=tree.shushan.pk).name == before.name
