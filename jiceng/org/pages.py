"""What every page about one unit needs: the unit (scoped, 404 outside), breadcrumbs, tabs."""

from typing import Any

from jiceng.core.http import AuthedRequest
from jiceng.core.scope import get_in_scope_or_404

from . import selectors
from .models import Unit


def unit_page(request: AuthedRequest, pk: int, *, tab: str) -> tuple[Unit, dict[str, Any]]:
    """The unit `pk` if it lies in the user's subtree (404 otherwise), and the context that
    `org/unit_base.html` renders its header from."""
    unit = get_in_scope_or_404(Unit.objects.select_related("parent"), request.user, pk=pk)
    return unit, {
        "unit": unit,
        "active_tab": tab,
        "breadcrumbs": selectors.unit_breadcrumbs(unit=unit, user=request.user),
    }
