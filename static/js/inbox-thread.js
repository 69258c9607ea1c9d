// The open thread in the staff inbox: the shared thread view (thread-view.js) plus the staff's
// toolbar (read marks, archive, export, delete, invite), per-message actions and the reply's
// "mark as read". The header editor lives in header-editor.js, the invitation form in invite.js.

import { api, download } from "./api.js";
import { $, confirmDialog, el, fullTime, say } from "./dom.js";
import { HeaderEditor } from "./header-editor.js";
import { InvitePanel } from "./invite.js";
import { ThreadView } from "./thread-view.js";

const TOOLBAR = ["#edit-header", "#thread-read", "#thread-unread", "#archive", "#export", "#delete"];

/**
 * What staff read after writing to a client who has no portal account. `written`: when the
 * message was written (an invitation emailed then is new); `canInvite`: the reader can add an
 * email address from the thread.
 */
export function invitationNotice(invitation, client, { written = null, canInvite = false } = {}) {
  if (!invitation) return "";
  const name = client ? client.name : "The client";
  if (invitation.status === "sent") {
    const sentAt = invitation.sent_at ? Date.parse(invitation.sent_at) : null;
    const fresh = !sentAt || !written || sentAt >= Date.parse(written);
    if (fresh) {
      return `${name} has no portal account yet: an invitation to create one was emailed. The message is kept and waits for them.`;
    }
    return `${name} has no portal account yet. No new email was sent: the invitation emailed ${fullTime(invitation.sent_at)} is still open, and this message waits for them with the others.`;
  }
  return `${name} has no portal account and no email address, so no invitation could be sent. The message is kept. `
    + (canInvite ? "Use “Add email and invite” to invite them."
      : "A practice admin can add their email address and invite them.");
}

/** Why a staff member may not delete `message` in a thread of `audience` (SPEC §2 "Deleting"). */
export function deleteRefusal(message, audience) {
  const who = audience === "clinical" ? "a clinical admin" : "a practice admin";
  if (message.author.kind === "client") return `Written by the client: only ${who} can delete it.`;
  if (message.author.kind === "system") return `Only ${who} can delete this automatic reply.`;
  return `The client has seen this message: only ${who} can delete it.`;
}

export class StaffThreadView extends ThreadView {
  /** onHead(thread): the header was drawn for the open thread (the urgent panel follows it). */
  constructor({ state, list, onClose, onHead = () => {} }) {
    super({
      me: state.me,
      list,
      onClose,
      gone: "This conversation is not available: it was deleted or is no longer shared with you.",
      query: () => (state.filters.state === "deleted" ? "?state=deleted" : ""),
      messageOptions: {
        staff: true,
        onToggleRead: (message) => this.toggleRead(message),
        onDelete: (message) => this.deleteMessage(message),
        deleteRefusal: (message) => deleteRefusal(message, this.thread ? this.thread.audience : ""),
      },
    });
    this.state = state;
    this.onHead = onHead;
    this.editor = new HeaderEditor(this);
    this.invite = new InvitePanel(this);
    $("#thread-read").addEventListener("click", () => this.markThread("read"));
    $("#thread-unread").addEventListener("click", () => this.markThread("unread"));
    $("#archive").addEventListener("click", () => this.archive());
    $("#export").addEventListener("click", () => this.export());
    $("#delete").addEventListener("click", () => this.deleteThread());
  }

  reset() {
    super.reset();
    for (const id of TOOLBAR) $(id).disabled = true;
    this.editor.close();
    this.invite.close();
  }

  close(text) {
    this.editor.close();
    this.invite.close();
    super.close(text);
  }

  /** Whether this user may add a client's email address (and so invite anyone). */
  canEditClients() {
    return this.me.roles.includes("practice_admin");
  }

  renderHead() {
    const thread = this.thread;
    const client = this.state.clients.get(thread.client.id);
    super.renderHead([
      el("span", { class: "client-name" }, thread.client.name),
      client && !client.has_portal_account ? el("span", { class: "tag" }, "no portal account") : null,
    ]);
    $("#archive").textContent = thread.archived ? "Unarchive" : "Archive";
    const gone = Boolean(thread.deleted);
    for (const id of TOOLBAR) $(id).disabled = gone;
    this.invite.offer(gone ? null : client);
    $("#reply-form").hidden = gone;
    if (gone) this.notice("This conversation was deleted. It is shown here for the record only.", "warning");
    this.onHead(thread);
  }

  messageDeleted(messageId) {
    if (this.state.filters.state === "deleted") this.messages.update(messageId, { deleted: true });
    else this.messages.remove(messageId);
  }

  removedText(frame) {
    return frame.reason === "deleted"
      ? "This conversation was deleted."
      : "This conversation moved to an audience you do not see, so it left your inbox.";
  }

  replyFields() {
    return { mark_thread_read: $("#mark-read").checked };
  }

  afterSend(sent) {
    if ($("#mark-read").checked) {
      for (const message of this.messages.all()) {
        if (message.unread) this.messages.update(message.id, { unread: false });
      }
      this.list.setUnread(this.threadId, 0);
    }
    const client = this.state.clients.get(this.thread.client.id) || this.thread.client;
    say($("#reply-status"), invitationNotice(sent.invitation, client, {
      written: sent.message.created_at, canInvite: this.canEditClients(),
    }) || "Sent.", "info");
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
