"""The read-only dues endpoints (wired by the API app; called directly here)."""

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from conftest import People, Tree
from jiceng.dues import api
from jiceng.members.tests.factories import make_member

from .helpers import YEAR, pay, set_standards

pytestmark = pytest.mark.django_db


def _get(view, user, pk: int, **params):
    request = APIRequestFactory().get("/", params)
    force_authenticate(request, user=user)
    return view(request, pk=pk)


@pytest.fixture
def data(tree: Tree):
    set_standards(tree.shushan, individual="200")
    pay(make_member(tree.shushan), "200")
    make_member(tree.branch)


def test_collection_rate(tree: Tree, people: People, data):
    response = _get(api.collection_rate, people.anhui_admin, tree.hefei.pk, year=YEAR)
    assert response.status_code == 200
    assert response.data == {
        "members_due": 2,
        "members_paid": 1,
        "due": "400.00",
        "paid": "200.00",
        "received": "200.00",
        "rate": "0.5000",
        "unit_id": tree.hefei.pk,
        "year": YEAR,
    }
    admin = people.anhui_admin
    assert _get(api.collection_rate, admin, tree.hefei.pk, year=1990).status_code == 400
    assert _get(api.collection_rate, admin, tree.hefei.pk).data["rate"] is None


def test_children_rates(tree: Tree, people: People, data):
    secretary = people.shushan_secretary
    response = _get(api.collection_rates_by_child, secretary, tree.shushan.pk, year=YEAR)
    results = response.data["results"]
    assert [(r["code"], r["own"], r["due"]) for r in results] == [
        ("340104", True, "200.00"),
        ("340104001", False, "200.00"),
    ]


def test_outsiders_get_404(tree: Tree, people: People, data):
    assert _get(api.collection_rate, people.outsider, tree.shushan.pk).status_code == 404
    assert _get(api.collection_rates_by_child, people.outsider, tree.hefei.pk).status_code == 404
    assert _get(api.collection_rate, people.branch_staff, tree.shushan.pk).status_code == 404
