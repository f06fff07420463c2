// Reports: trips, stops, idling, alarms and daily summaries per device, group or fleet for a
// range, from the /api/v1 report endpoints; sortable tables with totals; CSV and XLSX export
// through the same endpoints' ?format=.
import {
  apiAll, apiUrl, clear, deviceName, el, formatDateTime, formatDuration, formatNumber,
  fromLocalInput, quickRange, showError, toDate, toLocalInput,
} from "./common.js";
import { DevicePicker, loadDirectory } from "./device_picker.js";

const ROW_LIMIT = 10000;
const probe = (window.fleetReports = { loaded: false, rows: 0 });

const form = document.getElementById("report-form");
const kindSelect = document.getElementById("report-kind");
const groupSelect = document.getElementById("report-group");
const devicePicker = new DevicePicker(document.getElementById("report-device"), {
  onPick: (id) => {
    if (id) groupSelect.value = "";
    updateExportLinks();
  },
});
const fromInput = document.getElementById("report-from");
const toInput = document.getElementById("report-to");
const errorNode = document.getElementById("report-error");
const summaryNode = document.getElementById("report-summary");
const tableNode = document.getElementById("report-table");
const csvLink = document.getElementById("export-csv");
const xlsxLink = document.getElementById("export-xlsx");

const deviceNames = new Map();

function deviceOf(row) {
  const ref = row.device;
  if (ref && typeof ref === "object") return deviceName(ref) || deviceNames.get(ref.id) || `#${ref.id}`;
  return row.device_name || deviceNames.get(ref) || (ref !== undefined ? `#${ref}` : "—");
}

function seconds(row, ...names) {
  for (const name of names) if (row[name] !== undefined && row[name] !== null) return Number(row[name]);
  const start = toDate(row.start_time);
  const end = toDate(row.end_time);
  return start && end ? (end - start) / 1000 : null;
}

function place(row) {
  if (row.address) return row.address;
  if (typeof row.lat === "number" && typeof row.lng === "number") return `${row.lat.toFixed(5)}, ${row.lng.toFixed(5)}`;
  return "—";
}

// A column: label, value(row) for sorting and totals, text(value) for display, and how it totals.
const col = (label, value, text, total) => ({ label, value, text: text || ((v) => (v ?? "—")), total });
const time = (name) => (row) => (toDate(row[name]) ? toDate(row[name]).getTime() : null);
const num = (name) => (row) => (row[name] === null || row[name] === undefined ? null : Number(row[name]));

const REPORTS = {
  trips: {
    path: "trips/",
    columns: [
      col("Device", deviceOf, null, "count"),
      col("Start", time("start_time"), formatDateTime),
      col("End", time("end_time"), formatDateTime),
      col("Duration", (r) => seconds(r, "duration_s"), formatDuration, "sum"),
      col("Distance", num("distance_km"), (v) => formatNumber(v, 1, "km"), "sum"),
      // The total is distance over driving time, not an average of averages.
      col("Average speed", num("avg_speed"), (v) => formatNumber(v, 0, "km/h"), (rows) => {
        const km = rows.reduce((sum, r) => sum + (Number(r.distance_km) || 0), 0);
        const hours = rows.reduce((sum, r) => sum + (seconds(r, "duration_s") || 0), 0) / 3600;
        return hours ? km / hours : null;
      }),
    ],
  },
  stops: {
    path: "stops/", params: { kind: "parking" },
    columns: [
      col("Device", deviceOf, null, "count"),
      col("Start", time("start_time"), formatDateTime),
      col("End", time("end_time"), formatDateTime),
      col("Duration", (r) => seconds(r, "duration_s"), formatDuration, "sum"),
      col("Place", place),
    ],
  },
  idling: {
    path: "stops/", params: { kind: "idling" },
    columns: [
      col("Device", deviceOf, null, "count"),
      col("Start", time("start_time"), formatDateTime),
      col("End", time("end_time"), formatDateTime),
      col("Duration", (r) => seconds(r, "duration_s"), formatDuration, "sum"),
      col("Place", place),
    ],
  },
  alarms: {
    path: "alarms/",
    columns: [
      col("Device", deviceOf, null, "count"),
      col("Time", time("alarm_time"), formatDateTime),
      col("Type", (r) => r.type_name || r.type_id || "—"),
      col("Speed", num("speed"), (v) => formatNumber(v, 0, "km/h")),
      col("Place", place),
      col("Acknowledged", (r) => (r.acknowledged_at ? toDate(r.acknowledged_at).getTime() : null),
        (v) => (v ? formatDateTime(v) : "no")),
    ],
  },
  daily: { path: "summaries/daily/", columns: null },
};

// Units of the daily summary's numeric fields (the API's names carry only some of them).
const DAILY_UNITS = { distance_km: "km", max_speed: "km/h", avg_speed: "km/h", max_speed_kmh: "km/h" };

// Daily summaries: columns from the rows themselves, so new summary fields show up unasked.
function dailyColumns(rows) {
  const skip = new Set(["id", "device", "device_id", "device_name", "organisation"]);
  const keys = [];
  for (const row of rows.slice(0, 50)) for (const key of Object.keys(row)) if (!skip.has(key) && !keys.includes(key)) keys.push(key);
  const columns = [col("Device", deviceOf, null, "count")];
  for (const key of keys) {
    const unit = DAILY_UNITS[key] || "";
    const name = key.replace(/_(km|kmh)$/, "").replace(/_/g, " ").replace(/\b(s)$/, "($1)").replace(/^./, (c) => c.toUpperCase());
    const label = unit ? `${name} (${unit})` : name;
    if (/(_s|seconds)$/.test(key)) columns.push(col(label, num(key), formatDuration, "sum"));
    else if (/(_time|_at)$/.test(key)) columns.push(col(label, time(key), formatDateTime));
    else if (rows.some((r) => typeof r[key] === "number")) {
      const summable = !/(max|avg|average|lat|lng)/.test(key);
      columns.push(col(label, num(key), (v) => formatNumber(v, Number.isInteger(v) ? 0 : 1, unit), summable ? "sum" : undefined));
    } else columns.push(col(label, (r) => (r[key] === null || r[key] === undefined ? "" : typeof r[key] === "object" ? JSON.stringify(r[key]) : String(r[key]))));
  }
  return columns;
}

// --- query --------------------------------------------------------------------------------

function query() {
  const report = REPORTS[kindSelect.value];
  const from = fromLocalInput(fromInput.value);
  const to = fromLocalInput(toInput.value);
  const params = { ...(report.params || {}) };
  if (kindSelect.value === "daily") {
    // Daily summaries are per calendar day: send the days as the user sees them.
    params.from = fromInput.value.slice(0, 10);
    params.to = toInput.value.slice(0, 10);
  } else {
    if (from) params.from = from.toISOString();
    if (to) params.to = to.toISOString();
  }
  if (devicePicker.value) params.device = devicePicker.value;
  else if (groupSelect.value) params.group = groupSelect.value;
  return { report, params };
}

function updateExportLinks() {
  const { report, params } = query();
  csvLink.href = apiUrl(report.path, { ...params, format: "csv" });
  xlsxLink.href = apiUrl(report.path, { ...params, format: "xlsx" });
}

let sortState = { index: 1, dir: 1 };
let current = { columns: [], rows: [] };

let runSeq = 0;

async function run() {
  errorNode.hidden = true;
  updateExportLinks();
  const { report, params } = query();
  summaryNode.textContent = "Loading…";
  clear(tableNode);
  probe.loaded = false;
  let result;
  const mine = ++runSeq;
  try {
    result = await apiAll(report.path, { ...params, page_size: 1000 }, ROW_LIMIT);
  } catch (error) {
    if (mine !== runSeq) return;
    summaryNode.textContent = "";
    showError(errorNode, error);
    return;
  }
  // Only the latest request fills the table, whichever answers last.
  if (mine !== runSeq) return;
  const columns = report.columns || dailyColumns(result.rows);
  current = { columns, rows: result.rows };
  sortState = { index: Math.min(1, columns.length - 1), dir: 1 };
  summaryNode.textContent = result.count > result.rows.length
    ? `${result.rows.length} of ${result.count} rows shown; the export has them all.`
    : `${result.rows.length} row${result.rows.length === 1 ? "" : "s"}.`;
  render();
  probe.loaded = true;
  probe.rows = result.rows.length;
}

function render() {
  const { columns, rows } = current;
  clear(tableNode);
  if (!rows.length) {
    tableNode.append(el("caption", { class: "empty" }, "Nothing in this range."));
    return;
  }
  const values = rows.map((row) => columns.map((c) => c.value(row)));
  const order = values.map((_, i) => i);
  const { index, dir } = sortState;
  order.sort((a, b) => {
    const x = values[a][index];
    const y = values[b][index];
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * dir;
  });
  const head = el("tr", {}, columns.map((c, i) => el("th", {
    scope: "col",
    class: c.total && c.total !== "count" ? "num" : "",
    "aria-sort": i === index ? (dir > 0 ? "ascending" : "descending") : "none",
    tabindex: "0",
    onclick: () => sortBy(i),
    onkeydown: (e) => { if (e.key === "Enter") sortBy(i); },
  }, c.label)));
  const body = el("tbody", {}, order.map((r) => el("tr", {}, columns.map((c, i) => el("td", {
    class: c.total && c.total !== "count" ? "num" : "",
  }, c.text(values[r][i]))))));
  const totals = columns.map((c, i) => {
    const present = values.map((v) => v[i]).filter((v) => typeof v === "number" && !Number.isNaN(v));
    if (c.total === "count") return `Total: ${rows.length}`;
    if (c.total === "sum") return c.text(present.reduce((a, b) => a + b, 0));
    if (c.total === "avg" && present.length) return c.text(present.reduce((a, b) => a + b, 0) / present.length);
    if (typeof c.total === "function") return c.text(c.total(rows));
    return "";
  });
  const foot = el("tfoot", {}, el("tr", {}, totals.map((t, i) => el("td", {
    class: columns[i].total && columns[i].total !== "count" ? "num" : "",
  }, t))));
  tableNode.append(el("thead", {}, head), body, foot);
}

function sortBy(index) {
  sortState = { index, dir: sortState.index === index ? -sortState.dir : 1 };
  render();
}

// --- form ---------------------------------------------------------------------------------

function setRange(name) {
  const range = quickRange(name);
  fromInput.value = toLocalInput(range[0]);
  toInput.value = toLocalInput(range[1]);
  for (const button of document.querySelectorAll("[data-range]")) {
    button.setAttribute("aria-pressed", String(button.dataset.range === name));
  }
}

document.querySelectorAll("[data-range]").forEach((button) => {
  button.addEventListener("click", () => { setRange(button.dataset.range); run(); });
});
form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
form.addEventListener("change", updateExportLinks);
groupSelect.addEventListener("change", () => {
  if (groupSelect.value) devicePicker.value = "";
  updateExportLinks();
});

async function start() {
  const params = new URLSearchParams(window.location.search);
  if (params.get("report") && REPORTS[params.get("report")]) kindSelect.value = params.get("report");
  setRange(params.get("range") || "week");
  updateExportLinks();
  try {
    const [groups, devices] = await Promise.all([
      apiAll("groups/", { page_size: 1000 }),
      loadDirectory(),
    ]);
    for (const group of groups.rows) groupSelect.append(el("option", { value: String(group.id) }, group.name));
    for (const device of devices) deviceNames.set(device.id, deviceName(device));
    devicePicker.setDevices(devices);
    if (params.get("device")) devicePicker.value = params.get("device");
  } catch (error) {
    showError(errorNode, error);
  }
  run();
}

start();
