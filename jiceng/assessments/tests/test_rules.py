"""Each rule kind of a rubric, with its floors, caps, vetoes and bands."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiceng.assessments.rules import Band, Rule, RuleError, RuleKind, grade, total

D = Decimal


def test_yes_no():
    rule = Rule(RuleKind.YES_NO, D(5))
    assert rule.score(True) == D(5) and rule.score(False) == 0 and rule.score(None) == 0


def test_deduction_per_missing_item_stops_at_the_floor():
    rule = Rule(RuleKind.DEDUCT, D(10), per_item=D(2))  # 缺一项扣2分，扣完为止
    assert [rule.score(n) for n in (0, 1, 4, 5, 9)] == [D(10), D(8), D(2), D(0), D(0)]
    floored = Rule(RuleKind.DEDUCT, D(10), per_item=D(3), floor=D(4))
    assert floored.score(3) == D(4)
    with pytest.raises(RuleError):
        rule.score(-1)


def test_tiers_take_the_first_threshold_reached():
    rule = Rule(RuleKind.TIERS, D(10), tiers=((D(90), D(10)), (D(70), D(6))))
    assert [rule.score(v) for v in (95, 90, D("89.9"), 70, 12)] == [10, 10, 6, 6, 0]


def test_increment_and_bonus_stop_at_their_cap():
    rule = Rule(RuleKind.INCREMENT, D(6), per_item=D(2))
    assert [rule.score(n) for n in (0, 2, 3, 10)] == [0, 4, 6, 6]
    bonus = Rule(RuleKind.BONUS, D(5), per_item=D(1), cap=D(3))
    assert bonus.score(9) == D(3) and not bonus.in_total


def test_manual_scores_stay_in_range():
    rule = Rule(RuleKind.MANUAL, D(8))
    assert rule.score(D("7.5")) == D("7.5")
    for bad in (D(-1), D("8.1")):
        with pytest.raises(RuleError):
            rule.score(bad)


def test_a_veto_scores_nothing_and_fails_whatever_the_total():
    rule = Rule(RuleKind.VETO, D(0))
    assert rule.score(True) == 0 and not rule.in_total
    bands = [Band("优秀", D(90)), Band("合格", D(60))]
    assert grade(D(100), bands, vetoed=True, failed="不合格") == "不合格"


def test_rules_that_contradict_themselves_are_refused():
    bad = [
        Rule(RuleKind.DEDUCT, D(10)),  # no points per item
        Rule(RuleKind.DEDUCT, D(10), per_item=D(2), floor=D(12)),
        Rule(RuleKind.TIERS, D(10)),
        Rule(RuleKind.TIERS, D(10), tiers=((D(70), D(6)), (D(90), D(10)))),  # not descending
        Rule(RuleKind.TIERS, D(10), tiers=((D(90), D(12)),)),  # above the points
        Rule(RuleKind.COMPUTED, D(10), tiers=((D(90), D(10)),)),  # no source
    ]
    for rule in bad:
        with pytest.raises(RuleError):
            rule.check()


def test_grade_bands():
    bands = [Band("合格", D(60)), Band("优秀", D(90)), Band("良好", D(75))]
    assert [grade(D(s), bands, vetoed=False, failed="不合格") for s in (95, 90, 80, 60, 59)] == [
        "优秀",
        "优秀",
        "良好",
        "合格",
        "不合格",
    ]


points = st.decimals(min_value=0, max_value=100, places=1)
counts = st.integers(min_value=0, max_value=1000)


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    kind = draw(st.sampled_from([k for k in RuleKind.values if k != RuleKind.COMPUTED]))
    most = draw(points)
    if kind == RuleKind.DEDUCT:
        return Rule(kind, most, per_item=draw(st.decimals(min_value="0.5", max_value=20, places=1)))
    if kind in (RuleKind.INCREMENT, RuleKind.BONUS):
        return Rule(kind, most, per_item=draw(st.decimals(min_value="0.5", max_value=20, places=1)))
    if kind == RuleKind.TIERS:
        thresholds = sorted(draw(st.sets(counts, min_size=1, max_size=4)), reverse=True)
        tier_points = sorted(
            (draw(st.decimals(min_value=0, max_value=most, places=1)) for _ in thresholds),
            reverse=True,
        )
        return Rule(
            kind, most, tiers=tuple(zip(map(Decimal, thresholds), tier_points, strict=True))
        )
    return Rule(kind, most)


@given(st.lists(st.tuples(rules(), counts), max_size=30), points)
def test_a_total_never_exceeds_the_rubrics_points(scored, rubric_points):
    scores = []
    for rule, value in scored:
        rule.check()
        raw = value if rule.kind != RuleKind.MANUAL else min(D(value), rule.points)
        score = rule.score(raw)
        assert 0 <= score <= rule.most
        scores.append(score)
    assert total(scores, points=rubric_points) <= rubric_points


@given(st.decimals(min_value=0, max_value=1000, places=1))
def test_a_veto_always_fails(score):
    bands = [Band("优秀", D(0))]  # even a band every total reaches
    assert grade(score, bands, vetoed=True, failed="不合格") == "不合格"


@pytest.mark.django_db
def test_the_default_rubric_is_the_nine_standards_at_100_points():
    from jiceng.assessments.default_rubric import POINTS, ensure_default_rubric
    from jiceng.assessments.models import RubricItem
    from jiceng.core.figures import registry

    rubric = ensure_default_rubric()
    assert ensure_default_rubric() == rubric  # idempotent
    items = list(RubricItem.objects.filter(rubric=rubric).order_by("order"))
    criteria = [i for i in items if i.depth == 1]
    assert [c.code for c in criteria] == [str(n) for n in range(1, 12)]
    standards = [c for c in criteria if not c.rule]
    assert len(standards) == 9 and sum(c.points or 0 for c in standards) == POINTS == rubric.points
    for criterion in standards:
        children = [i for i in items if i.parent_id == criterion.pk]
        assert sum(c.points or 0 for c in children) == criterion.points, criterion
    known = set(registry())
    for item in items:
        if item.rule:
            item.as_rule().check()
        if item.rule == RuleKind.COMPUTED:
            assert item.source in known, item
    assert {i.rule for i in items if i.depth == 1 and i.rule} == {RuleKind.BONUS, RuleKind.VETO}
