"""The one charts mechanism (core/charts.py): typed descriptions become ECharts options that
keep the CSP's rules (rich-text tooltips, named series, text as data), rendered as a container
and a json_script element."""

import datetime
import json
import re
from typing import Any

import pytest
from django.template import Context, Template
from django.utils.translation import gettext_lazy

from jiceng.core.charts import BarChart, Point, Series, Span, Timeline


def _bars(**kwargs: Any) -> BarChart:
    defaults: dict[str, Any] = {
        "key": "units",
        "title": "Rates",
        "categories": ["蜀山区", "包河区"],
        "series": [Series("Reporting", [50, 100]), Series("On time", [12.345, None])],
    }
    return BarChart(**{**defaults, **kwargs})


def _payload(html: str, key: str) -> dict[str, Any]:
    match = re.search(
        rf'<script id="chart-{key}-data" type="application/json">(.*?)</script>', html
    )
    assert match
    return dict(json.loads(match.group(1)))


def test_a_bar_chart_is_categories_by_named_series():
    option = _bars(suffix="%", max=100).option()
    assert option["yAxis"]["type"] == "category" and option["yAxis"]["inverse"] is True
    assert option["yAxis"]["data"] == ["蜀山区", "包河区"]
    assert option["xAxis"] == {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}}
    assert [(s["type"], s["name"]) for s in option["series"]] == [
        ("bar", "Reporting"),
        ("bar", "On time"),
    ]
    assert option["series"][1]["data"] == [12.3, None]  # rounded; no value stays empty
    assert option["tooltip"]["renderMode"] == "richText"
    assert option["aria"] == {"enabled": True}
    assert "dataZoom" not in option


def test_vertical_bars_swap_the_axes():
    option = _bars(horizontal=False).option()
    assert option["xAxis"]["type"] == "category" and option["yAxis"]["type"] == "value"
    assert "inverse" not in option["xAxis"]


def test_many_categories_scroll_and_the_height_is_bounded():
    names = [f"单位{i}" for i in range(1000)]
    chart = BarChart(
        key="many", title="x", categories=names, series=[Series("a", list(range(1000)))]
    )
    zoom = chart.option()["dataZoom"]
    assert zoom[0]["type"] == "slider" and zoom[0]["yAxisIndex"] == 0
    assert (zoom[0]["startValue"], zoom[0]["endValue"]) == (0, 14)
    assert (
        chart.height()
        == BarChart(
            key="few", title="x", categories=names[:15], series=[Series("a", list(range(15)))]
        ).height()
    )


def test_every_series_needs_one_value_per_category():
    with pytest.raises(ValueError, match="one value per category"):
        _bars(series=[Series("Reporting", [1])])
    with pytest.raises(ValueError, match="links"):
        _bars(links=["/a/"])


def test_lazy_labels_become_text():
    option = _bars(title=gettext_lazy("Rates"), series=[Series(gettext_lazy("Done"), [1, 2])])
    json.dumps(option.option())  # serialisable
    assert option.option()["series"][0]["name"] == "Done"


def test_a_timeline_draws_spans_points_and_today():
    chart = Timeline(
        key="phases",
        title="Phases",
        spans=[
            Span("准备动员", datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
            Span("调查研究", datetime.date(2026, 4, 1), datetime.date(2026, 5, 31)),
        ],
        points=[Point("调查研究", datetime.date(2026, 5, 20), "会员调查")],
        today=datetime.date(2026, 4, 15),
        span_name="Phase",
        point_name="Deadline",
        today_name="Today",
    )
    option = chart.option()
    assert option["yAxis"]["data"] == ["准备动员", "调查研究"]
    assert option["xAxis"] == {"type": "time", "min": "2026-03-01", "max": "2026-06-01"}
    spans, points, today = option["series"]
    assert spans["type"] == "custom" and spans["renderItem"] == "timeline-span"
    assert spans["data"][1] == {
        "name": "调查研究 · 2026-04-01 – 2026-05-31",
        "value": [1, "2026-04-01", "2026-06-01"],
    }
    assert points["data"] == [{"name": "会员调查 · 2026-05-20", "value": ["2026-05-20", 1]}]
    assert today["name"] == "Today" and today["markLine"]["data"] == [{"xAxis": "2026-04-15"}]
    assert [s["name"] for s in option["series"]] == ["Phase", "Deadline", "Today"]
    assert chart.height() == 96 + 40 * 2


def test_today_off_the_axis_is_left_out():
    chart = Timeline(
        key="t",
        title="t",
        spans=[Span("a", datetime.date(2009, 3, 1), datetime.date(2009, 3, 31))],
        today=datetime.date(2026, 1, 1),
    )
    assert [s["type"] for s in chart.option()["series"]] == ["custom"]


def test_an_empty_timeline_has_no_bounds():
    option = Timeline(key="t", title="t", spans=[]).option()
    assert option["xAxis"] == {"type": "time"} and option["series"][0]["data"] == []


def test_a_chart_renders_as_a_container_and_its_data_without_inline_script_or_style():
    chart = _bars(
        categories=["</script><script>alert(1)</script>", "a&b"],
        links=["/units/1/", None],
        suffix="%",
    )
    html = Template("{{ chart }}").render(Context({"chart": chart}))
    assert 'data-chart="chart-units-data"' in html and 'data-testid="chart-units"' in html
    assert 'role="img" aria-label="Rates"' in html
    assert "style=" not in html
    assert "<script>" not in html and "alert(1)</script>" not in html  # escaped in the JSON
    assert html.count("<script") == 1 and 'type="application/json"' in html
    payload = _payload(html, "units")
    assert payload["option"]["yAxis"]["data"][0] == "</script><script>alert(1)</script>"
    assert payload["links"] == ["/units/1/", None]
    assert payload["suffix"] == "%"
    assert payload["height"] == chart.height()


def test_a_key_must_be_fit_for_an_id():
    with pytest.raises(ValueError, match="chart key"):
        str(_bars(key="Not OK"))
