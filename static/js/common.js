// Shared by the dispatcher pages: page config, API calls, time formatting and safe DOM building.
// Untrusted strings (device names, drivers, alarm texts) only ever reach the DOM as text.

export const config = JSON.parse(document.getElementById("page-config").textContent);

// --- DOM -------------------------------------------------------------------------------------

// el("td", {class: "x", title: name}, "text", otherNode): attributes are set one by one and
// children become text nodes, so no string is ever parsed as HTML.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// --- API ---------------------------------------------------------------------------------------

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// The API URL for `path` with `params`, plus the organisation picked in the top bar.
export function apiUrl(path, params) {
  const url = new URL(path.startsWith("/") ? path : config.api + path, window.location.origin);
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, value);
  }
  if (config.organisation && !url.searchParams.has("organisation")) {
    url.searchParams.set("organisation", config.organisation);
  }
  return url.pathname + url.search;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(apiMessage(status, body));
    this.status = status;
    this.body = body;
  }
}

function apiMessage(status, body) {
  if (body && typeof body === "object") {
    const detail = body.detail || body.message || body.error;
    if (detail) return `${status}: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`;
    return `${status}: ${JSON.stringify(body).slice(0, 200)}`;
  }
  return `${status}: ${String(body || "request failed").slice(0, 200)}`;
}

export async function api(path, params, options) {
  const init = { credentials: "same-origin", headers: { Accept: "application/json" } };
  if (options && options.method && options.method !== "GET") {
    init.method = options.method;
    init.headers["Content-Type"] = "application/json";
    init.headers["X-CSRFToken"] = csrfToken();
    init.body = JSON.stringify(options.body || {});
  }
  if (options && options.signal) init.signal = options.signal;
  const response = await fetch(apiUrl(path, params), init);
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// Every row of a paginated list ({count, next, previous, results}), or of a plain list.
// Pages are read one after another: parallel reads measured slower (bench_live_map.py) and
// would hold every server thread the live map's polls need.
export async function apiAll(path, params, limit = 20000) {
  let body = await api(path, params);
  if (Array.isArray(body)) return { rows: body, count: body.length };
  const rows = [...(body.results || [])];
  const count = body.count ?? rows.length;
  while (body.next && rows.length < limit) {
    const next = new URL(body.next, window.location.origin);
    body = await api(next.pathname + next.search);
    rows.push(...(body.results || []));
  }
  return { rows, count };
}

// --- time --------------------------------------------------------------------------------------

const zone = config.timeZone || "UTC";
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
});
const partsFormat = new Intl.DateTimeFormat("en-US", {
  timeZone: zone, year: "numeric", month: "numeric", day: "numeric",
  hour: "numeric", minute: "numeric", second: "numeric", hour12: false,
});

// A Date from an ISO string, epoch seconds or a Date; null when there is nothing.
export function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  if (value instanceof Date) return value;
  if (typeof value === "number") return new Date(value < 1e12 ? value * 1000 : value);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function formatDateTime(value) {
  const date = toDate(value);
  return date ? dateTimeFormat.format(date).replace(",", "") : "—";
}

export function formatTime(value) {
  const date = toDate(value);
  return date ? timeFormat.format(date) : "—";
}

export function formatAge(value, now = Date.now()) {
  const date = toDate(value);
  if (!date) return "never";
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return "—";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s % 60} s`;
}

// The wall-clock fields of `date` in the user's zone.
function zonedParts(date) {
  const parts = {};
  for (const part of partsFormat.formatToParts(date)) parts[part.type] = Number(part.value);
  if (parts.hour === 24) parts.hour = 0;
  return parts;
}

// The instant at which the user's zone shows year-month-day hour:minute (a wall-clock time).
export function zonedTime(year, month, day, hour = 0, minute = 0) {
  const wanted = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = zonedParts(new Date(guess));
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    guess += wanted - shown;
  }
  return new Date(guess);
}

// Midnight (in the user's zone) of the day `daysAgo` days before today.
export function zonedMidnight(daysAgo = 0) {
  const p = zonedParts(new Date());
  const base = new Date(Date.UTC(p.year, p.month - 1, p.day - daysAgo));
  return zonedTime(base.getUTCFullYear(), base.getUTCMonth() + 1, base.getUTCDate());
}

// "YYYY-MM-DDTHH:MM" for a datetime-local input, in the user's zone.
export function toLocalInput(value) {
  const p = zonedParts(toDate(value));
  const pad = (n) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
}

export function fromLocalInput(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(text || "");
  if (!match) return null;
  return zonedTime(+match[1], +match[2], +match[3], +(match[4] || 0), +(match[5] || 0));
}

// Quick picks shared by replay and reports: [from, to] instants.
export function quickRange(name) {
  const now = new Date();
  if (name === "today") return [zonedMidnight(0), now];
  if (name === "yesterday") return [zonedMidnight(1), zonedMidnight(0)];
  if (name === "week") return [zonedMidnight(6), now];
  if (name === "month") return [zonedMidnight(29), now];
  return null;
}

// --- devices -----------------------------------------------------------------------------------

export const STATUSES = ["moving", "idle", "parked", "offline", "unknown"];

export function deviceName(device) {
  if (!device) return "";
  return device.name || device.device_name || device.vehicle_number || device.imei || `#${device.id}`;
}

export function formatNumber(value, digits = 0, unit = "") {
  if (value === null || value === undefined || value === "" || Number.isNaN(Number(value))) return "—";
  return `${Number(value).toFixed(digits)}${unit ? " " + unit : ""}`;
}

export function showError(node, error) {
  clear(node).append(String(error && error.message ? error.message : error));
  node.hidden = false;
}
