// "+ New" (a thread with a client, the topic filling the subject, kept as a draft until sent)
// and the notification settings.

import { api } from "./api.js";
import { AttachmentPicker } from "./attachments.js";
import { AUDIENCES, audienceLabel, fillAudiences } from "./audiences.js";
import { $, el, fill, options, say } from "./dom.js";
import { clearDraft, loadDraft, saveDraft } from "./drafts.js";
import { invitationNotice } from "./inbox-thread.js";
import { newClientMsgId, showError } from "./page.js";
import { ClientPicker } from "./typeahead.js";

export class NewThreadForm {
  constructor({ state, onSent, onCancel }) {
    this.state = state;
    this.onSent = onSent;
    this.client = null;
    this.draftId = null;
    this.picker = new ClientPicker($("#new-client"), (client) => {
      this.client = client;
      this.describeClient();
      this.check();
    });
    fillAudiences($("#new-audience"), { blank: "Choose…" });
    $("#new-topic").addEventListener("change", () => this.topicChosen());
    for (const id of ["#new-audience", "#new-subject", "#new-body", "#new-client"]) {
      $(id).addEventListener("input", () => this.check());
      $(id).addEventListener("change", () => this.check());
    }
    this.attach = new AttachmentPicker($("#new-form"), { onChange: () => this.check(), before: $("#new-error") });
    $("#new-form").addEventListener("submit", (event) => this.send(event));
    $("#new-back").addEventListener("click", onCancel);
  }

  /** Show the form with the draft left in it (or empty). */
  open() {
    const draft = loadDraft(this.state.me.id, "new") || {};
    this.client = draft.client || null;
    if (this.client) this.picker.set(this.client);
    else this.picker.clear();
    this.draftId = null;
    fill($("#new-topic"), el("option", { value: "" }, "No topic"),
      options(this.state.topics.map((t) => [String(t.id), t.name]), draft.topic || ""));
    $("#new-audience").value = draft.audience || "";
    $("#new-subject").value = draft.subject || "";
    $("#new-body").value = draft.body || "";
    this.attach.clear();
    say($("#new-error"), "");
    this.describeClient();
    this.check();
    $("#new-client").focus();
  }

  /** Keep what is typed, per user, until it is sent. */
  saveDraft() {
    const draft = {
      client: this.client, audience: $("#new-audience").value, topic: $("#new-topic").value,
      subject: $("#new-subject").value, body: $("#new-body").value,
    };
    const empty = !draft.client && !draft.audience && !draft.topic && !draft.subject.trim() && !draft.body.trim();
    saveDraft(this.state.me.id, "new", draft, empty);
  }

  /** Choosing a topic fills the subject with its default; the writer may edit it. */
  topicChosen() {
    const topic = this.state.topics.find((t) => String(t.id) === $("#new-topic").value);
    if (topic) $("#new-subject").value = topic.subject;
    this.check();
  }

  describeClient() {
    const note = $("#new-client-note");
    const client = this.client;
    if (!client || client.has_portal_account) return say(note, "");
    say(note, client.has_email
      ? `${client.name} has no portal account yet: sending emails them an invitation to create one, unless one is already waiting for them.`
      : `${client.name} has no portal account and no email address: the message is kept, but no invitation can be sent.`,
    "warning");
  }

  ready() {
    return Boolean(this.client && $("#new-audience").value
      && $("#new-subject").value.trim() && ($("#new-body").value.trim() || this.attach.ids().length)
      && !this.attach.busy());
  }

  check() {
    $("[data-testid=new-send]").disabled = !this.ready();
    this.saveDraft();
  }

  async send(event) {
    event.preventDefault();
    if (!this.ready()) {
      say($("#new-error"), "Choose a client and an audience, and write a subject and a message.", "error");
      return;
    }
    const button = $("[data-testid=new-send]");
    button.disabled = true;
    this.draftId = this.draftId || newClientMsgId();
    const topic = $("#new-topic").value;
    try {
      const created = await api("POST", "/api/threads", {
        client_id: this.client.id,
        audience: $("#new-audience").value,
        topic_id: topic ? Number(topic) : null,
        subject: $("#new-subject").value.trim(),
        body: $("#new-body").value.trim(),
        client_msg_id: this.draftId,
        attachments: this.attach.ids(),
      });
      this.draftId = null;
      this.attach.clear();
      clearDraft(this.state.me.id, "new");
      await this.onSent({ ...created, notice: invitationNotice(created.invitation, this.client, {
        written: created.message.created_at, canInvite: this.state.me.roles.includes("practice_admin"),
      }) });
    } catch (error) {
      showError($("#new-error"), error);
      this.check();
    }
  }
}

export class NotificationSettings {
  constructor() {
    this.dialog = $("#settings-dialog");
    $("#settings-cancel").addEventListener("click", () => this.dialog.close());
    $("#settings-form").addEventListener("submit", (event) => this.save(event));
  }

  async open() {
    const box = $("#settings-audiences");
    fill(box, el("legend", {}, "Email me about"));
    say($("#settings-status"), "Loading…");
    $("#settings-save").disabled = true;
    this.dialog.showModal();
    try {
      const current = await api("GET", "/api/me/notifications");
      const allowed = current.allowed || AUDIENCES.map((audience) => audience.value);
      for (const audience of allowed) {
        const id = `notify-${audience}`;
        box.append(el("div", { class: "check" },
          el("input", {
            type: "checkbox", id, value: audience, testid: id,
            checked: current.email_audiences.includes(audience),
          }),
          el("label", { for: id }, `${audienceLabel(audience)} conversations`)));
      }
      if (!allowed.length) box.append(el("p", { class: "muted" }, "You see no conversations to be told about."));
      say($("#settings-status"), "");
      $("#settings-save").disabled = false;
    } catch (error) {
      showError($("#settings-status"), error.status === 404
        ? new Error("Notification settings are not available on this server yet.") : error);
    }
  }

  async save(event) {
    event.preventDefault();
    const chosen = [...$("#settings-audiences").querySelectorAll("input:checked")].map((input) => input.value);
    try {
      await api("PUT", "/api/me/notifications", { email_audiences: chosen });
      say($("#settings-status"), "Saved.");
      setTimeout(() => this.dialog.close(), 600);
    } catch (error) {
      showError($("#settings-status"), error);
    }
  }
}
