// /reset#TOKEN: choose a new password with the link from the email, then sign in anew.
// The token travels in the fragment, so it never reaches a server log or a Referer header.

import { api } from "./api.js";
import { $, say } from "./dom.js";

const token = decodeURIComponent(window.location.hash.replace(/^#/, ""));

function gone() {
  say($("#reset-notice"), "This link was already used, replaced by a newer one, or has expired. Ask for a new one from the sign-in page.", "error");
  $("#reset-form").hidden = true;
}

async function reset(event) {
  event.preventDefault();
  const error = $("#reset-error");
  const password = $("#reset-password").value;
  if (password.length < 10) return say(error, "Choose a password of at least 10 characters.", "error");
  if (password !== $("#reset-password-again").value) return say(error, "The two passwords differ.", "error");
  const submit = $("[data-testid=reset-submit]");
  submit.disabled = true;
  say(error, "");
  try {
    await api("POST", "/api/auth/password/reset", { token, password }, { allow401: true });
    history.replaceState(null, "", "/reset");
    window.location.replace("/?password_reset=1");
  } catch (failure) {
    submit.disabled = false;
    if (failure.status === 410) return gone();
    say(error, failure.message, "error");
  }
}

if (!token) gone();
else {
  $("#reset-form").addEventListener("submit", reset);
  $("#reset-password").focus();
}
