/* The platform's console: the takedown notices sent to this platform, and its answers,
signed as notice.answer in this browser. */

function platformConsole(session) {
  const list = document.querySelector("#notices ul");
  const card = document.getElementById("notice");
  const form = document.getElementById("answer");
  const output = form.querySelector("output");
  let current = null;

  function show(n) {
    current = n;
    card.hidden = false;
    card.dataset.notice = n.notice;
    card.dataset.status = n.status;
    card.querySelector(".id").textContent = n.notice;
    const facts = {sender: n.sender, reason: say("notice.reason." + n.reason), listing: n.listing,
                   url: n.url, detail: n.detail, sent: n.sent_ts, deadline: n.deadline,
                   status: noticeStatus(n), response: duration(n.response_seconds),
                   evidence: evidenceText(n.evidence)};
    for (const [fact, value] of Object.entries(facts)) {
      card.querySelector(`[data-fact=${fact}]`).textContent = shown(value);
    }
    const settled = n.status === "removed" || n.status === "disputed";
    form.querySelectorAll("button").forEach((b) => {
      b.disabled = settled || (b.value === "acknowledged" && n.status === "acknowledged");
    });
    output.hidden = true;
    if (settled) showOutcome(output, false, say("platform.settled", {status: say("notice.status." + n.status)}));
    card.scrollIntoView();
  }

  /* The platform's notices, those waiting for a takedown first. */
  async function refresh() {
    try {
      const page = await session.api(`/v1/notices?platform=${encodeURIComponent(session.org)}&limit=500`);
      const waiting = (n) => (n.status === "removed" || n.status === "disputed" ? 1 : 0);
      const items = page.items.slice().sort((a, b) => waiting(a) - waiting(b));
      fill(list, items, (n) => el("li", {"data-overdue": String(n.overdue)},
        el("button", {type: "button", class: "secondary", "data-notice": n.notice, onclick: () => show(n)},
           n.notice), " ", `${say("notice.reason." + n.reason)} · ${say("notice.deadline", {deadline: n.deadline})}`
           + ` · ${noticeStatus(n)}`));
      if (current) show(page.items.find((n) => n.notice === current.notice) || current);
    } catch (error) {
      list.replaceChildren(el("li", {class: "warn"}, problemText(error)));
    }
    document.body.dataset.loaded = "true";
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const status = event.submitter ? event.submitter.value : "acknowledged";
    const reason = form.elements.reason.value.trim();
    if (status === "disputed" && !reason) {
      showOutcome(output, false, say("platform.reason_required"));
      return;
    }
    const body = reason ? {notice: current.notice, status, reason} : {notice: current.notice, status};
    form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    showOutcome(output, true, say("signing"));
    try {
      const receipt = await session.sign("notice.answer", body);
      form.elements.reason.value = "";
      await refresh();
      showOutcome(output, true, say("receipt", receipt));
      output.dataset.seq = receipt.seq;
    } catch (error) {
      showOutcome(output, false, problemText(error));
      form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  });

  refresh();
}

setUpSignIn("gi-trace.platform", platformConsole, ["platform"]);
