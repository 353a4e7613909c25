"""The access matrix's cases for the dues pages (see jiceng/core/tests/access.py). Targets lie
in 蜀山区's branch, so every insider role, branch staff included, is at or above them."""

from types import SimpleNamespace

from conftest import Tree
from jiceng.accounts.roles import Perm
from jiceng.core.tests.access import UNIT, Case, pk_of
from jiceng.members.tests.factories import make_member

from .helpers import pay, set_standards

CASES: dict[str, Case] = {
    "dues:unit_dues": Case("object", kwargs=UNIT),
    "api:unit-dues": Case("object", kwargs=UNIT),
    "api:unit-dues-children": Case("object", kwargs=UNIT),
    "dues:arrears": Case("object", kwargs=UNIT),
    "dues:standards_edit": Case("object", Perm.DUES_EDIT, kwargs=UNIT),
    "dues:payment_create": Case(
        "object", Perm.DUES_EDIT, kwargs=lambda o: {"member_pk": o.dues_member.pk}
    ),
    "dues:payment_detail": Case("object", kwargs=pk_of("dues_payment")),
    "dues:payment_void": Case(
        "object",
        Perm.DUES_EDIT,
        "post",
        pk_of("dues_payment"),
        data=lambda o: {"reason": "重复录入"},
    ),
}


def make_objects(tree: Tree, objects: SimpleNamespace) -> None:
    set_standards(tree.shushan, individual="200", enterprise="1000")
    objects.dues_member = make_member(tree.branch, business_name="城关欠费商户")
    objects.dues_payment = pay(objects.dues_member, "150", receipt="ACCESS-1").payment
