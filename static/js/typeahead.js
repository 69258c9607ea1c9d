// A client type-ahead: a text input over GET /api/clients?q=, with a listbox of matches
// (WAI-ARIA combobox: arrows move, Enter picks, Escape closes). Used by the inbox filter and by
// the new-thread form.

import { api } from "./api.js";
import { el, fill } from "./dom.js";

let counter = 0;

export class ClientPicker {
  /**
   * input: the <input> (already labelled in the HTML); onPick(client | null) is called when a
   * client is chosen or the choice is cleared.
   */
  constructor(input, onPick) {
    this.input = input;
    this.onPick = onPick;
    this.chosen = null;
    this.matches = [];
    this.active = -1;
    this.asked = 0;
    counter += 1;
    this.list = el("ul", { class: "typeahead-list", role: "listbox", id: `typeahead-${counter}`, hidden: true });
    input.after(this.list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");
    input.addEventListener("input", () => this.typed());
    input.addEventListener("keydown", (event) => this.key(event));
    input.addEventListener("focus", () => {
      if (!this.chosen) this.typed();
    });
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
  }

  async typed() {
    const q = this.input.value.trim();
    if (this.chosen && q !== this.chosen.name) {
      this.chosen = null;
      this.onPick(null);
    }
    const asked = ++this.asked;
    // Narrow what is shown at once, so a slower answer never offers a name that does not match.
    if (!this.list.hidden) {
      const lower = q.toLowerCase();
      this.show(this.matches.filter((client) => client.name.toLowerCase().includes(lower)));
    }
    let found = [];
    try {
      found = await api("GET", `/api/clients?q=${encodeURIComponent(q)}`);
    } catch (error) {
      found = [];
    }
    // An older answer arriving late must not replace a newer one.
    if (asked !== this.asked || document.activeElement !== this.input) return;
    this.show(found.slice(0, 20));
  }

  show(matches) {
    this.matches = matches;
    this.active = matches.length ? 0 : -1;
    fill(this.list, matches.length
      ? matches.map((client, index) => el("li", {
        role: "option",
        id: `${this.list.id}-${index}`,
        class: "typeahead-option",
        dataset: { clientId: String(client.id) },
        onmousedown: (event) => {
          event.preventDefault();
          this.pick(client);
        },
      }, client.name, client.has_portal_account ? null : el("span", { class: "tag" }, "no portal account")))
      : [el("li", { class: "typeahead-empty" }, "No matching client")]);
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    this.highlight();
  }

  highlight() {
    [...this.list.querySelectorAll("[role=option]")].forEach((option, index) => {
      option.setAttribute("aria-selected", String(index === this.active));
    });
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `${this.list.id}-${this.active}`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  key(event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (this.list.hidden) return this.typed();
      const step = event.key === "ArrowDown" ? 1 : -1;
      if (this.matches.length) this.active = (this.active + step + this.matches.length) % this.matches.length;
      this.highlight();
    } else if (event.key === "Enter") {
      if (!this.list.hidden && this.active >= 0) {
        event.preventDefault();
        this.pick(this.matches[this.active]);
      }
    } else if (event.key === "Escape") {
      this.close();
    }
  }

  pick(client) {
    this.chosen = client;
    this.input.value = client.name;
    this.close();
    this.onPick(client);
  }

  /** Show `client` as chosen without telling onPick (a choice restored from the address or a
   * draft). */
  set(client) {
    this.chosen = client;
    this.input.value = client.name;
    this.close();
  }

  /** Choose nothing (and empty the input). */
  clear() {
    this.chosen = null;
    this.input.value = "";
    this.close();
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }
}
