// For practice admins, in the account page: each staff user's last sign-in (time, address,
// browser), whether they use two-step sign-in, and a button that emails them a reset link.

import { api } from "./api.js";
import { $, el, fill, fullTime, say } from "./dom.js";

async function sendReset(user, button) {
  button.disabled = true;
  try {
    await api("POST", `/api/staff/${user.id}/password-reset`);
    say($("#staff-notice"), `A reset link was emailed to ${user.name}.`, "info");
  } catch (failure) {
    say($("#staff-notice"), failure.message, "error");
  } finally {
    button.disabled = false;
  }
}

function lastSignIn(user) {
  const last = user.last_sign_in;
  return last ? `${fullTime(last.at)} · ${last.ip || "unknown address"} · ${last.browser}` : "never signed in";
}

/** Show the staff list (only practice admins are given it). */
export async function showStaff() {
  const staff = await api("GET", "/api/staff");
  $("#staff-section").hidden = false;
  fill($("#staff-list"), staff.map((user) => {
    const reset = el("button", { type: "button", class: "quiet", testid: "staff-password-reset" }, "Email a reset link");
    reset.addEventListener("click", () => sendReset(user, reset));
    return el("li", { testid: "staff-member", dataset: { userId: String(user.id) } },
      el("strong", {}, user.name), ` (${user.username}) · last sign-in: ${lastSignIn(user)}`,
      user.two_factor ? " · two-step sign-in on " : " · two-step sign-in off ", reset);
  }));
}
