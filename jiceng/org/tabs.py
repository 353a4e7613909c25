"""The tabs of a unit's pages. The tree's own tabs come first; each domain app registers its
page (members, dues, activities, …) in its AppConfig.ready, so the org app knows none of them."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class UnitTab:
    key: str
    label: Promise | str
    #: A URL name taking the unit's `pk`, or "" for the unit page's own `?tab=` tabs.
    url_name: str = ""
    order: int = 100

    def url(self, unit_pk: int) -> str:
        if not self.url_name:
            return reverse("org:unit", kwargs={"pk": unit_pk}) + f"?tab={self.key}"
        return reverse(self.url_name, kwargs={"pk": unit_pk})


_TABS: dict[str, UnitTab] = {
    tab.key: tab
    for tab in (
        UnitTab("children", _("Sub-units"), order=10),
        UnitTab("profile", _("Profile"), order=20),
        UnitTab("history", _("History"), order=900),
    )
}


def register_unit_tab(tab: UnitTab) -> None:
    _TABS[tab.key] = tab


def unit_tabs() -> list[UnitTab]:
    return sorted(_TABS.values(), key=lambda t: t.order)


def unit_page_tab(key: str | None) -> str:
    """The unit page's own tab (`?tab=`) named `key`, or its first one when `key` names none:
    the registry is the only list of tabs."""
    own = [tab.key for tab in unit_tabs() if not tab.url_name]
    return key if key in own else own[0]
