// Notifications: browser alerts on this device, and the client's email choice.
//
// Browser alerts are opt-in. While the tab is in the background, a new message from someone else
// shows a system notification that says only "New message in Cairn": no name, subject or text,
// since a lock screen or a shared screen shows it to whoever looks. The choice is kept per
// browser (localStorage), on top of the browser's own permission.
//
// Staff find the alerts switch in their email settings dialog (inbox.html). Clients get a
// "Notifications" button and dialog of their own: email on or off (GET/PUT /api/me/notifications)
// and the alerts switch.

import { api } from "./api.js";
import { $, el, say } from "./dom.js";

const CHOICE = "cairn.alerts";
const TEXT = "New message in Cairn";

let me = null;

function supported() {
  return "Notification" in window;
}

function alertsOn() {
  return supported() && Notification.permission === "granted" && localStorage.getItem(CHOICE) === "on";
}

/** Show an alert for `frame` if it is someone else's new message and the tab is hidden. */
export function alertIfAway(frame) {
  if (frame.type !== "message.created" || document.visibilityState !== "hidden") return;
  if (!me || !alertsOn() || frame.message?.author?.id === me.id) return;
  try {
    const shown = new Notification(TEXT, { tag: "cairn-new-message", icon: "/static/favicon.svg" });
    shown.addEventListener("click", () => {
      window.focus();
      shown.close();
    });
  } catch (error) {
    // Some browsers (Chrome on Android) show notifications only from a service worker.
  }
}

/** The alerts switch: a button saying what a click does, and a line saying how things are. */
function alertsSwitch() {
  const button = el("button", { type: "button", testid: "browser-notifications" });
  const line = el("p", { class: "fine" });
  const render = () => {
    const blocked = supported() && Notification.permission === "denied";
    button.disabled = !supported() || blocked;
    button.textContent = alertsOn() ? "Turn off alerts" : "Turn on alerts";
    button.setAttribute("aria-pressed", String(alertsOn()));
    line.textContent = !supported() ? "This browser cannot show alerts."
      : blocked ? "Alerts are blocked in this browser's site settings."
        : alertsOn() ? "On: when Cairn is in the background, this browser says \"New message in Cairn\" (nothing more)."
          : "Off. When on, this browser says \"New message in Cairn\" (nothing more) while Cairn is in the background.";
  };
  button.addEventListener("click", async () => {
    if (alertsOn()) {
      localStorage.setItem(CHOICE, "off");
    } else {
      const answer = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
      if (answer === "granted") localStorage.setItem(CHOICE, "on");
    }
    render();
  });
  render();
  return el("fieldset", { class: "alerts" }, el("legend", {}, "Alerts on this device"), button, line);
}

/** The client's dialog: email on or off, and the alerts switch. */
function clientDialog() {
  const email = el("input", { type: "checkbox", id: "notify-email", testid: "notify-email" });
  const status = el("p", { class: "status-line", role: "status", hidden: true });
  const close = el("button", { type: "button", class: "quiet" }, "Close");
  const dialog = el("dialog", { id: "client-settings", "aria-labelledby": "client-settings-title" },
    el("form", { method: "dialog" },
      el("h2", { id: "client-settings-title" }, "Notifications"),
      el("p", { class: "fine" }, "One email (with no details of the message) when the practice writes to you, until you open the conversation."),
      el("fieldset", {}, el("legend", {}, "Email"),
        el("div", { class: "check" }, email, el("label", { for: "notify-email" }, "Email me when the practice writes"))),
      alertsSwitch(),
      status,
      el("div", { class: "actions" }, close)));
  close.addEventListener("click", () => dialog.close());
  email.addEventListener("change", async () => {
    email.disabled = true;
    try {
      const saved = await api("PUT", "/api/me/notifications", { email: email.checked });
      email.checked = saved.email;
      say(status, "Saved.");
    } catch (error) {
      email.checked = !email.checked;
      say(status, error.message, "error");
    } finally {
      email.disabled = false;
    }
  });
  const open = async () => {
    say(status, "Loading…");
    email.disabled = true;
    dialog.showModal();
    try {
      email.checked = (await api("GET", "/api/me/notifications")).email;
      email.disabled = false;
      say(status, "");
    } catch (error) {
      say(status, error.message, "error");
    }
  };
  return { dialog, open };
}

/** Put the notification settings on the page of `user` (from GET /api/me). */
export function setUpNotifications(user) {
  me = user;
  if (user.kind === "staff") {
    const form = $("#settings-form");
    if (form) form.insertBefore(alertsSwitch(), $("#settings-status", form));
    return;
  }
  const { dialog, open } = clientDialog();
  document.body.append(dialog);
  const button = el("button", { type: "button", class: "quiet", id: "open-settings" }, "Notifications");
  button.addEventListener("click", open);
  $("#sign-out").before(button);
}
