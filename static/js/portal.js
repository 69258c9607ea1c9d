// The client portal: the client's threads, a new message, replies, export — live over /ws/.
// The open thread is the shared thread view (thread-view.js). Opening a thread
// (GET /api/threads/{id}) marks the practice's messages seen, so a staff message arriving in the
// open thread while the page is in view is fetched the same way.

import { backTo, readAddress, writeAddress } from "./address.js";
import { api, download } from "./api.js";
import { AttachmentPicker } from "./attachments.js";
import { fillAudiences } from "./audiences.js";
import { $, el, fill, options, say } from "./dom.js";
import { clearDraft, loadDraft, saveDraft } from "./drafts.js";
import { goLive, newClientMsgId, showError, signedInAs, viewing } from "./page.js";
import { matchLine, revealMatch, wireSearch } from "./search.js";
import { ThreadView } from "./thread-view.js";
import { ThreadList } from "./threads.js";
import { showCrisis, showExpectations } from "./urgent.js";

// `q`: the search in the search box ("" for none), kept in the address like the inbox's filters.
const state = { me: null, topics: [], next: null, q: "" };
const layout = $("#layout");
let view = null;

const list = new ThreadList($("#thread-list"), {
  showClient: false,
  // A search's results come from the server: a summary without a match is not one.
  matches: (thread) => !thread.deleted && (!state.q || Boolean(thread.match)),
  onOpen: (id) => openThread(id),
  mine: (author) => Boolean(state.me) && author.id === state.me.id,
  matchLine: (thread) => matchLine(thread, state.q),
});

/** The shared thread view, plus: what the client reads on screen counts as seen. */
class PortalThreadView extends ThreadView {
  constructor() {
    super({
      me: state.me,
      list,
      gone: "This conversation is no longer available.",
      onClose: () => {
        show("empty");
        writeAddress({ thread: null });
      },
      messageOptions: { staff: false },
    });
    this.seenWhenVisible = false;
    document.addEventListener("visibilitychange", () => {
      if (this.seenWhenVisible && this.threadId && document.visibilityState === "visible") this.markSeen();
    });
    $("#export").addEventListener("click", async () => {
      try {
        await download(this.path("/export"), `conversation-${this.threadId}.pdf`);
      } catch (error) {
        this.notice(error.message, "error");
      }
    });
  }

  removedText() {
    return "The practice removed this conversation.";
  }

  afterSend(sent) {
    super.afterSend(sent);
    showCrisis(sent);
  }

  arrived(message) {
    if (message.author.kind === "staff") this.markSeen();
  }

  /** The client is looking at the thread: fetch it again so new staff messages count as seen. */
  markSeen() {
    if (document.visibilityState === "visible") {
      this.seenWhenVisible = false;
      this.open(this.threadId, { quiet: true });
    } else {
      this.seenWhenVisible = true;
    }
  }
}

function show(which) {
  $("#empty-view").hidden = which !== "empty";
  $("#thread-view").hidden = which !== "thread";
  $("#new-view").hidden = which !== "new";
  layout.dataset.view = which === "empty" ? "list" : "detail";
  viewing(which === "thread" && view ? view.threadId : null);
}

// --- the list -------------------------------------------------------------------------------

async function loadList(before) {
  const params = new URLSearchParams({ state: "all", limit: "50" });
  if (state.q) params.set("q", state.q);
  if (before) params.set("before", before);
  try {
    const page = await api("GET", `/api/threads?${params}`);
    if (before) list.add(page.threads);
    else list.set(page.threads);
    state.next = page.next;
    $("#load-more").hidden = !page.next;
    say($("#list-status"), "");
  } catch (error) {
    showError($("#list-status"), error);
  }
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => loadList(), 300);
}

async function openThread(id, { push = true } = {}) {
  show("thread");
  viewing(id);
  list.select(id);
  writeAddress({ thread: id, compose: false }, { push: push && readAddress().thread !== id });
  await view.open(id);
  if (view.threadId === id) revealMatch(list.get(id));
}

function backToList() {
  backTo(showList);
}

function showList() {
  show("empty");
  list.select(null);
  if (view.threadId) view.close("");
}

function event(frame) {
  // A search's results are fetched anew on every change, never patched.
  if (state.q && frame.type !== "receipt.seen") refreshSoon();
  switch (frame.type) {
    case "thread.created":
    case "thread.updated":
    case "message.created":
      list.upsert(frame.thread);
      break;
    case "message.deleted":
      refreshSoon();
      break;
    case "message.read_state":
      if (frame.thread_id !== view.threadId) refreshSoon();
      break;
    case "thread.removed":
      list.remove(frame.thread_id);
      break;
    default:
      break;
  }
  view.event(frame);
}

async function load() {
  await loadList();
  if (view.threadId) await view.open(view.threadId, { quiet: true });
}

// --- a new message, kept as a draft until sent -----------------------------------------------

let newId = null;
let newFiles = null;
const NEW_FIELDS = ["#new-audience", "#new-topic", "#new-subject", "#new-body"];

function newReady() {
  const filled = ($("#new-body").value.trim() || newFiles.ids().length) && !newFiles.busy();
  return Boolean($("#new-audience").value && $("#new-subject").value.trim() && filled);
}

function newChanged() {
  $("[data-testid=new-send]").disabled = !newReady();
  const [audience, topic, subject, body] = NEW_FIELDS.map((id) => $(id).value);
  saveDraft(state.me.id, "new", { audience, topic, subject, body },
    !audience && !topic && !subject.trim() && !body.trim());
}

function openNew({ push = true } = {}) {
  show("new");
  if (push && !readAddress().compose) writeAddress({ compose: true, thread: null }, { push: true });
  newId = null;
  const draft = loadDraft(state.me.id, "new") || {};
  fill($("#new-topic"), el("option", { value: "" }, "No topic"),
    options(state.topics.map((t) => [String(t.id), t.name]), draft.topic || ""));
  $("#new-audience").value = draft.audience || "";
  $("#new-subject").value = draft.subject || "";
  $("#new-body").value = draft.body || "";
  newFiles.clear();
  say($("#new-error"), "");
  $("[data-testid=new-send]").disabled = !newReady();
  $("#new-audience").focus();
}

async function sendNew(event) {
  event.preventDefault();
  if (!newReady()) {
    say($("#new-error"), "Choose who it is for, and write a subject and a message.", "error");
    return;
  }
  const button = $("[data-testid=new-send]");
  button.disabled = true;
  newId = newId || newClientMsgId();
  const topic = $("#new-topic").value;
  try {
    const created = await api("POST", "/api/threads", {
      audience: $("#new-audience").value,
      topic_id: topic ? Number(topic) : null,
      subject: $("#new-subject").value.trim(),
      body: $("#new-body").value.trim(),
      client_msg_id: newId,
      attachments: newFiles.ids(),
    });
    newFiles.clear();
    clearDraft(state.me.id, "new");
    list.upsert(created.thread);
    writeAddress({ compose: false });
    await openThread(created.thread.id, { push: false });
    view.notice("Your message was sent to the practice.");
    showCrisis(created);
  } catch (error) {
    showError($("#new-error"), error);
    button.disabled = !newReady();
  }
}

function wireNew() {
  fillAudiences($("#new-audience"), { blank: "Choose…", client: true });
  newFiles = new AttachmentPicker($("#new-form"), {
    onChange: () => { $("[data-testid=new-send]").disabled = !newReady(); },
    before: $("#new-error"),
  });
  $("#new-thread").addEventListener("click", () => openNew());
  $("#new-back").addEventListener("click", backToList);
  $("#new-topic").addEventListener("change", () => {
    const topic = state.topics.find((t) => String(t.id) === $("#new-topic").value);
    if (topic) $("#new-subject").value = topic.subject;
    newChanged();
  });
  for (const id of NEW_FIELDS) {
    $(id).addEventListener("input", newChanged);
    $(id).addEventListener("change", newChanged);
  }
  $("#new-form").addEventListener("submit", sendNew);
}

// --- start ----------------------------------------------------------------------------------

/** Show what the address says: on start, and on Back and Forward. */
function route({ initial = false } = {}) {
  const address = readAddress();
  if (address.filters.q !== state.q) {
    state.q = address.filters.q;
    $("#search").value = state.q;
    if (!initial) loadList();
  }
  if (address.thread) {
    if (initial) {
      view.threadId = address.thread;
      show("thread");
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
  state.me = await signedInAs("client");
  try {
    state.topics = await api("GET", "/api/topics");
  } catch (error) {
    state.topics = [];
  }
  view = new PortalThreadView();
  wireNew();
  showExpectations([$("#reply-form"), $("#new-form")]);
  $("#load-more").addEventListener("click", () => loadList(state.next));
  wireSearch($("#search"), (q) => {
    state.q = q;
    writeAddress({ q });
    loadList();
  });
  $("#back").addEventListener("click", backToList);
  window.addEventListener("popstate", () => route());
  route({ initial: true });
  goLive({ load, event });
}

start().catch((error) => {
  document.body.prepend(el("p", { class: "error", role: "alert" }, `Cairn could not start: ${error.message}`));
});
