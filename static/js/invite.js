// Inviting the open thread's client from the thread: "Resend invitation" when the client has an
// email address, "Add email and invite" for practice admins when they have none
// (PATCH /api/clients/{id}, then POST /api/clients/{id}/invite).

import { api } from "./api.js";
import { $, say } from "./dom.js";
import { showError } from "./page.js";

export class InvitePanel {
  /** view: the StaffThreadView whose thread's client this invites. */
  constructor(view) {
    this.view = view;
    this.client = null;
    $("#invite").addEventListener("click", () => this.toggle());
    $("#invite-cancel").addEventListener("click", () => this.close());
    $("#invite-form").addEventListener("submit", (event) => this.send(event));
  }

  /** Offer the invitation for `client` ({id, name, has_portal_account, has_email}) or hide it. */
  offer(client) {
    const open = !$("#invite-form").hidden && this.client && client && this.client.id === client.id;
    this.client = client;
    const can = Boolean(client && !client.has_portal_account
      && (client.has_email || this.view.canEditClients()));
    $("#invite").hidden = !can;
    if (can) $("#invite").textContent = client.has_email ? "Resend invitation" : "Add email and invite";
    if (!can || !open) this.close();
  }

  toggle() {
    if ($("#invite-form").hidden) this.open();
    else this.close();
  }

  open() {
    const client = this.client;
    if (!client) return;
    $("#invite-email-field").hidden = client.has_email;
    $("#invite-email").required = !client.has_email;
    $("#invite-email").value = "";
    $("#invite-text").textContent = client.has_email
      ? `Email ${client.name} a new link to create their portal account. Any older link stops working.`
      : `${client.name} has no email address. Add one to email them a link to create their portal account.`;
    say($("#invite-error"), "");
    $("#invite-form").hidden = false;
    $("#invite").setAttribute("aria-expanded", "true");
    (client.has_email ? $("#invite-send") : $("#invite-email")).focus();
  }

  close() {
    $("#invite-form").hidden = true;
    $("#invite").setAttribute("aria-expanded", "false");
  }

  async send(event) {
    event.preventDefault();
    const client = this.client;
    if (!client) return;
    say($("#invite-error"), "");
    try {
      if (!client.has_email) {
        const email = $("#invite-email").value.trim();
        if (!email) {
          say($("#invite-error"), "Enter the client's email address.", "error");
          return;
        }
        const updated = await api("PATCH", `/api/clients/${client.id}`, { email });
        Object.assign(client, updated);
        this.view.state.clients.set(client.id, client);
      }
      const answer = await api("POST", `/api/clients/${client.id}/invite`);
      this.close();
      this.view.notice(answer.invitation.status === "sent"
        ? `An invitation was emailed to ${client.name}. Your messages wait for them until they create their account.`
        : `${client.name} has no email address, so no invitation was sent.`);
      this.offer(client);
    } catch (error) {
      showError($("#invite-error"), error);
    }
  }
}
