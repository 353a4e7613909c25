"""The access matrix's cases for the progress page and its .xlsx (see
jiceng/core/tests/access.py): the target branch's page in the campaign `access.py` makes."""

from types import SimpleNamespace

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.core.tests.access import Case


def _kwargs(o: SimpleNamespace) -> dict[str, int]:
    return {"pk": o.tree.branch.pk, "campaign_pk": o.campaign_task.phase.campaign_id}


CASES: dict[str, Case] = {
    "campaigns:progress": Case("object", kwargs=_kwargs),
    "campaigns:progress_export": Case("object", Perm.EXPORT, kwargs=_kwargs),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """Nothing more: `access.py` of this app adds the campaign (`objects.campaign_task`)."""
