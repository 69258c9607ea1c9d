// The open thread in the staff inbox: its header, its actions, its messages and the reply box.
// The header editor lives in header-editor.js.

import { api, download } from "./api.js";
import { AttachmentPicker } from "./attachments.js";
import { $, audienceLabel, confirmDialog, el, fill, say, timeEl } from "./dom.js";
import { HeaderEditor } from "./header-editor.js";
import { newClientMsgId, showError } from "./page.js";
import { MessageList } from "./threads.js";

/** What staff read after sending to a client who has no portal account. */
export function invitationNotice(invitation, client) {
  if (!invitation) return "";
  const name = client ? client.name : "The client";
  if (invitation.status === "sent") {
    return `${name} has no portal account yet: an invitation to create one was emailed. The message is kept and waits for them.`;
  }
  return `${name} has no portal account and no email address, so no invitation could be sent. The message is kept; add an email address and invite them to read it.`;
}

export class ThreadView {
  constructor({ state, list, onClose, onHead = () => {} }) {
    this.state = state;
    this.list = list;
    this.onClose = onClose;
    this.onHead = onHead;  // the header was drawn for this.thread
    this.threadId = null;
    this.thread = null;
    this.asking = 0;
    this.draftId = null;
    this.pending = null;
    this.editor = new HeaderEditor(this);
    this.messages = new MessageList($("#messages"), {
      staff: true,
      onToggleRead: (message) => this.toggleRead(message),
      onDelete: (message) => this.deleteMessage(message),
    });
    this.wire();
  }

  wire() {
    const body = $("#reply-body");
    const send = $("[data-testid=send]");
    const check = () => { send.disabled = !this.canSend(); };
    this.attach = new AttachmentPicker($("#reply-form"), { onChange: check, before: $("#reply-form .reply-actions") });
    body.addEventListener("input", check);
    body.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("#reply-form").requestSubmit();
    });
    $("#reply-form").addEventListener("submit", (event) => this.reply(event));
    $("#thread-read").addEventListener("click", () => this.markThread("read"));
    $("#thread-unread").addEventListener("click", () => this.markThread("unread"));
    $("#archive").addEventListener("click", () => this.archive());
    $("#export").addEventListener("click", () => this.export());
    $("#delete").addEventListener("click", () => this.deleteThread());
  }

  path(suffix = "") {
    return `/api/threads/${this.threadId}${suffix}`;
  }

  /** Show a line under the header (an invitation note, an error, a confirmation). */
  notice(text, kind = "info") {
    say($("#thread-notice"), text, kind);
  }

  async open(id, { quiet = false } = {}) {
    const changed = id !== this.threadId || !this.thread;
    this.threadId = id;
    const asked = ++this.asking;
    if (changed) {
      this.thread = null;
      this.messages.set([]);
      fill($("#thread-subject"), "Loading…");
      for (const button of document.querySelectorAll(".thread-head .toolbar button")) button.disabled = true;
      fill($("#thread-meta"));
      this.notice("");
      this.editor.close();
      $("#reply-body").value = "";
      this.attach.clear();
      $("[data-testid=send]").disabled = true;
      say($("#reply-status"), "");
      this.draftId = null;
    }
    // Events about this thread that arrive while it loads are applied on top of the answer.
    this.pending = [];
    let data;
    try {
      const deletedView = this.state.filters.state === "deleted" ? "?state=deleted" : "";
      data = await api("GET", this.path(deletedView));
    } catch (error) {
      if (asked !== this.asking) return;
      this.pending = null;
      if (error.status === 404) {
        this.close("This conversation is not available: it was deleted or is no longer shared with you.");
      } else {
        this.notice(error.message, "error");
      }
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
    this.editor.close();
    this.list.select(null);
    history.replaceState(null, "", "/inbox");
    say($("#empty-notice"), text || "", "warning");
    // On a small screen the list replaces the thread: say it there.
    if (text && window.matchMedia("(max-width: 760px)").matches) say($("#list-status"), text, "warning");
    this.onClose();
  }

  scrollToEnd() {
    const last = $("#messages").lastElementChild;
    if (last) last.scrollIntoView({ block: "nearest" });
  }

  renderHead() {
    const thread = this.thread;
    const client = this.state.clients.get(thread.client.id);
    fill($("#thread-subject"), thread.subject);
    fill($("#thread-meta"),
      el("span", { class: "client-name" }, thread.client.name),
      client && !client.has_portal_account ? el("span", { class: "tag" }, "no portal account") : null,
      el("span", { class: "chip" }, audienceLabel(thread.audience)),
      thread.topic ? el("span", { class: "chip" }, thread.topic.name) : null,
      el("span", { class: "muted" }, "Started ", timeEl(thread.created_at, { long: true })));
    $("#archive").textContent = thread.archived ? "Unarchive" : "Archive";
    const gone = Boolean(thread.deleted);
    for (const id of ["#edit-header", "#thread-read", "#thread-unread", "#archive", "#export", "#delete"]) {
      $(id).disabled = gone;
    }
    $("#reply-form").hidden = gone;
    if (gone) this.notice("This conversation was deleted. It is shown here for the record only.", "warning");
    this.onHead(thread);
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
        this.messages.put(frame.message);
        this.thread = { ...this.thread, ...frame.thread };
        this.renderHead();
        if (atEnd) this.scrollToEnd();
        break;
      }
      case "message.deleted":
        if (this.state.filters.state === "deleted") this.messages.update(frame.message_id, { deleted: true });
        else this.messages.remove(frame.message_id);
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
        this.close(frame.reason === "deleted"
          ? "This conversation was deleted."
          : "This conversation moved to an audience you do not see, so it left your inbox.");
        break;
      default:
        break;
    }
  }

  nearEnd() {
    const box = document.scrollingElement;
    return box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  }

  /** Text or a finished upload, and no upload still running. */
  canSend() {
    return Boolean(($("#reply-body").value.trim() || this.attach.ids().length) && !this.attach.busy());
  }

  async reply(event) {
    event.preventDefault();
    const bodyInput = $("#reply-body");
    const body = bodyInput.value.trim();
    if (!this.canSend() || !this.thread) return;
    const send = $("[data-testid=send]");
    const markRead = $("#mark-read").checked;
    send.disabled = true;
    this.draftId = this.draftId || newClientMsgId();
    say($("#reply-status"), "Sending…");
    try {
      const sent = await api("POST", this.path("/messages"),
        { body, mark_thread_read: markRead, client_msg_id: this.draftId, attachments: this.attach.ids() });
      this.draftId = null;
      bodyInput.value = "";
      this.attach.clear();
      this.messages.put(sent.message);
      if (markRead) {
        for (const message of this.messages.all()) {
          if (message.unread) this.messages.update(message.id, { unread: false });
        }
        this.list.setUnread(this.threadId, 0);
      }
      say($("#reply-status"), invitationNotice(sent.invitation, this.thread.client), "info");
      this.scrollToEnd();
      bodyInput.focus();
    } catch (error) {
      showError($("#reply-status"), error);
      send.disabled = !this.canSend();
    }
  }

  async toggleRead(message) {
    try {
      const answer = await api("POST", `/api/messages/${message.id}/${message.unread ? "read" : "unread"}`);
      // The answer carries the new flag, not the text (reads of text are audited).
      this.messages.update(answer.message.id, { unread: answer.message.unread });
      this.list.setUnread(this.threadId, this.messages.unreadCount());
    } catch (error) {
      this.notice(error.message, "error");
    }
  }

  async deleteMessage(message) {
    const sure = await confirmDialog(
      "Delete this message? It disappears for everyone; staff can still find it under “Deleted”.",
      "Delete message");
    if (!sure) return;
    try {
      await api("DELETE", `/api/messages/${message.id}`);
      this.messages.remove(message.id);
      this.list.setUnread(this.threadId, this.messages.unreadCount());
      this.notice("Message deleted.");
    } catch (error) {
      this.notice(error.message, "error");
    }
  }

  async markThread(how) {
    try {
      const answer = await api("POST", this.path(`/${how}`));
      this.thread = answer.thread;
      if (how === "read") {
        for (const message of this.messages.all()) {
          if (message.unread) this.messages.update(message.id, { unread: false });
        }
      }
      this.list.upsert(answer.thread);
    } catch (error) {
      this.notice(error.message, "error");
    }
  }

  async archive() {
    const how = this.thread.archived ? "unarchive" : "archive";
    try {
      const answer = await api("POST", this.path(`/${how}`));
      this.thread = answer.thread;
      this.renderHead();
      this.list.upsert(answer.thread);
      this.notice(how === "archive"
        ? "Archived for you. A new message brings it back to the inbox."
        : "Back in your inbox.");
    } catch (error) {
      this.notice(error.message, "error");
    }
  }

  async export() {
    try {
      await download(this.path("/export"), `thread-${this.threadId}.pdf`);
    } catch (error) {
      this.notice(error.message, "error");
    }
  }

  async deleteThread() {
    const sure = await confirmDialog(
      "Delete this conversation and all its messages? The client will no longer see it; staff can still find it under “Deleted”.",
      "Delete conversation");
    if (!sure) return;
    try {
      await api("DELETE", this.path());
      this.list.remove(this.threadId);
      this.close("Conversation deleted.");
    } catch (error) {
      this.notice(error.message, "error");
    }
  }
}
