// The inspector page: a live list over server-sent events and one delivery's detail. Request data is attacker-
// controlled, so it only ever reaches the DOM through textContent and attribute values, never as markup.
"use strict";

const BASE = "/_inspect";
const TOKEN = document.querySelector('meta[name="inspector-token"]').getAttribute("content");
const ROW_HEIGHT = 28;
const OVERSCAN = 10;
const CURL_SHOWN_CHARS = 64 * 1024;

const $ = (id) => document.getElementById(id);
const state = { all: [], shown: [], capacity: 500, stats: null, selected: null, types: new Set(), targetEdited: false, curl: "" };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** A list cell; the whole text is in its tooltip when the column cuts it. */
function cell(className, text) {
  const node = el("span", className, text);
  node.title = text;
  return node;
}

function timeOf(iso) {
  const d = new Date(iso);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function idsText(ids) {
  const parts = [];
  if (ids.user) parts.push(`user ${ids.user}`);
  if (ids.transaction) parts.push(`txn ${ids.transaction}`);
  if (ids.order) parts.push(`order ${ids.order}`);
  return parts.join(" · ");
}

// With --forward-to the sender got the handler's answer (or 502/504): that is what went back.
function answerText(d) {
  if (d.forward) return `${d.forward.answeredWith} from handler`;
  const status = d.answer.verdict === "dropped" ? "---" : String(d.answer.status);
  return `${status} ${d.answer.errorCode || d.answer.verdict}`;
}

function forwardText(f) {
  if (!f) return "—";
  const what = f.outcome === "answered" ? String(f.status) : f.outcome;
  return `${what} · ${Math.round(f.latencyMs)} ms`;
}

// ---- list ----------------------------------------------------------------------------------------------------

function matches(d) {
  const type = $("filter-type").value;
  const signature = $("filter-signature").value;
  const verdict = $("filter-verdict").value;
  const query = $("search").value.trim().toLowerCase();
  if (type && (d.type || "(none)") !== type) return false;
  if (signature && d.signature !== signature) return false;
  if (verdict && d.answer.verdict !== verdict) return false;
  if (query) {
    const hay = [d.ids.user, d.ids.transaction, d.ids.order, `#${d.number}`, String(d.number)].filter(Boolean).join("\n").toLowerCase();
    if (!hay.includes(query.replace(/^#/, "")) && !hay.includes(query)) return false;
  }
  return true;
}

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    refilter();
  });
}

function refilter() {
  const shown = [];
  for (let i = state.all.length - 1; i >= 0; i--) if (matches(state.all[i])) shown.push(state.all[i]);
  state.shown = shown;
  $("list-spacer").style.height = `${shown.length * ROW_HEIGHT}px`;
  $("empty").hidden = state.all.length > 0;
  $("shown").textContent = shown.length === state.all.length ? "" : `${shown.length} of ${state.all.length} shown`;
  renderRows();
  renderStats();
}

// Only the rows in view exist in the DOM: a thousand deliveries cost the same as thirty.
function renderRows() {
  const list = $("list");
  const spacer = $("list-spacer");
  const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(state.shown.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) rows.push(rowFor(state.shown[i], i));
  spacer.replaceChildren(...rows);
}

function rowFor(d, index) {
  const row = el("div", "row");
  row.style.top = `${index * ROW_HEIGHT}px`;
  row.dataset.number = String(d.number);
  row.setAttribute("role", "button");
  if (state.selected === d.number) row.classList.add("selected");
  row.append(
    cell("c-time", timeOf(d.receivedAt)),
    cell("c-num", `#${d.number}`),
    cell("c-type", d.type || "(no type)"),
    cell("c-ids", idsText(d.ids)),
    cell(`c-sig ${d.signature === "valid" ? "ok" : "bad"}`, d.signature),
    cell(`c-ans ${d.answer.verdict === "accepted" ? "ok" : d.answer.verdict === "rejected" ? "bad" : "warn"}`, answerText(d)),
    cell(`c-fwd ${d.forward && d.forward.outcome !== "answered" ? "bad" : ""}`, forwardText(d.forward)),
  );
  return row;
}

function renderStats() {
  const s = state.stats;
  if (!s) return;
  $("counts").textContent = `${s.total} received`;
  const dropped = $("dropped");
  dropped.hidden = s.dropped === 0;
  dropped.textContent = `${s.dropped} older ${s.dropped === 1 ? "delivery" : "deliveries"} dropped (keeping the last ${s.capacity}; --ui-history)`;
}

function addType(type) {
  const name = type || "(none)";
  if (state.types.has(name)) return;
  state.types.add(name);
  const select = $("filter-type");
  const option = el("option", "", name);
  option.value = name;
  const after = [...select.options].slice(1).find((o) => o.value > name);
  select.insertBefore(option, after || null);
}

function add(delivery) {
  state.all.push(delivery);
  if (state.all.length > state.capacity) state.all.splice(0, state.all.length - state.capacity);
  addType(delivery.type);
}

// ---- live feed -----------------------------------------------------------------------------------------------

function connect() {
  const source = new EventSource(`${BASE}/events?token=${encodeURIComponent(TOKEN)}`);
  const connection = $("connection");
  source.addEventListener("hello", (event) => {
    const data = JSON.parse(event.data);
    state.all = [];
    state.stats = data.stats;
    state.capacity = data.stats.capacity;
    for (const d of data.deliveries) if (d) add(d);
    connection.textContent = "live";
    connection.className = "pill live";
    scheduleRender();
  });
  source.addEventListener("delivery", (event) => {
    const data = JSON.parse(event.data);
    state.stats = data.stats;
    add(data.delivery);
    scheduleRender();
  });
  source.addEventListener("stats", (event) => {
    state.stats = JSON.parse(event.data);
    scheduleRender();
  });
  source.onerror = () => {
    connection.textContent = "disconnected: is the receiver still running?";
    connection.className = "pill down";
  };
}

// ---- detail --------------------------------------------------------------------------------------------------

async function api(path, init = {}) {
  const response = await fetch(`${BASE}/api/${path}`, { ...init, headers: { ...(init.headers || {}), "x-inspector-token": TOKEN } });
  return response;
}

function kv(pairs) {
  const dl = el("dl", "kv");
  for (const [key, value, className] of pairs) {
    if (value === undefined || value === null || value === "") continue;
    dl.append(el("dt", "", key), el("dd", className || "", value));
  }
  return dl;
}

let bodyView = "raw";
let current = null;

async function select(number) {
  state.selected = number;
  renderRows();
  const detail = $("detail");
  detail.hidden = false;
  $("action-result").textContent = "";
  $("curl").hidden = true;
  const response = await api(`deliveries/${number}`);
  if (state.selected !== number) return;
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ error: response.statusText }));
    $("d-gone").hidden = false;
    $("d-gone").textContent = problem.error;
    return;
  }
  $("d-gone").hidden = true;
  current = await response.json();
  renderDetail(current);
}

function renderDetail(d) {
  $("d-title").textContent = `#${d.number} ${d.type || "(no notification_type)"} · ${new Date(d.receivedAt).toLocaleString()}`;
  if (!state.targetEdited) {
    const host = (d.headers.find(([name]) => name.toLowerCase() === "host") || [])[1] || location.host;
    $("target-url").value = `http://${host}${d.path}`;
  }
  $("download").href = `${BASE}/api/deliveries/${d.number}/raw?token=${encodeURIComponent(TOKEN)}`;
  $("replay").disabled = !d.bodyKept;

  const signature = $("d-signature");
  const check = d.check;
  if (check.ok) {
    signature.replaceChildren(el("p", "ok", `✓ signature matches the ${d.body.bytes} body bytes`));
  } else {
    const details = Object.entries(check.details || {}).map(([key, value]) => [key, String(value)]);
    signature.replaceChildren(
      el("p", "bad", `✗ ${check.diagnosis}: ${check.message}`),
      kv([
        ["fix", check.hint],
        ["expected", `Signature ${check.expected}`],
        ["received", check.received ?? "(no signature found)"],
        ...details,
      ]),
    );
  }

  const r = d.reply;
  const answerHeaders = Object.entries(r.headers || {})
    .map(([name, value]) => `${name}: ${value}`)
    .join("\n");
  $("d-answer").replaceChildren(
    kv([
      ["status", r.verdict === "dropped" ? "none (connection closed)" : String(r.status), r.status < 300 ? "ok" : "bad"],
      ["verdict", `${r.verdict}${r.errorCode ? ` ${r.errorCode}` : ""}`],
      ["reason", r.reason],
      ["headers", answerHeaders],
      ["body", r.body],
    ]),
  );

  $("d-forward-block").hidden = !d.forward;
  if (d.forward) {
    const f = d.forward;
    $("d-forward").replaceChildren(
      kv([
        ["handler", f.url],
        ["outcome", f.outcome, f.outcome === "answered" ? "" : "bad"],
        ["handler status", f.status === null ? "none" : String(f.status)],
        ["latency", `${Math.round(f.latencyMs)} ms`],
        ["sender got", String(f.answeredWith)],
      ]),
    );
  }

  $("d-request").textContent = [d.requestLine, ...d.headers.map(([name, value]) => `${name}: ${value}`)].join("\n");
  $("d-body-size").textContent = `${d.body.bytes} bytes`;
  renderBody();
}

function renderBody() {
  if (!current) return;
  const d = current;
  $("tab-raw").classList.toggle("on", bodyView === "raw");
  $("tab-pretty").classList.toggle("on", bodyView === "pretty");
  const notes = [];
  if (!d.bodyKept) notes.push("The body was over the limit and was not read.");
  if (bodyView === "raw") {
    if (d.body.escaped) notes.push("Bytes that are not UTF-8 text (control characters, a BOM, invalid sequences) are shown as \\xNN.");
    if (d.body.truncated) notes.push(`Showing the first ${d.body.text.length} characters; download the raw request for every byte.`);
    $("d-body").textContent = d.body.text;
  } else {
    if (d.pretty.truncated) notes.push("Pretty view truncated; download the raw request for the whole body.");
    $("d-body").textContent = d.pretty.text === null ? d.pretty.error : d.pretty.text;
  }
  $("d-body-note").textContent = notes.join(" ");
}

// ---- actions -------------------------------------------------------------------------------------------------

async function replay() {
  if (!current) return;
  const result = $("action-result");
  result.className = "result";
  result.textContent = "replaying…";
  const response = await api(`deliveries/${current.number}/replay`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: $("target-url").value, resign: $("resign").checked }),
  });
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    result.className = "result bad";
    result.textContent = `replay refused: ${data.error}`;
    return;
  }
  result.className = `result ${data.ok ? "ok" : "bad"}`;
  const answer = data.status === null ? `no answer: ${data.error}` : `${data.status}${data.body ? ` ${data.body.slice(0, 200)}` : ""}`;
  result.textContent = `replayed to ${data.url}: ${answer} (${Math.round(data.durationMs)} ms)`;
}

async function copyCurl() {
  if (!current) return;
  const result = $("action-result");
  const response = await api(`deliveries/${current.number}/curl?url=${encodeURIComponent($("target-url").value)}`);
  const text = await response.text();
  if (!response.ok) {
    result.className = "result bad";
    result.textContent = `curl: ${JSON.parse(text).error}`;
    return;
  }
  state.curl = text;
  const shown = $("curl");
  shown.hidden = false;
  shown.textContent =
    text.length > CURL_SHOWN_CHARS ? `${text.slice(0, CURL_SHOWN_CHARS)}\n… (${text.length} characters, copied whole)` : text;
  try {
    await navigator.clipboard.writeText(text);
    result.className = "result ok";
    result.textContent = "curl command copied: paste it into bash";
  } catch {
    result.className = "result";
    result.textContent = "copy the curl command below (the clipboard was not available)";
  }
}

// ---- wiring --------------------------------------------------------------------------------------------------

$("list").addEventListener("scroll", () => renderRows(), { passive: true });
window.addEventListener("resize", () => renderRows());
$("list").addEventListener("click", (event) => {
  const row = event.target.closest(".row[data-number]");
  if (row) void select(Number(row.dataset.number));
});
// Arrow keys move through the (filtered) list, as in a mail client.
$("list").addEventListener("keydown", (event) => {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  event.preventDefault();
  const at = state.shown.findIndex((d) => d.number === state.selected);
  const next = state.shown[Math.min(state.shown.length - 1, Math.max(0, at + (event.key === "ArrowDown" ? 1 : -1)))];
  if (!next) return;
  const list = $("list");
  const top = state.shown.indexOf(next) * ROW_HEIGHT;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (top + ROW_HEIGHT > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW_HEIGHT - list.clientHeight;
  void select(next.number);
});
for (const id of ["filter-type", "filter-signature", "filter-verdict"]) $(id).addEventListener("change", scheduleRender);
$("search").addEventListener("input", scheduleRender);
$("tab-raw").addEventListener("click", () => ((bodyView = "raw"), renderBody()));
$("tab-pretty").addEventListener("click", () => ((bodyView = "pretty"), renderBody()));
$("target-url").addEventListener("input", () => (state.targetEdited = true));
$("replay").addEventListener("click", () => void replay());
$("copy-curl").addEventListener("click", () => void copyCurl());
connect();
