// Small DOM helpers. Text is always set with textContent: nothing a user wrote is ever parsed
// as HTML.

import { AUDIENCES, audienceLabel } from "./audiences.js";

// Read here by older modules; the list itself lives in audiences.js.
export const AUDIENCE_LABELS = Object.fromEntries(AUDIENCES.map((a) => [a.value, a.label]));
export { audienceLabel };

/**
 * el("button", {class: "x", testid: "send", type: "button", onclick: fn}, "Send", child, ...)
 * Attributes: `class`, `testid` (data-testid), `dataset` ({unread: "true"}), `on*` (listeners),
 * booleans (`hidden`, `disabled`, ...), everything else as an attribute. Children: nodes or text.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "testid") node.dataset.testid = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

const clock = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const monthDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const monthDayYear = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", year: "numeric" });
const weekdayDate = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const weekdayDateYear = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric", year: "numeric" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** How many calendar days `date` lies before today (0 today, 1 yesterday), in local time. */
function daysAgo(date) {
  const start = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  return Math.round((start(new Date()) - start(date)) / 86400000);
}

/** A short time for lists: "10:42" today, "Yesterday", "Nov 28", "Nov 28, 2025" in other years. */
export function shortTime(iso) {
  const date = new Date(iso);
  const ago = daysAgo(date);
  if (ago === 0) return clock.format(date);
  if (ago === 1) return "Yesterday";
  return date.getFullYear() === new Date().getFullYear() ? monthDay.format(date) : monthDayYear.format(date);
}

/** The day a thread's separator shows: "Today", "Yesterday", "Friday, November 28". */
export function dayLabel(iso) {
  const date = new Date(iso);
  const ago = daysAgo(date);
  if (ago === 0) return "Today";
  if (ago === 1) return "Yesterday";
  return date.getFullYear() === new Date().getFullYear() ? weekdayDate.format(date) : weekdayDateYear.format(date);
}

/** The local calendar day of `iso`, to group messages by. */
export function dayKey(iso) {
  return new Date(iso).toDateString();
}

export function fullTime(iso) {
  return full.format(new Date(iso));
}

/**
 * A <time> element with the full date as its title, showing `iso` briefly (lists), as a clock
 * time (`clock`: under a day separator) or fully (`long`).
 */
export function timeEl(iso, { long = false, clock: clockOnly = false } = {}) {
  const text = long ? fullTime(iso) : clockOnly ? clock.format(new Date(iso)) : shortTime(iso);
  return el("time", { datetime: iso, title: fullTime(iso) }, text);
}

/** <option> elements for a <select>. */
export function options(pairs, selected) {
  return pairs.map(([value, label]) => el("option", { value, selected: String(value) === String(selected) }, label));
}

/** Show `text` in a status line (role=status or role=alert is set in the HTML). */
export function say(node, text, kind = "info") {
  node.textContent = text || "";
  node.dataset.kind = kind;
  node.hidden = !text;
}

/**
 * Ask to confirm in a modal <dialog>; resolves true or false. Used instead of window.confirm,
 * which cannot be styled and blocks the page.
 */
export function confirmDialog(text, confirmLabel, { danger = true } = {}) {
  return new Promise((resolve) => {
    const yes = el("button", { type: "submit", value: "yes", class: danger ? "danger" : "primary" }, confirmLabel);
    const no = el("button", { type: "submit", value: "no", class: "quiet" }, "Cancel");
    const dialog = el("dialog", { class: "confirm", "aria-label": confirmLabel },
      el("form", { method: "dialog" }, el("p", {}, text), el("div", { class: "actions" }, no, yes)));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "yes");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

/** The connection line in the header: quiet while live, "Reconnecting…" while away. */
export function showConnection(node, state) {
  node.dataset.state = state;
  node.textContent = state === "reconnecting" ? "Reconnecting…" : state === "connecting" ? "Connecting…" : "";
  node.hidden = state === "live";
}

/** Say `text` to screen readers through the page's polite live region (#announcer). */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region || !text) return;
  // A new node each time, so the same words said twice are read twice.
  region.replaceChildren(el("p", {}, text));
}

/** Set the header badge (the number of unread messages); a change is announced. */
export function showBadge(node, unread) {
  const count = Number(unread) || 0;
  const before = node.dataset.count;
  if (node.dataset.shown && before !== String(count)) {
    announce(`${count} unread message${count === 1 ? "" : "s"}.`);
  }
  node.dataset.shown = "true";
  node.textContent = String(count);
  node.dataset.count = String(count);
  node.setAttribute("aria-label", `${count} unread`);
  node.title = `${count} unread`;
  document.title = `${count ? `(${count}) ` : ""}${document.title.replace(/^\(\d+\) /, "")}`;
}
