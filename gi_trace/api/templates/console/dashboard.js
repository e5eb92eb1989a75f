/* The regulators' dashboard: reads /v1/oversight/… and the report queue with the bearer token,
draws them, and signs approve / suspend / reinstate / recall in this browser. */

const REPORT_STATUSES = ["new", "investigating", "closed"];
const percent = (ratio) => `${(Number(ratio) * 100).toFixed(1)} %`;

function batchLink(batch) {
  return el("a", {href: "#batch=" + encodeURIComponent(batch), "data-batch": batch}, batch);
}

async function showQuota(session) {
  const {items} = await session.api("/v1/oversight/quota");
  const rows = items.map((q) => ({
    label: say("dash.quota.row", q) + (q.suspended ? ` (${say("dash.suspended")})` : ""),
    value: Number(q.used), max: Number(q.quota), warn: Number(q.used) >= 0.9 * Number(q.quota),
    note: `${q.used} / ${q.quota}`,
  }));
  const slot = document.querySelector("#quota .chart-slot");
  slot.replaceChildren(rows.length ? hbars(rows) : el("p", {class: "muted"}, say("none")));
}

async function showLabels(session) {
  const {items} = await session.api("/v1/oversight/labels");
  const body = document.querySelector("#labels tbody");
  body.replaceChildren(...items.map((u) => el("tr", {class: u.issued >= 0.9 * u.units ? "warn" : ""},
    el("td", {}, batchLink(u.batch)), el("td", {}, u.producer), el("td", {class: "num"}, u.units),
    el("td", {class: "num"}, u.issued), el("td", {class: "num"}, u.sold), el("td", {class: "num"}, u.void))));
}

async function showScans(session) {
  const stats = await session.api("/v1/oversight/scans?days=30");
  document.querySelector("#scans .by-day").replaceChildren(
    vbars(stats.by_day.map((d) => ({label: d.day, value: d.scans}))));
  const places = stats.by_place.map((p) => ({
    label: p.lat === null ? say("dash.scans.unplaced")
      : `${Math.abs(p.lat)}°${p.lat >= 0 ? "N" : "S"} ${Math.abs(p.lon)}°${p.lon >= 0 ? "E" : "W"}`,
    value: p.scans, note: String(p.scans)}));
  document.querySelector("#scans .by-place").replaceChildren(
    places.length ? hbars(places) : el("p", {class: "muted"}, say("none")));
}

async function showAnomalies(session) {
  const a = await session.api("/v1/oversight/anomalies");
  fill(document.getElementById("copies"), a.copies, (c) => el("li", {class: "warn"},
    say("dash.copies.row", {...c, reasons: c.reasons.join(", ")})));
  fill(document.getElementById("mass-balance"), a.mass_balance, (m) => el("li", {class: m.over ? "warn" : ""},
    say("dash.balance.row", {...m, kind: say("dash.balance." + m.kind), percent: percent(m.ratio)}),
    m.over ? ` — ${say("dash.over")}` : "", " ", m.kind === "quota" ? "" : batchLink(m.subject)));
  fill(document.getElementById("stale"), a.stale_shipments, (s) => el("li", {},
    say("dash.stale.row", {...s, sent: s.sent_ts})));
  fill(document.getElementById("revoked"), a.revoked_keys, (k) => el("li", {},
    say("dash.revoked.row", {org: k.org, key: k.key_id.slice(0, 12) + "…", ts: k.revoked_ts,
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

async function showBatch(session, batch) {
  const section = document.getElementById("batch");
  section.hidden = false;
  section.querySelector("code").textContent = batch;
  const facts = section.querySelector("dl");
  const events = section.querySelector("ul");
  try {
    const b = await session.api("/v1/batches/" + encodeURIComponent(batch));
    const rows = [["product", b.product], ["lot", b.lot], ["producer", b.producer],
                  ["quantity", `${b.quantity} ${b.unit || ""}`],
                  ["recalled", b.recalled ? b.recall_reason || "yes" : "no"],
                  ["holders", b.holdings.map((h) => `${h.org}: ${h.quantity}`).join(", ") || "—"]];
    facts.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    fill(events, b.events, (e) => el("li", {}, `#${e.seq} ${e.ts} ${e.type} — ${e.actor}`));
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
    showReports(session),
  ]).then(() => { document.body.dataset.loaded = "true"; });
  wireActions(session, refresh);
  const openBatch = () => {
    const match = /^#batch=(.+)$/.exec(location.hash);
    if (match) showBatch(session, decodeURIComponent(match[1]));
  };
  window.addEventListener("hashchange", openBatch);
  openBatch();
  refresh();
}

setUpSignIn("gi-trace.dashboard", startDashboard, ["regulator"]);
