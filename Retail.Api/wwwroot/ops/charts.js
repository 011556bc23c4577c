// Small SVG charts drawn without any library: horizontal bars and grouped percentile bars.
"use strict";
const RetailCharts = (() => {
  const ns = "http://www.w3.org/2000/svg";
  const palette = ["#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777", "#65a30d", "#0891b2", "#dc2626", "#475569"];

  function el(name, attrs, text) {
    const node = document.createElementNS(ns, name);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function empty(container, message) {
    container.replaceChildren();
    const p = document.createElement("p");
    p.className = "muted";
    p.textContent = message;
    container.append(p);
  }

  /** entries: [[label, value], ...] drawn as one bar per row, scaled to the largest value. */
  function bars(container, entries, format = String) {
    if (!entries.length) return empty(container, "nothing yet today");
    const rowHeight = 22, labelWidth = 110, width = 360, barArea = width - labelWidth - 50;
    const max = Math.max(...entries.map(([, value]) => value), 1);
    const svg = el("svg", { viewBox: `0 0 ${width} ${entries.length * rowHeight + 4}`, role: "img" });
    entries.forEach(([label, value], index) => {
      const y = index * rowHeight + 2;
      svg.append(el("text", { x: labelWidth - 6, y: y + 14, "text-anchor": "end" }, label));
      svg.append(el("rect", { x: labelWidth, y: y + 3, height: rowHeight - 8, width: Math.max(1, (value / max) * barArea), rx: 3, fill: palette[index % palette.length] }));
      svg.append(el("text", { x: labelWidth + (value / max) * barArea + 5, y: y + 14 }, format(value)));
    });
    container.replaceChildren(svg);
  }

  /** groups: [[label, {p50, p95}], ...] as two bars per group on a shared scale. */
  function percentiles(container, groups) {
    const present = groups.filter(([, value]) => value && value.count > 0);
    if (!present.length) return empty(container, "no shipments or ERP postings today");
    const entries = [];
    for (const [label, value] of present) {
      entries.push([`${label} p50`, value.p50Seconds]);
      entries.push([`${label} p95`, value.p95Seconds]);
    }
    bars(container, entries, (seconds) => seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`);
  }

  return { bars, percentiles };
})();
