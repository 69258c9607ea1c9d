// /account: change the password, two-step sign-in, and the sessions list.

import { api, markSignedIn } from "./api.js";
import { $, el, fill, fullTime, say } from "./dom.js";
import { showStaff } from "./account-staff.js";
import { showTwoFactor } from "./account-two-factor.js";

async function changePassword(event) {
  event.preventDefault();
  const error = $("#password-error");
  const current = $("#current-password").value;
  const next = $("#new-password").value;
  if (!current || next.length < 10) return say(error, "Enter your current password and a new one of at least 10 characters.", "error");
  say(error, "");
  try {
    await api("POST", "/api/me/password", { current, new: next });
    $("#password-form").reset();
    say($("#account-notice"), "Your password is changed. You are signed out everywhere else.", "info");
    await showSessions();
  } catch (failure) {
    say(error, failure.message, "error");
  }
}

async function endSession(id) {
  try {
    await api("DELETE", `/api/me/sessions/${id}`);
    await showSessions();
  } catch (failure) {
    say($("#sessions-error"), failure.message, "error");
  }
}

async function showSessions() {
  const list = await api("GET", "/api/me/sessions");
  fill($("#sessions"), list.map((s) => el("li", { testid: "session", dataset: { current: String(s.current) } },
    el("strong", {}, s.browser), ` · ${s.ip || "unknown address"} · signed in ${fullTime(s.created_at)}`,
    ` · last active ${fullTime(s.last_seen_at)} `,
    s.current ? el("em", {}, "(this browser)")
      : el("button", { type: "button", class: "quiet", testid: "end-session", onclick: () => endSession(s.id) }, "Sign out"))));
  $("#end-others").hidden = list.length < 2;
}

async function start() {
  const me = await api("GET", "/api/me");
  markSignedIn();
  $("#back").href = me.kind === "staff" ? "/inbox" : "/portal";
  $("#password-form").addEventListener("submit", changePassword);
  $("#end-others").addEventListener("click", async () => {
    await api("DELETE", "/api/me/sessions");
    await showSessions();
  });
  await Promise.all([showTwoFactor(), showSessions(),
    me.roles.includes("practice_admin") ? showStaff() : null]);
}

start();
