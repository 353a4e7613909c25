"""Tree rules: levels under levels, and what a unit code must look like."""

import pytest
from django.core.exceptions import ValidationError

from conftest import Tree, make_unit
from jiceng.org.models import Level
from jiceng.org.validation import division_prefix, validate_new_unit_code


def test_division_prefix():
    assert division_prefix("340000") == "34"
    assert division_prefix("340100") == "3401"
    assert division_prefix("340104") == "340104"


@pytest.mark.parametrize(
    ("code", "level", "parent_attr"),
    [
        ("340102", Level.GRASSROOTS, "hefei"),  # a district of 合肥
        ("340100001", Level.GRASSROOTS, "hefei"),  # derived from the city's code
        ("340104002", Level.BRANCH, "shushan"),
        ("340104001002", Level.GROUP, "branch"),
        ("210200", Level.PROVINCE, "root"),  # 大连, a separately-planned city
    ],
)
def test_valid_codes(tree: Tree, code: str, level: str, parent_attr: str):
    validate_new_unit_code(code=code, level=level, parent=getattr(tree, parent_attr))


@pytest.mark.parametrize(
    ("code", "level", "parent_attr", "message"),
    [
        ("34010", Level.GRASSROOTS, "hefei", "6-digit"),
        ("34O104", Level.GRASSROOTS, "hefei", "6-digit"),
        ("3401040011", Level.BRANCH, "shushan", "6-digit"),
        ("320102", Level.GRASSROOTS, "hefei", "does not lie inside"),
        ("340100", Level.GRASSROOTS, "hefei", "does not lie inside"),
        ("340105001", Level.BRANCH, "shushan", "parent's code followed by three digits"),
        ("340104", Level.BRANCH, "shushan", "parent's code followed by three digits"),
        ("340100", Level.PROVINCE, "root", "ending in 0000"),
    ],
)
def test_malformed_codes_are_refused_with_the_reason(
    tree: Tree, code: str, level: str, parent_attr: str, message: str
):
    with pytest.raises(ValidationError) as exc:
        validate_new_unit_code(code=code, level=level, parent=getattr(tree, parent_attr))
    assert message in str(exc.value.message_dict["code"])


def test_parent_at_the_wrong_level_is_refused(tree: Tree):
    with pytest.raises(ValidationError) as exc:
        make_unit(tree.anhui, Level.BRANCH, "340000001", "错层分会")
    assert "parent" in exc.value.message_dict
    assert "cannot be placed under" in exc.value.message_dict["parent"][0]


def test_only_one_national_unit(tree: Tree):
    from jiceng.org.models import Unit

    unit = Unit(code="100001", name="第二个全国", level=Level.NATIONAL)
    with pytest.raises(ValidationError) as exc:
        unit.full_clean(exclude=["path", "depth", "numchild"])
    assert "level" in exc.value.message_dict
