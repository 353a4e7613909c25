"""Helpers every app's tests share: a wide tree built set-based, and page query counts that
must not grow with it."""

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.org.counts import tree_changed
from jiceng.org.models import Level, Unit


def add_children(parent: Unit, n: int, *, level: str = Level.GRASSROOTS) -> list[Unit]:
    """n units under `parent`, inserted set-based like the seeder does; each code extends the
    parent's and each name starts with 单位. Returns the new units, keys set."""
    parent.refresh_from_db()
    start = parent.numchild
    units = Unit.objects.bulk_create(
        [
            Unit(
                path=Unit._get_path(parent.path, parent.depth + 1, start + i + 1),
                depth=parent.depth + 1,
                parent=parent,
                code=f"{parent.code}{start + i + 1:03d}",
                name=f"单位{start + i}",
                level=level,
            )
            for i in range(n)
        ],
        batch_size=500,
    )
    Unit.objects.filter(pk=parent.pk).update(numchild=start + n)
    tree_changed()
    return units


def count_queries(client: Any, url: str) -> int:
    """The queries one GET of `url` takes; the page must answer 200."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def assert_queries_flat(
    client: Any,
    url: str,
    grow: Callable[[int], object],
    *,
    label: str = "",
    few: int = 10,
    many: int = 1000,
) -> None:
    """`grow(few)`, count the page's queries; `grow(many - few)`, count again: the same."""
    grow(few)
    before = count_queries(client, url)
    grow(many - few)
    after = count_queries(client, url)
    assert before == after, (
        f"{label or url}: {before} queries with {few} children, {after} with {many}"
    )
