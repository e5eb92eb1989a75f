/* The regulators' dashboard: reads /v1/oversight/… and the report queue with the bearer token,
draws them, and signs approve / suspend / reinstate / recall in this browser. */

const REPORT_STATUSES = ["new", "investigating", "closed"];
const NEAR_LIMIT = 0.9;  // as the server's oversight.NEAR_LIMIT: 90 % of a limit is worth a look
const LANG = document.documentElement.lang.startsWith("zh") ? "zh" : "en";

/* Organisations' and products' names by id, from the public /v1/orgs and /v1/products: a page
   in Chinese names Chinese names, not ids. An id the reads do not know is shown as itself. */
const NAMES = {org: new Map(), product: new Map()};

async function loadNames(session) {
  const [orgs, products] = await Promise.all([session.api("/v1/orgs?limit=500"),
                                              session.api("/v1/products?limit=500")]);
  orgs.items.forEach((o) => NAMES.org.set(o.org, o.name));
  products.items.forEach((p) => NAMES.product.set(p.product, p.name));
}

function named(kind, id) {
  const name = NAMES[kind].get(id);
  return (name && (name[LANG] || name.en || name.zh)) || shown(id);
}

/* A table cell naming an org or a product, its id kept as the cell's title. */
function nameCell(kind, id) {
  return el("td", {class: "name", title: shown(id)}, named(kind, id));
}

/* A statement type in the page's words (the type itself when the table has none). */
const typeName = (type) => WORDS["dash.type." + type] || shown(type);

/* A decimal string (or number) as a number; NaN when the read left it out. */
const num = (value) => (value === undefined || value === null || value === "" ? NaN : Number(value));

/* A ratio (1 is the limit itself) as a percentage: "∞" past any limit, "—" when unknown. */
function percent(ratio) {
  const r = num(ratio);
  if (Number.isNaN(r)) return MISSING;
  return Number.isFinite(r) ? `${(r * 100).toFixed(1)} %` : "∞";
}

function batchLink(batch) {
  if (batch === undefined || batch === null || batch === "") return MISSING;
  return el("a", {href: "#batch=" + encodeURIComponent(batch), "data-batch": batch}, batch);
}

async function showQuota(session) {
  const {items} = await session.api("/v1/oversight/quota");
  const rows = items.map((q) => ({
    label: say("dash.quota.row", {...q, producer: named("org", q.producer), product: named("product", q.product)})
      + (q.suspended ? ` (${say("dash.suspended")})` : ""),
    value: num(q.used), max: num(q.quota), warn: num(q.used) >= NEAR_LIMIT * num(q.quota),
    note: `${shown(q.used)} / ${shown(q.quota)}`,
  }));
  const slot = document.querySelector("#quota .chart-slot");
  slot.replaceChildren(rows.length ? hbars(rows, {width: slot.clientWidth}) : el("p", {class: "muted"}, say("none")));
}

/* What was labelled against what was possible: the ratio (the server's when it gave one), and
   whether it is over the limit (labelled > possible, read from the quantities themselves when
   both are there: a ratio rounded to 4 places can hide a hair over) or near it. */
function usage(labelled, possible, ratio) {
  const used = num(labelled);
  const limit = num(possible);
  let r = num(ratio);
  if (Number.isNaN(r) && Number.isFinite(used) && Number.isFinite(limit)) {
    r = limit > 0 ? used / limit : used === 0 ? 1 : Infinity;
  }
  const over = Number.isFinite(used) && Number.isFinite(limit) ? used > limit : r > 1;
  return {ratio: r, over, near: !over && r >= NEAR_LIMIT};
}

/* A v2 batch's labels certify packs (`labelled` of its `quantity`); a v1 batch's, a label per
   whole unit (`issued` of `units`). */
function batchUsage(u) {
  return num(u.labelled) > 0 ? usage(u.labelled, u.quantity) : usage(u.issued, u.units);
}

/* The share cell: a percentage, a meter, and a flag when over the limit or near it. */
function shareCell(use) {
  const cell = el("td", {class: "num"}, percent(use.ratio));
  if (Number.isFinite(use.ratio)) {
    // Past `high` a meter is drawn in its worst colour: over the limit, that is from `low` on.
    cell.append(el("meter", {min: 0, max: 1, low: NEAR_LIMIT, high: use.over ? NEAR_LIMIT : 1, optimum: 0,
                             value: Math.min(Math.max(use.ratio, 0), 1)}));
  }
  if (use.over) cell.append(el("span", {class: "flag", "data-flag": "over"}, say("dash.labels.over")));
  else if (use.near) cell.append(el("span", {class: "flag near", "data-flag": "near"}, say("dash.labels.near")));
  return cell;
}

/* The three tables of the labels panel: each row's usage, its own cells and data attributes. */
const LABEL_TABLES = [
  {table: "#labels-producers", path: "/v1/oversight/producers",
   use: (p) => usage(p.labelled, p.quantity, p.ratio),
   attrs: (p) => ({"data-producer": shown(p.producer), "data-product": shown(p.product)}),
   cells: (p) => [nameCell("org", p.producer), nameCell("product", p.product),
                  el("td", {class: "num"}, shown(p.harvests)),
                  el("td", {class: "num"}, amount(p.labelled, p.unit)),
                  el("td", {class: "num"}, amount(p.quantity, p.unit))]},
  {table: "#labels-harvests", path: "/v1/oversight/harvests",
   use: (h) => usage(h.labelled, h.quantity, h.ratio),
   attrs: (h) => ({"data-harvest": shown(h.batch)}),
   cells: (h) => [el("td", {}, batchLink(h.batch)), nameCell("org", h.producer),
                  el("td", {}, shown(h.harvested)), el("td", {class: "num"}, amount(h.labelled, h.unit)),
                  el("td", {class: "num"}, amount(h.quantity, h.unit))]},
  {table: "#labels-batches", path: "/v1/oversight/labels",
   use: batchUsage,
   attrs: (u) => ({"data-batch": shown(u.batch)}),
   cells: (u) => [el("td", {}, batchLink(u.batch)), nameCell("org", u.producer),
                  el("td", {class: "num"}, shown(u.issued)), el("td", {class: "num"}, shown(u.sold)),
                  el("td", {class: "num"}, shown(u.void)), el("td", {class: "num"}, shown(u.labelled)),
                  el("td", {class: "num"}, shown(u.quantity))]},
];

/* One row across the whole table, for "none" or a problem. */
function noteRow(table, text, cls) {
  const columns = document.querySelectorAll(`${table} thead th`).length;
  return el("tr", {}, el("td", {colspan: columns, class: cls}, text));
}

/* Labelled against possible, per producer, per harvest and per labelled batch; the fullest
   first, so an over-labelled one is at the top. A table whose read fails says why, alone. */
async function showLabels(session) {
  await Promise.all(LABEL_TABLES.map(async (kind) => {
    const body = document.querySelector(`${kind.table} tbody`);
    try {
      const {items} = await session.api(kind.path);
      const rows = items.map((item) => ({item, use: kind.use(item)}));
      const rank = (use) => (use.over ? 2 : 0) + (Number.isNaN(use.ratio) ? -1 : 0);
      rows.sort((a, b) => rank(b.use) - rank(a.use) || (num(b.use.ratio) || 0) - (num(a.use.ratio) || 0));
      body.replaceChildren(...(rows.length ? rows.map(({item, use}) => el("tr", {
        ...kind.attrs(item), "data-over": String(use.over),
        class: use.over ? "over warn" : use.near ? "warn" : ""}, ...kind.cells(item), shareCell(use)))
        : [noteRow(kind.table, say("none"), "muted")]));
    } catch (error) {
      body.replaceChildren(noteRow(kind.table, problemText(error), "warn"));
    }
  }));
}

async function showScans(session) {
  const stats = await session.api("/v1/oversight/scans?days=30");
  const byDay = document.querySelector("#scans .by-day");
  byDay.replaceChildren(vbars(stats.by_day.map((d) => ({label: d.day, value: d.scans})),
                              {width: byDay.clientWidth}));
  const places = stats.by_place.map((p) => ({
    label: p.lat === null ? say("dash.scans.unplaced")
      : say("dash.scans.place", {lat: Math.abs(p.lat), lon: Math.abs(p.lon),
                                 ns: say(p.lat >= 0 ? "dash.north" : "dash.south"),
                                 ew: say(p.lon >= 0 ? "dash.east" : "dash.west")}),
    value: p.scans, note: String(p.scans)}));
  const byPlace = document.querySelector("#scans .by-place");
  byPlace.replaceChildren(places.length ? hbars(places, {width: byPlace.clientWidth})
    : el("p", {class: "muted"}, say("none")));
}

async function showAnomalies(session) {
  const a = await session.api("/v1/oversight/anomalies");
  fill(document.getElementById("copies"), a.copies, (c) => el("li", {class: "warn"},
    say("dash.copies.row", {...c, reasons: c.reasons.map((r) => WORDS["dash.reason." + r] || r)
      .join(say("dash.list.separator"))})));
  fill(document.getElementById("mass-balance"), a.mass_balance, (m) => el("li", {class: m.over ? "warn" : ""},
    say("dash.balance.row", {...m, org: named("org", m.org), kind: say("dash.balance." + m.kind),
                             percent: percent(m.ratio)}),
    m.over ? ` — ${say("dash.over")}` : "", " ", m.kind === "quota" ? "" : batchLink(m.subject)));
  fill(document.getElementById("stale"), a.stale_shipments, (s) => el("li", {},
    say("dash.stale.row", {...s, sender: named("org", s.sender), receiver: named("org", s.receiver),
                           sent: s.sent_ts})));
  fill(document.getElementById("revoked"), a.revoked_keys, (k) => el("li", {},
    say("dash.revoked.row", {org: named("org", k.org), key: k.key_id.slice(0, 12) + "…", ts: k.revoked_ts,
                             seq: k.revoked_seq, reason: k.reason || "—"})));
}

async function showReports(session) {
  const section = document.getElementById("reports");
  const output = section.querySelector("output");
  let page;
  try {
    page = await session.api("/v1/reports?limit=100");
  } catch (error) {
    showOutcome(output, false, error.status === 404 ? say("dash.reports.unavailable") : problemText(error));
    return;
  }
  fill(section.querySelector("ul"), page.items, (r) => {
    const select = el("select", {name: "status", "aria-label": say("desk.status")},
      ...REPORT_STATUSES.map((s) => el("option", s === r.status ? {value: s, selected: ""} : {value: s},
                                        say("status." + s))));
    const result = el("output", {hidden: ""});
    const form = el("form", {class: "report", "data-report": r.id},
      el("strong", {}, say("status." + r.status)), " · ", r.created.slice(0, 10), " · ", r.where_bought,
      r.details ? ` — ${r.details}` : "", " ", r.batch ? batchLink(r.batch) : "",
      el("div", {}, select, " ", el("button", {type: "submit", class: "secondary"}, say("dash.reports.set"))),
      result);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const updated = await session.api("/v1/reports/" + encodeURIComponent(r.id),
                                          {method: "PATCH", body: {status: select.value}});
        form.querySelector("strong").textContent = say("status." + updated.status);
        showOutcome(result, true, say("status." + updated.status));
      } catch (error) {
        showOutcome(result, false, problemText(error));
      }
    });
    return el("li", {}, form);
  });
}

/* A batch's facts. Quantities and other holders are confidential under statement v2: a read
   that leaves them out shows "—". */
async function showBatch(session, batch) {
  const section = document.getElementById("batch");
  section.hidden = false;
  section.querySelector("code").textContent = batch;
  const facts = section.querySelector("dl");
  const events = section.querySelector("ul");
  try {
    const b = await session.api("/v1/batches/" + encodeURIComponent(batch));
    const holdings = Array.isArray(b.holdings) ? b.holdings : [];
    const holders = holdings.map((h) => `${named("org", h.org)}: ${amount(h.quantity, b.unit)}`)
      .join(say("dash.list.separator"));
    const rows = [["product", named("product", b.product)], ["lot", b.lot], ["producer", named("org", b.producer)],
                  ["quantity", amount(b.quantity, b.unit)],
                  ["recalled", b.recalled ? b.recall_reason || say("yes") : say("no")],
                  ["holders", holders]];
    facts.replaceChildren(...rows.flatMap(([k, v]) => [
      el("dt", {}, say("dash.fact." + k)), el("dd", {"data-fact": k}, shown(v))]));
    fill(events, Array.isArray(b.events) ? b.events : [], (e) => el("li", {},
      `#${shown(e.seq)} ${shown(e.ts)} ${typeName(e.type)} — ${named("org", e.actor)}`));
  } catch (error) {
    facts.replaceChildren();
    events.replaceChildren(el("li", {class: "warn"}, problemText(error)));
  }
  section.scrollIntoView();
}

/* The body of an action form's statement, typed as the statement wants it. */
function actionBody(form) {
  const body = {};
  for (const input of form.querySelectorAll("input")) {
    body[input.name] = input.name === "year" ? Number.parseInt(input.value, 10) : input.value.trim();
  }
  return body;
}

function wireActions(session, refresh) {
  document.querySelectorAll("form.action").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const output = form.querySelector("output");
      const button = form.querySelector("button");
      button.disabled = true;
      showOutcome(output, true, say("signing"));
      try {
        const receipt = await session.sign(form.dataset.type, actionBody(form));
        showOutcome(output, true, say("receipt", receipt));
        output.dataset.seq = receipt.seq;
        refresh();
      } catch (error) {
        showOutcome(output, false, problemText(error));
      } finally {
        button.disabled = false;
      }
    });
  });
}

function startDashboard(session) {
  const guard = (promise, where) => promise.catch((error) => {
    document.querySelector(where).append(el("output", {"data-state": "error"}, problemText(error)));
  });
  const refresh = () => Promise.all([
    guard(showQuota(session), "#quota"), guard(showLabels(session), "#labels"),
    guard(showScans(session), "#scans"), guard(showAnomalies(session), "#anomalies"),
    guard(showNotices(session), "#notices"),
    guard(showCases(session), "#cases"),
    guard(showRecalls(session), "#recalls"),
    showReports(session),
  ]).then(() => { document.body.dataset.loaded = "true"; });
  wireActions(session, refresh);
  const openBatch = () => {
    const match = /^#batch=(.+)$/.exec(location.hash);
    if (match) showBatch(session, decodeURIComponent(match[1]));
  };
  window.addEventListener("hashchange", openBatch);
  // Names first (ids if they cannot be read): every panel names orgs and products.
  loadNames(session).catch(() => {}).then(() => {
    openBatch();
    refresh();
  });
}

setUpSignIn("gi-trace.dashboard", startDashboard, ["regulator", "association"]);
