"""A unit's live figures: one registry, one batched signature, typed values with their
numerator and denominator, the same for one unit or many, in a fixed number of queries."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import People, Tree, client_for
from jiceng.activities.tests.helpers import make_activity, make_complaint, move
from jiceng.core.figures import Figure, figures_for, registry
from jiceng.org.models import StaffMember, Unit

YEAR = timezone.localdate().year


def test_every_app_registers_its_figures():
    assert {
        "dues.collection_rate",
        "activities.held",
        "activities.kinds",
        "complaints.resolution_rate",
        "complaints.response_hours",
        "rules.coverage",
        "org.five_haves",
        "recognition.honours",
        "recognition.media_reports",
    } <= set(registry())


def test_figures_carry_numerator_and_denominator(tree: Tree):
    make_activity(tree.shushan)
    make_activity(tree.branch)
    move(make_complaint(tree.shushan), "resolved")
    make_complaint(tree.branch)
    StaffMember.objects.create(unit=tree.shushan, name="张三", post="秘书长")
    values = figures_for([tree.shushan], YEAR)[tree.shushan.pk]
    assert values["activities.held"] == Figure.count(2)
    resolution = values["complaints.resolution_rate"]
    assert (resolution.numerator, resolution.denominator, resolution.percent) == (
        Decimal(1),
        Decimal(2),
        Decimal("50.0"),
    )
    assert values["org.five_haves"].numerator == 1
    assert values["org.five_haves"].denominator == 5
    assert values["dues.collection_rate"].value is None  # nothing due: no rate, not 0%


def test_many_units_equal_one_at_a_time_in_flat_queries(tree: Tree):
    make_activity(tree.shushan)
    make_activity(tree.baohe)
    make_activity(tree.hefei)
    units = list(Unit.objects.exclude(level="group").order_by("path"))
    one_by_one = {u.pk: figures_for([u], YEAR)[u.pk] for u in units}
    with CaptureQueriesContext(connection) as few:
        batched = figures_for(units[:3], YEAR)
    with CaptureQueriesContext(connection) as many:
        batched = figures_for(units, YEAR)
    assert batched == one_by_one
    # One query per figure and per distinct level among the units, not per unit.
    assert len(many.captured_queries) <= len(few.captured_queries) + 4 * len(registry())


def test_the_unit_page_shows_the_figures(tree: Tree, people: People):
    make_activity(tree.shushan)
    client = client_for(people.hefei_admin, language="en")
    page = client.get(reverse("org:unit", kwargs={"pk": tree.shushan.pk}))
    assert reverse("org:unit_figures", kwargs={"pk": tree.shushan.pk}) in page.content.decode()
    body = client.get(reverse("org:unit_figures", kwargs={"pk": tree.shushan.pk})).content
    assert b'data-testid="figure-activities.held"' in body
    assert b"Activities held" in body
