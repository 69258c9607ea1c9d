// Small DOM helpers. Text is always set with textContent: nothing a user wrote is ever parsed
// as HTML.

export const AUDIENCES = ["administrative", "billing", "clinical"];
export const AUDIENCE_LABELS = { administrative: "Administrative", billing: "Billing", clinical: "Clinical" };

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

const sameDay = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const otherDay = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A short time for lists: "3:41 PM" today, "Nov 28" otherwise. */
export function shortTime(iso) {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString() ? sameDay.format(date) : otherDay.format(date);
}

export function fullTime(iso) {
  return full.format(new Date(iso));
}

/** A <time> element showing `iso` briefly (or fully), with the full date as its title. */
export function timeEl(iso, { long = false } = {}) {
  return el("time", { datetime: iso, title: fullTime(iso) }, long ? fullTime(iso) : shortTime(iso));
}

export function audienceLabel(audience) {
  return AUDIENCE_LABELS[audience] || audience;
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

/** Set the header badge (the number of unread messages). */
export function showBadge(node, unread) {
  const count = Number(unread) || 0;
  node.textContent = String(count);
  node.dataset.count = String(count);
  node.setAttribute("aria-label", `${count} unread`);
  node.title = `${count} unread`;
  document.title = `${count ? `(${count}) ` : ""}${document.title.replace(/^\(\d+\) /, "")}`;
}
