"""Pagination that stays cheap on lists of millions of rows."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most `cap` rows: past that the page says "10,000+" and offers the first
    `cap` rows, a few hundred pages, which nobody pages beyond (they search or filter). The
    count is then an index range of bounded length, not a scan of a province's members."""

    cap = 10_000

    @cached_property
    def _counted(self) -> int:
        """One bounded count answers both questions: how many (up to the cap) and whether
        there are more."""
        return int(self.object_list[: self.cap + 1].count())  # type: ignore[attr-defined]

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap
