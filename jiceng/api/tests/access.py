"""Access-matrix cases for the API's index and documentation (see jiceng/core/tests/access.py;
the data endpoints' cases sit beside the pages they mirror). Every signed-in role may read
them; nothing in them depends on a unit."""

from types import SimpleNamespace

from conftest import Tree
from jiceng.core.tests.access import Case

CASES: dict[str, Case] = {
    "api:root": Case("own"),
    "api:docs": Case("own"),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """No rows of its own."""
