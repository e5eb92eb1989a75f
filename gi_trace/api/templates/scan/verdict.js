/* The verdict page's one script, inlined by verdict.html (so: no "{" "{" nor "{" "%" in here).

1. Checks the proof again in the browser, with WebCrypto only, so that a consumer need not
   trust this website: the label's signature, its key, its path to the labels_root of the
   label.issue statement (v2), that statement's signature, the statement's inclusion in the log's
   tree, and the operator's signature on that tree's checkpoint. A v1 label's statement is not
   sent (it lists the other labels): its proof checks the entry's inclusion only.
2. Sends the counterfeit report form and shows the answer next to the field at fault.
3. Shares a coarse place (0.1°) of this scan, only when the person asks and the phone agrees. */
"use strict";

const LABEL_PREFIX = "gi-trace/v1/label\n";
const STATEMENT_PREFIX = "gi-trace/v1/statement\n";
// RFC 8032 §7.1 test 1 public key: if the browser can import it, it has Ed25519.
const PROBE_KEY = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const MARKS = {ok: "✓", fail: "✗", skip: "–"};
const utf8 = new TextEncoder();

/* What the browser lacks (WebCrypto, Ed25519) is not a fault of the label: such checks are skipped. */
class Unsupported extends Error {}

/* ---- bytes ---- */

function b64Decode(text) {
  // Only the canonical spelling: the signed note's base64 is compared as bytes afterwards.
  if (typeof text !== "string" || text.length % 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new Error("not base64");
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function b64urlDecode(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
  return b64Decode(b64 + "===".slice((b64.length + 3) % 4));
}

function hexDecode(text) {
  if (typeof text !== "string" || !/^(?:[0-9a-f]{2})*$/.test(text)) throw new Error("not hex");
  return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
}

function hexEncode(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/* ---- WebCrypto ---- */

function subtle() {
  // crypto.subtle exists only in secure contexts (https, or localhost).
  if (!window.crypto || !window.crypto.subtle) throw new Unsupported("no WebCrypto");
  return window.crypto.subtle;
}

async function sha256(bytes) {
  return new Uint8Array(await subtle().digest("SHA-256", bytes));
}

let ed25519Probe = null;

function ed25519Supported() {
  ed25519Probe = ed25519Probe || (async () => subtle().importKey(
    "raw", hexDecode(PROBE_KEY), {name: "Ed25519"}, false, ["verify"]))().then(() => true, () => false);
  return ed25519Probe;
}

async function ed25519Verify(publicKey, message, signature) {
  if (!(await ed25519Supported())) throw new Unsupported("no Ed25519");
  const key = await subtle().importKey("raw", publicKey, {name: "Ed25519"}, false, ["verify"]);
  return subtle().verify({name: "Ed25519"}, key, signature, message);
}

/* JCS (RFC 8785) of an object of strings: keys sorted by UTF-16 code units (JS's default sort),
   no spaces, and strings escaped as JSON.stringify does, which is what JCS specifies. */
function jcsOfStrings(object) {
  return "{" + Object.keys(object).sort()
    .map((k) => JSON.stringify(k) + ":" + JSON.stringify(object[k])).join(",") + "}";
}

function b64urlEncode(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function issueStatement(v) {
  const bytes = b64urlDecode(v.proof.statement);
  return {bytes, statement: JSON.parse(new TextDecoder("utf-8", {fatal: true}).decode(bytes))};
}

/* ---- the checks; each answers true or false, or throws (a failure) ---- */

/* 1. The producer's key signed exactly this GTIN, lot and serial: a changed lot or a copied
   signature from another label fails here. */
async function checkLabelSignature(v) {
  if (!v.link.s) return false;
  const message = LABEL_PREFIX + jcsOfStrings(
    {gtin: v.link.gtin, key: v.proof.key.id, lot: v.link.lot, serial: v.link.serial});
  return ed25519Verify(b64urlDecode(v.proof.key.pub), utf8.encode(message), b64urlDecode(v.link.s));
}

/* 2. The label.issue statement (v2) was signed by this key, for this GTIN, batch and issuer. */
async function checkStatement(v) {
  const {bytes, statement} = issueStatement(v);
  const body = statement.body || {};
  const named = statement.v === 2 && statement.type === "label.issue" && statement.key === v.proof.key.id
    && body.gtin === v.link.gtin && (!v.batch || body.batch === v.batch.batch)
    && (!v.producer || statement.actor === v.producer.org);
  if (!named) return false;
  return ed25519Verify(b64urlDecode(v.proof.key.pub), concat(utf8.encode(STATEMENT_PREFIX), bytes),
                       b64urlDecode(v.proof.signature));
}

/* 2b. This label, and only it, is a leaf of the statement's labels_root: its leaf
   JCS({"serial", "sig"}) and its path lead to the root the statement commits to. */
async function checkLabelPath(v) {
  const label = v.proof.label;
  const body = issueStatement(v).statement.body || {};
  if (label.serial !== v.link.serial || label.sig !== String(v.link.s).replace(/=+$/, "")) return false;
  const leaf = await sha256(concat([0], utf8.encode(jcsOfStrings({serial: label.serial, sig: label.sig}))));
  const root = await rootFromInclusion(label.index, body.count, leaf, label.hashes.map(hexDecode));
  return root !== null && b64urlEncode(root) === body.labels_root;
}

/* 3. The key id (inside both signed messages) is the hash of the public key used to verify. */
async function checkKeyId(v) {
  return hexEncode(await sha256(b64urlDecode(v.proof.key.pub))) === v.proof.key.id;
}

/* 4. The statement and its signature are the ledger leaf, and the audit path from it leads
   to the tree's root. (A v1 proof has no statement: its leaf hash is taken as given.) */
async function checkInclusion(v) {
  const p = v.proof;
  const leaf = p.statement === null ? hexDecode(p.leaf_hash)
    : await sha256(concat([0], b64urlDecode(p.signature), b64urlDecode(p.statement)));
  if (hexEncode(leaf) !== p.leaf_hash || leaf.length !== 32) return false;
  const root = await rootFromInclusion(p.seq, p.inclusion.tree_size, leaf, p.inclusion.hashes.map(hexDecode));
  return root !== null && hexEncode(root) === p.inclusion.root;
}

/* RFC 9162 §2.1.3.2, with halving instead of bit shifts: JS shifts are 32-bit. */
async function rootFromInclusion(index, size, leaf, path) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    return null;
  }
  const half = (n) => Math.floor(n / 2);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(concat([1], p, r));
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await sha256(concat([1], r, p));
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : null;
}

/* 5. The log operator signed a checkpoint (C2SP signed note) of exactly that size and root. */
async function checkCheckpoint(v) {
  const p = v.proof;
  const split = p.checkpoint.indexOf("\n\n");
  if (split < 0) return false;
  const text = p.checkpoint.slice(0, split + 1);
  const [, size, root] = text.slice(0, -1).split("\n");
  if (size !== String(p.inclusion.tree_size) || hexEncode(b64Decode(root)) !== p.inclusion.root) {
    return false;
  }
  const operator = await noteVerifier(p.operator_key);
  for (const line of p.checkpoint.slice(split + 2).split("\n")) {
    const match = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!match || match[1] !== operator.name) continue;  // a witness's cosignature
    const blob = b64Decode(match[2]);
    if (blob.length === 68 && sameBytes(blob.slice(0, 4), operator.hash)
        && await ed25519Verify(operator.pub, utf8.encode(text), blob.slice(4))) {
      return true;
    }
  }
  return false;
}

/* A note verifier key "name+hash+base64(0x01 || pub)", its hash checked against name and key. */
async function noteVerifier(vkey) {
  const first = vkey.indexOf("+");
  const second = vkey.indexOf("+", first + 1);
  const typed = b64Decode(vkey.slice(second + 1));
  if (first < 1 || second < 0 || typed.length !== 33 || typed[0] !== 1) throw new Error("bad key");
  const name = vkey.slice(0, first);
  const hash = hexDecode(vkey.slice(first + 1, second));
  const pub = typed.slice(1);
  const expected = (await sha256(concat(utf8.encode(name + "\n"), typed))).slice(0, 4);
  if (!sameBytes(hash, expected)) throw new Error("key hash does not match");
  return {name, hash, pub};
}

const CHECKS = {
  "label-signature": checkLabelSignature,
  "statement": checkStatement,
  "label-path": checkLabelPath,
  "key-id": checkKeyId,
  "inclusion": checkInclusion,
  "checkpoint": checkCheckpoint,
};

async function runCheck(name, v) {
  try {
    return (await CHECKS[name](v)) ? "ok" : "fail";
  } catch (error) {
    return error instanceof Unsupported ? "skip" : "fail";
  }
}

/* Run every check the page lists, mark each, then say what they add up to. */
async function verifyProof(section, v) {
  const states = await Promise.all(Array.from(section.querySelectorAll("[data-check]"), async (item) => {
    const state = await runCheck(item.dataset.check, v);
    item.dataset.state = state;
    item.querySelector(".state").textContent = MARKS[state];
    return state;
  }));
  const overall = states.includes("fail") ? "fail" : states.includes("skip") ? "unsupported" : "ok";
  const result = section.querySelector("#proof-result");
  result.textContent = result.dataset[overall];
  section.dataset.state = overall;
}

/* ---- counterfeit report ---- */

function showError(form, field, message) {
  // A field without a slot of its own (say a hidden one) gets the form's general slot.
  const slot = field && form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
  const target = slot || form.querySelector('[data-error-for=""]');
  target.textContent = message;
  target.hidden = false;
  if (slot) slot.previousElementSibling.setAttribute("aria-invalid", "true");
}

function clearErrors(form) {
  form.querySelectorAll("[data-error-for]").forEach((slot) => { slot.hidden = true; });
  form.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
}

async function sendReport(form) {
  clearErrors(form);
  const photo = form.elements.photo;
  if (photo.files.length && photo.files[0].size > Number(photo.dataset.maxBytes)) {
    showError(form, "photo", photo.dataset.tooBig);
    return;
  }
  const data = new FormData(form);
  if (!photo.files.length) data.delete("photo");  // an empty file part is not "no photo" to every server
  const button = form.querySelector("button[type=submit]");
  const label = button.textContent;
  button.disabled = true;
  button.textContent = button.dataset.sending;
  try {
    const response = await fetch(form.action, {method: "POST", body: data, headers: {Accept: "application/json"}});
    const answer = await response.json().catch(() => ({}));
    if (response.status === 201) {
      const sent = document.getElementById("report-sent");
      sent.textContent = sent.dataset.template.replace("{id}", answer.id);
      document.getElementById("report-receipt").textContent = answer.receipt;
      document.getElementById("report-done").hidden = false;
      form.hidden = true;
    } else {
      const detail = answer.detail || answer.title;
      showError(form, answer.field || "", detail ? form.dataset.refused.replace("{detail}", detail)
                                                 : form.dataset.failed);
    }
  } catch (error) {
    showError(form, "", form.dataset.failed);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

/* ---- coarse place of this scan ---- */

function sharePlace(section) {
  const button = section.querySelector("button");
  const status = section.querySelector(".status");
  const say = (what) => {
    status.textContent = section.dataset[what];
    status.hidden = false;
    button.disabled = what === "sent";
  };
  button.disabled = true;
  navigator.geolocation.getCurrentPosition(async (position) => {
    // Only 0.1° (about 10 km) leaves the phone: enough to see a code turning up in two cities.
    const round = (x) => Math.round(x * 10) / 10;
    const place = {lat: round(position.coords.latitude), lon: round(position.coords.longitude)};
    try {
      const response = await fetch(section.dataset.url, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(place)});
      say(response.ok ? "sent" : "failed");
    } catch (error) {
      say("failed");
    }
  }, () => say("denied"), {enableHighAccuracy: false, timeout: 15000, maximumAge: 600000});
}

function main() {
  const v = JSON.parse(document.getElementById("verdict-data").textContent);
  const proof = document.getElementById("proof");
  if (v.proof) verifyProof(proof, v);
  const form = document.getElementById("report-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReport(form);
  });
  const place = document.getElementById("place");
  if (place && navigator.geolocation) {
    place.querySelector("button").addEventListener("click", () => sharePlace(place));
  } else if (place) {
    place.hidden = true;
  }
}

main();
