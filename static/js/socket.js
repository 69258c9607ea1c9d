// The live connection to /ws/ (SPEC §3 "WebSocket"), shared by the inbox and the portal.
//
// On the first `hello` the page loads its state over HTTP (so nothing committed after the
// hello's cursor is missed: it arrives as an event). When the socket drops, it reconnects by
// itself with a growing delay and sends `resume` with the last cursor it applied; the server
// replays what was missed, then `resumed`. If the cursor is too old (`resync_required`), the page
// reloads its state over HTTP. Events are hints; the page applies them idempotently.
//
// The page tells the server which thread is on screen (`viewing`), so that a message arriving in
// it counts as reviewed for email (docs/WEBSOCKET.md, "What is on screen"): on every change, on
// every (re)connection, and null while the tab is hidden.

import { api, toSignIn } from "./api.js";

const SIGNED_OUT = 4001;
const NOT_ALLOWED = 4003;
const PING_EVERY_MS = 25000;
const MAX_DELAY_MS = 15000;

export class LiveSocket {
  /**
   * handlers: {
   *   load(): reload the page's state over HTTP (first hello, resync),
   *   event(frame): apply one event frame,
   *   status(state): "connecting" | "live" | "reconnecting",
   *   closed(code): the server closed the socket for good (4003: not allowed any more),
   * }
   */
  constructor(handlers) {
    this.handlers = handlers;
    this.cursor = null;
    this.attempt = 0;
    this.socket = null;
    this.stopped = false;
    this.pinger = null;
    this.opened = false;
    this.queue = null;
    this.onScreen = null; // the thread the page shows, or null
    this.told = undefined; // what this connection was last told
  }

  start() {
    this.stopped = false;
    this.connect();
    window.addEventListener("online", () => this.retryNow());
    document.addEventListener("visibilitychange", () => this.tellViewing());
  }

  /** The page now shows thread `threadId` (null: none). */
  viewing(threadId) {
    this.onScreen = threadId ?? null;
    this.tellViewing();
  }

  tellViewing() {
    const shown = document.visibilityState === "hidden" ? null : this.onScreen;
    if (shown === this.told || !this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    this.told = shown;
    this.send({ type: "viewing", thread_id: shown });
  }

  stop() {
    this.stopped = true;
    clearInterval(this.pinger);
    if (this.socket) this.socket.close(1000);
  }

  /** Drop the connection as if the network failed (for tests and for "retry now"). */
  retryNow() {
    if (this.stopped) return;
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return;
    clearTimeout(this.timer);
    this.connect();
  }

  connect() {
    clearTimeout(this.timer);
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws/`, "json");
    this.socket = socket;
    this.opened = false;
    this.handlers.status(this.cursor === null ? "connecting" : "reconnecting");
    socket.addEventListener("open", () => {
      this.opened = true;
    });
    socket.addEventListener("message", (event) => this.receive(socket, event.data));
    socket.addEventListener("close", (event) => this.closed(socket, event));
  }

  async receive(socket, data) {
    if (socket !== this.socket) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch (error) {
      return;
    }
    switch (frame.type) {
      case "hello":
        this.attempt = 0;
        clearInterval(this.pinger);
        this.pinger = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
        // The hello's badge is the count right now: take it on every (re)connection.
        this.handlers.event({ type: "badge", unread: frame.badge });
        this.told = undefined;
        this.tellViewing();
        if (this.cursor === null) {
          this.cursor = frame.cursor;
          await this.reload(frame);
        } else {
          // Ask for what happened while away; `resumed` ends the replay.
          this.send({ type: "resume", cursor: this.cursor });
        }
        return;
      case "resumed":
        this.advance(frame.cursor);
        this.handlers.status("live");
        return;
      case "resync_required":
        this.cursor = frame.cursor ?? this.cursor;
        await this.reload(frame);
        return;
      case "pong":
      case "error":
        return;
      default:
        if (typeof frame.cursor === "number") this.advance(frame.cursor);
        // Events that arrive while the state loads are applied on top of it afterwards.
        if (this.queue) this.queue.push(frame);
        else this.handlers.event(frame);
    }
  }

  async reload(frame) {
    this.queue = [];
    try {
      await this.handlers.load(frame);
    } finally {
      const queued = this.queue;
      this.queue = null;
      for (const event of queued) this.handlers.event(event);
    }
    this.handlers.status("live");
  }

  advance(cursor) {
    if (typeof cursor === "number" && (this.cursor === null || cursor > this.cursor)) {
      this.cursor = cursor;
    }
  }

  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
    }
  }

  async closed(socket, event) {
    if (socket !== this.socket) return;
    clearInterval(this.pinger);
    if (this.stopped) return;
    if (event.code === SIGNED_OUT) {
      toSignIn("expired");
      return;
    }
    if (event.code === NOT_ALLOWED) {
      this.stopped = true;
      this.handlers.closed(event.code);
      return;
    }
    this.handlers.status("reconnecting");
    if (!this.opened) {
      // Refused at the handshake: a session that ended is the usual reason. A 401 here sends
      // the page to sign-in (api.js); anything else, keep trying.
      try {
        await api("GET", "/api/badge");
      } catch (error) {
        if (error.status === 403) {
          this.stopped = true;
          this.handlers.closed(NOT_ALLOWED);
          return;
        }
      }
    }
    const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** this.attempt) * (0.75 + Math.random() / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
