// Two-step sign-in in the account page: set up (QR code drawn by the server, recovery codes to
// save), and turn off.

import { api } from "./api.js";
import { $, el, fill, say } from "./dom.js";

function qrNode(svgText) {
  // The server's SVG, parsed as SVG (never as HTML) and checked to be one <svg> element.
  const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg" || svg.querySelector("script, foreignObject")) return el("span");
  return document.importNode(svg, true);
}

async function start() {
  const setup = await api("POST", "/api/me/two-factor");
  fill($("#two-factor-qr"), qrNode(setup.qr_svg));
  $("#two-factor-secret").textContent = setup.secret;
  $("#two-factor-start").hidden = true;
  $("#two-factor-setup").hidden = false;
  $("#two-factor-confirm-code").focus();
}

async function confirm(event) {
  event.preventDefault();
  try {
    const { recovery_codes: codes } = await api("POST", "/api/me/two-factor/confirm",
      { code: $("#two-factor-confirm-code").value.trim() });
    $("#two-factor-setup").hidden = true;
    fill($("#recovery-codes"), codes.map((code) => el("li", {}, el("code", {}, code))));
    $("#recovery").hidden = false;
    say($("#two-factor-error"), "");
    await showTwoFactor({ keepCodes: true });
  } catch (failure) {
    say($("#two-factor-error"), failure.message, "error");
  }
}

async function turnOff(event) {
  event.preventDefault();
  try {
    await api("DELETE", "/api/me/two-factor", { code: $("#two-factor-off-code").value.trim() });
    $("#two-factor-off").reset();
    say($("#two-factor-error"), "");
    await showTwoFactor();
  } catch (failure) {
    say($("#two-factor-error"), failure.message, "error");
  }
}

/** Show whether two-step sign-in is on, with the matching controls. */
export async function showTwoFactor({ keepCodes = false } = {}) {
  const state = await api("GET", "/api/me/two-factor");
  $("#two-factor-state").textContent = state.enabled
    ? `On. ${state.recovery_codes_left} recovery codes left.`
    : state.required ? "Your practice requires two-step sign-in. Set it up to continue."
      : "Off. Turn it on to ask for a code from your phone at each sign-in.";
  $("#two-factor-start").hidden = state.enabled;
  $("#two-factor-off").hidden = !state.enabled || state.required;
  if (!keepCodes) $("#recovery").hidden = true;
  if (!showTwoFactor.wired) {
    showTwoFactor.wired = true;
    $("#two-factor-start").addEventListener("click", start);
    $("#two-factor-setup").addEventListener("submit", confirm);
    $("#two-factor-off").addEventListener("submit", turnOff);
  }
}
