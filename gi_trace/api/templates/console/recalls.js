/* The dashboard's recalls panel: per recall, its batch, reason and time, how many holder lines
acknowledged it, and the holders that have not (by name: dashboard.js's `named`). A regulator
reads every holder line; anyone else only the counts, and "—" for who. Uses cases.js's
`everyPage`. */

/* The holders with a line not yet acknowledged, each once; null when the read left them out. */
function pendingHolders(recall) {
  if (!Array.isArray(recall.holders)) return null;
  return [...new Set(recall.holders.filter((h) => h.acknowledged === null).map((h) => h.org))];
}

function pendingCell(orgs) {
  if (orgs === null) return el("td", {}, MISSING);
  if (!orgs.length) return el("td", {class: "muted"}, say("none"));
  return el("td", {class: "warn"}, ...orgs.flatMap((org, i) => [
    i ? say("dash.list.separator") : "", el("span", {"data-org": org, title: org}, named("org", org))]));
}

async function showRecalls(session) {
  const recalls = await everyPage(session, "/v1/recalls?limit=100");
  const body = document.querySelector("#recalls-list tbody");
  body.replaceChildren(...(recalls.length ? recalls.map((r) => {
    const pending = pendingHolders(r);
    return el("tr", {"data-batch": r.batch, "data-pending": pending === null ? "" : String(pending.length),
                     class: pending && pending.length ? "warn" : ""},
      el("td", {}, batchLink(r.batch)), el("td", {}, shown(r.reason)), el("td", {}, shown(r.ts)),
      el("td", {class: "num"}, `${shown(r.acknowledged)} / ${shown(r.lines)}`), pendingCell(pending));
  }) : [noteRow("#recalls-list", say("none"), "muted")]));
}
