/* Two small inline-SVG charts, drawn with DOM calls (no library, no HTML strings). Each is drawn
at the pixel width of the place it goes (`width`, at least MIN_WIDTH), so its text keeps its size
on a phone instead of shrinking with a wide drawing scaled down. */

const MIN_WIDTH = 280;

const SVG_NS = "http://www.w3.org/2000/svg";

/* A bar's value as a finite number (0 for one the read left out), never NaN in a drawing. */
function finite(value) {
  const number = value === null || value === "" ? NaN : Number(value);
  return Number.isFinite(number) ? number : 0;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/* Horizontal bars, one per row {label, value, max, note, warn}: the bar is value / max of the
   row's track (or of the largest value when rows share one scale and give no max). */
function hbars(rows, {width = 600, rowHeight = 50} = {}) {
  width = Math.max(width || 0, MIN_WIDTH);
  const chart = svg("svg", {class: "chart", viewBox: `0 0 ${width} ${rows.length * rowHeight + 4}`,
                            role: "img"});
  const top = Math.max(1, ...rows.map((r) => finite(r.value)));
  rows.forEach((row, i) => {
    const y = i * rowHeight;
    const value = finite(row.value);
    const scale = finite(row.max) > 0 ? finite(row.max) : top;
    const part = Math.min(Math.max(value / scale, 0), 1);
    // The label above its bar and the note under it: on a phone a long name and "used / quota"
    // would not both fit on one line.
    chart.append(svg("text", {x: 0, y: y + 12}, shown(row.label)));
    chart.append(svg("rect", {x: 0, y: y + 17, width: width, height: 10, fill: "#e2e4e8", rx: 2}));
    chart.append(svg("rect", {x: 0, y: y + 17, width: (width * part).toFixed(1), height: 10, rx: 2,
                              fill: row.warn ? "#c62828" : "#1b7f3b", "data-value": value}));
    chart.append(svg("text", {x: width, y: y + 41, "text-anchor": "end"}, shown(row.note)));
  });
  return chart;
}

/* Vertical bars over a series of {label, value}: the first and last labels under the axis. */
function vbars(points, {width = 600, height = 140} = {}) {
  width = Math.max(width || 0, MIN_WIDTH);
  const chart = svg("svg", {class: "chart", viewBox: `0 0 ${width} ${height + 18}`, role: "img"});
  const top = Math.max(1, ...points.map((p) => finite(p.value)));
  const step = width / Math.max(points.length, 1);
  points.forEach((p, i) => {
    const value = finite(p.value);
    const h = (height - 14) * value / top;
    const bar = svg("rect", {x: (i * step + 1).toFixed(1), y: (height - h).toFixed(1),
                             width: Math.max(step - 2, 1).toFixed(1), height: h.toFixed(1),
                             fill: "#0b57d0", "data-value": value});
    bar.append(svg("title", {}, `${shown(p.label)}: ${value}`));
    chart.append(bar);
  });
  chart.append(svg("text", {x: width, y: 10, "text-anchor": "end"}, say("dash.chart.max", {max: top})));
  if (points.length) {
    chart.append(svg("text", {x: 0, y: height + 14}, points[0].label));
    chart.append(svg("text", {x: width, y: height + 14, "text-anchor": "end"}, points[points.length - 1].label));
  }
  return chart;
}
