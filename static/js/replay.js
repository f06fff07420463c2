// Trail replay: a device's track for a range from /api/v1/devices/{id}/track/, coloured by
// speed, with stops and alarms marked; a player (play, pause, step, speed) moves a marker and a
// cursor on the speed chart drawn below on a <canvas>. Other devices can be added to compare:
// each gets its own colour and marker on the same timeline.
import {
  api, clear, config, el, formatDateTime, formatDuration, formatNumber,
  fromLocalInput, quickRange, showError, toDate, toLocalInput,
} from "./common.js";
import { DevicePicker, loadDirectory } from "./device_picker.js";

const MAX_POINTS = 5000;
const SPEED_BANDS = [
  [5, "#6b7a8c", "< 5"], [30, "#1f9d55", "5–30"], [60, "#7cb518", "30–60"],
  [90, "#e0a800", "60–90"], [120, "#f07b16", "90–120"], [Infinity, "#d62828", "> 120"],
];
const probe = (window.fleetReplay = { loaded: false, points: 0, cursor: 0, playing: false });

const params = new URLSearchParams(window.location.search);
const devicePicker = new DevicePicker(document.getElementById("replay-device"));
const fromInput = document.getElementById("replay-from");
const toInput = document.getElementById("replay-to");
const errorNode = document.getElementById("replay-error");
const summaryNode = document.getElementById("replay-summary");
const slider = document.getElementById("replay-slider");
const readout = document.getElementById("replay-readout");
const playButton = document.getElementById("replay-play");
const speedSelect = document.getElementById("replay-speed");
const canvas = document.getElementById("speed-chart");

const map = L.map("map", { preferCanvas: true }).setView([20, 0], 2);
L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
const trackLayer = L.layerGroup().addTo(map);
const eventLayer = L.layerGroup().addTo(map);
const cursorMarker = L.marker([0, 0], {
  icon: L.divIcon({ className: "replay-marker", html: "<span></span>", iconSize: [26, 26], iconAnchor: [13, 13] }),
  zIndexOffset: 1000, keyboard: false,
});

const legend = document.getElementById("speed-legend");
for (const [, colour, label] of SPEED_BANDS) {
  legend.append(el("span", {}, el("i", { style: `background:${colour}` }), `${label} km/h`));
}

let points = []; // the main device: [[t_ms, lat, lng, speed, direction, acc], ...]
let others = []; // compared devices: [{id, name, colour, points, marker}]
const compareIds = [];
const COMPARE_COLOURS = ["#7b2cbf", "#0096c7", "#9c6644", "#e5383b"];
const compareList = document.getElementById("replay-compare-list");
const comparePicker = new DevicePicker(document.getElementById("replay-compare"), {
  onPick: (id) => {
    comparePicker.value = "";
    if (!id || compareIds.includes(id) || id === devicePicker.value) return;
    compareIds.push(id);
    renderCompareList();
    load();
  },
});

// The timeline spans every loaded track.
function spanStart() {
  return Math.min(...[points, ...others.map((o) => o.points)].filter((p) => p.length).map((p) => p[0][0]));
}
function spanEnd() {
  return Math.max(...[points, ...others.map((o) => o.points)].filter((p) => p.length).map((p) => p[p.length - 1][0]));
}
let t = 0; // the cursor, ms since epoch
let playing = false;
let lastFrame = 0;

function speedColour(speed) {
  for (const [limit, colour] of SPEED_BANDS) if ((speed || 0) < limit) return colour;
  return SPEED_BANDS[SPEED_BANDS.length - 1][1];
}

// --- device picker and range ----------------------------------------------------------------

async function loadDevices() {
  const devices = await loadDirectory();
  devicePicker.setDevices(devices);
  comparePicker.setDevices(devices);
  for (const extra of (params.get("compare") || "").split(",")) {
    if (devicePicker.label(extra) && compareIds.length < COMPARE_COLOURS.length) compareIds.push(extra);
  }
  renderCompareList();
  if (params.get("device")) devicePicker.value = params.get("device");
  probe.devices = devices.length;
}

function setRange(name) {
  const range = quickRange(name);
  if (!range) return;
  fromInput.value = toLocalInput(range[0]);
  toInput.value = toLocalInput(range[1]);
  for (const button of document.querySelectorAll("[data-range]")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === name));
  }
}

document.querySelectorAll("[data-range]").forEach((button) => {
  button.addEventListener("click", () => { setRange(button.dataset.range); load(); });
});
document.getElementById("replay-form").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});

// --- loading the track ----------------------------------------------------------------------

function stopFields(stop) {
  if (Array.isArray(stop)) return { start: stop[0], end: stop[1], lat: stop[2], lng: stop[3], kind: stop[4] };
  return {
    start: stop.start_time ?? stop.start, end: stop.end_time ?? stop.end, lat: stop.lat, lng: stop.lng,
    kind: stop.kind || (stop.acc ? "idling" : "parking"), duration: stop.duration_s, address: stop.address,
  };
}

function alarmFields(alarm) {
  if (Array.isArray(alarm)) return { time: alarm[0], lat: alarm[1], lng: alarm[2], type: alarm[3] };
  return {
    time: alarm.alarm_time ?? alarm.time, lat: alarm.lat, lng: alarm.lng,
    type: alarm.type_name || alarm.type || alarm.type_id, speed: alarm.speed,
  };
}

let loadSeq = 0;

async function load() {
  errorNode.hidden = true;
  const id = devicePicker.value;
  const from = fromLocalInput(fromInput.value);
  const to = fromLocalInput(toInput.value);
  if (!id || !from || !to) {
    showError(errorNode, "Pick a device and a time range.");
    return;
  }
  pause();
  probe.loaded = false;
  const url = new URL(window.location.href);
  url.searchParams.set("device", id);
  if (compareIds.length) url.searchParams.set("compare", compareIds.join(","));
  else url.searchParams.delete("compare");
  window.history.replaceState(null, "", url);
  summaryNode.textContent = "Loading…";
  // Epoch seconds: the compact form of the API's point times, for thousands of points.
  const range = { from: from.toISOString(), to: to.toISOString(), max_points: MAX_POINTS, time_format: "epoch" };
  const fetchTrack = (deviceId) => api(`devices/${encodeURIComponent(deviceId)}/track/`, range);
  const wanted = compareIds.filter((other) => other !== id);
  let body;
  let compared;
  const mine = ++loadSeq;
  try {
    [body, ...compared] = await Promise.all([fetchTrack(id), ...wanted.map(fetchTrack)]);
  } catch (error) {
    if (mine !== loadSeq) return;
    summaryNode.textContent = "";
    showError(errorNode, error);
    return;
  }
  // A newer request (another quick pick clicked meanwhile) wins, whichever answers last.
  if (mine !== loadSeq) return;
  points = trackPoints(body);
  for (const other of others) other.marker.remove();
  others = compared.map((track, i) => ({
    id: wanted[i], name: devicePicker.label(wanted[i]) || `#${wanted[i]}`,
    colour: COMPARE_COLOURS[compareIds.indexOf(wanted[i]) % COMPARE_COLOURS.length],
    points: trackPoints(track),
  }));
  drawTrack(body);
  probe.loaded = true;
  probe.points = points.length;
}

function trackPoints(body) {
  return (body.points || []).map((p) => [toDate(p[0]).getTime(), p[1], p[2], p[3], p[4], p[5]])
    .filter((p) => typeof p[1] === "number" && typeof p[2] === "number");
}

function renderCompareList() {
  clear(compareList);
  compareIds.forEach((id, i) => {
    compareList.append(el("span", { class: "chip", style: `--chip:${COMPARE_COLOURS[i % COMPARE_COLOURS.length]}`, dataset: { id } },
      el("i", {}), devicePicker.label(id) || `#${id}`, el("span", { class: "chip-speed" }),
      el("button", {
        type: "button", "aria-label": "Remove from comparison",
        onclick: () => { compareIds.splice(compareIds.indexOf(id), 1); renderCompareList(); load(); },
      }, "×")));
  });
  comparePicker.input.disabled = compareIds.length >= COMPARE_COLOURS.length;
}

function drawTrack(body) {
  trackLayer.clearLayers();
  eventLayer.clearLayers();
  cursorMarker.remove();
  for (const other of others) {
    if (!other.points.length) continue;
    L.polyline(other.points.map((p) => [p[1], p[2]]), { color: other.colour, weight: 3, opacity: 0.75, dashArray: "6 4" })
      .bindTooltip(el("span", {}, other.name)).addTo(trackLayer);
    other.marker = L.marker([other.points[0][1], other.points[0][2]], {
      icon: L.divIcon({ className: "replay-marker", html: `<span style="background:${other.colour}"></span>`, iconSize: [22, 22], iconAnchor: [11, 11] }),
      zIndexOffset: 900, keyboard: false,
    }).bindTooltip(el("span", {}, other.name)).addTo(eventLayer);
  }
  if (!points.length) {
    summaryNode.textContent = "No positions in this range.";
    slider.disabled = true;
    drawChart();
    return;
  }
  // One polyline per run of points in the same speed band.
  let run = [[points[0][1], points[0][2]]];
  let colour = speedColour(points[0][3]);
  for (let i = 1; i < points.length; i++) {
    const c = speedColour(points[i][3]);
    run.push([points[i][1], points[i][2]]);
    if (c !== colour || i === points.length - 1) {
      L.polyline(run, { color: colour, weight: 4, opacity: 0.9 }).addTo(trackLayer);
      run = [[points[i][1], points[i][2]]];
      colour = c;
    }
  }
  const stops = (body.stops || []).map(stopFields).filter((s) => typeof s.lat === "number");
  for (const stop of stops) {
    const idling = stop.kind === "idling";
    const duration = stop.duration ?? ((toDate(stop.end) && toDate(stop.start)) ? (toDate(stop.end) - toDate(stop.start)) / 1000 : null);
    L.marker([stop.lat, stop.lng], {
      icon: L.divIcon({ className: `stop-icon ${idling ? "idling" : ""}`, html: idling ? "I" : "P", iconSize: [22, 22] }),
      zIndexOffset: 200, // above an alarm raised at the same place
    }).bindTooltip(el("div", {},
      el("strong", {}, idling ? "Idling" : "Parked"), el("br"),
      `${formatDateTime(stop.start)} → ${formatDateTime(stop.end)}`, el("br"),
      formatDuration(duration), stop.address ? el("div", {}, stop.address) : null))
      .on("click", () => seek(toDate(stop.start).getTime()))
      .addTo(eventLayer);
  }
  const alarms = (body.alarms || []).map(alarmFields).filter((a) => typeof a.lat === "number");
  for (const alarm of alarms) {
    L.marker([alarm.lat, alarm.lng], {
      // Anchored at its lower-left corner, just outside a stop icon centred on the same point,
      // so a stop and an alarm at one place both show and both take clicks.
      icon: L.divIcon({ className: "alarm-icon", html: "!", iconSize: [20, 20], iconAnchor: [-12, 32] }),
      zIndexOffset: 100,
    }).bindTooltip(el("div", {}, el("strong", {}, String(alarm.type || "Alarm")), el("br"), formatDateTime(alarm.time)))
      .on("click", () => seek(toDate(alarm.time).getTime()))
      .addTo(eventLayer);
  }
  const first = points[0];
  const last = points[points.length - 1];
  L.circleMarker([first[1], first[2]], { radius: 6, color: "#fff", weight: 2, fillColor: "#1f9d55", fillOpacity: 1 })
    .bindTooltip("Start").addTo(eventLayer);
  L.circleMarker([last[1], last[2]], { radius: 6, color: "#fff", weight: 2, fillColor: "#d62828", fillOpacity: 1 })
    .bindTooltip("End").addTo(eventLayer);
  const everything = [points, ...others.map((o) => o.points)].flat().map((p) => [p[1], p[2]]);
  map.fitBounds(L.latLngBounds(everything), { padding: [30, 30] });
  const maxSpeed = Math.max(...points.map((p) => p[3] || 0));
  summaryNode.textContent = `${points.length} points${body.simplified ? " (simplified)" : ""} · `
    + `${formatDateTime(first[0])} → ${formatDateTime(last[0])} · max ${formatNumber(maxSpeed, 0, "km/h")} · `
    + `${stops.length} stops · ${alarms.length} alarms`
    + (others.length ? ` · comparing with ${others.length} more` : "");
  slider.disabled = false;
  cursorMarker.addTo(map);
  seek(spanStart());
}

// --- the cursor -----------------------------------------------------------------------------

// The index of the last point at or before `time`.
function indexAt(time, pts = points) {
  let lo = 0;
  let hi = pts.length - 1;
  if (time <= pts[0][0]) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pts[mid][0] <= time) lo = mid; else hi = mid - 1;
  }
  return lo;
}

function positionAt(time, pts = points) {
  const i = indexAt(time, pts);
  const a = pts[i];
  const b = pts[Math.min(i + 1, pts.length - 1)];
  const f = b[0] > a[0] ? Math.min(1, Math.max(0, (time - a[0]) / (b[0] - a[0]))) : 0;
  return { i, lat: a[1] + (b[1] - a[1]) * f, lng: a[2] + (b[2] - a[2]) * f, speed: a[3], direction: a[4], acc: a[5] };
}

function seek(time) {
  if (!points.length) return;
  const start = spanStart();
  const end = spanEnd();
  t = Math.min(end, Math.max(start, time));
  for (const other of others) {
    if (!other.points.length || !other.marker) continue;
    const where = positionAt(t, other.points);
    other.marker.setLatLng([where.lat, where.lng]);
    const inRange = t >= other.points[0][0] && t <= other.points[other.points.length - 1][0];
    other.marker.setOpacity(inRange ? 1 : 0.4);
    const shape = other.marker.getElement() && other.marker.getElement().firstChild;
    if (shape) shape.style.transform = `rotate(${Number(where.direction) || 0}deg)`;
    const chip = compareList.querySelector(`[data-id="${CSS.escape(String(other.id))}"] .chip-speed`);
    if (chip) chip.textContent = inRange ? ` ${formatNumber(where.speed, 0, "km/h")}` : "";
  }
  const at = positionAt(t);
  const ended = t > points[points.length - 1][0] || t < points[0][0];
  cursorMarker.setLatLng([at.lat, at.lng]);
  cursorMarker.setOpacity(ended ? 0.4 : 1);
  const arrow = cursorMarker.getElement() && cursorMarker.getElement().firstChild;
  if (arrow) arrow.style.transform = `rotate(${Number(at.direction) || 0}deg)`;
  slider.value = String(end > start ? Math.round(((t - start) / (end - start)) * 1000) : 0);
  readout.textContent = ended
    ? `${formatDateTime(t)} · no track of the main device at this time`
    : `${formatDateTime(t)} · ${formatNumber(at.speed, 0, "km/h")} · ignition ${at.acc === true ? "on" : at.acc === false ? "off" : "—"}`;
  probe.cursor = t;
  probe.index = at.i;
  probe.lat = at.lat;
  probe.lng = at.lng;
  if (playing && !map.getBounds().pad(-0.1).contains([at.lat, at.lng])) map.panTo([at.lat, at.lng]);
  drawChart();
}

function frame(now) {
  if (!playing) return;
  const elapsed = lastFrame ? now - lastFrame : 0;
  lastFrame = now;
  const end = spanEnd();
  seek(t + elapsed * Number(speedSelect.value));
  if (t >= end) { pause(); return; }
  requestAnimationFrame(frame);
}

function play() {
  if (!points.length) return;
  if (t >= spanEnd()) seek(spanStart());
  playing = true;
  probe.playing = true;
  lastFrame = 0;
  playButton.textContent = "❚❚";
  playButton.setAttribute("aria-label", "Pause");
  requestAnimationFrame(frame);
}

function pause() {
  playing = false;
  probe.playing = false;
  playButton.textContent = "▶";
  playButton.setAttribute("aria-label", "Play");
}

playButton.addEventListener("click", () => (playing ? pause() : play()));
document.getElementById("replay-back").addEventListener("click", () => {
  if (!points.length) return;
  const i = indexAt(t);
  seek(points[Math.max(0, points[i][0] < t ? i : i - 1)][0]);
});
document.getElementById("replay-forward").addEventListener("click", () => {
  if (!points.length) return;
  seek(points[Math.min(points.length - 1, indexAt(t) + 1)][0]);
});
slider.addEventListener("input", () => {
  if (!points.length) return;
  const start = spanStart();
  const end = spanEnd();
  seek(start + ((end - start) * Number(slider.value)) / 1000);
});
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, select, textarea")) return;
  if (event.key === " ") { event.preventDefault(); playing ? pause() : play(); }
});

// --- the speed chart ------------------------------------------------------------------------

const PAD = { left: 44, right: 10, top: 8, bottom: 20 };

function drawChart() {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (canvas.width !== width * ratio || canvas.height !== height * ratio) {
    canvas.width = width * ratio;
    canvas.height = height * ratio;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = "#5d6b7a";
  if (!points.length) {
    ctx.fillText("The speed chart appears when a track is loaded.", PAD.left, height / 2);
    probe.chartDrawn = false;
    return;
  }
  const start = spanStart();
  const end = Math.max(spanEnd(), start + 1);
  const all = [points, ...others.map((o) => o.points)].flat();
  const top = Math.max(20, Math.ceil(Math.max(...all.map((p) => p[3] || 0)) / 20) * 20);
  const x = (time) => PAD.left + ((time - start) / (end - start)) * (width - PAD.left - PAD.right);
  const y = (speed) => height - PAD.bottom - ((speed || 0) / top) * (height - PAD.top - PAD.bottom);
  ctx.strokeStyle = "#e3e8ee";
  ctx.lineWidth = 1;
  for (let s = 0; s <= top; s += top / 4) {
    ctx.beginPath();
    ctx.moveTo(PAD.left, y(s));
    ctx.lineTo(width - PAD.right, y(s));
    ctx.stroke();
    if (s < top) ctx.fillText(`${Math.round(s)}`, 6, y(s) + 4);
  }
  ctx.fillText("km/h", 6, PAD.top + 6);
  // Round tick steps (1 min … 1 day) with at most one label per ~110 px.
  const MIN = 60 * 1000;
  const steps = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, 120 * MIN, 180 * MIN,
    360 * MIN, 720 * MIN, 1440 * MIN];
  const most = Math.max(2, Math.floor((width - PAD.left - PAD.right) / 110));
  const step = steps.find((candidate) => (end - start) / candidate <= most) || steps[steps.length - 1];
  const multiDay = end - start > 86400 * 1000;
  for (let time = Math.ceil(start / step) * step; time <= end; time += step) {
    const text = formatDateTime(time);
    const label = multiDay ? `${text.slice(0, 5)} ${text.slice(11, 16)}` : text.slice(11, 16);
    const w = ctx.measureText(label).width;
    ctx.fillText(label, Math.max(PAD.left - w / 2, Math.min(width - w - 2, x(time) - w / 2)), height - 5);
  }
  ctx.beginPath();
  ctx.moveTo(x(points[0][0]), y(0));
  for (const p of points) ctx.lineTo(x(p[0]), y(p[3]));
  ctx.lineTo(x(points[points.length - 1][0]), y(0));
  ctx.closePath();
  ctx.fillStyle = "rgba(23,105,170,.15)";
  ctx.fill();
  ctx.beginPath();
  points.forEach((p, i) => (i ? ctx.lineTo(x(p[0]), y(p[3])) : ctx.moveTo(x(p[0]), y(p[3]))));
  ctx.strokeStyle = "#1769aa";
  ctx.lineWidth = 1.5;
  ctx.stroke();
  for (const other of others) {
    if (!other.points.length) continue;
    ctx.beginPath();
    other.points.forEach((p, i) => (i ? ctx.lineTo(x(p[0]), y(p[3])) : ctx.moveTo(x(p[0]), y(p[3]))));
    ctx.strokeStyle = other.colour;
    ctx.lineWidth = 1.2;
    ctx.stroke();
  }
  ctx.strokeStyle = "#d62828";
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(x(t), PAD.top);
  ctx.lineTo(x(t), height - PAD.bottom);
  ctx.stroke();
  probe.chartDrawn = true;
}

function chartSeek(event) {
  if (!points.length) return;
  const rect = canvas.getBoundingClientRect();
  const start = spanStart();
  const end = spanEnd();
  const f = (event.clientX - rect.left - PAD.left) / (rect.width - PAD.left - PAD.right);
  seek(start + (end - start) * Math.min(1, Math.max(0, f)));
}
let dragging = false;
canvas.addEventListener("pointerdown", (e) => { dragging = true; canvas.setPointerCapture(e.pointerId); chartSeek(e); });
canvas.addEventListener("pointermove", (e) => { if (dragging) chartSeek(e); });
canvas.addEventListener("pointerup", () => { dragging = false; });
window.addEventListener("resize", drawChart);

async function start() {
  setRange(params.get("range") || "today");
  drawChart();
  try {
    await loadDevices();
  } catch (error) {
    showError(errorNode, error);
    return;
  }
  if (params.get("device") || params.get("range")) load();
}

start();
