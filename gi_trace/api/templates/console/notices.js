/* The dashboard's takedown notices panel: per platform, how many notices wait for a takedown,
how many are overdue and how fast it responds; then each notice still waiting. Public reads
(evidence aside, which this panel does not show). Uses the dashboard's names (dashboard.js). */

async function showNotices(session) {
  const [platforms, waiting] = await Promise.all([
    session.api("/v1/platform-notices"), session.api("/v1/notices?settled=false&limit=500")]);
  const byPlatform = document.querySelector("#notices-platforms tbody");
  const count = (value) => el("td", {class: "num"}, shown(value));
  byPlatform.replaceChildren(...(platforms.items.length ? platforms.items.map((p) => el("tr", {
    "data-platform": p.platform, class: p.overdue ? "warn" : ""},
    nameCell("org", p.platform), count(p.notices), count(p.open), count(p.overdue),
    el("td", {class: "num", "data-seconds": shown(p.median_response_seconds)}, duration(p.median_response_seconds))))
    : [noteRow("#notices-platforms", say("none"), "muted")]));
  const open = document.querySelector("#notices-open tbody");
  open.replaceChildren(...(waiting.items.length ? waiting.items.map((n) => el("tr", {
    "data-notice": n.notice, "data-overdue": String(n.overdue), class: n.overdue ? "warn" : ""},
    el("td", {}, n.notice), nameCell("org", n.platform), el("td", {}, say("notice.reason." + n.reason)),
    nameCell("org", n.sender), el("td", {}, n.deadline), el("td", {}, noticeStatus(n)),
    el("td", {class: "num"}, duration(n.response_seconds))))
    : [noteRow("#notices-open", say("none"), "muted")]));
}
