// The sign-in page: staff go to /inbox, clients to /portal. Someone already signed in never sees
// it: the server sends them on (server/pages.py), so the page asks nothing before signing in.

import { api } from "./api.js";
import { $, say } from "./dom.js";
import { askForCode } from "./signin-two-factor.js";

const NOTICES = {
  expired: "You were signed out: 30 minutes without activity, or signed out elsewhere. Please sign in again.",
  signed_out: "You have signed out.",
  portal_off: "Your practice has switched the client portal off for now.",
  password_reset: "Your password is set. Sign in with it now.",
};

function home(me) {
  window.location.replace(me.kind === "staff" ? "/inbox" : "/portal");
}

function start() {
  $("#signin-form").addEventListener("submit", signIn);
  const params = new URLSearchParams(window.location.search);
  const notice = Object.keys(NOTICES).find((key) => params.has(key));
  say($("#signin-notice"), notice ? NOTICES[notice] : "",
    ["signed_out", "password_reset"].includes(notice) ? "info" : "warning");
  $("#username").focus();
}

async function signIn(event) {
  event.preventDefault();
  const error = $("#signin-error");
  const username = $("#username").value.trim();
  const password = $("#password").value;
  if (!username || !password) {
    say(error, "Enter your username and password.", "error");
    return;
  }
  const submit = $("[data-testid=login-submit]");
  submit.disabled = true;
  say(error, "");
  try {
    const answer = await api("POST", "/api/auth/login", { username, password }, { allow401: true });
    if (answer.two_factor_required) askForCode(home);
    else home(answer);
  } catch (failure) {
    say(error, failure.status === 429
      ? "Too many attempts. Wait a little, then try again."
      : failure.message, "error");
    $("#password").value = "";
    $("#password").focus();
    submit.disabled = false;
  }
}

start();
