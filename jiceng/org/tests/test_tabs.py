"""The unit page builds its tabs from the registry alone (org/tabs.py)."""

from django.urls import reverse

from conftest import People, Tree, client_for
from jiceng.org import tabs
from jiceng.org.tabs import UnitTab, register_unit_tab, unit_page_tab


def test_the_unit_pages_own_tabs_come_from_the_registry(monkeypatch):
    monkeypatch.setattr(tabs, "_TABS", dict(tabs._TABS))
    assert unit_page_tab("history") == "history"
    assert unit_page_tab("nonsense") == "children" and unit_page_tab(None) == "children"
    assert unit_page_tab("members") == "children"  # a page of its own, not a ?tab= of this one
    register_unit_tab(UnitTab("notes", "Notes", order=5))
    assert unit_page_tab("notes") == "notes"
    assert unit_page_tab(None) == "notes"  # the first in order


def test_the_unit_page_shows_the_asked_tab_else_the_first(tree: Tree, people: People):
    client = client_for(people.hefei_admin)
    url = reverse("org:unit", kwargs={"pk": tree.hefei.pk})
    assert client.get(url, {"tab": "history"}).context["tab"] == "history"
    response = client.get(url, {"tab": "members"})
    assert response.context["tab"] == "children" and 'data-testid="children"' in (
        response.content.decode()
    )
