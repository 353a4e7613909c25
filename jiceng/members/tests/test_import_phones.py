"""Phones Excel wrote in scientific notation are the numbers they are (issue 9, item 14)."""

from pathlib import Path

import pytest

from conftest import Tree
from jiceng.core.actor import Actor
from jiceng.members.imports.service import run_inline
from jiceng.members.imports.values import parse_phone
from jiceng.members.models import ImportMode, ImportState, Member

from .rosters import write_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "cell",
    [
        "1.3955120012E10",
        "1.3955120012E+10",
        "1.3955120012e10",
        " 1.3955120012E+010 ",
        "１.３９５５１２００１２Ｅ１０",
    ],
)
def test_scientific_notation_is_the_exact_number(cell: str):
    assert parse_phone(cell) == ("mobile", "13955120012")


@pytest.mark.parametrize(
    "cell",
    [
        "1.39551200125E10",  # not an integer: 13955120012.5
        "1.3955120012E9",  # an integer, but ten digits: no phone
        "1.3955120012E12",  # thirteen digits
        "9.99999999999999999E10",  # not exactly an integer (a float would round it to one)
    ],
)
def test_scientific_notation_that_is_no_phone_stays_as_written(cell: str):
    kind, value = parse_phone(cell)
    assert kind == "invalid"
    assert value == cell.strip()


def test_a_csv_roster_with_scientific_phones_imports_them_without_warnings(
    tree: Tree, tmp_path: Path
):
    header = ["字号名称", "经营者", "联系电话", "入会时间"]
    path = write_csv(
        tmp_path / "roster.csv",
        [
            ["张三小吃店", "张三", "1.3955120012E10", "2023-05-06"],
            ["李四五金店", "李四", "1.3800138001E+10", "2023-05-06"],
        ],
        header=header,
        title=None,
    )
    job = run_inline(
        actor=Actor(user=None),
        unit=tree.shushan,
        path=path,
        mode=ImportMode.VALID_ONLY,
        default_member_type="individual",
    )
    assert job.state == ImportState.DONE, job.failure_message
    assert job.warning_count == 0
    assert not job.problems.filter(field="phone").exists()
    phones = set(Member.objects.filter(last_import=job).values_list("phone", flat=True))
    assert phones == {"13955120012", "13800138001"}
