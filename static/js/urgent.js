// Safety on screen (docs/SAFETY.md): for clients, the practice's guidelines above every composer,
// "the office is closed" before they send, and the crisis resources at once when a send's answer
// carries them; for staff, the urgent marker, banner, Acknowledge / Mark urgent, and an opt-in
// browser notification (no PHI) for thread.urgent while the tab is in the background.

import { api } from "./api.js";
import { $, el, fill, fullTime, say } from "./dom.js";

/** Urgent and nobody owns it yet: shown first and marked in the list. */
export function isOpenUrgent(thread) {
  return Boolean(thread && thread.urgent && !thread.urgent.acknowledged_by);
}

/** The list order: open urgent threads first, then newest activity first (as the API pages). */
export function urgentFirst(a, b) {
  const rank = Number(isOpenUrgent(b)) - Number(isOpenUrgent(a));
  if (rank) return rank;
  if (a.last_message_at !== b.last_message_at) return a.last_message_at < b.last_message_at ? 1 : -1;
  return b.id - a.id;
}

// --- the portal ------------------------------------------------------------------------------

function openingText(iso, zone) {
  const when = new Intl.DateTimeFormat(undefined, {
    weekday: "long", month: "long", day: "numeric", hour: "numeric", minute: "2-digit",
    timeZone: zone, timeZoneName: "short",
  });
  return when.format(new Date(iso));
}

/**
 * Above each composer (`forms`): the practice's guidelines, and outside office hours "The office
 * is closed now; we reply from …" in the practice's time zone. Refreshed every few minutes.
 */
export async function showExpectations(forms) {
  const notes = forms.map((form) => {
    const box = el("div", { class: "expectations" },
      el("p", { class: "guidelines", testid: "guidelines", hidden: true }),
      el("p", { class: "office-closed", testid: "office-closed", role: "status", hidden: true }));
    form.prepend(box);
    return box;
  });
  async function refresh() {
    let practice, office;
    try {
      [practice, office] = await Promise.all([api("GET", "/api/practice"), api("GET", "/api/practice/office")]);
    } catch (error) {
      return;  // the composers still work; the expectations return on the next refresh
    }
    for (const box of notes) {
      const guidelines = $(".guidelines", box);
      fill(guidelines, practice.guidelines);
      guidelines.hidden = !practice.guidelines;
      const closed = $(".office-closed", box);
      if (office.open) {
        closed.hidden = true;
      } else {
        fill(closed, office.next_opening
          ? `The office is closed now; we reply from ${openingText(office.next_opening, office.timezone)}.`
          : "The office is closed now.");
        closed.hidden = false;
      }
    }
  }
  await refresh();
  setInterval(refresh, 5 * 60 * 1000);
}

/** After a send: when its answer carries `crisis`, the resources at once, above the thread. */
export function showCrisis(answer) {
  const old = $("[data-testid=crisis-resources]");
  if (old) old.remove();
  if (!answer || !answer.crisis) return;
  const panel = el("section", { class: "crisis", testid: "crisis-resources", role: "alert", tabindex: "-1" },
    el("h3", {}, "If you need help right now"),
    el("p", { class: "crisis-text" }, answer.crisis.resources),
    el("p", { class: "fine" }, "Your message was sent and your care team has been alerted. " +
      "Messages are not monitored around the clock."),
    el("button", { type: "button", class: "quiet", onclick: () => panel.remove() }, "Close"));
  $("#thread-view").insertBefore(panel, $("#thread-view .thread-head").nextSibling);
  panel.focus();
}

// --- the inbox -------------------------------------------------------------------------------

/**
 * The urgent banner of the open thread and its buttons. `toolbar`: where "Mark urgent" goes;
 * `before`: the node the banner sits above; `onThread(summary)`: an action's answer.
 */
export class UrgentPanel {
  constructor({ toolbar, before, onThread }) {
    this.thread = null;
    this.onThread = onThread;
    this.mark = el("button", { type: "button", testid: "mark-urgent", onclick: () => this.act("POST", "urgent") }, "Mark urgent");
    toolbar.prepend(this.mark);
    this.banner = el("div", { class: "urgent-banner", role: "status", hidden: true });
    this.status = el("p", { class: "status-line", role: "status", hidden: true });
    before.parentNode.insertBefore(this.banner, before);
    before.parentNode.insertBefore(this.status, before);
  }

  render(thread) {
    this.thread = thread;
    say(this.status, "");
    const urgent = thread && !thread.deleted ? thread.urgent : null;
    this.mark.disabled = !thread || Boolean(thread.deleted);
    this.mark.hidden = this.mark.disabled || isOpenUrgent(thread);
    this.banner.hidden = !urgent;
    if (!urgent) {
      fill(this.banner);
      return;
    }
    const why = urgent.reason === "crisis_language"
      ? "Urgent: the client's message reads as a possible crisis."
      : "Urgent: marked by staff.";
    const owner = urgent.acknowledged_by
      ? `Acknowledged by ${urgent.acknowledged_by.name}, ${fullTime(urgent.acknowledged_at)}.`
      : `Since ${fullTime(urgent.since)}; nobody has acknowledged it yet.`;
    this.banner.dataset.acknowledged = String(Boolean(urgent.acknowledged_by));
    fill(this.banner,
      el("strong", {}, why), " ", owner, " ",
      urgent.acknowledged_by ? null
        : el("button", { type: "button", class: "primary", testid: "acknowledge", onclick: () => this.act("POST", "acknowledge") }, "Acknowledge"),
      el("button", { type: "button", class: "quiet", testid: "clear-urgent", onclick: () => this.act("DELETE", "urgent") }, "Not urgent"));
  }

  async act(method, path) {
    if (!this.thread) return;
    try {
      const answer = await api(method, `/api/threads/${this.thread.id}/${path}`);
      this.onThread(answer.thread);
    } catch (error) {
      say(this.status, error.message, "error");
    }
  }
}

/** An opt-in browser notification for thread.urgent while the tab is in the background. */
export class UrgentAlerts {
  constructor(topbar, onOpen) {
    this.onOpen = onOpen;
    this.supported = "Notification" in window;
    this.button = el("button", { type: "button", class: "quiet", testid: "urgent-alerts", hidden: true,
      onclick: () => this.ask() }, "Alert me of urgent messages");
    topbar.insertBefore(this.button, topbar.querySelector(".spacer"));
    this.button.hidden = !this.supported || Notification.permission !== "default";
  }

  async ask() {
    await Notification.requestPermission();
    this.button.hidden = Notification.permission !== "default";
  }

  /** No PHI: the practice's app name and that something is urgent; the thread opens on click. */
  heard(frame) {
    if (!this.supported || Notification.permission !== "granted" || document.visibilityState === "visible") return;
    const note = new Notification("Cairn: urgent message", {
      body: "A conversation was marked urgent. Open Cairn to read and acknowledge it.",
      tag: `urgent-${frame.thread_id}`,
    });
    note.onclick = () => {
      window.focus();
      this.onOpen(frame.thread_id);
    };
  }
}
