"""Parallel writers, on whichever database the suite runs: no "database is locked", no lost
or duplicated paths, and optimistic locking still tells the later writer."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from conftest import make_unit
from jiceng.core.actor import Actor
from jiceng.core.errors import ConflictError
from jiceng.org import services
from jiceng.org.models import Level, Unit

WRITERS = 8


def _run_in_threads(work: Callable[[int], None], n: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def target(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


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

    errors = _run_in_threads(work, WRITERS)
    assert errors == [], f"{connection.vendor}: {errors!r}"
    assert Unit.objects.filter(parent=province).count() == WRITERS * 3
    assert Unit.objects.get(pk=province.pk).numchild == WRITERS * 3
    assert Unit.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db(transaction=True)
def test_parallel_edits_of_one_record_one_wins_the_others_are_told():
    root = make_unit(None, Level.NATIONAL, "100000", "全国")
    outcomes: list[str] = []
    start_version = Unit.objects.get(pk=root.pk).version

    def work(i: int) -> None:
        unit = Unit.objects.get(pk=root.pk)
        try:
            services.unit_update(
                actor=Actor.system(),
                unit=unit,
                data={"contact_person": f"writer{i}"},
                expected_version=start_version,
            )
            outcomes.append("saved")
        except ConflictError:
            outcomes.append("conflict")

    errors = _run_in_threads(work, WRITERS)
    assert errors == [], f"{connection.vendor}: {errors!r}"
    assert outcomes.count("saved") == 1 and outcomes.count("conflict") == WRITERS - 1
    assert Unit.objects.get(pk=root.pk).version == start_version + 1
