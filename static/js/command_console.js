// The live map's command console for the followed device: its model's commands from
// /api/v1/devices/{id}/command-templates/, a form for a command's parameters, sending through
// POST /api/v1/commands/, and the device's recent commands from /api/v1/commands/?device=<id>,
// re-read every few seconds while one still waits for the vendor or the device.
// Template texts, explanations, responses and errors come from the vendor or the device: text
// nodes only, never markup.
import { ApiError, api, clear, el, formatDateTime } from "./common.js";

const LOG_SIZE = 8;
const REFRESH_MS = 3000;
const PENDING = new Set(["queued", "sent"]);

export class CommandConsole {
  // `root` is the console's <details>: templates are fetched (a vendor call, cached an hour
  // server-side) only once a dispatcher opens it, not for every device they follow.
  constructor(root) {
    this.root = root;
    this.form = root.querySelector(".cmd-form");
    this.select = root.querySelector(".cmd-template");
    this.about = root.querySelector(".cmd-about");
    this.paramsNode = root.querySelector(".cmd-params");
    this.sendButton = root.querySelector(".cmd-send");
    this.message = root.querySelector(".cmd-message");
    this.logNode = root.querySelector(".cmd-log");
    this.deviceId = null;
    this.templates = [];
    this.loadedFor = null; // the device whose templates the form shows
    this.timer = null;
    this.seq = 0;
    this.lastSent = null; // id of the command just sent, while it waits for an answer
    this.probe = (window.fleetCommands = { templates: 0, log: 0, sent: 0 });
    root.addEventListener("toggle", () => this.refresh());
    this.select.addEventListener("change", () => this.renderParams());
    this.form.addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
  }

  // Follow device `id` (null: no device followed).
  show(id) {
    if (id === this.deviceId) return;
    this.deviceId = id;
    this.lastSent = null;
    this.loadedFor = null;
    this.templates = [];
    clear(this.select);
    clear(this.paramsNode);
    clear(this.logNode);
    this.about.textContent = "";
    this.setMessage("");
    this.sendButton.disabled = true;
    this.refresh();
  }

  refresh() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.root.open || this.deviceId === null) return;
    if (this.loadedFor !== this.deviceId) this.loadTemplates();
    this.loadLog();
  }

  async loadTemplates() {
    const id = this.deviceId;
    this.loadedFor = id;
    clear(this.select).append(el("option", { value: "" }, "Loading commands…"));
    let templates;
    try {
      templates = await api(`devices/${encodeURIComponent(id)}/command-templates/`);
    } catch (error) {
      if (id !== this.deviceId) return;
      this.loadedFor = null; // the next opening tries again
      clear(this.select).append(el("option", { value: "" }, "Commands unavailable"));
      this.setMessage(messageOf(error), true);
      return;
    }
    if (id !== this.deviceId) return;
    this.templates = templates || [];
    clear(this.select);
    if (!this.templates.length) {
      this.select.append(el("option", { value: "" }, "This model lists no commands"));
    }
    for (const template of this.templates) {
      this.select.append(el("option", { value: template.id }, template.name || template.template || template.id));
    }
    this.probe.templates = this.templates.length;
    this.renderParams();
  }

  current() {
    return this.templates.find((template) => template.id === this.select.value) || null;
  }

  renderParams() {
    const template = this.current();
    clear(this.paramsNode);
    this.sendButton.disabled = !template;
    if (!template) { this.about.textContent = ""; return; }
    this.about.replaceChildren(
      el("code", {}, template.template || ""),
      template.explain ? el("div", {}, template.explain) : null,
      el("div", { class: "muted" }, template.offline
        ? "Reaches an offline device when it comes back online."
        : "Only reaches a device that is online now."),
    );
    // The vendor explains all parameters in one text ("Seconds, km/h"): when it splits into
    // as many parts as there are parameters, each part is its input's hint.
    const count = template.params || 0;
    const parts = (template.explain || "").split(",").map((part) => part.trim());
    const hints = parts.length === count ? parts : [];
    for (let i = 0; i < count; i++) {
      this.paramsNode.append(el("label", { class: "cmd-param" },
        el("span", {}, `Parameter ${i + 1}`),
        el("input", {
          type: "text", name: `param${i}`, required: true, maxlength: "100", autocomplete: "off",
          placeholder: hints[i] || `{${i}}`,
        })));
    }
  }

  async send() {
    const template = this.current();
    const id = this.deviceId;
    if (!template || id === null) return;
    const params = [...this.paramsNode.querySelectorAll("input")].map((input) => input.value.trim());
    this.sendButton.disabled = true;
    this.setMessage(`Sending ${template.name || template.id}…`);
    try {
      const command = await api("commands/", {}, {
        method: "POST", body: { device: id, template_id: template.id, params },
      });
      if (id !== this.deviceId) return;
      this.probe.sent += 1;
      this.lastSent = command.id;
      if (command.status === "failed") {
        this.setMessage(`Failed: ${command.error_message || command.vendor_message || "the vendor refused it"}`, true);
      } else {
        this.setMessage(`${command.status_display || command.status}: ${command.content || template.name}`);
      }
      this.loadLog();
    } catch (error) {
      if (id !== this.deviceId) return;
      this.setMessage(messageOf(error), true);
    } finally {
      if (id === this.deviceId) this.sendButton.disabled = !this.current();
    }
  }

  async loadLog() {
    clearTimeout(this.timer);
    this.timer = null;
    const id = this.deviceId;
    const mine = ++this.seq;
    let rows;
    try {
      const body = await api("commands/", { device: id, page_size: LOG_SIZE });
      rows = Array.isArray(body) ? body : body.results || [];
    } catch {
      rows = null; // keep what is shown; try again below
    }
    if (mine !== this.seq || id !== this.deviceId) return;
    if (rows) this.renderLog(rows);
    if (this.root.open && (rows === null || rows.some((row) => PENDING.has(row.status)))) {
      this.timer = setTimeout(() => this.loadLog(), REFRESH_MS);
    }
  }

  renderLog(rows) {
    clear(this.logNode);
    if (!rows.length) this.logNode.append(el("li", { class: "muted" }, "No commands sent yet."));
    for (const row of rows) {
      this.logNode.append(el("li", { dataset: { id: String(row.id), status: row.status } },
        el("div", { class: "cmd-head" },
          el("span", { class: `cmd-status st-${row.status}` }, row.status_display || row.status),
          el("span", { class: "cmd-content" }, row.content || row.name || row.template_id || "—"),
        ),
        el("div", { class: "muted" }, formatDateTime(row.created_at),
          row.sent_by ? ` · ${row.sent_by}` : "",
          row.answered_at ? ` · answered ${formatDateTime(row.answered_at).slice(11)}` : ""),
        row.response ? el("div", { class: "cmd-response" }, row.response) : null,
        row.error_message ? el("div", { class: "error" }, row.error_message) : null));
    }
    // The line under Send follows the command just sent until the device has answered.
    const sent = rows.find((row) => row.id === this.lastSent);
    if (sent && !PENDING.has(sent.status)) {
      this.lastSent = null;
      const bad = sent.status === "failed" || sent.status === "expired";
      this.setMessage(`${sent.status_display || sent.status}: ${sent.content || sent.name || ""}`, bad);
    }
    this.probe.log = rows.length;
    this.probe.statuses = rows.map((row) => row.status);
  }

  setMessage(text, bad = false) {
    this.message.textContent = text;
    this.message.classList.toggle("error", bad);
  }
}

function messageOf(error) {
  if (error instanceof ApiError && error.body && typeof error.body.detail === "string") {
    return error.status === 403 ? `Not allowed: ${error.body.detail}` : error.body.detail;
  }
  return String(error && error.message ? error.message : error);
}
