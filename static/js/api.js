// The HTTP API client: JSON in and out, Django's CSRF token on unsafe methods, one error shape.
//
// Every error the server sends is {"error": {"code", "message"}}; `ApiError` carries it (and the
// whole body, for extras such as `access_change`). A 401 on a page that was signed in means the
// session ended (30 minutes idle, or signed out elsewhere): back to sign-in, saying so.

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body || {};
  }
}

let csrfReady = null;
let signedIn = false;

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

export async function csrfToken() {
  if (!cookie("csrftoken")) {
    csrfReady = csrfReady || fetch("/api/auth/csrf", { credentials: "same-origin" });
    await csrfReady;
    csrfReady = null;
  }
  return cookie("csrftoken");
}

/** Leave for the sign-in page; `reason` ("expired", "signed_out") picks what it says. */
export function toSignIn(reason) {
  window.location.assign(reason ? `/?${reason}=1` : "/");
}

/** From now on a 401 means the session ended (rather than "never signed in"). */
export function markSignedIn() {
  signedIn = true;
}

/**
 * Call the API. `body` is sent as JSON. Returns the parsed JSON (or null for 204).
 * Options: `raw: true` returns the Response itself (for downloads); `allow401: true` lets the
 * caller handle a 401 (sign-in, page start-up).
 */
export async function api(method, path, body, { raw = false, allow401 = false } = {}) {
  const headers = { Accept: "application/json" };
  if (!["GET", "HEAD"].includes(method)) headers["X-CSRFToken"] = await csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  if (response.ok && raw) return response;
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  if (response.ok) return data;
  const error = (data && data.error) || {};
  if (response.status === 401 && !allow401) {
    toSignIn(signedIn ? "expired" : "");
  }
  // A practice that requires two-step sign-in holds staff at its set-up.
  if (response.status === 403 && error.code === "two_factor_setup_required") {
    window.location.assign("/account#two-factor");
  }
  // A stale CSRF cookie (say after signing in elsewhere): fetch a fresh one and try once more.
  if (response.status === 403 && error.code === "csrf_failed" && !api.retrying) {
    document.cookie = "csrftoken=; Max-Age=0; path=/";
    api.retrying = true;
    try {
      return await api(method, path, body, { raw, allow401 });
    } finally {
      api.retrying = false;
    }
  }
  throw new ApiError(response.status, error.code || "error",
    error.message || `The server answered ${response.status}.`, data);
}

/** Download `path` (a PDF export) as a file named by the server. */
export async function download(path, fallbackName) {
  const response = await api("GET", path, undefined, { raw: true });
  const blob = await response.blob();
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = match ? match[1] : fallbackName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** Sign out and go to the sign-in page. */
export async function signOut() {
  // This tab's own socket closes with the session: it must not report "signed out elsewhere".
  if (window.cairnSocket) window.cairnSocket.stop();
  try {
    await api("POST", "/api/auth/logout", undefined, { allow401: true });
  } catch (error) {
    // Signed out already, or the server is away: either way, leave.
  }
  toSignIn("signed_out");
}
