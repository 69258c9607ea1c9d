// /activate#TOKEN: create a portal account from an invitation link, then go to the portal.
// The token travels in the fragment, so it never reaches a server log or a Referer header.

import { api } from "./api.js";
import { $, say } from "./dom.js";

const token = decodeURIComponent(window.location.hash.replace(/^#/, ""));

function start() {
  if (!token) {
    say($("#activate-notice"), "This page needs the link from your invitation email. Open the link from the email again.", "error");
    $("#activate-form").hidden = true;
    return;
  }
  $("#activate-form").addEventListener("submit", activate);
  $("#new-username").focus();
}

async function activate(event) {
  event.preventDefault();
  const error = $("#activate-error");
  const username = $("#new-username").value.trim();
  const password = $("#new-password").value;
  if (!username) return say(error, "Choose a username.", "error");
  if (password.length < 10) return say(error, "Choose a password of at least 10 characters.", "error");
  if (password !== $("#new-password-again").value) return say(error, "The two passwords differ.", "error");
  const submit = $("[data-testid=activate-submit]");
  submit.disabled = true;
  say(error, "");
  try {
    await api("POST", "/api/portal/activate", { token, username, password }, { allow401: true });
    history.replaceState(null, "", "/activate");
    window.location.replace("/portal");
  } catch (failure) {
    submit.disabled = false;
    if (failure.status === 410) {
      say($("#activate-notice"), "This invitation link was already used, replaced by a newer one, or has expired. Ask your practice to send a new invitation.", "error");
      $("#activate-form").hidden = true;
      return;
    }
    say(error, failure.message, "error");
  }
}

start();
