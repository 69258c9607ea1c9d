// The staff header editor: audience, topic, subject. An audience change first shows who would
// lose and who would gain access (asked with GET /api/threads/{id}/access-change, so no 409 is
// logged; a 409 confirm_audience_change is still understood) and applies only once confirmed.

import { api } from "./api.js";
import { fillAudiences } from "./audiences.js";
import { $, audienceLabel, el, fill, options, say } from "./dom.js";
import { showError } from "./page.js";

export class HeaderEditor {
  /** view: the ThreadView whose open thread this edits. */
  constructor(view) {
    this.view = view;
    this.losing = [];
    fillAudiences($("#edit-audience"));
    $("#edit-header").addEventListener("click", () => this.toggle());
    $("#edit-cancel").addEventListener("click", () => this.close());
    $("#header-editor").addEventListener("submit", (event) => this.save(event));
    $("#access-confirm").addEventListener("click", () => this.save(null, true));
    $("#access-cancel").addEventListener("click", () => {
      $("#access-change").hidden = true;
      $("#edit-audience").value = this.view.thread.audience;
      $("#edit-audience").focus();
    });
    $("#edit-audience").addEventListener("change", () => {
      $("#access-change").hidden = true;
    });
  }

  toggle() {
    if ($("#header-editor").hidden) this.open();
    else this.close();
  }

  open() {
    const thread = this.view.thread;
    if (!thread) return;
    $("#edit-audience").value = thread.audience;
    fill($("#edit-topic"), el("option", { value: "" }, "No topic"),
      options(this.view.state.topics.map((t) => [String(t.id), t.name]), thread.topic ? thread.topic.id : ""));
    $("#edit-subject").value = thread.subject;
    $("#access-change").hidden = true;
    say($("#edit-error"), "");
    $("#header-editor").hidden = false;
    $("#edit-header").setAttribute("aria-expanded", "true");
    $("#edit-audience").focus();
  }

  close() {
    $("#header-editor").hidden = true;
    $("#access-change").hidden = true;
    $("#edit-header").setAttribute("aria-expanded", "false");
  }

  /** What the editor changes, as a PATCH body (empty: nothing changed). */
  changes() {
    const thread = this.view.thread;
    const changes = {};
    const audience = $("#edit-audience").value;
    const topic = $("#edit-topic").value;
    const subject = $("#edit-subject").value.trim();
    if (audience !== thread.audience) changes.audience = audience;
    if (topic !== String(thread.topic ? thread.topic.id : "")) changes.topic_id = topic ? Number(topic) : null;
    if (subject !== thread.subject) changes.subject = subject;
    return changes;
  }

  async save(event, confirmed = false) {
    if (event) event.preventDefault();
    const changes = this.changes();
    if (!Object.keys(changes).length) return this.close();
    if (confirmed) changes.confirm = true;
    say($("#edit-error"), "");
    try {
      if (changes.audience && !confirmed) {
        const asked = await api("GET", this.view.path(`/access-change?audience=${encodeURIComponent(changes.audience)}`));
        this.showAccessChange(changes.audience, asked.access_change);
        return;
      }
      const answer = await api("PATCH", this.view.path(), changes);
      const losing = confirmed ? this.losing || [] : [];
      this.close();
      if (losing.some((person) => person.id === this.view.state.me.id)) {
        this.view.list.remove(this.view.threadId);
        this.view.close("The audience changed: you no longer see this conversation.");
        return;
      }
      this.view.thread = answer.thread;
      this.view.renderHead();
      this.view.list.upsert(answer.thread);
      this.view.notice("Header saved.");
      $("#edit-header").focus();
    } catch (error) {
      if (error.status === 409 && error.code === "confirm_audience_change") {
        this.showAccessChange(changes.audience, error.body.error.access_change);
      } else {
        showError($("#edit-error"), error);
      }
    }
  }

  showAccessChange(audience, change) {
    this.losing = change.losing;
    const names = (people) => (people.length
      ? people.map((person) => el("li", {}, person.name))
      : [el("li", { class: "muted" }, "Nobody")]);
    fill($("#access-change-title"),
      `Moving this conversation from ${audienceLabel(this.view.thread.audience)} to ${audienceLabel(audience)} changes who can see it.`);
    fill($("#losing"), names(change.losing));
    fill($("#gaining"), names(change.gaining));
    $("#access-change").hidden = false;
    $("#access-confirm").focus();
  }
}
