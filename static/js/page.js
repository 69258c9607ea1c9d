// What the inbox and the portal share: who is signed in, the header, the live socket.

import { api, markSignedIn, signOut, toSignIn } from "./api.js";
import { $, say, showBadge, showConnection } from "./dom.js";
import { alertIfAway, setUpNotifications } from "./notifications.js";
import { LiveSocket } from "./socket.js";

let live = null;
let onScreen = null;

/** The thread now on screen (null: none), told to the server for email timing. */
export function viewing(threadId) {
  onScreen = threadId ?? null;
  if (live) live.viewing(onScreen);
}

/**
 * Check who is signed in and that they are on their page (staff: /inbox, client: /portal).
 * Resolves `me`, or never (the page is being left).
 */
export async function signedInAs(kind) {
  let me;
  try {
    me = await api("GET", "/api/me", undefined, { allow401: true });
  } catch (error) {
    window.location.replace(error.status === 403 ? "/?portal_off=1" : "/");
    return new Promise(() => {});
  }
  if (me.kind !== kind) {
    window.location.replace(me.kind === "staff" ? "/inbox" : "/portal");
    return new Promise(() => {});
  }
  markSignedIn();
  $("#practice-name").textContent = me.practice.name;
  $("#user-name").textContent = me.name;
  $("#sign-out").addEventListener("click", signOut);
  showBadge($("[data-testid=badge]"), me.badge);
  setUpNotifications(me);
  return me;
}

/**
 * Start the socket. `page` has load(), event(frame); the badge and the connection line are
 * handled here.
 */
export function goLive(page) {
  const badge = $("[data-testid=badge]");
  const socket = new LiveSocket({
    load: () => page.load(),
    event: (frame) => {
      if (frame.type === "badge") showBadge(badge, frame.unread);
      else page.event(frame);
      alertIfAway(frame);
    },
    status: (state) => {
      showConnection($("#connection"), state);
      document.documentElement.dataset.connection = state;
    },
    closed: async () => {
      // A client whose practice switched the portal off: back to sign-in, saying so.
      try {
        await api("GET", "/api/me");
      } catch (error) {
        if (error.code === "portal_disabled") {
          toSignIn("portal_off");
          return;
        }
      }
      const line = $("#connection");
      line.hidden = false;
      line.dataset.state = "closed";
      line.textContent = "Live updates stopped: you no longer have access. Sign in again.";
      document.documentElement.dataset.connection = "closed";
    },
  });
  live = socket;
  socket.viewing(onScreen);
  socket.start();
  // Tests (and the curious) can reach the socket to drop it on purpose.
  window.cairnSocket = socket;
  return socket;
}

/** Show an error from an API call next to where it happened. */
export function showError(node, error) {
  say(node, error && error.message ? error.message : String(error), "error");
}

/** A fresh id for a send, so a retried request does not post twice. */
export function newClientMsgId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
