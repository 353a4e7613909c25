"""The access matrix's cases for the account pages added beside the core ones (see
jiceng/core/tests/access.py, which holds sign-in and account management)."""

from types import SimpleNamespace

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.core.tests.access import Case, pk_of

CASES: dict[str, Case] = {
    # Only ever the user's own tokens: every signed-in role may create one here.
    "accounts:tokens": Case("own", method="post", data=lambda o: {"name": "matrix script"}),
    # The second step of signing in: with nothing pending it sends back to the first.
    "accounts:login_code": Case("public"),
    # The account's own security: every signed-in role, about itself only.
    "accounts:security": Case("own"),
    "accounts:reauth": Case("own"),
    "accounts:mfa_enrol": Case("own"),
    "accounts:mfa_disable": Case("own", method="post"),
    "accounts:recovery_codes": Case("own"),
    "accounts:recovery_renew": Case("own", method="post"),
    # An administrator above resets another account's second factor.
    "accounts:mfa_reset": Case("object", Perm.ACCOUNT_MANAGE, "post", pk_of("account")),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    """Nothing to add: the page is about the signed-in user's own tokens."""
