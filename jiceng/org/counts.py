"""How many units of some levels each child's subtree holds, cached until the tree changes.

Pages at the national root need such counts (the campaign's expected counts: every province,
city, association and branch that must do a task): counting 34,000 units per page view is the
slowest part of the national progress page, and the tree changes seldom. The counts are cached
under a *tree token*, a random value replaced whenever units are added, moved or removed
(`tree_changed`), so a change makes every cached count unreachable at once; the token is
random, not a counter, so a token lost from the cache can never bring back an old entry.

Who changes the tree calls `tree_changed`: saving a new unit and deleting one do (signals,
`apps.py`), `services.unit_move` does, and so do the set-based seeders after their bulk
inserts. Counts hold no personal data.
"""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr

from .anchors import child_path_length
from .models import Unit

TOKEN_KEY = "org:tree-token"
#: Cached counts are dropped after a day even if the tree does not change.
COUNTS_TIMEOUT = 24 * 60 * 60


def tree_token() -> str:
    token = cache.get(TOKEN_KEY)
    if token is None:
        cache.add(TOKEN_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(TOKEN_KEY) or ""
    return str(token)


def _new_token() -> None:
    cache.set(TOKEN_KEY, uuid.uuid4().hex, timeout=None)


def tree_changed(**_signal: object) -> None:
    """Units were added, moved or removed: make cached counts unreachable now, and again when
    the transaction commits (a count read before then saw the tree without the change)."""
    _new_token()
    transaction.on_commit(_new_token)


def level_counts(unit: Unit, levels: Iterable[str]) -> dict[tuple[str, str], int]:
    """Units per (child's path, level) in `unit`'s subtree for these levels; the unit itself
    counts under its own path. One query when not cached."""
    levels = sorted(set(levels))
    if not levels:
        return {}
    key = f"org:level-counts:{tree_token()}:{unit.path}:{','.join(levels)}"
    cached = cache.get(key)
    if cached is not None:
        return {(path, level): n for path, level, n in cached}
    counts: dict[tuple[str, str], int] = {}
    for row in (
        Unit.objects.filter(path__subtree=unit.path, level__in=levels)
        .annotate(prefix=Substr("path", 1, child_path_length(unit)))
        .order_by()
        .values("prefix", "level")
        .annotate(n=Count("pk"))
    ):
        pair = (row["prefix"], row["level"])
        counts[pair] = counts.get(pair, 0) + row["n"]
    cache.set(key, [(p, level, n) for (p, level), n in counts.items()], COUNTS_TIMEOUT)
    return counts
