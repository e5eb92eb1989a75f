/* Takedown notices on screen, for the platform's console and the dashboard's notices panel:
durations, statuses and the overdue flag in the page's words (inlined after keys.js). */

/* Seconds as the two largest units ("2 d 3 h", "5 min 20 s"); "—" when not answered yet. */
function duration(seconds) {
  if (seconds === undefined || seconds === null) return MISSING;
  const units = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
  const parts = [];
  let left = Math.max(0, Math.round(seconds));
  for (const [unit, size] of units) {
    const count = Math.floor(left / size);
    left -= count * size;
    if (count && parts.length < 2) parts.push(say("time." + unit, {n: count}));
    else if (parts.length) break;
  }
  return parts.length ? parts.join(" ") : say("time.s", {n: 0});
}

/* A notice's status in words, with "overdue" when its deadline passed unanswered. */
function noticeStatus(n) {
  const status = say("notice.status." + n.status);
  return n.overdue ? `${status} — ${say("notice.overdue")}` : status;
}

/* A notice's evidence in words, or "—" when the reader may not see it (it is confidential). */
function evidenceText(evidence) {
  if (!evidence) return MISSING;
  const parts = Object.entries(evidence).filter(([, ids]) => ids.length)
    .map(([kind, ids]) => `${say("notice.evidence." + kind)}: ${ids.join(", ")}`);
  return parts.length ? parts.join("; ") : say("none");
}
