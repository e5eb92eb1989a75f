/* The dashboard's cases panel: the cases the regulator's region touches (/v1/cases), grouped as
transfers awaiting an answer, cases held, transfers sent and closed ones; and the steps signed in
this browser with keys.js's session.sign: accept or return a transfer addressed to this regulator;
transfer a case it holds to another region's regulator, or close it (published as a typical case,
with a public summary). The page's names (dashboard.js's `named`) are used when it draws. */

const CASE_GROUPS = [
  {list: "#cases-incoming", when: (c) => c.direction === "in"},
  {list: "#cases-held", when: (c) => c.status === "open"},
  {list: "#cases-outgoing", when: (c) => c.direction === "out"},
  {list: "#cases-closed", when: (c) => c.status === "closed"},
];
const CASE_OUTCOMES = ["confirmed", "unfounded"];

/* Every page of a list read. */
async function everyPage(session, path) {
  const items = [];
  let after = null;
  do {
    const page = await session.api(path + (after ? "&after=" + encodeURIComponent(after) : ""));
    items.push(...page.items);
    after = page.next;
  } while (after);
  return items;
}

/* The regulators a case may be transferred to: those of another region than this one's. */
async function otherRegulators(session) {
  const regulators = await everyPage(session, "/v1/orgs?role=regulator&limit=500");
  const mine = (regulators.find((o) => o.org === session.org) || {}).region;
  return regulators.filter((o) => o.org !== session.org && o.region && o.region !== mine);
}

/* A labelled field. */
function caseField(label, control) {
  return el("div", {class: "field"}, el("label", {}, say(label), control));
}

/* A form signing one step of case `c`; on success the receipt goes to the panel's output and
   the panel is drawn again, on failure the problem stays beside the form. */
function caseStep(session, c, type, name, fields, body) {
  const result = el("output", {hidden: ""});
  const button = el("button", {type: "submit", class: "secondary"}, say("dash.cases." + name));
  const form = el("form", {class: "case-step", "data-step": name}, ...fields, button, result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    showOutcome(result, true, say("signing"));
    try {
      const receipt = await session.sign(type, {case: c.case, ...body()});
      const output = document.querySelector("#cases > output");
      showOutcome(output, true, say("dash.cases.done", {case: c.case, seq: receipt.seq}));
      output.dataset.seq = receipt.seq;
      await showCases(session);
    } catch (error) {
      showOutcome(result, false, problemText(error));
      button.disabled = false;
    }
  });
  return form;
}

function reasonInput() {
  return el("input", {name: "reason", required: "", maxlength: 2000});
}

/* The steps this regulator may sign on case `c`. */
function caseSteps(session, c, regulators) {
  if (c.pending_to === session.org) {
    const reason = reasonInput();
    return [caseStep(session, c, "case.accept", "accept", [], () => ({})),
            caseStep(session, c, "case.return", "return", [caseField("dash.cases.reason", reason)],
                     () => ({reason: reason.value.trim()}))];
  }
  if (c.holder !== session.org || c.status !== "open") return [];
  const to = el("select", {name: "to", required: ""}, ...regulators.map((o) => el("option", {value: o.org},
    `${named("org", o.org)} (${o.region})`)));
  const reason = reasonInput();
  const outcome = el("select", {name: "outcome"},
    ...CASE_OUTCOMES.map((o) => el("option", {value: o}, say("dash.cases.outcome." + o))));
  const publish = el("input", {type: "checkbox", name: "publish"});
  const summary = el("textarea", {name: "summary", rows: 2, maxlength: 2000});
  return [
    caseStep(session, c, "case.transfer", "transfer",
             [caseField("dash.cases.to", to), caseField("dash.cases.reason", reason)],
             () => ({to: to.value, reason: reason.value.trim()})),
    caseStep(session, c, "case.close", "close",
             [caseField("dash.cases.outcome", outcome), caseField("dash.cases.publish", publish),
              caseField("dash.cases.public_summary", summary)],
             () => ({outcome: outcome.value, publish: publish.checked,
                     summary: summary.value.trim() || undefined})),
  ];
}

function caseItem(session, c, regulators) {
  const facts = [el("strong", {}, c.case), " · ", named("product", c.product), " · ",
                 say("dash.cases.holder", {holder: named("org", c.holder)})];
  if (c.pending_to) facts.push(" → ", named("org", c.pending_to));
  if (c.outcome) {
    facts.push(" · ", say("dash.cases.outcome." + c.outcome));
    if (c.published) facts.push(" · ", say("dash.cases.published"));
  }
  return el("li", {"data-case": c.case, "data-status": c.status}, ...facts,
            el("div", {class: "muted"}, shown(c.summary)), ...caseSteps(session, c, regulators));
}

/* Draw the panel; it is for regulators only (an association's dashboard has none). */
async function showCases(session) {
  const panel = document.getElementById("cases");
  if (!(session.roles || []).includes("regulator")) {
    panel.hidden = true;
    return;
  }
  const [items, regulators] = await Promise.all([everyPage(session, "/v1/cases?limit=500"),
                                                 otherRegulators(session)]);
  CASE_GROUPS.forEach((group) => fill(document.querySelector(group.list), items.filter(group.when),
                                      (c) => caseItem(session, c, regulators)));
}
