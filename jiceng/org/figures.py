"""The unit's own profile figures (`core/figures.py`)."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from jiceng.core.figures import Figure, Kind, figure

from .models import Unit
from .selectors import FIVE_HAVES, five_haves_of


@figure("org.five_haves", _("Five haves on record"), Kind.RATIO, subtree=False)
def five_haves_completeness(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    """How many of the five haves the unit has on record ÷ 5 (not tied to a year)."""
    haves = five_haves_of(units)
    return {pk: Figure.ratio(sum(h.values()), len(FIVE_HAVES)) for pk, h in haves.items()}
