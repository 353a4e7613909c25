"""The one way to draw a chart: described here, on the server, drawn by Apache ECharts in the
browser (`static/core/charts.js`). See docs/charts.md.

A chart is a small typed description — `BarChart` (categories × named series) or `Timeline`
(spans on a date axis, points on them, and today's marker) — that turns into an ECharts
option dict (`option()`). In a template, `{{ chart }}` renders it as a container element and
its data in a `<script type="application/json">` (Django's `json_script`): no inline script, no
style attribute, so it stays inside the Content-Security-Policy (`'self'` only). `charts.js`
finds the containers, draws them, redraws on resize and draws what htmx swaps in.

Rules the option keeps, so that nothing breaks the CSP or leaks: tooltips are drawn as rich
text (`renderMode: "richText"`; ECharts' HTML tooltips write style attributes), every series
is named (the legend and the accessible description read the names), and text is data (unit
names are drawn on a canvas, never parsed as HTML). Functions cannot travel in JSON: the few
that charts need (the timeline's bars, a value suffix in tooltips) are named in the payload and
supplied by charts.js.

Pages that show a chart load the two scripts with `{% include "core/_chart_assets.html" %}` in
their `extra_head` block.
"""

import datetime
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString

Text = str | Promise

#: The colours of the site (Bootstrap's), for series that mean something.
PRIMARY = "#0d6efd"
SUCCESS = "#198754"
WARNING = "#ffc107"
DANGER = "#dc3545"
SECONDARY = "#6c757d"

_KEY = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Series:
    """One named series of values, one per category (None where there is no value)."""

    name: Text
    values: Sequence[float | int | None]
    color: str | None = None


class Chart(ABC):
    """What every chart has: a key (unique on its page: the container's test id and the data
    element's id derive from it), a title (the accessible name) and a height in pixels."""

    key: str
    title: Text

    @abstractmethod
    def option(self) -> dict[str, Any]:
        """The ECharts option, JSON-serialisable."""

    def height(self) -> int:
        return 320

    def extras(self) -> dict[str, Any]:
        """What charts.js needs beside the option (links, a value suffix)."""
        return {}

    def payload(self) -> dict[str, Any]:
        return {"option": self.option(), "height": self.height(), **self.extras()}

    def __html__(self) -> SafeString:
        if not _KEY.match(self.key):
            raise ValueError(f"chart key {self.key!r}: lower-case letters, digits and hyphens")
        return SafeString(
            render_to_string(
                "core/_chart.html",
                {"chart": self, "data_id": f"chart-{self.key}-data", "payload": self.payload()},
            )
        )

    def __str__(self) -> str:
        return self.__html__()


def _text(value: Text) -> str:
    return str(value)


def _tooltip(trigger: str) -> dict[str, Any]:
    return {"trigger": trigger, "renderMode": "richText", "confine": True}


@dataclass
class BarChart(Chart):
    """Bars: one per category and series. Horizontal by default (long unit names read well and
    a phone can hold many rows); past `visible` categories a slider scrolls through them.
    `links` (one URL per category, or None) makes a click on a bar or its label go there —
    the drill-down; the table beside the chart stays the keyboard's way."""

    key: str
    title: Text
    categories: Sequence[Text]
    series: Sequence[Series]
    #: Shown after values on the axis and in tooltips (e.g. "%").
    suffix: str = ""
    max: float | None = None
    horizontal: bool = True
    links: Sequence[str | None] | None = None
    visible: int = 15

    def __post_init__(self) -> None:
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(f"series {series.name!s}: one value per category")
        if self.links is not None and len(self.links) != len(self.categories):
            raise ValueError("links: one per category")

    def height(self) -> int:
        rows = max(1, min(len(self.categories), self.visible))
        if not self.horizontal:
            return 320
        return 72 + rows * (10 + 12 * max(1, len(self.series)))

    def extras(self) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        if self.suffix:
            extras["suffix"] = self.suffix
        if self.links is not None:
            extras["links"] = list(self.links)
        return extras

    def option(self) -> dict[str, Any]:
        values_axis: dict[str, Any] = {"type": "value"}
        if self.max is not None:
            values_axis["max"] = self.max
        if self.suffix:
            values_axis["axisLabel"] = {"formatter": "{value}" + self.suffix}
        categories_axis: dict[str, Any] = {
            "type": "category",
            "data": [_text(c) for c in self.categories],
            "triggerEvent": self.links is not None,
            "axisLabel": {"width": 96, "overflow": "truncate"},
        }
        if self.horizontal:
            categories_axis["inverse"] = True
        series = []
        for s in self.series:
            item: dict[str, Any] = {
                "type": "bar",
                "name": _text(s.name),
                "data": [None if v is None else round(float(v), 1) for v in s.values],
            }
            if s.color:
                item["itemStyle"] = {"color": s.color}
            series.append(item)
        option: dict[str, Any] = {
            "aria": {"enabled": True},
            "animationDuration": 300,
            "tooltip": {**_tooltip("axis"), "axisPointer": {"type": "shadow"}},
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 32, "top": 32, "bottom": 8, "containLabel": True},
            "xAxis": values_axis if self.horizontal else categories_axis,
            "yAxis": categories_axis if self.horizontal else values_axis,
            "series": series,
        }
        if len(self.categories) > self.visible:
            axis = "yAxisIndex" if self.horizontal else "xAxisIndex"
            option["dataZoom"] = [
                {
                    "type": "slider",
                    axis: 0,
                    "startValue": 0,
                    "endValue": self.visible - 1,
                    "width" if self.horizontal else "height": 16,
                    "right" if self.horizontal else "bottom": 4,
                    "showDetail": False,
                    "brushSelect": False,
                },
                {"type": "inside", axis: 0, "zoomOnMouseWheel": False, "moveOnMouseWheel": True},
            ]
            option["grid"]["right" if self.horizontal else "bottom"] = 36
        return option


@dataclass(frozen=True)
class Span:
    """A bar on a timeline's row, from `starts` to `ends`, both days included."""

    row: Text
    starts: datetime.date
    ends: datetime.date
    label: Text = ""


@dataclass(frozen=True)
class Point:
    """A mark on a timeline's row on one day (a deadline)."""

    row: Text
    on: datetime.date
    label: Text


@dataclass
class Timeline(Chart):
    """Rows (in the order their first span comes) of spans on a date axis — a Gantt chart of
    phases — with points (deadlines) on them and today's marker when today falls on the
    axis. Each of the three is a named series: `span_name`, `point_name`, `today_name`."""

    key: str
    title: Text
    spans: Sequence[Span]
    points: Sequence[Point] = field(default_factory=tuple)
    today: datetime.date | None = None
    span_name: Text = "Span"
    point_name: Text = "Point"
    today_name: Text = "Today"

    def rows(self) -> list[str]:
        rows: list[str] = []
        for row in [*(s.row for s in self.spans), *(p.row for p in self.points)]:
            if _text(row) not in rows:
                rows.append(_text(row))
        return rows

    def height(self) -> int:
        return 96 + 40 * max(1, len(self.rows()))

    def bounds(self) -> tuple[datetime.date, datetime.date] | None:
        days = [s.starts for s in self.spans] + [s.ends for s in self.spans]
        days += [p.on for p in self.points]
        if not days:
            return None
        return min(days), max(days) + datetime.timedelta(days=1)

    def option(self) -> dict[str, Any]:
        rows = self.rows()
        index = {row: i for i, row in enumerate(rows)}
        bounds = self.bounds()
        x_axis: dict[str, Any] = {"type": "time"}
        if bounds is not None:
            x_axis.update(min=bounds[0].isoformat(), max=bounds[1].isoformat())
        series: list[dict[str, Any]] = [
            {
                "type": "custom",
                "name": _text(self.span_name),
                # charts.js supplies the function drawing each span as a bar.
                "renderItem": "timeline-span",
                "encode": {"x": [1, 2], "y": 0},
                "itemStyle": {"color": PRIMARY, "opacity": 0.75},
                "tooltip": {"formatter": "{b}"},
                "data": [
                    {
                        "name": _span_text(s),
                        "value": [
                            index[_text(s.row)],
                            s.starts.isoformat(),
                            (s.ends + datetime.timedelta(days=1)).isoformat(),
                        ],
                    }
                    for s in self.spans
                ],
            }
        ]
        if self.points:
            series.append(
                {
                    "type": "scatter",
                    "name": _text(self.point_name),
                    "symbol": "diamond",
                    "symbolSize": 12,
                    "itemStyle": {"color": WARNING, "borderColor": "#000", "borderWidth": 0.5},
                    "tooltip": {"formatter": "{b}"},
                    "data": [
                        {
                            "name": f"{_text(p.label)} · {p.on.isoformat()}",
                            "value": [p.on.isoformat(), index[_text(p.row)]],
                        }
                        for p in self.points
                    ],
                }
            )
        if self.today is not None and bounds is not None and bounds[0] <= self.today < bounds[1]:
            today = self.today.isoformat()
            series.append(
                {
                    "type": "line",
                    "name": _text(self.today_name),
                    "data": [],
                    "itemStyle": {"color": DANGER},
                    "markLine": {
                        "silent": True,
                        "symbol": ["none", "none"],
                        "lineStyle": {"color": DANGER, "type": "dashed", "width": 2},
                        # Above the chart's top edge (the rows run downwards), clear of the
                        # date axis's labels.
                        "label": {"formatter": today, "position": "start"},
                        "data": [{"xAxis": today}],
                    },
                }
            )
        return {
            "aria": {"enabled": True},
            "animationDuration": 300,
            "tooltip": _tooltip("item"),
            "legend": {"top": 0},
            "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
            "xAxis": x_axis,
            "yAxis": {
                "type": "category",
                "data": rows,
                "inverse": True,
                "axisLabel": {"width": 88, "overflow": "truncate"},
            },
            "series": series,
        }


def _span_text(span: Span) -> str:
    dates = f"{span.starts.isoformat()} – {span.ends.isoformat()}"
    label = _text(span.label) or _text(span.row)
    return f"{label} · {dates}"
