// Live map: every visible device as a heading arrow coloured by status, clustered, drawn on a
// canvas (device_layer.js); a filterable list beside it; a followed device's panel. New positions
// come from delta polling of /api/v1/positions/latest/?since=<cursor> every ~2 s.
import { CommandConsole } from "./command_console.js";
import { DeviceLayer } from "./device_layer.js";
import {
  STATUSES, api, apiAll, clear, config, deviceName, el, formatAge, formatDateTime, formatNumber,
  showError, toDate,
} from "./common.js";

const POLL_MS = 2000;
const HIDDEN_POLL_MS = 15000;
// The position feed has no ignition, battery or signal: the followed device's detail is
// re-read this often so its panel stays current.
const DETAIL_MS = 15000;
const LIST_LIMIT = 300;

const devices = new Map(); // id -> device (API shape, state merged from position rows)
let visible = []; // the map items ({id, lat, lng, direction, status}) passing the filters
const filters = { search: "", status: "", group: "" };
let cursor = null;
let followed = null;
let followMode = true;
let listDirty = true;
let pollTimer = null;

// What tests and bench/bench_live_map.py read: when markers were drawn and each update applied.
const probe = (window.fleetLiveMap = { ready: false, markerCount: 0, applied: [], polls: 0 });

const params = new URLSearchParams(window.location.search);
const map = L.map("map", { preferCanvas: true, zoomControl: true, worldCopyJump: true })
  .setView([20, 0], 2);
L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
Object.defineProperty(probe, "layer", { get: () => layer.stats });
// Where a device is drawn, in page pixels (tests click it there).
probe.pagePointOf = (id) => {
  const device = devices.get(id);
  if (!device || !hasPosition(device)) return null;
  const point = map.latLngToContainerPoint([device.state.lat, device.state.lng]);
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + point.x, box.top + point.y];
};
probe.zoomTo = (zoom) => map.setZoom(zoom, { animate: false });

const layer = new DeviceLayer({
  items: () => visible,
  followed: () => followed,
  onDeviceClick: (id) => select(id),
  tooltip: (id) => deviceName(devices.get(id)),
}).addTo(map);
const focusRing = L.circleMarker([0, 0], {
  radius: 16, color: "#1769aa", weight: 3, fill: false, interactive: false,
});
const popup = L.popup({ offset: [0, -4], autoPan: false });

// --- rows and status ------------------------------------------------------------------------

// A compact position row, whichever of the documented shapes the API sends: an object with
// named fields, or an array described by the response's `fields` list.
// The API documents its rows (telemetry.selectors.LATEST_FIELDS) and sends `fields` with them.
const DEFAULT_FIELDS = ["id", "lat", "lng", "speed", "direction", "status", "gps_time", "name"];
function normaliseRow(row, fields) {
  if (Array.isArray(row)) {
    const named = {};
    (fields || DEFAULT_FIELDS).forEach((name, i) => { named[name] = row[i]; });
    row = named;
  }
  const id = row.id ?? row.device_id ?? row.device;
  return {
    id,
    lat: row.lat ?? row.latitude,
    lng: row.lng ?? row.lon ?? row.longitude,
    speed: row.speed ?? null,
    direction: row.direction ?? row.dir ?? row.course ?? null,
    // Undefined when the row has no such column (position rows carry no ignition): applyRow then
    // keeps what the device's detail gave instead of blanking it.
    acc: row.acc ?? row.ignition,
    status: row.status ?? row.s ?? null,
    gps_time: row.gps_time ?? row.t ?? row.time ?? null,
    updated_at: row.updated_at ?? row.u ?? null,
    name: row.name ?? row.device_name ?? null,
    battery: row.battery, gsm_signal: row.gsm_signal, mileage: row.mileage,
  };
}

// The API's status is the truth; this only fills in for a row that arrives without one.
function guessStatus(state) {
  if (!state || state.lat === null || state.lat === undefined) return "unknown";
  const seen = toDate(state.gps_time || state.updated_at);
  if (seen && Date.now() - seen.getTime() > config.offlineAfter * 1000) return "offline";
  if (state.speed > 3) return "moving";
  if (state.acc) return "idle";
  return "parked";
}

function statusOf(device) {
  const status = device.status;
  return STATUSES.includes(status) ? status : guessStatus(device.state);
}

function applyRow(row, fields) {
  const r = normaliseRow(row, fields);
  if (r.id === undefined || r.id === null) return null;
  let device = devices.get(r.id);
  if (!device) {
    device = { id: r.id, name: r.name || "", state: {} };
    devices.set(r.id, device);
  }
  const state = device.state || (device.state = {});
  for (const key of ["lat", "lng", "speed", "direction", "acc", "gps_time", "updated_at", "battery", "gsm_signal", "mileage"]) {
    if (r[key] !== undefined) state[key] = r[key];
  }
  if (r.name && !device.name && !device.device_name) device.name = r.name;
  device.status = r.status || guessStatus(state);
  return device;
}

// --- the map layer -----------------------------------------------------------------------------

function hasPosition(device) {
  const s = device.state;
  return s && typeof s.lat === "number" && typeof s.lng === "number" && !(s.lat === 0 && s.lng === 0);
}

function matches(device) {
  if (filters.status && statusOf(device) !== filters.status) return false;
  if (filters.group && String(device.group && device.group.id) !== filters.group) return false;
  if (filters.search) {
    const hay = [deviceName(device), device.imei, device.vehicle_number, device.driver_name]
      .filter(Boolean).join(" ").toLowerCase();
    if (!hay.includes(filters.search)) return false;
  }
  return true;
}

// Rebuild what the layer draws (after a filter change or new rows) and draw it once.
function syncMarkers(draw = true) {
  const items = [];
  for (const device of devices.values()) {
    if (!hasPosition(device) || !matches(device)) continue;
    const s = device.state;
    items.push({ id: device.id, lat: s.lat, lng: s.lng, direction: s.direction, status: statusOf(device) });
  }
  visible = items;
  probe.markerCount = items.length;
  if (draw) {
    layer.draw();
  }
}

// --- list, counts, filters ------------------------------------------------------------------

const listNode = document.getElementById("device-list");
const countsNode = document.getElementById("status-counts");
const searchInput = document.getElementById("device-search");
const groupSelect = document.getElementById("group-filter");
const listNote = document.getElementById("list-note");

function renderCounts() {
  const counts = { "": 0 };
  for (const status of STATUSES) counts[status] = 0;
  for (const device of devices.values()) {
    if (filters.group && String(device.group && device.group.id) !== filters.group) continue;
    counts[""] += 1;
    counts[statusOf(device)] += 1;
  }
  for (const button of countsNode.querySelectorAll("button")) {
    const status = button.dataset.status;
    button.querySelector(".n").textContent = String(counts[status] || 0);
    button.setAttribute("aria-pressed", String(filters.status === status));
  }
}

function renderList() {
  listDirty = false;
  renderCounts();
  const shown = [...devices.values()].filter(matches)
    .sort((a, b) => deviceName(a).localeCompare(deviceName(b)));
  clear(listNode);
  const now = Date.now();
  for (const device of shown.slice(0, LIST_LIMIT)) {
    const status = statusOf(device);
    const state = device.state || {};
    listNode.append(el("li", {
      class: device.id === followed ? "selected" : "",
      dataset: { id: String(device.id) },
      tabindex: "0",
      onclick: () => select(device.id, { pan: true }),
      onkeydown: (e) => { if (e.key === "Enter") select(device.id, { pan: true }); },
    },
    el("span", { class: `status-dot s-${status}`, title: status }),
    el("span", { class: "name" }, deviceName(device)),
    el("span", { class: "meta" },
      status === "moving" ? formatNumber(state.speed, 0, "km/h") : formatAge(state.gps_time || state.updated_at, now)),
    ));
  }
  listNote.textContent = shown.length > LIST_LIMIT
    ? `Showing ${LIST_LIMIT} of ${shown.length}; search to narrow.`
    : `${shown.length} device${shown.length === 1 ? "" : "s"}`;
}

function onFilterChange() {
  syncMarkers();
  renderList();
}

countsNode.addEventListener("click", (event) => {
  const button = event.target.closest("button");
  if (!button) return;
  filters.status = filters.status === button.dataset.status ? "" : button.dataset.status;
  onFilterChange();
});
let searchTimer = null;
searchInput.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => {
    filters.search = searchInput.value.trim().toLowerCase();
    onFilterChange();
  }, 150);
});
groupSelect.addEventListener("change", () => {
  filters.group = groupSelect.value;
  onFilterChange();
});

// --- the followed device's panel --------------------------------------------------------------

const panel = document.getElementById("device-panel");
const commands = new CommandConsole(document.getElementById("command-console"));
const followBox = document.getElementById("follow-toggle");
followBox.addEventListener("change", () => { followMode = followBox.checked; });

function panelRow(label, value, cls) {
  return [el("dt", {}, label), el("dd", { class: cls || "" }, value)];
}

// Fields without a column of their own come in the state's `extra`, under the vendor's names.
function vendorNumber(state, name) {
  const value = state.extra ? Number(state.extra[name]) : NaN;
  return Number.isFinite(value) ? value : null;
}

// Percent from heartbeats when the device reports it, else the battery's voltage.
function batteryText(state) {
  if (typeof state.battery === "number") return formatNumber(state.battery, 0, "%");
  return formatNumber(vendorNumber(state, "batteryPowerVal"), 2, "V");
}

function renderPanel() {
  const device = devices.get(followed);
  if (!device) { panel.hidden = true; return; }
  const state = device.state || {};
  const status = statusOf(device);
  const seen = state.gps_time || state.updated_at;
  const body = panel.querySelector(".panel-body");
  clear(body);
  panel.querySelector(".panel-title").textContent = deviceName(device);
  body.append(el("dl", {},
    panelRow("Status", el("span", { class: `badge s-${status}` }, status)),
    panelRow("Speed", formatNumber(state.speed, 0, "km/h")),
    panelRow("Heading", state.direction === null || state.direction === undefined ? "—" : `${state.direction}°`),
    panelRow("Ignition", state.acc === true ? "on" : state.acc === false ? "off" : "—"),
    panelRow("Battery", batteryText(state)),
    panelRow("Supply", formatNumber(vendorNumber(state, "powerValue"), 1, "V")),
    panelRow("Signal", state.gsm_signal === null || state.gsm_signal === undefined ? "—" : String(state.gsm_signal)),
    // The state's mileage is the tracker's odometer in metres (pushgps `distance`).
    panelRow("Odometer", typeof state.mileage === "number" ? formatNumber(state.mileage / 1000, 1, "km") : "—"),
    panelRow("Last update", formatDateTime(seen)),
    panelRow("Age", formatAge(seen), "age"),
    panelRow("Driver", [device.driver_name || "—", device.driver_phone ? ` (${device.driver_phone})` : ""].join("")),
    panelRow("Plate", device.vehicle_number || "—"),
    panelRow("IMEI", device.imei || "—"),
    panelRow("Group", (device.group && device.group.name) || "—"),
  ));
  const links = el("p", { class: "panel-links" },
    el("a", { href: `${config.pages.replay}?device=${encodeURIComponent(device.id)}` }, "Replay today"),
    " · ",
    el("a", { href: `${config.pages.alarms}?device=${encodeURIComponent(device.id)}` }, "Alarms"));
  body.append(links);
  panel.hidden = false;
}

function popupContent(device) {
  const state = device.state || {};
  const status = statusOf(device);
  return el("div", { class: "dev-popup" },
    el("strong", {}, deviceName(device)),
    el("div", {}, el("span", { class: `badge s-${status}` }, status), " ",
      formatNumber(state.speed, 0, "km/h")),
    el("div", { class: "muted" }, formatDateTime(state.gps_time || state.updated_at)));
}

async function select(id, { pan = false, openPopup = true } = {}) {
  followed = id;
  const device = devices.get(id);
  listDirty = true;
  if (!device) return;
  renderPanel();
  commands.show(id);
  renderList();
  if (hasPosition(device)) {
    const latlng = [device.state.lat, device.state.lng];
    focusRing.setLatLng(latlng).addTo(map);
    if (pan) map.setView(latlng, Math.max(map.getZoom(), 15));
    if (openPopup) popup.setLatLng(latlng).setContent(popupContent(device)).openOn(map);
  }
  // The list rows are light; the detail brings battery, signal and odometer.
  try {
    const detail = await api(`devices/${encodeURIComponent(id)}/`);
    if (followed === id) {
      mergeDevice(detail);
      renderPanel();
    }
  } catch {
    // The panel keeps what the list and positions gave.
  }
}

function onFollowedMoved(device) {
  renderPanel();
  if (!hasPosition(device)) return;
  const latlng = [device.state.lat, device.state.lng];
  focusRing.setLatLng(latlng);
  if (popup.isOpen()) popup.setLatLng(latlng).setContent(popupContent(device));
  if (followMode) map.panTo(latlng, { animate: false });
}

document.getElementById("panel-close").addEventListener("click", () => {
  followed = null;
  commands.show(null);
  panel.hidden = true;
  focusRing.remove();
  map.closePopup(popup);
  renderList();
});

// --- loading and polling --------------------------------------------------------------------

function mergeDevice(row) {
  const existing = devices.get(row.id);
  const state = { ...(existing && existing.state), ...(row.state || {}) };
  // A position row newer than the device list wins over the list's state.
  const newer = existing && existing.state && toDate(existing.state.gps_time);
  const listed = row.state && toDate(row.state.gps_time);
  if (newer && listed && newer > listed) {
    Object.assign(state, { lat: existing.state.lat, lng: existing.state.lng, speed: existing.state.speed,
      direction: existing.state.direction, gps_time: existing.state.gps_time });
  }
  const merged = { ...existing, ...row, state };
  if (existing && existing.status && !row.status) merged.status = existing.status;
  devices.set(row.id, merged);
}

async function loadGroups() {
  try {
    const { rows } = await apiAll("groups/", { page_size: 500 });
    // Every Tracksolid sub-account has a "Default group": name the owner when a name repeats.
    const seen = new Map();
    for (const group of rows) seen.set(group.name, (seen.get(group.name) || 0) + 1);
    for (const group of rows) {
      const label = seen.get(group.name) > 1 && group.vendor_account ? `${group.name} · ${group.vendor_account}` : group.name;
      groupSelect.append(el("option", { value: String(group.id) }, label));
    }
  } catch {
    groupSelect.disabled = true;
  }
}

async function loadDevices() {
  // Names, plates, drivers and groups for the list and search: one compact answer, however
  // large the fleet (the paged device list costs ~0.7 ms per device to serialise).
  const { fields, devices: rows } = await api("devices/directory/");
  for (const values of rows) {
    const row = Object.fromEntries(fields.map((name, i) => [name, values[i]]));
    row.group = row.group_id === null ? null : { id: row.group_id, name: row.group_name };
    mergeDevice(row);
  }
  // Markers get their names and groups; re-check filters now that groups are known.
  syncMarkers();
  renderList();
  if (followed !== null) renderPanel();
}

async function loadPositions() {
  probe.timings = { start: performance.now() };
  const body = await api("positions/latest/", { time_format: "epoch" });
  probe.timings.fetched = performance.now();
  cursor = body.cursor ?? null;
  for (const row of body.devices || body.results || []) applyRow(row, body.fields);
  syncMarkers(false); // start() draws once the view fits the fleet
}

async function poll() {
  pollTimer = null;
  try {
    const params = cursor === null ? { time_format: "epoch" } : { since: cursor, time_format: "epoch" };
    const body = await api("positions/latest/", params);
    probe.polls += 1;
    if (body.cursor !== undefined && body.cursor !== null) cursor = body.cursor;
    const changed = [];
    for (const row of body.devices || body.results || []) {
      const device = applyRow(row, body.fields);
      if (device) changed.push(device);
    }
    if (changed.length) {
      syncMarkers();
      const at = Date.now();
      for (const device of changed) {
        probe.applied.push({ id: device.id, at, gps_time: device.state.gps_time });
        if (device.id === followed) onFollowedMoved(device);
      }
      if (probe.applied.length > 5000) probe.applied.splice(0, probe.applied.length - 5000);
      listDirty = true;
    }
    setStatusLine(`Live · updated ${formatDateTime(Date.now())}`, false);
  } catch (error) {
    setStatusLine(`Connection problem (${error.message}); retrying…`, true);
  }
  // A hidden tab polls slowly; showing it again polls at once (see visibilitychange below).
  pollTimer = setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
}

document.addEventListener("visibilitychange", () => {
  if (!document.hidden && pollTimer !== null) {
    clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, 0);
  }
});

async function refreshDetail() {
  if (followed === null || document.hidden) return;
  const id = followed;
  try {
    const detail = await api(`devices/${encodeURIComponent(id)}/`);
    if (followed === id) {
      mergeDevice(detail);
      renderPanel();
    }
  } catch {
    // The next round tries again; the panel keeps what it has.
  }
}
setInterval(refreshDetail, DETAIL_MS);

const statusLine = document.getElementById("live-status");
function setStatusLine(text, bad) {
  statusLine.textContent = text;
  statusLine.classList.toggle("bad", bad);
}

// The list and ages refresh once a second at most, not on every marker move.
setInterval(() => {
  if (listDirty && !document.hidden) renderList();
  if (followed !== null && !document.hidden) {
    const age = panel.querySelector("dd.age");
    const device = devices.get(followed);
    if (age && device) age.textContent = formatAge(device.state.gps_time || device.state.updated_at);
  }
}, 1000);

function focusFromUrl() {
  const lat = parseFloat(params.get("lat"));
  const lng = parseFloat(params.get("lng"));
  if (!Number.isNaN(lat) && !Number.isNaN(lng)) {
    L.circleMarker([lat, lng], { radius: 9, color: "#b3261e", weight: 3, fillOpacity: 0.3 })
      // The label comes from the URL (and an alarm's text): a text node, never markup.
      .addTo(map).bindTooltip(el("span", {}, params.get("label") || "Alarm location"), { permanent: true, direction: "top" });
    map.setView([lat, lng], 15);
    // Looking at where an alarm happened: the map must not chase the vehicle away from it.
    followMode = false;
    followBox.checked = false;
  }
  const wanted = params.get("device");
  if (wanted !== null) {
    const id = devices.has(Number(wanted)) ? Number(wanted) : wanted;
    if (devices.has(id)) select(id, { pan: Number.isNaN(lat), openPopup: true });
  }
}

async function start() {
  const errorNode = document.getElementById("map-error");
  const started = performance.now();
  loadGroups();
  try {
    await loadPositions();
    if (visible.length && !params.has("lat")) {
      map.fitBounds(L.latLngBounds(visible.map((v) => [v.lat, v.lng])), { maxZoom: 14, padding: [20, 20], animate: false });
    }
    // Draw now (not on the next frame) so "ready" means the devices are on the canvas.
    layer.draw();
    probe.timings.drawn = performance.now();
    setStatusLine(`Live · ${visible.length} on the map`, false);
    probe.ready = true;
    probe.drawnMs = performance.now() - started;
    probe.readyAt = performance.now(); // ms since navigation started
  } catch (error) {
    showError(errorNode, error);
  }
  try {
    await loadDevices();
  } catch (error) {
    showError(errorNode, error);
  }
  probe.listReadyAt = performance.now();
  probe.listReady = true;
  focusFromUrl();
  pollTimer = setTimeout(poll, POLL_MS);
}

start();
