// The staff inbox: filters, the thread list, the open thread, "+ New", notification settings,
// all kept live over /ws/.

import { api } from "./api.js";
import { $, el, options, say } from "./dom.js";
import { NewThreadForm, NotificationSettings } from "./inbox-new.js";
import { ThreadView } from "./inbox-thread.js";
import { goLive, showError, signedInAs, viewing } from "./page.js";
import { matchLine, revealMatch, wireSearch } from "./search.js";
import { ThreadList } from "./threads.js";
import { UrgentAlerts, UrgentPanel } from "./urgent.js";
import { PracticeSettings } from "./practice-settings.js";
import { ClientPicker } from "./typeahead.js";

const PAGE_SIZE = 50;

const state = {
  me: null,
  topics: [],
  clients: new Map(), // id -> {id, name, has_portal_account, has_email}
  filters: { client: null, audience: "", topic: "", state: "inbox", q: "" },
  next: null,
  loading: 0,
};

const layout = $("#layout");

/** Whether a summary belongs in the list under the current filters. */
function matches(thread) {
  const f = state.filters;
  // A search's results come from the server (see event()): a summary without a match is not one.
  if (f.q && !thread.match) return false;
  if (f.client && thread.client.id !== f.client.id) return false;
  if (f.audience && thread.audience !== f.audience) return false;
  if (f.topic && String(thread.topic ? thread.topic.id : "") !== f.topic) return false;
  // The deleted view is fetched anew on every change (see event()), never patched.
  if (f.state === "deleted") return true;
  if (thread.deleted) return false;
  if (f.state === "inbox") return !thread.archived;
  if (f.state === "unread") return thread.unread_count > 0;
  return true;
}

const list = new ThreadList($("#thread-list"), {
  showClient: true,
  matches,
  onOpen: (id) => openThread(id),
  noAccount: (clientId) => state.clients.get(clientId)?.has_portal_account === false,
  matchLine: (thread) => matchLine(thread, state.filters.q),
});

const view = new ThreadView({
  state,
  list,
  onClose: () => show("empty"),
  onHead: (thread) => urgentPanel.render(thread),
});

const urgentPanel = new UrgentPanel({
  toolbar: $("#thread-view .toolbar"),
  before: $("#thread-notice"),
  onThread: (thread) => {
    list.upsert(thread);
    view.thread = { ...view.thread, ...thread };
    view.renderHead();
  },
});
const alerts = new UrgentAlerts($(".topbar"), (id) => openThread(id));

const newForm = new NewThreadForm({
  state,
  onSent: async (created) => {
    list.upsert(created.thread);
    await openThread(created.thread.id);
    view.notice(created.notice);
  },
  onCancel: () => show(view.threadId ? "thread" : "empty"),
});

const settings = new NotificationSettings();

/** Which pane shows in the main area: "empty", "thread" or "new". */
function show(which) {
  $("#empty-view").hidden = which !== "empty";
  $("#thread-view").hidden = which !== "thread";
  $("#new-view").hidden = which !== "new";
  layout.dataset.view = which === "empty" ? "list" : "detail";
  viewing(which === "thread" ? view.threadId : null);
}

async function openThread(id) {
  show("thread");
  viewing(id);
  list.select(id);
  if (window.location.hash !== `#thread-${id}`) history.replaceState(null, "", `#thread-${id}`);
  await view.open(id);
  if (view.threadId === id) revealMatch(list.get(id));
}

function query(before) {
  const f = state.filters;
  const params = new URLSearchParams({ state: f.state, limit: String(PAGE_SIZE) });
  if (f.client) params.set("client", String(f.client.id));
  if (f.audience) params.set("audience", f.audience);
  if (f.topic) params.set("topic", f.topic);
  if (f.q) params.set("q", f.q);
  if (before) params.set("before", before);
  return `/api/threads?${params}`;
}

/** Fetch the list anew (filters changed, first hello, resync). */
async function loadList() {
  const asked = ++state.loading;
  const status = $("#list-status");
  $("#thread-list").setAttribute("aria-busy", "true");
  try {
    const page = await api("GET", query());
    if (asked !== state.loading) return;
    state.next = page.next;
    list.set(page.threads);
    $("#load-more").hidden = !page.next;
    say(status, "");
  } catch (error) {
    if (asked === state.loading) showError(status, error);
  } finally {
    if (asked === state.loading) $("#thread-list").setAttribute("aria-busy", "false");
  }
}

let refreshTimer = null;
/** Fetch the list again soon (for events that carry no summary). */
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(loadList, 300);
}

async function loadMore() {
  if (!state.next) return;
  try {
    const page = await api("GET", query(state.next));
    state.next = page.next;
    list.add(page.threads);
    $("#load-more").hidden = !page.next;
  } catch (error) {
    showError($("#list-status"), error);
  }
}

async function loadClients() {
  try {
    const clients = await api("GET", "/api/clients");
    state.clients = new Map(clients.map((client) => [client.id, client]));
  } catch (error) {
    // The list still works; only the "no portal account" marks are missing.
  }
}

/** Load (or reload) everything over HTTP: on the first hello and after resync_required. */
async function load() {
  await Promise.all([loadList(), loadClients()]);
  if (view.threadId) await view.open(view.threadId, { quiet: true });
}

/** Apply one live event. */
function event(frame) {
  // The deleted view and a search's results are fetched anew on every change, never patched.
  if ((state.filters.state === "deleted" || state.filters.q) && frame.type !== "receipt.seen") {
    refreshSoon();
    view.event(frame);
    return;
  }
  switch (frame.type) {
    case "thread.created":
    case "thread.updated":
    case "message.created":
      if (frame.thread) {
        list.upsert(frame.thread);
        if (!state.clients.has(frame.thread.client.id)) loadClients().then(() => list.render());
      }
      break;
    case "thread.removed":
      list.remove(frame.thread_id);
      break;
    case "thread.urgent":
      alerts.heard(frame);
      break;
    case "message.deleted":
      refreshSoon();
      break;
    case "message.read_state":
      // The open thread counts its own messages (view.event); another one is fetched anew,
      // since a mark can arrive twice (a push and its replay) and must not count twice.
      if (frame.thread_id !== view.threadId) refreshSoon();
      break;
    default:
      break;
  }
  view.event(frame);
}

function wireFilters() {
  const picker = new ClientPicker($("#filter-client"), (client) => {
    state.filters.client = client;
    loadList();
  });
  $("#filter-client").addEventListener("search", () => {
    if (!$("#filter-client").value && state.filters.client) {
      picker.clear();
      state.filters.client = null;
      loadList();
    }
  });
  for (const name of ["audience", "topic", "state"]) {
    $(`#filter-${name}`).addEventListener("change", (e) => {
      state.filters[name] = e.target.value;
      loadList();
    });
  }
  $("#filters").addEventListener("submit", (e) => e.preventDefault());
  wireSearch($("#search"), (q) => {
    state.filters.q = q;
    loadList();
  });
}

async function start() {
  state.me = await signedInAs("staff");
  new PracticeSettings($(".topbar"), state.me);
  try {
    state.topics = await api("GET", "/api/topics");
  } catch (error) {
    state.topics = [];
  }
  $("#filter-topic").append(...options(state.topics.map((t) => [String(t.id), t.name])));
  wireFilters();
  $("#load-more").addEventListener("click", loadMore);
  $("#new-thread").addEventListener("click", () => {
    show("new");
    newForm.open();
  });
  $("#back").addEventListener("click", () => {
    show("empty");
    list.select(null);
    view.threadId = null;
    history.replaceState(null, "", "/inbox");
  });
  $("#open-settings").addEventListener("click", () => settings.open());
  const fromHash = /^#thread-(\d+)$/.exec(window.location.hash);
  if (fromHash) {
    view.threadId = Number(fromHash[1]);
    show("thread");
    list.select(view.threadId);
  }
  goLive({ load, event });
}

start().catch((error) => {
  document.body.prepend(el("p", { class: "error", role: "alert" }, `Cairn could not start: ${error.message}`));
});
