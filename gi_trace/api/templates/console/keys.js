/* Signing in and signing statements with a key that stays in this browser (inlined by the
signed-in pages, so: no "{" "{" nor "{" "%" in here).

- The key file (PKCS#8 PEM, or an OKP/Ed25519 JWK) is read here and imported into WebCrypto
  as a NON-extractable Ed25519 key; only the CryptoKey object is kept, in IndexedDB, so a
  reload does not ask for the file again. No script, this one included, can read the key
  back out; the server never sees it.
- "For the session": the bearer token lives in sessionStorage (this tab only). A page that
  finds no token there (a new tab, a restarted browser) deletes any stored key first.
- Statements are canonicalised here with JCS (RFC 8785) for the values our statements hold
  (objects, arrays, strings, integers, booleans, null: never floats) and signed over
  "gi-trace/v1/statement\n" + JCS bytes, exactly as DESIGN.md says.
- Statements are v2: the fields the disclosure policy makes confidential (the server renders
  the policy into the page as JSON, #console-policy: one source of truth, never copied here)
  are sealed in this browser. Each becomes a disclosure [salt, name, value] with a fresh
  16-byte salt from crypto.getRandomValues; the body keeps only the sorted digests in "_sd",
  base64url(SHA-256("gi-trace/v2/disclosure\n" + JCS(disclosure))), and the disclosures
  travel beside the statement in the envelope. */
"use strict";

const GiKeys = (() => {
  const STATEMENT_PREFIX = "gi-trace/v1/statement\n";
  const DISCLOSURE_PREFIX = "gi-trace/v2/disclosure\n";
  const AUTH_PREFIX = "gi-trace/v1/auth\n";
  const VERSION = 2;
  const SALT_BYTES = 16;
  const ED25519 = {name: "Ed25519"};
  const DB_NAME = "gi-trace-keys";
  const STORE = "keys";
  const utf8 = new TextEncoder();

  /* ---- bytes ---- */
  const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
  function b64url(bytes) {
    let text = "";
    new Uint8Array(bytes).forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function b64urlDecode(text) {
    if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "==".slice(0, (4 - text.length % 4) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  }
  const sha256 = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));

  /* ---- JCS (RFC 8785) for statement values ---- */
  function jcs(value) {
    if (value === null || typeof value === "boolean") return String(value);
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new Error("statements carry integers only, not " + value);
      return String(value);
    }
    if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
    if (typeof value === "object") {
      // Keys sorted by UTF-16 code units: what Array.prototype.sort does with no comparator.
      return "{" + Object.keys(value).sort().filter((k) => value[k] !== undefined)
        .map((k) => JSON.stringify(k) + ":" + jcs(value[k])).join(",") + "}";
    }
    throw new Error("cannot canonicalise a " + typeof value);
  }

  /* ---- selective disclosure (DESIGN.md "Confidential by default") ---- */
  let policy = null;

  /* The confidential fields of each statement type, as the server's policy says. */
  function confidentialFields(type) {
    if (policy === null) policy = JSON.parse(document.getElementById("console-policy").textContent);
    if (!Object.prototype.hasOwnProperty.call(policy, type)) throw new Error("unknown statement type " + type);
    return policy[type];
  }

  async function disclosureDigest(disclosure) {
    return b64url(await sha256(utf8.encode(DISCLOSURE_PREFIX + jcs(disclosure))));
  }

  /* The public body (confidential fields replaced by their sorted digests in "_sd") and the
     disclosures [salt, name, value] that travel beside it. */
  async function seal(type, body) {
    const hidden = new Set(confidentialFields(type));
    const publicBody = {};
    const disclosures = [];
    for (const [name, value] of Object.entries(body)) {
      if (value === undefined) continue;
      if (hidden.has(name)) {
        disclosures.push([b64url(crypto.getRandomValues(new Uint8Array(SALT_BYTES))), name, value]);
      } else {
        publicBody[name] = value;
      }
    }
    if (disclosures.length) {
      // base64url digests are ASCII: the default sort orders them as the server's sorted() does.
      publicBody._sd = (await Promise.all(disclosures.map(disclosureDigest))).sort();
    }
    return {body: publicBody, disclosures};
  }

  /* ---- key files ---- */
  function pemBody(text) {
    const match = /-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----/.exec(text);
    if (!match) throw new Error("not a PKCS#8 PEM (BEGIN PRIVATE KEY) nor a JWK");
    return Uint8Array.from(atob(match[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  }

  /* The non-extractable signing key and the raw public key of a PEM or JWK file's text. */
  async function importKeyText(text) {
    let jwk;
    if (text.trim().startsWith("{")) {
      jwk = JSON.parse(text);
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || !jwk.d || !jwk.x) {
        throw new Error("the JWK is not an Ed25519 private key (kty OKP, crv Ed25519, d, x)");
      }
    } else {
      // PKCS#8 from `gi-trace keys new` holds no public key: import once extractable to derive
      // it (as a JWK's x), then keep only a non-extractable copy.
      const der = pemBody(text);
      const once = await crypto.subtle.importKey("pkcs8", der, ED25519, true, ["sign"]);
      jwk = await crypto.subtle.exportKey("jwk", once);
    }
    const pub = b64urlDecode(jwk.x);
    const key = await crypto.subtle.importKey(
      "jwk", {kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x}, ED25519, false, ["sign"]);
    return {key, pub, keyId: hex(await sha256(pub))};
  }

  /* ---- IndexedDB: the CryptoKey itself, which a structured clone keeps non-extractable ---- */
  function db() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DB_NAME, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }
  async function idb(mode, act) {
    const conn = await db();
    try {
      return await new Promise((resolve, reject) => {
        const tx = conn.transaction(STORE, mode);
        const request = act(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(request.result);
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      conn.close();
    }
  }

  /* ---- HTTP ---- */
  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || "HTTP " + status);
      this.status = status;
      this.problem = problem;
    }
  }

  async function request(path, {method = "GET", body, token, headers = {}} = {}) {
    const init = {method, headers: {Accept: "application/json", ...headers}};
    if (token) init.headers.Authorization = "Bearer " + token;
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    const type = response.headers.get("Content-Type") || "";
    const data = type.includes("json") ? await response.json().catch(() => ({})) : await response.text();
    if (!response.ok) throw new ApiError(response.status, typeof data === "object" ? data : {detail: data});
    return data;
  }

  /* The org whose key `keyId` is, from the public list of organisations. */
  async function findOwner(keyId) {
    let after = null;
    do {
      const page = await request("/v1/orgs?limit=500" + (after ? "&after=" + encodeURIComponent(after) : ""));
      for (const org of page.items) {
        const key = org.keys.find((k) => k.key_id === keyId);
        if (key) return {org: org.org, roles: org.roles, revoked: key.revoked};
      }
      after = page.next;
    } while (after);
    return null;
  }

  /* ---- the session ---- */
  class Session {
    constructor(slot, identity) {
      this.slot = slot;
      Object.assign(this, identity);  // org, keyId, key, roles, token, expires
    }

    async authenticate() {
      const {challenge} = await request("/v1/auth/challenge", {method: "POST",
        body: {org: this.org, key: this.keyId}});
      const signature = await crypto.subtle.sign(ED25519, this.key, utf8.encode(AUTH_PREFIX + challenge));
      const issued = await request("/v1/auth/token", {method: "POST",
        body: {challenge, signature: b64url(signature)}});
      this.token = issued.token;
      this.expires = issued.expires;
      sessionStorage.setItem(this.slot, JSON.stringify(
        {org: this.org, keyId: this.keyId, roles: this.roles, token: this.token, expires: this.expires}));
    }

    /* A JSON read (or PATCH…) with the bearer token; one fresh token if it ran out. */
    async api(path, options = {}) {
      if (!this.token || Date.parse(this.expires) - Date.now() < 60000) await this.authenticate();
      try {
        return await request(path, {...options, token: this.token});
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        await this.authenticate();
        return request(path, {...options, token: this.token});
      }
    }

    /* Build a v2 statement, seal its confidential fields, canonicalise, sign and append it;
       the receipt ({seq, leaf_hash}). */
    async sign(type, body) {
      const sealed = await seal(type, body);
      const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
      const ts = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const statement = {v: VERSION, type, actor: this.org, key: this.keyId, ts, nonce, body: sealed.body};
      const signature = await crypto.subtle.sign(ED25519, this.key,
                                                 utf8.encode(STATEMENT_PREFIX + jcs(statement)));
      const envelope = {statement, signature: b64url(signature)};
      if (sealed.disclosures.length) envelope.disclosures = sealed.disclosures;
      return request("/v1/statements", {method: "POST", body: envelope});
    }

    async forget() {
      sessionStorage.removeItem(this.slot);
      await idb("readwrite", (store) => store.delete(this.slot));
    }
  }

  /* Sign in with a key file's text: import, find its org, get a token, keep the key. */
  async function signIn(slot, text) {
    const {key, pub, keyId} = await importKeyText(text);
    const owner = await findOwner(keyId);
    if (!owner) throw Object.assign(new Error("no-org"), {keyId});
    if (owner.revoked) throw new Error("revoked");
    const session = new Session(slot, {org: owner.org, roles: owner.roles, keyId, key});
    await session.authenticate();
    await idb("readwrite", (store) => store.put({key, keyId, org: owner.org}, slot));
    return session;
  }

  /* The session of this tab, if it has one; otherwise no key is kept at all. */
  async function resume(slot) {
    const saved = JSON.parse(sessionStorage.getItem(slot) || "null");
    const stored = await idb("readonly", (store) => store.get(slot)).catch(() => undefined);
    if (!saved || !stored || stored.keyId !== saved.keyId) {
      sessionStorage.removeItem(slot);
      await idb("readwrite", (store) => store.delete(slot)).catch(() => undefined);
      return null;
    }
    return new Session(slot, {...saved, key: stored.key});
  }

  const supported = () => !!(window.isSecureContext && crypto.subtle && window.indexedDB);

  return {jcs, seal, signIn, resume, supported, ApiError, request};
})();

/* ---- what both pages share on screen ---- */

const WORDS = JSON.parse(document.getElementById("console-words").textContent);

/* The page's words for `key`, its {placeholders} filled from `values` ("—" for a value the
   read left out). */
function say(key, values = {}) {
  const text = WORDS[key] || key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in values ? shown(values[name]) : all));
}

/* An element with text (never HTML: everything shown comes from the ledger or a user). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  children.flat().forEach((child) => node.append(child instanceof Node ? child : String(child)));
  return node;
}

/* A value as text, or "—" when the read left it out: under statement v2 a confidential field
   (a quantity, another holder…) the caller may not read is absent from the answer, and a page
   must never print "undefined", "null" or "NaN" for it. */
const MISSING = "—";

function shown(value) {
  if (value === undefined || value === null || value === "") return MISSING;
  if (typeof value === "number" && Number.isNaN(value)) return MISSING;
  return String(value);
}

/* A quantity with its unit ("24000 kg"), or "—" when the quantity was left out. */
function amount(quantity, unit) {
  const text = shown(quantity);
  return text !== MISSING && unit ? `${text} ${unit}` : text;
}

/* A list's items, or one "none" item. */
function fill(list, items, render) {
  list.replaceChildren(...(items.length ? items.map(render) : [el("li", {class: "muted"}, say("none"))]));
}

function problemText(error) {
  if (error instanceof GiKeys.ApiError) {
    const p = error.problem;
    const where = p.field ? ` (${p.field})` : "";
    return `${p.title || error.status}: ${p.detail || ""}${where}`;
  }
  return error instanceof TypeError ? say("error.network") : String(error.message || error);
}

/* Show a receipt or a problem in `output` (an <output> next to a form). */
function showOutcome(output, ok, text) {
  output.hidden = false;
  output.dataset.state = ok ? "ok" : "error";
  output.textContent = text;
}

/* Wire the sign-in card; calls onSession(session) once signed in (or resumed). */
async function setUpSignIn(slot, onSession, allowedRoles) {
  const card = document.getElementById("signin");
  const form = card.querySelector("form");
  const output = card.querySelector("output");
  const who = document.getElementById("who");
  if (!GiKeys.supported()) {
    showOutcome(output, false, say("signin.unsupported"));
    form.querySelector("button").disabled = true;
    return;
  }
  const start = (session) => {
    const roles = allowedRoles.filter((r) => (session.roles || []).includes(r));
    if (!roles.length) {
      showOutcome(output, false, say("signin.wrong_role", {org: session.org, roles: allowedRoles.join(", ")}));
    }
    form.hidden = true;
    who.hidden = false;
    who.querySelector("span").textContent = say("signin.as", {org: session.org, key: session.keyId.slice(0, 12) + "…"});
    who.querySelector("button").onclick = async () => {
      await session.forget();
      location.reload();
    };
    document.querySelectorAll("[data-needs-session]").forEach((node) => { node.hidden = false; });
    onSession(session);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements.keyfile.files[0];
    if (!file) return;
    const button = form.querySelector("button");
    button.disabled = true;
    showOutcome(output, true, say("signin.busy"));
    try {
      const session = await GiKeys.signIn(slot, await file.text());
      output.hidden = true;
      start(session);
    } catch (error) {
      const text = error.message === "no-org" ? say("signin.no_org", {key: error.keyId})
        : error.message === "revoked" ? say("signin.revoked")
        : error instanceof GiKeys.ApiError || error instanceof TypeError ? problemText(error)
        : say("signin.bad_file", {error: error.message});
      showOutcome(output, false, text);
    } finally {
      button.disabled = false;
      form.elements.keyfile.value = "";  // the file's text is not kept either
    }
  });
  const resumed = await GiKeys.resume(slot);
  if (resumed) start(resumed);
}
