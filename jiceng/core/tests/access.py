"""The access matrix's cases for the core, tree, account and API pages.

Each app that adds pages keeps its own `tests/access.py` with `CASES` (URL name → Case) and
`make_objects(tree, objects)`, which adds the rows its cases point at; the matrix test merges
them in INSTALLED_APPS order, so a later app's objects may use an earlier app's.
"""

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from conftest import Tree, make_user
from jiceng.accounts.roles import Perm, Role
from jiceng.core.actor import Actor
from jiceng.org import services
from jiceng.org.models import StaffMember, VenuePhoto

from .uploads import image_upload


@dataclass(frozen=True)
class Case:
    kind: str  # "object" | "list" | "own" | "public"
    perm: Perm | None = None
    method: str = "get"
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    #: for lists: a string that identifies the target object and must not leak to outsiders
    marker: Callable[[Any], str] | None = None
    #: POST data, when the default (a version and a language) is not enough to reach the view
    data: Callable[[Any], dict[str, Any]] | None = None
    #: The tree attribute of the unit the page is about, when not the target branch (an
    #: association's assessment: "shushan"). Insiders placed below it are outside its subtree:
    #: 404 for an object, a list without it.
    owner: str = "branch"
    #: What an insider of a role gets where its place, not its role, decides (only the
    #: association's parent approves it): role → status.
    insiders: dict[Any, int] | None = None
    #: A query string to add to the URL (without "?").
    query: Callable[[Any], str] | None = None


def pk_of(name: str) -> Callable[[Any], dict[str, Any]]:
    """The URL kwargs of a page about one of the rows `make_objects` added: its pk."""
    return lambda o: {"pk": getattr(o, name).pk}


#: The URL kwargs of a page about the target branch, where every app's rows live.
UNIT = lambda o: {"pk": o.tree.branch.pk}  # noqa: E731

CASES: dict[str, Case] = {
    "home": Case("own"),
    "set_language": Case("public", method="post"),
    "accounts:login": Case("public"),
    "accounts:logout": Case("own", method="post"),
    "accounts:password_change": Case("own"),
    "accounts:list": Case("list", Perm.ACCOUNT_MANAGE, marker=lambda o: o.account.username),
    "accounts:create": Case("list", Perm.ACCOUNT_MANAGE),
    "accounts:edit": Case("object", Perm.ACCOUNT_MANAGE, kwargs=pk_of("account")),
    "accounts:unlock": Case("object", Perm.ACCOUNT_MANAGE, "post", pk_of("account")),
    "org:search": Case("list", marker=lambda o: o.tree.branch.code),
    "org:unit": Case("object", kwargs=UNIT),
    "org:unit_figures": Case("object", kwargs=UNIT),
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
    "org:venue_photo": Case("object", kwargs=pk_of("photo")),
    "core:audit": Case("list", Perm.AUDIT_VIEW, marker=lambda o: "蜀山区城关分会"),
    "api:me": Case("own"),
    "api:schema": Case("own"),
    "api:unit-list": Case("list", marker=lambda o: o.tree.branch.code),
    "api:unit-detail": Case("object", kwargs=UNIT),
    "api:unit-children": Case("object", kwargs=UNIT),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    actor = Actor.system()
    objects.staff = services.profile_item_create(
        actor=actor, unit=tree.branch, model=StaffMember, data={"name": "王芳", "post": "联络员"}
    )
    objects.photo = services.profile_item_create(
        actor=actor,
        unit=tree.branch,
        model=VenuePhoto,
        data={"image": image_upload("venue.png"), "caption": "门头"},
    )
    objects.account = make_user("group_staff", Role.BRANCH_STAFF, tree.group)
