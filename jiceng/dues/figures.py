"""The dues figures a unit's pages and the assessment read (`core/figures.py`)."""

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from jiceng.core import rollups
from jiceng.core.figures import Figure, Kind, figure
from jiceng.org.models import Unit

from .measures import DUES


@figure("dues.collection_rate", _("Dues collection rate"), Kind.RATIO)
def collection_rate(units: Sequence[Unit], year: int) -> dict[int, Figure]:
    """Paid towards what is due ÷ due, over the unit's subtree (roll-up rows)."""
    rates = rollups.subtree_figures(DUES, units=units, year=year)
    return {pk: Figure.ratio(rate.paid, rate.due) for pk, rate in rates.items()}
