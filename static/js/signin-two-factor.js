// The second step of signing in: a code from the authenticator app, or a recovery code.

import { api } from "./api.js";
import { $, say } from "./dom.js";

/** Show the code form in place of the password form; `done(me)` runs once signed in. */
export function askForCode(done) {
  $("#signin-form").hidden = true;
  const form = $("#two-factor-form");
  form.hidden = false;
  $("#two-factor-code").focus();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#two-factor-error");
    const code = $("#two-factor-code").value.trim();
    if (!code) return say(error, "Enter the 6-digit code from your app, or a recovery code.", "error");
    const submit = $("[data-testid=two-factor-submit]");
    submit.disabled = true;
    say(error, "");
    try {
      done(await api("POST", "/api/auth/login/two-factor",
        { code, remember_browser: $("#remember-browser").checked }, { allow401: true }));
    } catch (failure) {
      submit.disabled = false;
      $("#two-factor-code").value = "";
      $("#two-factor-code").focus();
      if (failure.code === "sign_in_first") {
        // The password step has gone stale: start again.
        window.location.replace("/?expired=1");
        return;
      }
      say(error, failure.status === 429 ? "Too many attempts. Wait a little, then try again."
        : failure.message, "error");
    }
  });
}
