// The practice's safety settings for practice admins (PUT /api/practice): guidelines, time zone,
// office hours and closed dates, the after-hours reply and the crisis resources. The server
// checks everything and names the field at fault; nothing is half-saved.

import { api } from "./api.js";
import { el, fill, say } from "./dom.js";

const DAYS = [["mon", "Mon"], ["tue", "Tue"], ["wed", "Wed"], ["thu", "Thu"], ["fri", "Fri"], ["sat", "Sat"], ["sun", "Sun"]];
const TEXTS = [
  ["guidelines", "Guidelines shown to clients above every message box"],
  ["after_hours_reply", "Automatic reply to messages sent outside office hours (empty: none)"],
  ["crisis_resources", "Crisis resources shown to a client whose message reads as a crisis"],
];

/** "09:00-12:00, 13:00-17:00" → [["09:00", "12:00"], ["13:00", "17:00"]] (checked by the server). */
function ranges(text) {
  return text.split(",").map((part) => part.trim()).filter(Boolean)
    .map((part) => part.split(/\s*[-–]\s*/));
}

function rangesText(list) {
  return (list || []).map((range) => range.join("-")).join(", ");
}

export class PracticeSettings {
  /** Adds a "Practice settings" button to `topbar` for practice admins (`me.roles`). */
  constructor(topbar, me) {
    if (!(me.roles || []).includes("practice_admin")) return;
    this.fields = {};
    this.dialog = el("dialog", { class: "dialog", "aria-labelledby": "practice-settings-title" });
    this.form = el("form", { class: "practice-settings", method: "dialog", onsubmit: (event) => this.save(event) });
    this.status = el("p", { class: "status-line", role: "status", hidden: true });
    const field = (name, label, input) => {
      this.fields[name] = input;
      input.id = `practice-${name}`;
      input.dataset.testid = `practice-${name.replaceAll("_", "-")}`;
      return el("div", { class: "field" }, el("label", { for: input.id }, label), input);
    };
    const hours = el("div", { class: "hours-grid" });
    for (const [day, label] of DAYS) {
      const input = el("input", { placeholder: "closed, or e.g. 09:00-12:00, 13:00-17:00" });
      this.fields[day] = input;
      input.id = `practice-hours-${day}`;
      hours.append(el("label", { for: input.id }, label), input);
    }
    fill(this.form,
      el("h2", { id: "practice-settings-title" }, "Practice settings"),
      ...TEXTS.map(([name, label]) => field(name, label, el("textarea", { rows: 3, maxlength: 500 }))),
      field("timezone", "Time zone (IANA name, e.g. America/New_York)", el("input", {})),
      el("fieldset", {}, el("legend", {}, "Office hours"), hours),
      field("closed", "Closed dates (YYYY-MM-DD, separated by commas)", el("input", {})),
      this.status,
      el("div", { class: "actions" },
        el("button", { type: "button", class: "quiet", onclick: () => this.dialog.close() }, "Cancel"),
        el("button", { type: "submit", class: "primary", testid: "practice-save" }, "Save")));
    this.dialog.append(this.form);
    document.body.append(this.dialog);
    const button = el("button", { type: "button", class: "quiet", testid: "practice-settings", onclick: () => this.open() },
      "Practice settings");
    topbar.insertBefore(button, topbar.querySelector(".spacer"));
  }

  async open() {
    say(this.status, "Loading…");
    this.dialog.showModal();
    try {
      const practice = await api("GET", "/api/practice");
      for (const [name] of TEXTS) this.fields[name].value = practice[name];
      this.fields.timezone.value = practice.timezone;
      for (const [day] of DAYS) this.fields[day].value = rangesText(practice.hours[day]);
      this.fields.closed.value = (practice.hours.closed || []).join(", ");
      say(this.status, "");
    } catch (error) {
      say(this.status, error.message, "error");
    }
  }

  async save(event) {
    event.preventDefault();
    const hours = {};
    for (const [day] of DAYS) {
      const list = ranges(this.fields[day].value);
      if (list.length) hours[day] = list;
    }
    const closed = this.fields.closed.value.split(",").map((d) => d.trim()).filter(Boolean);
    if (closed.length) hours.closed = closed;
    const body = { timezone: this.fields.timezone.value.trim(), hours };
    for (const [name] of TEXTS) body[name] = this.fields[name].value;
    try {
      await api("PUT", "/api/practice", body);
      say(this.status, "Saved.");
      this.dialog.close();
    } catch (error) {
      say(this.status, error.message, "error");  // the server names the field at fault
    }
  }
}
