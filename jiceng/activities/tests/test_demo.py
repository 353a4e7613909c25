"""The demo seeder: realistic records that pass the app's own rules, inserted in bulk."""

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Tree
from jiceng.activities import selectors
from jiceng.activities.demo import seed_activities
from jiceng.activities.models import (
    Activity,
    ActivityPhoto,
    Complaint,
    ComplaintStep,
    Honour,
    MediaReport,
    RuleDocument,
)
from jiceng.core.models import AuditEntry
from jiceng.core.tests.helpers import add_children
from jiceng.org.models import Level, Unit


def test_seed_gives_every_association_and_branch_records_that_pass_validation(tree: Tree):
    seed_activities(units=list(Unit.objects.all()), rng=random.Random(7))
    for unit in (tree.shushan, tree.baohe, tree.xuanwu, tree.branch):
        assert Activity.objects.filter(unit=unit).exists(), unit
    assert not Activity.objects.filter(unit__level__in=[Level.CITY, Level.GROUP]).exists()
    for model in (Activity, Complaint, RuleDocument, Honour, MediaReport):
        for row in model._default_manager.all():
            row.full_clean()
    assert Complaint.objects.values("state").distinct().count() >= 2
    assert not Complaint.objects.filter(channel="staff").exclude(source_hash="").exists()
    # Rule documents for about 70% of the checklist, grassroots associations only.
    assert not RuleDocument.objects.filter(unit__level=Level.BRANCH).exists()
    coverage = selectors.rules_coverage(unit=tree.shushan)
    assert 0 < coverage.adopted <= coverage.total
    # Files are generated once and shared, and they are what they claim to be.
    photo = ActivityPhoto.objects.first()
    assert photo is not None and photo.image.storage.exists(photo.image.name or "")
    doc = RuleDocument.objects.first()
    assert doc is not None and doc.document.open("rb").read(5) == b"%PDF-"
    assert AuditEntry.objects.filter(action="seed.activities").count() == 1
    year = timezone.localdate().year
    assert (
        selectors.activity_counts(unit=tree.root, year=year).total
        + selectors.activity_counts(unit=tree.root, year=year - 1).total
        == Activity.objects.count()
    )


def test_seed_queries_do_not_grow_with_the_number_of_units(tree: Tree):
    add_children(tree.hefei, 20)
    add_children(tree.nanjing, 400)
    small_set = list(Unit.objects.filter(parent=tree.hefei, level=Level.GRASSROOTS))
    large_set = list(Unit.objects.filter(parent=tree.nanjing, level=Level.GRASSROOTS))
    with CaptureQueriesContext(connection) as small:
        seed_activities(units=small_set, rng=random.Random(1))
    before = _rows()
    with CaptureQueriesContext(connection) as large:
        seed_activities(units=large_set, rng=random.Random(2))
    rows = _rows() - before

    def reads(ctx: CaptureQueriesContext) -> int:
        return sum(
            1 for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")
        )

    # No read per unit or row; writes go in multi-row batches.
    assert reads(large) == reads(small)
    assert len(large.captured_queries) < rows / 50


def _rows() -> int:
    return sum(
        m._default_manager.count()
        for m in (
            Activity,
            ActivityPhoto,
            Complaint,
            ComplaintStep,
            RuleDocument,
            Honour,
            MediaReport,
        )
    )
