"""The access matrix's cases for the account pages added beside the core ones (see
jiceng/core/tests/access.py, which holds sign-in and account management)."""

from types import SimpleNamespace

from conftest import Tree
from jiceng.core.tests.access import Case

CASES: dict[str, Case] = {
    # Only ever the user's own tokens: every signed-in role may create one here.
    "accounts:tokens": Case("own", method="post", data=lambda o: {"name": "matrix script"}),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """Nothing to add: the page is about the signed-in user's own tokens."""
