// Jiceng's charts: draws what core/charts.py describes (see docs/charts.md).
//
// Each chart is a container <div class="chart" data-chart="ID"> and its payload in
// <script type="application/json" id="ID"> (Django's json_script): {option, height, links?,
// suffix?}. This script draws every container with Apache ECharts (served by the app from
// node_modules, never a CDN), once; redraws on resize; draws what htmx swaps in and disposes
// of what it swaps out. Functions cannot travel in JSON, so the payload names them and they
// live here (RENDERERS). Nothing here writes an HTML string or a style attribute: the CSP
// allows neither (ECharts' tooltips are rich text, drawn on the canvas).
(() => {
  "use strict";

  // A timeline's span: a bar from value(1) to value(2) on the row value(0).
  const timelineSpan = (params, api) => {
    const row = api.value(0);
    const start = api.coord([api.value(1), row]);
    const end = api.coord([api.value(2), row]);
    const height = api.size([0, 1])[1] * 0.5;
    const box = params.coordSys;
    const shape = window.echarts.graphic.clipRectByRect(
      { x: start[0], y: start[1] - height / 2, width: end[0] - start[0], height },
      { x: box.x, y: box.y, width: box.width, height: box.height },
    );
    return shape && { type: "rect", transition: ["shape"], shape, style: api.style() };
  };
  const RENDERERS = { "timeline-span": timelineSpan };

  const locale = () => ((document.documentElement.lang || "").toLowerCase().startsWith("zh") ? "ZH" : "EN");

  const revive = (payload) => {
    const option = payload.option;
    (option.series || []).forEach((series) => {
      if (typeof series.renderItem === "string") series.renderItem = RENDERERS[series.renderItem];
    });
    if (payload.suffix) {
      const suffix = payload.suffix;
      option.tooltip = Object.assign({}, option.tooltip, {
        valueFormatter: (value) => (value === null || value === undefined || value === "-" ? "—" : `${value}${suffix}`),
      });
    }
    return option;
  };

  const resizer = typeof ResizeObserver === "undefined" ? null : new ResizeObserver((entries) => {
    entries.forEach((entry) => {
      const chart = window.echarts.getInstanceByDom(entry.target);
      if (chart) chart.resize();
    });
  });

  const linkFor = (payload, option, params) => {
    const links = payload.links;
    if (!links) return null;
    if (params.componentType === "series") return links[params.dataIndex] || null;
    // A click on a category's label: find the category.
    const axis = [].concat(option.yAxis || [], option.xAxis || []).find((a) => a.type === "category");
    const index = axis ? axis.data.indexOf(params.value) : -1;
    return index >= 0 ? links[index] || null : null;
  };

  const draw = (container) => {
    if (!window.echarts || container.dataset.chartReady) return;
    const source = document.getElementById(container.dataset.chart);
    if (!source) return;
    const payload = JSON.parse(source.textContent);
    container.style.height = `${payload.height || 320}px`; // CSSOM, not an attribute: CSP-safe
    const chart = window.echarts.init(container, null, { renderer: "canvas", locale: locale() });
    const option = revive(payload);
    chart.setOption(option);
    if (payload.links) {
      chart.on("click", (params) => {
        const url = linkFor(payload, option, params);
        if (url) window.location.assign(url);
      });
    }
    container.dataset.chartReady = "1";
    if (resizer) resizer.observe(container);
  };

  const within = (root, callback) => {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("[data-chart]")) callback(root);
    root.querySelectorAll("[data-chart]").forEach(callback);
  };

  const dispose = (container) => {
    if (!window.echarts) return;
    const chart = window.echarts.getInstanceByDom(container);
    if (chart) chart.dispose();
    if (resizer) resizer.unobserve(container);
    delete container.dataset.chartReady;
  };

  const drawAll = () => within(document, draw);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
  // htmx: draw what a swap brought in, dispose of what it takes away.
  document.addEventListener("htmx:load", (event) => within(event.target, draw));
  document.addEventListener("htmx:beforeCleanupElement", (event) => within(event.target, dispose));
  if (!resizer) window.addEventListener("resize", () => within(document, (c) => {
    const chart = window.echarts && window.echarts.getInstanceByDom(c);
    if (chart) chart.resize();
  }));

  window.jicengCharts = { draw: (root) => within(root || document, draw), dispose: (root) => within(root || document, dispose) };
})();
