// The thread list and the messages of one thread, shared by the inbox and the portal.
//
// Both keep their data and re-render from it, so an event applied twice (a live push and its
// replay after a reconnect) leaves the same screen.

import { audienceLabel, dayKey, dayLabel, el, fill, timeEl } from "./dom.js";
import { attachmentList } from "./attachments.js";
import { isOpenUrgent, urgentFirst } from "./urgent.js";

export class ThreadList {
  /**
   * node: the <ul>; options: {onOpen(id), matches(thread) -> bool, showClient, noAccount(clientId),
   * mine(author) -> whether the reader wrote it, matchLine(thread) -> node | null (a search
   * result's snippet, shown instead of the preview)}
   */
  constructor(node, options) {
    this.node = node;
    this.options = options;
    this.threads = new Map();
    this.selected = null;
  }

  set(threads) {
    this.threads = new Map(threads.map((thread) => [thread.id, thread]));
    this.render();
  }

  add(threads) {
    for (const thread of threads) this.threads.set(thread.id, thread);
    this.render();
  }

  get(id) {
    return this.threads.get(id);
  }

  /** Insert or replace a summary; one that no longer matches the filters leaves the list. */
  upsert(thread) {
    // A search result keeps its match when a push or a fresh summary (which carry none) replaces it.
    const known = this.threads.get(thread.id);
    if (known && known.match && !thread.match) thread = { ...thread, match: known.match };
    if (this.options.matches(thread)) this.threads.set(thread.id, thread);
    else this.threads.delete(thread.id);
    this.render();
  }

  remove(id) {
    if (this.threads.delete(id)) this.render();
  }

  /** Change a thread's unread count (it is dropped from an "unread" list at 0). */
  setUnread(id, count) {
    const thread = this.threads.get(id);
    if (!thread) return;
    this.upsert({ ...thread, unread_count: Math.max(0, count) });
  }

  select(id) {
    this.selected = id;
    this.render();
  }

  render() {
    const focused = document.activeElement && this.node.contains(document.activeElement)
      ? document.activeElement.dataset.threadId : null;
    const rows = [...this.threads.values()].sort(urgentFirst).map((thread) => this.row(thread));
    fill(this.node, rows.length ? rows : [el("li", { class: "empty" }, "No conversations here.")]);
    if (focused) {
      const again = this.node.querySelector(`[data-thread-id="${focused}"]`);
      if (again) again.focus();
    }
  }

  row(thread) {
    const unread = thread.unread_count > 0;
    const urgent = isOpenUrgent(thread);
    const { showClient, noAccount } = this.options;
    const meta = [audienceLabel(thread.audience), thread.topic ? thread.topic.name : null].filter(Boolean).join(" · ");
    const button = el("button", {
      type: "button",
      class: "thread-row",
      testid: "thread-row",
      dataset: { threadId: String(thread.id), unread: String(unread), urgent: String(urgent) },
      "aria-current": thread.id === this.selected ? "true" : null,
      onclick: () => this.options.onOpen(thread.id),
    },
    el("span", { class: "dot", "aria-hidden": "true" }),
    el("span", { class: "row-main" },
      showClient ? el("span", { class: "row-client" }, thread.client.name,
        noAccount && noAccount(thread.client.id) ? el("span", { class: "tag" }, "no portal account") : null) : null,
      urgent ? el("span", { class: "urgent-tag" }, "Urgent") : null,
      el("span", { class: "row-subject" }, thread.subject),
      (this.options.matchLine && this.options.matchLine(thread)) || this.preview(thread),
      el("span", { class: "row-meta" }, meta, thread.archived ? " · archived" : "", thread.deleted ? " · deleted" : "")),
    el("span", { class: "row-side" },
      timeEl(thread.last_message_at),
      unread ? el("span", { class: "count" }, `${thread.unread_count} unread`) : null));
    return el("li", {}, button);
  }

  /** One line: who wrote last ("You" for the reader) and how it begins. */
  preview(thread) {
    const last = thread.last_message;
    if (!last) return null;
    const mine = this.options.mine && this.options.mine(last.author);
    return el("span", { class: "row-preview", testid: "thread-preview" },
      el("span", { class: "row-author" }, `${mine ? "You" : last.author.name}: `),
      last.preview || "sent a file");
  }
}

/**
 * The messages of the open thread, under a separator for each day. options: {staff: bool,
 * onToggleRead(message), onDelete(message), deleteRefusal(message) -> why it cannot be deleted}
 */
export class MessageList {
  constructor(node, options) {
    this.node = node;
    this.options = options;
    this.messages = new Map();
  }

  set(messages) {
    this.messages = new Map(messages.map((message) => [message.id, message]));
    this.render();
  }

  /**
   * Take a fresh HTTP answer for the same thread, keeping messages newer than anything in it
   * (a send or a push that landed while the request was on its way).
   */
  refresh(messages) {
    const newest = Math.max(0, ...messages.map((m) => m.id));
    const later = [...this.messages.values()].filter((m) => m.id > newest);
    this.set([...messages, ...later]);
  }

  has(id) {
    return this.messages.has(id);
  }

  /** Add or update a message (a push and an HTTP answer may both bring it). */
  put(message) {
    const known = this.messages.get(message.id) || {};
    const merged = { ...known, ...message };
    // An HTTP answer can be older than a live receipt already shown (the client may open the
    // thread before our POST returns): a receipt is never taken back, nor what came with it.
    if (known.seen_by_client_at && !message.seen_by_client_at) {
      merged.seen_by_client_at = known.seen_by_client_at;
      merged.can_delete = known.can_delete;
    }
    this.messages.set(message.id, merged);
    this.render();
  }

  update(id, changes) {
    const message = this.messages.get(id);
    if (!message) return;
    this.messages.set(id, { ...message, ...changes });
    this.render();
  }

  remove(id) {
    if (this.messages.delete(id)) this.render();
  }

  unreadCount() {
    return [...this.messages.values()].filter((m) => m.unread && !m.deleted).length;
  }

  all() {
    return [...this.messages.values()];
  }

  render() {
    const focused = document.activeElement && this.node.contains(document.activeElement)
      ? [document.activeElement.closest("[data-message-id]")?.dataset.messageId, document.activeElement.dataset.action]
      : null;
    const sorted = [...this.messages.values()].sort((a, b) =>
      a.created_at === b.created_at ? a.id - b.id : a.created_at < b.created_at ? -1 : 1);
    const items = [];
    let day = null;
    for (const message of sorted) {
      if (dayKey(message.created_at) !== day) {
        day = dayKey(message.created_at);
        items.push(el("li", { class: "day-separator" },
          el("time", { datetime: message.created_at.slice(0, 10) }, dayLabel(message.created_at))));
      }
      items.push(this.item(message));
    }
    fill(this.node, items);
    if (focused && focused[0]) {
      const again = this.node.querySelector(`[data-message-id="${focused[0]}"] [data-action="${focused[1]}"]`);
      if (again) again.focus();
    }
  }

  item(message) {
    const { staff } = this.options;
    const fromClient = message.author.kind === "client";
    const li = el("li", {
      class: `message ${fromClient ? "from-client" : "from-staff"}${message.deleted ? " deleted" : ""}`,
      testid: "message",
      dataset: { messageId: String(message.id), unread: String(Boolean(message.unread)) },
      tabindex: "-1",
    },
    el("div", { class: "message-head" },
      el("span", { class: "dot", "aria-hidden": "true" }),
      message.unread ? el("span", { class: "visually-hidden" }, "Unread. ") : null,
      el("span", { class: "author" }, message.author.name),
      timeEl(message.created_at, { clock: true }),
      message.deleted ? el("span", { class: "tag" }, "deleted") : null),
    el("p", { class: "body" }, message.body),
    attachmentList(message, { deletedView: staff }));
    if (staff && !fromClient && message.seen_by_client_at) {
      li.append(el("p", { class: "receipt", testid: "seen-receipt" }, "Seen by client ", timeEl(message.seen_by_client_at)));
    }
    if (staff && !message.deleted) li.append(this.actions(message));
    return li;
  }

  actions(message) {
    const { onToggleRead, onDelete, deleteRefusal } = this.options;
    const reasonId = `cannot-delete-${message.id}`;
    const refusal = message.can_delete ? null : deleteRefusal(message);
    return el("div", { class: "message-actions" },
      el("button", {
        type: "button",
        class: "quiet small",
        testid: "message-toggle-read",
        dataset: { action: "read" },
        onclick: () => onToggleRead(message),
      }, message.unread ? "Mark read" : "Mark unread"),
      el("button", {
        type: "button",
        class: "quiet small danger-text",
        testid: "message-delete",
        dataset: { action: "delete" },
        disabled: !message.can_delete,
        "aria-describedby": message.can_delete ? null : reasonId,
        title: refusal,
        onclick: () => onDelete(message),
      }, "Delete"),
      refusal ? el("span", { class: "reason", id: reasonId }, refusal) : null);
  }
}
