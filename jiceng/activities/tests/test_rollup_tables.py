"""Issue 9 item 23 (server side): roll-up tables use the stacked, sortable table pattern, mark
child units with no data "Not reported", and show money with thousands separators; the unit
figures card says its units once. The phone-width rendering is in
tests/browser/test_rollup_tables.py."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import People, Tree, client_for
from jiceng.core.figures import format_amount
from jiceng.dues.tests.helpers import YEAR, pay, set_standards
from jiceng.members.tests.factories import make_member

from .helpers import make_activity, make_complaint, move

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def _table(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[body.rindex("<table", 0, start) : body.index("</table>", start)]


def _assert_stacked_and_sortable(table: str) -> None:
    opening = table[: table.index(">")]
    assert "table-stack" in opening and "data-sortable" in opening
    body = table[table.index("<tbody") :]
    cells = re.findall(r"<td\b[^>]*>", body)
    assert cells and all("data-label=" in cell for cell in cells)


def test_format_amount_groups_thousands():
    assert format_amount(50895) == "50,895"
    assert format_amount("1234.5") == "1,234.50"
    assert format_amount(700, 2) == "700.00"


def test_dues_by_child_is_stacked_sortable_with_separators_and_not_reported(
    tree: Tree, people: People
):
    set_standards(tree.shushan, individual="50000")
    member = make_member(tree.shushan)
    pay(member, "12345.5")
    body = (
        client_for(people.hefei_admin, language="en")
        .get(reverse("dues:unit_dues", kwargs={"pk": tree.hefei.pk}) + f"?year={YEAR}")
        .content.decode()
    )
    table = _table(body, "dues-children")
    _assert_stacked_and_sortable(table)
    assert "50,000.00" in table and "12,345.50" in table
    assert 'data-testid="total-due">50,000.00<' in body
    baohe = table.split("包河区个私协会")[1].split("</tr>")[0]
    assert 'data-testid="not-reported"' in baohe and "Not reported" in baohe
    shushan = table.split("蜀山区个私协会")[1].split("</tr>")[0]
    assert "Not reported" not in shushan
    assert re.search(r'data-sort-value="24\.\d+"', shushan)  # the rate sorts as a number


def test_activity_rollup_is_stacked_and_marks_silent_children(tree: Tree, people: People):
    make_activity(tree.shushan, participants=1200, members_served=1100)
    body = (
        client_for(people.hefei_admin, language="en")
        .get(
            reverse("activities:activity_rollup", kwargs={"pk": tree.hefei.pk})
            + f"?year={THIS_YEAR}"
        )
        .content.decode()
    )
    table = _table(body, "activity-rollup")
    _assert_stacked_and_sortable(table)
    assert "1,200" in table
    rows = table.split('data-testid="rollup-child"')
    baohe = next(r for r in rows if "包河区个私协会" in r)
    assert "Not reported" in baohe.split("</tr>")[0]


def test_complaint_rollup_is_stacked_with_overdue_and_not_reported(tree: Tree, people: People):
    complaint = make_complaint(tree.shushan)
    move(complaint, "resolved", "已解决")
    body = (
        client_for(people.hefei_admin, language="en")
        .get(
            reverse("activities:complaint_rollup", kwargs={"pk": tree.hefei.pk})
            + f"?year={THIS_YEAR}"
        )
        .content.decode()
    )
    table = _table(body, "complaint-rollup")
    _assert_stacked_and_sortable(table)
    assert "Overdue" in table.split("</thead>")[0]
    rows = table.split('data-testid="rollup-child"')
    baohe = next(r for r in rows if "包河区个私协会" in r)
    assert "Not reported" in baohe.split("</tr>")[0]


def test_rules_coverage_of_children_is_stacked(tree: Tree, people: People):
    body = (
        client_for(people.hefei_admin, language="en")
        .get(reverse("activities:rules", kwargs={"pk": tree.hefei.pk}))
        .content.decode()
    )
    _assert_stacked_and_sortable(_table(body, "children-coverage"))


def test_recognition_has_a_stacked_table_by_sub_unit(tree: Tree, people: People):
    body = (
        client_for(people.hefei_admin, language="en")
        .get(reverse("activities:recognition", kwargs={"pk": tree.hefei.pk}))
        .content.decode()
    )
    table = _table(body, "recognition-rollup")
    _assert_stacked_and_sortable(table)
    assert "Not reported" in table


def test_figures_card_formats_money_and_says_units_once(tree: Tree, people: People):
    set_standards(tree.shushan, THIS_YEAR, individual="90210")
    member = make_member(tree.shushan)
    services_pay = pay(member, "50895", year=THIS_YEAR, paid_on=timezone.localdate())
    assert services_pay.created
    complaint = make_complaint(tree.shushan)
    from jiceng.activities.models import Complaint

    Complaint.objects.filter(pk=complaint.pk).update(
        received_at=timezone.now() - datetime.timedelta(hours=61.3)
    )
    complaint.refresh_from_db()
    move(complaint, "in_progress", "已受理")
    client = client_for(people.shushan_secretary, language="en")
    body = client.get(reverse("org:unit_figures", kwargs={"pk": tree.shushan.pk})).content.decode()
    assert "50,895" in body and "90,210" in body
    hours = body.split('data-testid="figure-complaints.response_hours"')[1].split("</div>")[0]
    assert "61.3 h" in hours
    assert "hours" not in hours.lower().replace("61.3 h", "")
    # Brackets and units come from translatable strings, so the Chinese catalogue can use
    # full-width brackets: none are hard-coded around the figures.
    assert "(own)" not in body and "(50,895" not in body.replace("(50,895 / 90,210)", "")
