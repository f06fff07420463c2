// Device pickers for the replay, reports and alarms pages: one <input list> per picker over a
// <datalist>, so a dispatcher types part of a name, plate, driver or IMEI and picks a
// suggestion. The devices come from /api/v1/devices/directory/ (one compact answer however large
// the fleet); the datalist only ever holds the best SUGGESTIONS matches of the typed text, since
// Chromium re-filters a 10,000-option datalist for ~0.3 s on every key press.
// Names go into option attributes and text nodes, never into markup.
import { api, deviceName, el } from "./common.js";

const SUGGESTIONS = 100;

// Every visible device as {id, imei, name, vehicle_number, driver_name, group_id, ...}, by name.
export async function loadDirectory(params) {
  const { fields, devices } = await api("devices/directory/", params);
  return devices.map((values) => Object.fromEntries(fields.map((name, i) => [name, values[i]])));
}

// What the input shows for a device: its name, with the plate when that differs. Made unique
// with the IMEI when two devices share a name, so a label always means one device.
function labels(devices) {
  const base = devices.map((device) => {
    const name = deviceName(device);
    return device.vehicle_number && device.vehicle_number !== name ? `${name} · ${device.vehicle_number}` : name;
  });
  const seen = new Map();
  for (const label of base) seen.set(label, (seen.get(label) || 0) + 1);
  return base.map((label, i) => (seen.get(label) > 1 ? `${label} · ${devices[i].imei}` : label));
}

// A searchable picker over `input` (which has a `list` attribute naming its <datalist>).
// `value` is the picked device's id as a string, "" when the input is empty. `onPick(id)` runs
// when the user settles on a device (or clears the input); text that names no device marks the
// input invalid and keeps the previous value.
export class DevicePicker {
  constructor(input, { onPick } = {}) {
    this.input = input;
    this.list = document.getElementById(input.getAttribute("list"));
    this.onPick = onPick || (() => {});
    this.byLabel = new Map(); // lower-cased label -> id
    this.labelOf = new Map(); // id -> label
    this.devices = [];
    this.haystacks = [];
    this.current = "";
    input.addEventListener("change", () => this.settle());
    // Picking a suggestion replaces the whole text: settle at once rather than on blur.
    input.addEventListener("input", (event) => {
      if (event.inputType === "insertReplacementText" || event.inputType === undefined) this.settle();
      else this.mark(true);
      this.suggest();
    });
    input.addEventListener("focus", () => this.suggest());
    // Enter settles the text first; the form then submits (implicitly) only if it names a device.
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      this.settle();
      if (!this.input.validity.valid) event.preventDefault();
    });
  }

  setDevices(devices) {
    this.devices = [...devices].sort((a, b) => deviceName(a).localeCompare(deviceName(b)));
    const names = labels(this.devices);
    this.byLabel.clear();
    this.labelOf.clear();
    this.devices.forEach((device, i) => {
      this.byLabel.set(names[i].toLowerCase(), String(device.id));
      this.labelOf.set(String(device.id), names[i]);
    });
    // What a search matches: the label, the IMEI and the driver.
    this.haystacks = this.devices.map((device, i) => [names[i], device.imei, device.driver_name]
      .filter(Boolean).join(" ").toLowerCase());
    if (this.current && !this.labelOf.has(this.current)) this.current = "";
    this.input.value = this.labelOf.get(this.current) || "";
    this.suggest();
  }

  // The devices whose label, IMEI or driver contains `text`, labels starting with it first.
  matches(text, limit = Infinity) {
    const wanted = text.trim().toLowerCase();
    const first = [];
    const rest = [];
    for (let i = 0; i < this.devices.length && first.length < limit; i++) {
      if (!this.haystacks[i].includes(wanted)) continue;
      (this.haystacks[i].startsWith(wanted) ? first : rest).push(this.devices[i]);
    }
    return [...first, ...rest].slice(0, limit);
  }

  // Fill the datalist with the best matches of what the input holds now.
  suggest() {
    this.list.replaceChildren(...this.matches(this.input.value, SUGGESTIONS).map((device) => {
      // The option's text is matched too, and shows what found it: the IMEI and the driver.
      return el("option", { value: this.labelOf.get(String(device.id)) },
        [device.imei, device.driver_name].filter(Boolean).join(" · "));
    }));
  }

  get value() { return this.current; }

  // Show device `id` as picked without calling onPick (a page restoring its URL's choice).
  set value(id) {
    const key = id === null || id === undefined ? "" : String(id);
    this.current = this.labelOf.has(key) ? key : "";
    this.input.value = this.labelOf.get(this.current) || "";
    this.mark(true);
    this.suggest();
  }

  label(id) { return this.labelOf.get(String(id)); }

  // The id the typed text names: a label, an exact IMEI, or the only device whose label,
  // IMEI or driver contains it.
  resolve(text) {
    const wanted = text.trim().toLowerCase();
    if (!wanted) return "";
    if (this.byLabel.has(wanted)) return this.byLabel.get(wanted);
    const byImei = this.devices.find((d) => String(d.imei) === wanted);
    if (byImei) return String(byImei.id);
    const found = this.matches(wanted, 2);
    return found.length === 1 ? String(found[0].id) : null;
  }

  mark(valid) {
    this.input.setCustomValidity(valid ? "" : "No single device matches; pick one from the suggestions.");
    this.input.toggleAttribute("aria-invalid", !valid);
  }

  settle() {
    const id = this.resolve(this.input.value);
    if (id === null) { this.mark(false); return; }
    this.mark(true);
    if (id) this.input.value = this.labelOf.get(id);
    if (id === this.current) return;
    this.current = id;
    this.onPick(id);
  }
}
