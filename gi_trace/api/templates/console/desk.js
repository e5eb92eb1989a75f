/* The receiving desk: find the delivery (camera QR, typed link, SSCC or shipment id), show
what the sender declared, sign shipment.receive or shipment.reject in this browser; and sign
recall.ack, what this organisation withdrew of a recalled batch it holds. */

const SSCC_IN_LINK = /(?:^|\/)00\/([0-9]{18})(?:[/?#]|$)/;
const SSCC_ONLY = /^(?:\(00\)\s*)?([0-9]{18})$/;
const SHIPMENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

/* What the desk was given as a read: its path and the SSCC or id it names; or an Error saying
   why it cannot be one. */
function lookupPath(code) {
  const text = code.trim();
  const sscc = SSCC_IN_LINK.exec(text) || SSCC_ONLY.exec(text.replace(/\s+/g, ""));
  if (sscc) return {path: "/v1/shipments/sscc/" + sscc[1], ident: sscc[1]};
  if (SHIPMENT_ID.test(text)) return {path: "/v1/shipments/" + encodeURIComponent(text), ident: text};
  throw new Error(say("desk.bad_code", {detail: text.slice(0, 80)}));
}

/* A shipment is 404 to anyone but its sender and receiver (statement v2), whether it exists or
   not: the desk says so in those words rather than as a bare "not found". */
function lookupProblem(error, ident, org) {
  if (error instanceof GiKeys.ApiError && error.status === 404) return say("desk.not_found", {code: ident, org});
  return problemText(error);
}

function row(...cells) {
  return el("tr", {}, ...cells.map(([text, cls]) => el("td", cls ? {class: cls} : {}, text)));
}

function desk(session) {
  const card = document.getElementById("shipment");
  const settle = document.getElementById("settle");
  const settleOut = settle.querySelector("output");
  const lookup = document.getElementById("lookup");
  const lookupOut = lookup.querySelector("output");
  let current = null;

  function show(s) {
    current = s;
    card.hidden = false;
    card.dataset.shipment = s.shipment;
    card.dataset.status = s.status;
    card.querySelector(".id").textContent = s.shipment;
    card.querySelector(".sender").textContent = s.sender;
    card.querySelector(".receiver").textContent = s.receiver;
    card.querySelector(".sent").textContent = shown(s.sent_ts);
    card.querySelector(".status").textContent = say("shipment." + s.status);
    card.querySelector("tbody").replaceChildren(...(s.items || []).map((i) => row(
      [shown(i.batch)], [shown(i.product)], [shown(i.lot)], [shown(i.quantity), "num"])));
    const mine = s.receiver === session.org;
    const open = s.status === "pending" && mine;
    settle.querySelectorAll("button").forEach((b) => { b.disabled = !open; });
    settleOut.hidden = true;
    if (!mine) showOutcome(settleOut, false, say("desk.not_mine", {org: session.org}));
    else if (s.status !== "pending") showOutcome(settleOut, false, say("desk.not_pending", {status: say("shipment." + s.status)}));
    document.getElementById("print-label").hidden = !s.sscc;
    card.scrollIntoView();
  }

  async function find(code) {
    lookupOut.hidden = true;
    let asked = null;
    try {
      asked = lookupPath(code);
      show(await session.api(asked.path));
    } catch (error) {
      current = null;  // what was shown before is not what was asked for
      card.hidden = true;
      showOutcome(lookupOut, false, asked ? lookupProblem(error, asked.ident, session.org) : problemText(error));
    }
  }

  async function refreshLists() {
    const inbox = document.querySelector("#inbox ul");
    const holdings = document.querySelector("#holdings tbody");
    try {
      const pending = await session.api(`/v1/orgs/${encodeURIComponent(session.org)}/inbox?limit=100`);
      fill(inbox, pending.items, (s) => el("li", {},
        el("button", {type: "button", class: "secondary", "data-shipment": s.shipment, onclick: () => show(s)},
           s.shipment), " ", `${shown(s.sender)} · ${shown(s.sent_ts).slice(0, 10)} · ${(s.items || []).length}`));
      const held = await session.api(`/v1/orgs/${encodeURIComponent(session.org)}/holdings?limit=500`);
      holdings.replaceChildren(...held.items.map((h) => row(
        [h.batch, h.recalled ? "warn" : ""], [shown(h.product)], [shown(h.lot)], [amount(h.quantity, h.unit), "num"])));
    } catch (error) {
      inbox.replaceChildren(el("li", {class: "warn"}, problemText(error)));
    }
  }

  /* Sign `type` with `body` for `form`: its buttons off while signing, the receipt (or the
     problem) in its output, the lists read again. The receipt; null when it failed (the
     buttons on again to retry). */
  async function signFor(form, type, body) {
    const output = form.querySelector("output");
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    showOutcome(output, true, say("signing"));
    try {
      const receipt = await session.sign(type, body);
      showOutcome(output, true, say("receipt", receipt));
      output.dataset.seq = receipt.seq;
      refreshLists();
      return receipt;
    } catch (error) {
      showOutcome(output, false, problemText(error));
      buttons.forEach((b) => { b.disabled = false; });
      return null;
    }
  }

  lookup.addEventListener("submit", (event) => {
    event.preventDefault();
    find(lookup.elements.code.value);
  });

  settle.addEventListener("submit", async (event) => {
    event.preventDefault();
    const type = event.submitter ? event.submitter.value : "shipment.receive";
    const reason = settle.elements.reason.value.trim();
    if (type === "shipment.reject" && !reason) {
      showOutcome(settleOut, false, say("desk.reason_required"));
      return;
    }
    const body = reason ? {shipment: current.shipment, reason} : {shipment: current.shipment};
    if (await signFor(settle, type, body)) {
      const status = type === "shipment.receive" ? "received" : "rejected";
      card.dataset.status = status;
      card.querySelector(".status").textContent = say("shipment." + status);
      settle.elements.reason.value = "";
    }
  });

  const ack = document.querySelector("#recall-ack form");
  ack.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [batch, withdrawn, note] = ["batch", "withdrawn", "note"].map((n) => ack.elements[n].value.trim());
    const body = note ? {batch, withdrawn, note} : {batch, withdrawn};
    if (await signFor(ack, "recall.ack", body)) {
      ack.querySelectorAll("input").forEach((input) => { input.value = ""; });  // reset() would empty the output
      ack.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
  });

  document.getElementById("print-label").addEventListener("click", async () => {
    try {
      const text = await session.api(`/v1/shipments/${encodeURIComponent(current.shipment)}/label.svg`,
                                     {headers: {Accept: "image/svg+xml"}});
      window.open(URL.createObjectURL(new Blob([text], {type: "image/svg+xml"})), "_blank");
    } catch (error) {
      showOutcome(settleOut, false, lookupProblem(error, current.shipment, session.org));
    }
  });

  setUpCamera(find);
  refreshLists();
  const asked = new URLSearchParams(location.search).get("sscc");
  if (asked) {
    lookup.elements.code.value = asked;
    find(asked);
  }
}

/* The camera, where the browser can read QR codes itself (BarcodeDetector); else typing. */
function setUpCamera(found) {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    document.getElementById("camera-none").hidden = false;
    return;
  }
  const controls = document.getElementById("camera-controls");
  const video = document.getElementById("camera");
  const start = document.getElementById("camera-start");
  const stop = document.getElementById("camera-stop");
  let stream = null;
  const close = () => {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = stop.hidden = true;
    start.hidden = false;
  };
  controls.hidden = false;
  stop.addEventListener("click", close);
  start.addEventListener("click", async () => {
    const detector = new BarcodeDetector({formats: ["qr_code"]});
    stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false});
    video.srcObject = stream;
    video.hidden = stop.hidden = false;
    start.hidden = true;
    await video.play();
    const look = async () => {
      if (!stream) return;
      const codes = await detector.detect(video).catch(() => []);
      if (codes.length) {
        close();
        document.getElementById("code").value = codes[0].rawValue;
        found(codes[0].rawValue);
      } else {
        setTimeout(look, 250);
      }
    };
    look();
  });
}

setUpSignIn("gi-trace.desk", desk, document.querySelector("[data-roles]").dataset.roles.split(" "));
