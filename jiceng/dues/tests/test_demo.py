"""The demo dues: standards for every association, payments by most members due, set-based."""

import datetime

import pytest
from django.db.models import Count

from conftest import Tree
from jiceng.dues import selectors, services
from jiceng.dues.demo import seed_dues
from jiceng.dues.models import DuesStandard, Payment
from jiceng.members.tests.factories import make_member
from jiceng.org.models import Level, Unit

from .helpers import rollup_rows

pytestmark = pytest.mark.django_db


def test_seed_dues_for_the_members_on_record(tree: Tree):
    units = [tree.shushan, tree.branch, tree.group, tree.baohe, tree.xuanwu]
    for i in range(200):
        make_member(
            units[i % len(units)],
            member_type="enterprise" if i % 4 == 0 else "individual",
            credit_code="",
            status="lapsed" if i % 25 == 0 else "active",
            join_date=datetime.date(2026, 6, 1) if i % 30 == 0 else datetime.date(2020, 1, 1),
        )
    seed_dues(year=2026)

    grassroots = Unit.objects.filter(level=Level.GRASSROOTS).count()
    provinces = Unit.objects.filter(level=Level.PROVINCE).count()
    assert DuesStandard.objects.count() == (grassroots + provinces) * 2 * 2
    for s in DuesStandard.objects.filter(unit__level=Level.GRASSROOTS, year=2026):
        low, high = (100, 300) if s.member_type == "individual" else (500, 2000)
        assert low <= s.amount <= high
    assert DuesStandard.objects.filter(year=2025).count() == (grassroots + provinces) * 2

    for year in (2025, 2026):
        rate = selectors.collection_rate(unit=tree.root, year=year)
        payers = Payment.objects.filter(dues_year=year).count()
        assert 0.55 * rate.members_due <= payers <= 0.92 * rate.members_due
        assert rate.rate is not None and 0.4 < rate.rate < 0.95
    payments = Payment.objects.all()
    assert max(payments.values_list("paid_on", flat=True)) <= datetime.date.today()
    assert min(payments.values_list("paid_on", flat=True)) >= datetime.date(2025, 1, 1)
    assert set(payments.values_list("method", flat=True)) >= {"wechat", "cash"}
    assert (
        not payments.values("grassroots", "receipt_number").annotate(n=Count("id")).filter(n__gt=1)
    )
    # Anchors as the members', rows as a rebuild's.
    p = payments.select_related("member").first()
    assert p is not None
    assert (p.unit_id, p.grassroots_id, p.province_id) == (
        p.member.unit_id,
        p.member.grassroots_id,
        p.member.province_id,
    )
    rows = rollup_rows()
    assert rows
    services.rollup_rebuild()
    assert rollup_rows() == rows
