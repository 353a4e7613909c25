"""Parallel writers, on whichever database the suite runs: no "database is locked", no lost
or duplicated paths, and optimistic locking still tells the later writer."""

import pytest
from django.db import connection

from conftest import make_unit
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError
from jiceng.core.tests.concurrency import run_in_threads
from jiceng.org import services
from jiceng.org.models import Level, Unit

WRITERS = 8


@pytest.mark.django_db(transaction=True)
def test_parallel_creates_under_one_parent_get_distinct_paths():
    root = make_unit(None, Level.NATIONAL, "100000", "全国")
    province = make_unit(root, Level.PROVINCE, "340000", "安徽")

    def work(i: int) -> None:
        for j in range(3):
            services.unit_create(
                actor=Actor.system(),
                parent=Unit.objects.get(pk=province.pk),
                data={
                    "code": f"34{i + 1:02d}{j + 1:02d}",
                    "name": f"单位{i}-{j}",
                    "level": Level.GRASSROOTS,
                },
            )

    errors = run_in_threads(work, WRITERS)
    assert errors == [], f"{connection.vendor}: {errors!r}"
    assert Unit.objects.filter(parent=province).count() == WRITERS * 3
    assert Unit.objects.get(pk=province.pk).numchild == WRITERS * 3
    assert Unit.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db(transaction=True)
def test_parallel_edits_of_one_record_one_wins_the_others_are_told():
    root = make_unit(None, Level.NATIONAL, "100000", "全国")
    outcomes: list[str] = []
    start_version = Unit.objects.get(pk=root.pk).lock_version

    def work(i: int) -> None:
        unit = Unit.objects.get(pk=root.pk)
        try:
            services.unit_update(
                actor=Actor.system(),
                unit=unit,
                data={"contact_person": f"writer{i}"},
                expected_lock_version=start_version,
            )
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    errors = run_in_threads(work, WRITERS)
    assert errors == [], f"{connection.vendor}: {errors!r}"
    assert outcomes.count("saved") == 1 and outcomes.count("conflict") == WRITERS - 1
    assert Unit.objects.get(pk=root.pk).lock_version == start_version + 1
