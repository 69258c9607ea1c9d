// /forgot: ask for a password-reset link. The answer is the same whether or not the account
// exists, so the page always says the same thing.

import { api } from "./api.js";
import { $, say } from "./dom.js";

async function send(event) {
  event.preventDefault();
  const login = $("#forgot-login").value.trim();
  if (!login) return say($("#forgot-error"), "Enter your username or email address.", "error");
  const submit = $("[data-testid=forgot-submit]");
  submit.disabled = true;
  say($("#forgot-error"), "");
  try {
    await api("POST", "/api/auth/password/forgot", { login }, { allow401: true });
    $("#forgot-form").hidden = true;
    say($("#forgot-notice"), "If that is your account, a link is on its way to its email address. It works once, for one hour.", "info");
  } catch (failure) {
    submit.disabled = false;
    say($("#forgot-error"), failure.message, "error");
  }
}

$("#forgot-form").addEventListener("submit", send);
$("#forgot-login").focus();
