// The staff inbox: filters, the thread list, the open thread, "+ New", notification settings,
// all kept live over /ws/. The address holds the view (address.js): each opened thread is a
// history entry, and the filters survive a reload or a bookmark.

import { backTo, readAddress, writeAddress } from "./address.js";
import { api } from "./api.js";
import { fillAudiences } from "./audiences.js";
import { $, announce, el, options, say } from "./dom.js";
import { NewThreadForm, NotificationSettings } from "./inbox-new.js";
import { StaffThreadView } from "./inbox-thread.js";
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
  // client: {id, name} | null; q: the search words (GET /api/threads?q=)
  filters: { client: null, audience: "", topic: "", state: "inbox", q: "" },
  next: null,
  loading: 0,
};

const layout = $("#layout");
let view = null;
let newForm = null;
let picker = null;
let alerts = null;

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
  mine: (author) => Boolean(state.me) && author.id === state.me.id,
  matchLine: (thread) => matchLine(thread, state.filters.q),
});

/** Which pane shows in the main area: "empty", "thread" or "new". */
function show(which) {
  $("#empty-view").hidden = which !== "empty";
  $("#thread-view").hidden = which !== "thread";
  $("#new-view").hidden = which !== "new";
  layout.dataset.view = which === "empty" ? "list" : "detail";
  viewing(which === "thread" && view ? view.threadId : null);
}

async function openThread(id, { push = true } = {}) {
  show("thread");
  viewing(id);
  list.select(id);
  writeAddress({ thread: id, compose: false }, { push: push && readAddress().thread !== id });
  await view.open(id);
  if (view.threadId === id) revealMatch(list.get(id));
}

function openNew({ push = true } = {}) {
  show("new");
  if (push && !readAddress().compose) writeAddress({ compose: true, thread: null }, { push: true });
  newForm.open();
}

/** Back to the list (on a phone, the list view): a step back in history when we made one. */
function backToList() {
  backTo(showList);
}

function showList() {
  show("empty");
  list.select(null);
  if (view.threadId) view.close("");
}

/** The filters as the address holds them: strings, the client by id. */
function filterParams() {
  const f = state.filters;
  return { client: f.client ? String(f.client.id) : "", audience: f.audience, topic: f.topic,
    state: f.state, q: f.q };
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

/** The filters changed: keep them in the address, then fetch the list. */
function filtersChanged() {
  writeAddress(filterParams());
  showFilterCount();
  loadList();
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
  // A client filter read from the address knows only the id: show the name.
  const chosen = state.filters.client;
  if (chosen && !chosen.name && state.clients.has(chosen.id)) {
    chosen.name = state.clients.get(chosen.id).name;
    picker.set(chosen);
  }
}

/** Load (or reload) everything over HTTP: on the first hello and after resync_required. */
async function load() {
  await Promise.all([loadList(), loadClients()]);
  if (view.threadId) await view.open(view.threadId, { quiet: true });
}

/** Apply one live event. */
function event(frame) {
  if (frame.type === "message.created" && frame.message.author.id !== state.me.id
      && frame.message.thread_id !== view.threadId) {
    announce(`New message from ${frame.message.author.name}: ${frame.thread.subject}.`);
  }
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

/** Set the filter controls and state from the address. */
function filtersFromAddress(filters) {
  const f = state.filters;
  const clientId = Number(filters.client) || null;
  if (!clientId) {
    f.client = null;
    picker.clear();
  } else if (!f.client || f.client.id !== clientId) {
    f.client = { id: clientId, name: state.clients.get(clientId)?.name || "" };
    picker.set(f.client);
  }
  for (const name of ["audience", "topic", "state"]) {
    const select = $(`#filter-${name}`);
    select.value = filters[name];
    // A value the page does not offer (an old bookmark) falls back to the first choice.
    if (select.selectedIndex < 0) select.selectedIndex = 0;
    f[name] = select.value;
  }
  f.q = filters.q;
  $("#search").value = f.q;
  showFilterCount();
}

/** The phone's "Filters" button says how many filters are on. */
function showFilterCount() {
  const f = state.filters;
  const on = [f.client, f.audience, f.topic, f.state !== "inbox", f.q].filter(Boolean).length;
  $("#filters-toggle").textContent = on ? `Filters (${on})` : "Filters";
}

function wireFilters() {
  picker = new ClientPicker($("#filter-client"), (client) => {
    state.filters.client = client;
    filtersChanged();
  });
  $("#filter-client").addEventListener("search", () => {
    if (!$("#filter-client").value && state.filters.client) {
      picker.clear();
      state.filters.client = null;
      filtersChanged();
    }
  });
  for (const name of ["audience", "topic", "state"]) {
    $(`#filter-${name}`).addEventListener("change", (e) => {
      state.filters[name] = e.target.value;
      filtersChanged();
    });
  }
  $("#filters").addEventListener("submit", (e) => e.preventDefault());
  const toggle = $("#filters-toggle");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    $(".list-tools").dataset.filters = open ? "open" : "closed";
  });
  wireSearch($("#search"), (q) => {
    state.filters.q = q;
    filtersChanged();
  });
}

/** Show what the address says: on start, and on Back and Forward. */
function route({ initial = false } = {}) {
  const address = readAddress();
  const before = JSON.stringify(filterParams());
  filtersFromAddress(address.filters);
  if (!initial && JSON.stringify(filterParams()) !== before) loadList();
  if (address.thread) {
    if (initial) {
      // The first hello loads it (load()).
      view.threadId = address.thread;
      show("thread");
      list.select(address.thread);
      if (window.location.hash) writeAddress({ thread: address.thread });
    } else {
      openThread(address.thread, { push: false });
    }
  } else if (address.compose) {
    openNew({ push: false });
  } else {
    showList();
  }
}

async function start() {
  state.me = await signedInAs("staff");
  new PracticeSettings($(".topbar"), state.me);
  try {
    state.topics = await api("GET", "/api/topics");
  } catch (error) {
    state.topics = [];
  }
  view = new StaffThreadView({
    state,
    list,
    onClose: () => {
      show("empty");
      writeAddress({ thread: null });
    },
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
  alerts = new UrgentAlerts($(".topbar"), (id) => openThread(id));
  newForm = new NewThreadForm({
    state,
    onSent: async (created) => {
      list.upsert(created.thread);
      writeAddress({ compose: false });
      await openThread(created.thread.id, { push: false });
      view.notice(created.notice);
    },
    onCancel: backToList,
  });
  const settings = new NotificationSettings();
  fillAudiences($("#filter-audience"), { blank: "Any audience" });
  $("#filter-topic").append(...options(state.topics.map((t) => [String(t.id), t.name])));
  wireFilters();
  $("#load-more").addEventListener("click", loadMore);
  $("#new-thread").addEventListener("click", () => openNew());
  $("#back").addEventListener("click", backToList);
  $("#open-settings").addEventListener("click", () => settings.open());
  window.addEventListener("popstate", () => route());
  route({ initial: true });
  goLive({ load, event });
}

start().catch((error) => {
  document.body.prepend(el("p", { class: "error", role: "alert" }, `Cairn could not start: ${error.message}`));
});
