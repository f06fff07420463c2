// Alarms: a live feed of /api/v1/alarms/ (polled), filters by type (every type of the
// caller's alarms, from /api/v1/alarms/types/), device and state, an optional beep on new alarms
// (off by default), acknowledge with a note, and a jump to the map.
import {
  ApiError, api, clear, config, deviceName, el, formatAge, formatDateTime, formatNumber,
  showError,
} from "./common.js";
import { DevicePicker, loadDirectory } from "./device_picker.js";

const POLL_MS = 3000;
const PAGE = 100;
const probe = (window.fleetAlarms = { loaded: false, rows: 0, beeps: 0 });

const typeSelect = document.getElementById("alarm-type");
const stateSelect = document.getElementById("alarm-state");
const soundBox = document.getElementById("alarm-sound");
const feed = document.getElementById("alarm-feed");
const errorNode = document.getElementById("alarm-error");
const summaryNode = document.getElementById("alarm-summary");
const liveNode = document.getElementById("alarm-live");

const deviceNames = new Map();
const knownTypes = new Set(); // type ids in the type filter; a new one in the feed reloads it
const devicePicker = new DevicePicker(document.getElementById("alarm-device"), {
  onPick: () => { loadTypes(); reload(); },
});
const seen = new Set();
let firstLoad = true;
let pollTimer = null;
let editing = null; // the alarm id whose note field is open: polling must not wipe it

function deviceOf(alarm) {
  const ref = alarm.device;
  if (ref && typeof ref === "object") return deviceName(ref) || deviceNames.get(ref.id) || `#${ref.id}`;
  return alarm.device_name || deviceNames.get(ref) || `#${ref}`;
}

function deviceIdOf(alarm) {
  const ref = alarm.device;
  return ref && typeof ref === "object" ? ref.id : ref;
}

// --- sound --------------------------------------------------------------------------------

let audio = null;
function beep() {
  if (!soundBox.checked) return;
  try {
    audio = audio || new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.0001, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.35);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.4);
    probe.beeps += 1;
  } catch {
    // No audio output: the flash on the new rows still shows.
  }
}
soundBox.addEventListener("change", () => {
  // Browsers only allow audio after a user gesture: this click is one.
  if (soundBox.checked) { audio = audio || new AudioContext(); beep(); }
  localStorage.setItem("fleet.alarmSound", soundBox.checked ? "1" : "0");
});
soundBox.checked = localStorage.getItem("fleet.alarmSound") === "1";

// --- feed ---------------------------------------------------------------------------------

function filters() {
  const params = { page_size: PAGE };
  if (typeSelect.value) params.type = typeSelect.value;
  if (devicePicker.value) params.device = devicePicker.value;
  if (stateSelect.value) params.acknowledged = stateSelect.value;
  return params;
}

function mapLink(alarm) {
  const url = new URL(config.pages.map, window.location.origin);
  const id = deviceIdOf(alarm);
  if (id !== undefined && id !== null) url.searchParams.set("device", id);
  if (typeof alarm.lat === "number" && typeof alarm.lng === "number") {
    url.searchParams.set("lat", alarm.lat);
    url.searchParams.set("lng", alarm.lng);
  }
  url.searchParams.set("label", `${alarm.type_name || alarm.type_id || "Alarm"} · ${formatDateTime(alarm.alarm_time)}`);
  return url.pathname + url.search;
}

function ackCell(alarm) {
  const cell = el("td", { class: "ack" });
  if (alarm.acknowledged_at) {
    const by = alarm.acknowledged_by && typeof alarm.acknowledged_by === "object"
      ? alarm.acknowledged_by.username : alarm.acknowledged_by_name || alarm.acknowledged_by;
    cell.append(el("div", {}, `✓ ${formatDateTime(alarm.acknowledged_at)}${by ? ` by ${by}` : ""}`));
    if (alarm.acknowledgement_note || alarm.note) {
      cell.append(el("div", { class: "muted" }, alarm.acknowledgement_note || alarm.note));
    }
    return cell;
  }
  if (editing === alarm.id) {
    const input = el("input", { type: "text", name: "note", placeholder: "Note (optional)", "aria-label": "Note", maxlength: "500" });
    const formNode = el("form", { class: "ack-form", onsubmit: (e) => { e.preventDefault(); acknowledge(alarm, input.value, formNode); } },
      input,
      el("button", { type: "submit" }, "Confirm"),
      el("button", { type: "button", onclick: () => { editing = null; refresh(); } }, "Cancel"));
    cell.append(formNode);
    setTimeout(() => input.focus(), 0);
    return cell;
  }
  cell.append(el("button", { type: "button", class: "ack-button", onclick: () => { editing = alarm.id; refresh(); } }, "Acknowledge"));
  return cell;
}

async function acknowledge(alarm, note, formNode) {
  for (const control of formNode.elements) control.disabled = true;
  try {
    const updated = await api(`alarms/${encodeURIComponent(alarm.id)}/acknowledge/`, {}, { method: "POST", body: { note } });
    Object.assign(alarm, updated && typeof updated === "object" ? updated : {});
    if (!alarm.acknowledged_at) alarm.acknowledged_at = new Date().toISOString();
    if (!alarm.acknowledgement_note && note) alarm.acknowledgement_note = note;
    editing = null;
    render();
  } catch (error) {
    for (const control of formNode.elements) control.disabled = false;
    showError(errorNode, error instanceof ApiError && error.status === 403 ? "You may not acknowledge alarms in this organisation." : error);
  }
}

let rows = [];

function render() {
  clear(feed);
  const now = Date.now();
  if (!rows.length) {
    feed.append(el("tr", {}, el("td", { colspan: "6", class: "empty" }, "No alarms match.")));
  }
  for (const alarm of rows) {
    feed.append(el("tr", { class: `${alarm.acknowledged_at ? "" : "unacked"} ${alarm._new ? "new" : ""}`, dataset: { id: String(alarm.id) } },
      el("td", {}, el("div", {}, formatDateTime(alarm.alarm_time)), el("div", { class: "muted" }, formatAge(alarm.alarm_time, now))),
      el("td", {}, deviceOf(alarm)),
      el("td", {}, alarm.type_name || alarm.type_id || "—"),
      el("td", { class: "num" }, formatNumber(alarm.speed, 0, "km/h")),
      el("td", {}, el("a", { href: mapLink(alarm) }, "Show on map")),
      ackCell(alarm)));
    alarm._new = false;
  }
  probe.rows = rows.length;
}

function refresh() { render(); }

// The type filter lists every type of the alarms the device and state filters match, most
// frequent first with its count; the picked type stays even when none of it is left.
let typesSeq = 0;
async function loadTypes() {
  const params = {};
  if (devicePicker.value) params.device = devicePicker.value;
  if (stateSelect.value) params.acknowledged = stateSelect.value;
  const mine = ++typesSeq;
  let types;
  try {
    types = await api("alarms/types/", params);
  } catch {
    return; // the filter keeps its options; the feed shows connection problems
  }
  if (mine !== typesSeq) return;
  const current = typeSelect.value;
  knownTypes.clear();
  clear(typeSelect).append(el("option", { value: "" }, "All types"));
  for (const { type_id: id, type_name: name, count } of types) {
    knownTypes.add(id);
    const label = name && name !== id ? name : `Type ${id}`;
    typeSelect.append(el("option", { value: id }, `${label} · ${count}`));
  }
  if (current && !knownTypes.has(current)) {
    typeSelect.append(el("option", { value: current }, `Type ${current} · 0`));
  }
  typeSelect.value = current;
  probe.types = types.length;
}

// New alarms change the counts, and may bring a type the filter does not list yet.
function noticeTypes(list, fresh) {
  if (fresh.length || list.some((alarm) => alarm.type_id && !knownTypes.has(alarm.type_id))) loadTypes();
}

async function load() {
  pollTimer = null;
  try {
    const body = await api("alarms/", filters());
    const list = Array.isArray(body) ? body : body.results || [];
    const fresh = list.filter((a) => !seen.has(a.id));
    for (const alarm of list) seen.add(alarm.id);
    if (!firstLoad && fresh.length) {
      for (const alarm of fresh) alarm._new = true;
      if (fresh.some((a) => !a.acknowledged_at)) beep();
    }
    // Once the first type list is in (start() asks for it beside the first page).
    if (probe.types !== undefined) noticeTypes(list, firstLoad ? [] : fresh);
    firstLoad = false;
    rows = list;
    const total = Array.isArray(body) ? list.length : body.count;
    summaryNode.textContent = total > list.length ? `Newest ${list.length} of ${total}.` : `${total} alarm${total === 1 ? "" : "s"}.`;
    if (editing === null) render();
    liveNode.textContent = `Live · checked ${formatDateTime(Date.now()).slice(11)}`;
    liveNode.classList.remove("bad");
    probe.loaded = true;
  } catch (error) {
    liveNode.textContent = `Connection problem (${error.message}); retrying…`;
    liveNode.classList.add("bad");
  }
  pollTimer = setTimeout(load, POLL_MS);
}

function reload() {
  clearTimeout(pollTimer);
  firstLoad = true;
  editing = null;
  load();
}
typeSelect.addEventListener("change", reload);
stateSelect.addEventListener("change", () => { loadTypes(); reload(); });
// Enter in the device picker must not submit (and reload) the page.
document.getElementById("alarm-filters").addEventListener("submit", (event) => event.preventDefault());

async function start() {
  const params = new URLSearchParams(window.location.search);
  try {
    const devices = await loadDirectory();
    for (const device of devices) deviceNames.set(device.id, deviceName(device));
    devicePicker.setDevices(devices);
    if (params.get("device")) devicePicker.value = params.get("device");
  } catch (error) {
    showError(errorNode, error);
  }
  loadTypes();
  load();
}

start();
