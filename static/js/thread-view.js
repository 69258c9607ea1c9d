// The open thread, shared by the staff inbox and the client portal: loading it (events that
// arrive meanwhile are applied after), its header line, its messages, the live events about it,
// the reply box with its per-thread draft, and the actions menu on small screens. The inbox adds
// its toolbar and header editor (inbox-thread.js), the portal its "seen" behaviour (portal.js).

import { api } from "./api.js";
import { AttachmentPicker } from "./attachments.js";
import { $, announce, audienceLabel, el, fill, say, timeEl } from "./dom.js";
import { clearDraft, loadDraft, saveDraft } from "./drafts.js";
import { newClientMsgId, showError } from "./page.js";
import { MessageList } from "./threads.js";

const NEAR_END_PX = 120;

export class ThreadView {
  /**
   * options: {me, list (ThreadList), onClose(), messageOptions (for MessageList),
   * gone (what a 404 says), query() (extra query string for GET /api/threads/{id})}
   */
  constructor(options) {
    this.options = options;
    this.me = options.me;
    this.list = options.list;
    this.threadId = null;
    this.thread = null;
    this.asking = 0;
    this.sendId = null;
    this.pending = null;
    this.box = $("#messages");
    this.messages = new MessageList(this.box, options.messageOptions);
    this.wireReply();
    this.wireMenu();
  }

  wireReply() {
    const body = $("#reply-body");
    const check = () => { $("[data-testid=send]").disabled = !this.canSend(); };
    this.attach = new AttachmentPicker($("#reply-form"), { onChange: check, before: $("#reply-form .reply-actions") });
    body.addEventListener("input", () => {
      check();
      if (this.threadId) saveDraft(this.me.id, `thread-${this.threadId}`, body.value, !body.value.trim());
    });
    body.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("#reply-form").requestSubmit();
    });
    $("#reply-form").addEventListener("submit", (event) => this.reply(event));
  }

  /** On small screens the thread's actions sit behind one button (#thread-menu). */
  wireMenu() {
    const toggle = $("#thread-menu");
    if (!toggle) return;
    const menu = $("#thread-toolbar");
    const setOpen = (open) => {
      toggle.setAttribute("aria-expanded", String(open));
      menu.dataset.open = String(open);
    };
    toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
    menu.addEventListener("click", (event) => {
      if (event.target.closest("button")) setOpen(false);
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        setOpen(false);
        toggle.focus();
      }
    });
    this.closeMenu = () => setOpen(false);
  }

  path(suffix = "") {
    return `/api/threads/${this.threadId}${suffix}`;
  }

  /** Show a line under the header (an invitation note, an error, a confirmation). */
  notice(text, kind = "info") {
    say($("#thread-notice"), text, kind);
  }

  /** Forget what was on screen for the previous thread (subclasses clear their parts too). */
  reset() {
    this.thread = null;
    this.messages.set([]);
    fill($("#thread-subject"), "Loading…");
    fill($("#thread-meta"));
    this.notice("");
    if (this.closeMenu) this.closeMenu();
    const draft = loadDraft(this.me.id, `thread-${this.threadId}`);
    $("#reply-body").value = typeof draft === "string" ? draft : "";
    this.attach.clear();
    $("[data-testid=send]").disabled = !this.canSend();
    say($("#reply-status"), "");
    this.sendId = null;
  }

  async open(id, { quiet = false } = {}) {
    const changed = id !== this.threadId || !this.thread;
    this.threadId = id;
    const asked = ++this.asking;
    if (changed) this.reset();
    // Events about this thread that arrive while it loads are applied on top of the answer.
    this.pending = [];
    let data;
    try {
      data = await api("GET", this.path(this.options.query ? this.options.query() : ""));
    } catch (error) {
      if (asked !== this.asking) return;
      this.pending = null;
      if (error.status === 404) this.close(this.options.gone);
      else this.notice(error.message, "error");
      return;
    }
    if (asked !== this.asking) return;
    this.thread = data.thread;
    this.renderHead();
    if (changed) this.messages.set(data.messages);
    else this.messages.refresh(data.messages);
    if (!data.thread.deleted) this.list.upsert(data.thread);
    const queued = this.pending || [];
    this.pending = null;
    for (const frame of queued) this.event(frame);
    if (changed && !quiet) {
      $("#thread-subject").focus();
      this.scrollToEnd();
    }
  }

  close(text) {
    this.threadId = null;
    this.thread = null;
    this.pending = null;
    this.asking += 1;
    this.messages.set([]);
    this.list.select(null);
    say($("#empty-notice"), text || "", "warning");
    // On a small screen the list replaces the thread: say it there.
    if (text && window.matchMedia("(max-width: 760px)").matches) say($("#list-status"), text, "warning");
    this.options.onClose();
  }

  scrollToEnd() {
    this.box.scrollTop = this.box.scrollHeight;
  }

  nearEnd() {
    return this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < NEAR_END_PX;
  }

  /** The header line: the chips every reader sees; `leading` goes first (the staff's client). */
  renderHead(leading = []) {
    const thread = this.thread;
    fill($("#thread-subject"), thread.subject);
    fill($("#thread-meta"), ...leading,
      el("span", { class: "chip" }, audienceLabel(thread.audience)),
      thread.topic ? el("span", { class: "chip" }, thread.topic.name) : null,
      el("span", { class: "muted" }, "Started ", timeEl(thread.created_at, { long: true })));
  }

  /** A live event; only those about the open thread matter here. */
  event(frame) {
    const id = frame.thread_id ?? frame.thread?.id ?? frame.message?.thread_id;
    if (id !== this.threadId) return;
    if (this.pending) {
      this.pending.push(frame);
      return;
    }
    if (!this.thread) return;
    switch (frame.type) {
      case "message.created": {
        const atEnd = this.nearEnd();
        const known = this.messages.has(frame.message.id);
        this.messages.put(frame.message);
        this.thread = { ...this.thread, ...frame.thread };
        this.renderHead();
        if (atEnd) this.scrollToEnd();
        if (!known && frame.message.author.id !== this.me.id) {
          announce(`New message from ${frame.message.author.name}.`);
          this.arrived(frame.message);
        }
        break;
      }
      case "message.deleted":
        this.messageDeleted(frame.message_id);
        break;
      case "message.read_state":
        for (const messageId of frame.message_ids) this.messages.update(messageId, { unread: frame.unread });
        this.list.setUnread(this.threadId, this.messages.unreadCount());
        break;
      case "receipt.seen": {
        const changes = { seen_by_client_at: frame.seen_by_client_at };
        if (typeof frame.can_delete === "boolean") changes.can_delete = frame.can_delete;
        this.messages.update(frame.message_id, changes);
        break;
      }
      case "thread.updated":
        this.thread = { ...this.thread, ...frame.thread };
        this.renderHead();
        break;
      case "thread.removed":
        this.close(this.removedText(frame));
        break;
      default:
        break;
    }
  }

  /** Someone else's message arrived in the open thread (the portal marks it seen). */
  arrived() {}

  messageDeleted(messageId) {
    this.messages.remove(messageId);
  }

  removedText() {
    return this.options.gone;
  }

  /** The reply box's POST body beyond `body` and `client_msg_id` (staff: mark read). */
  replyFields() {
    return {};
  }

  /** After a reply was sent: what the status line says. */
  afterSend() {
    say($("#reply-status"), "Sent.");
  }

  /** Text or a finished upload, and no upload still running. */
  canSend() {
    return Boolean(($("#reply-body").value.trim() || this.attach.ids().length) && !this.attach.busy());
  }

  async reply(event) {
    event.preventDefault();
    const input = $("#reply-body");
    const body = input.value.trim();
    if (!this.canSend()) return;
    if (!this.thread) {
      say($("#reply-status"), "The conversation is still loading: send again in a moment.", "warning");
      return;
    }
    const send = $("[data-testid=send]");
    send.disabled = true;
    const threadId = this.threadId;
    this.sendId = this.sendId || newClientMsgId();
    say($("#reply-status"), "Sending…");
    try {
      const sent = await api("POST", this.path("/messages"),
        { body, client_msg_id: this.sendId, attachments: this.attach.ids(), ...this.replyFields() });
      this.sendId = null;
      clearDraft(this.me.id, `thread-${threadId}`);
      if (threadId !== this.threadId) return;
      input.value = "";
      this.attach.clear();
      this.messages.put(sent.message);
      this.afterSend(sent);
      this.scrollToEnd();
      input.focus();
    } catch (error) {
      showError($("#reply-status"), error);
      send.disabled = !this.canSend();
    }
  }
}
