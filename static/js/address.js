// The address bar as the page's state: the open thread (`thread=12`), the new-message form
// (`new=1`) and the list's filters (`client`, `audience`, `topic`, `state`, `q`), so a reload
// or a bookmark ("Unread, Billing") brings the same view back. Each opened thread is a history
// entry: Back returns to the list.

const FILTERS = ["client", "audience", "topic", "state", "q"];
const DEFAULTS = { state: "inbox" };

/** {thread: number | null, compose: bool, filters: {client, audience, topic, state, q}} */
export function readAddress() {
  const params = new URLSearchParams(window.location.search);
  // Older links named the thread in the fragment (#thread-12).
  const fromHash = /^#thread-(\d+)$/.exec(window.location.hash);
  const thread = Number(params.get("thread") || (fromHash ? fromHash[1] : "")) || null;
  const filters = {};
  for (const name of FILTERS) filters[name] = params.get(name) || DEFAULTS[name] || "";
  return { thread, compose: params.get("new") === "1", filters };
}

/**
 * Write the view into the address: `changes` holds `thread` (id or null), `compose` (bool) and
 * any filters (plain strings; empty and default values are left out). `push` adds a history
 * entry, otherwise the current one is replaced.
 */
export function writeAddress(changes, { push = false } = {}) {
  const params = new URLSearchParams(window.location.search);
  for (const [name, value] of Object.entries(changes)) {
    if (name === "thread") setParam(params, "thread", value ? String(value) : "");
    else if (name === "compose") setParam(params, "new", value ? "1" : "");
    else setParam(params, name, value === DEFAULTS[name] ? "" : value);
  }
  const query = params.toString();
  const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
  if (url === `${window.location.pathname}${window.location.search}` && !window.location.hash) return;
  if (push) history.pushState({ cairn: true }, "", url);
  else history.replaceState(history.state, "", url);
}

function setParam(params, name, value) {
  if (value) params.set(name, value);
  else params.delete(name);
}

/** Whether Back stays in the app (this tab opened the current entry itself). */
export function canGoBack() {
  return Boolean(history.state && history.state.cairn);
}

/** Back to the list: a step back in history when this tab made one, else `showList()` and an
 *  address without a thread. */
export function backTo(showList) {
  if (canGoBack()) {
    history.back();
    return;
  }
  showList();
  writeAddress({ thread: null, compose: false });
}
