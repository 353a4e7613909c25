"""The access matrix's cases for the documents' API (the objects come from `access.py`)."""

from types import SimpleNamespace

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.core.tests.access import Case, pk_of

CASES: dict[str, Case] = {
    "api:document-list": Case("own"),
    "api:document-detail": Case("object", kwargs=pk_of("document")),
    # Acknowledged for the target branch (each insider may act for a unit below it).
    "api:document-acknowledge": Case(
        "object",
        Perm.CAMPAIGN_REPORT,
        "post",
        pk_of("document"),
        data=lambda o: {"unit": o.tree.branch.pk},
    ),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """Nothing of its own: `access.py` made the document."""
