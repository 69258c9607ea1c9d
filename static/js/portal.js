// The client portal: the client's threads, a new message, replies, export — live over /ws/.
// Opening a thread (GET /api/threads/{id}) marks the practice's messages seen, so a staff
// message arriving in the open thread while the page is in view is fetched the same way.

import { api, download } from "./api.js";
import { $, audienceLabel, el, fill, options, say, timeEl } from "./dom.js";
import { goLive, newClientMsgId, showError, signedInAs, viewing } from "./page.js";
import { matchLine, revealMatch, wireSearch } from "./search.js";
import { MessageList, ThreadList } from "./threads.js";
import { AttachmentPicker } from "./attachments.js";
import { showCrisis, showExpectations } from "./urgent.js";

// `pending`: events about the open thread that arrive while it loads, applied after.
// `q`: the search in the search box ("" for none).
const state = { me: null, topics: [], threadId: null, thread: null, next: null, asking: 0, pending: null, q: "" };
const layout = $("#layout");

const list = new ThreadList($("#thread-list"), {
  showClient: false,
  // A search's results come from the server: a summary without a match is not one.
  matches: (thread) => !thread.deleted && (!state.q || Boolean(thread.match)),
  onOpen: (id) => openThread(id).then(() => {
    if (state.threadId === id) revealMatch(list.get(id));
  }),
  matchLine: (thread) => matchLine(thread, state.q),
});
const messages = new MessageList($("#messages"), { staff: false });

function show(which) {
  $("#empty-view").hidden = which !== "empty";
  $("#thread-view").hidden = which !== "thread";
  $("#new-view").hidden = which !== "new";
  layout.dataset.view = which === "empty" ? "list" : "detail";
  viewing(which === "thread" ? state.threadId : null);
}

function notice(text, kind = "info") {
  say($("#thread-notice"), text, kind);
}

// --- the list -------------------------------------------------------------------------------

async function loadList(before) {
  const params = new URLSearchParams({ state: "all", limit: "50" });
  if (before) params.set("before", before);
  if (state.q) params.set("q", state.q);
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

// --- the open thread ------------------------------------------------------------------------

async function openThread(id, { quiet = false } = {}) {
  const changed = id !== state.threadId;
  state.threadId = id;
  show("thread");
  list.select(id);
  if (window.location.hash !== `#thread-${id}`) history.replaceState(null, "", `#thread-${id}`);
  const asked = ++state.asking;
  if (changed) {
    state.thread = null;
    messages.set([]);
    fill($("#thread-subject"), "Loading…");
    fill($("#thread-meta"));
    notice("");
    $("#reply-body").value = "";
    if (replyFiles) replyFiles.clear();
    $("[data-testid=send]").disabled = true;
    say($("#reply-status"), "");
  }
  state.pending = [];
  let data;
  try {
    data = await api("GET", `/api/threads/${id}`);
  } catch (error) {
    if (asked !== state.asking) return;
    state.pending = null;
    if (error.status === 404) closeThread("This conversation is no longer available.");
    else notice(error.message, "error");
    return;
  }
  if (asked !== state.asking) return;
  state.thread = data.thread;
  renderHead();
  if (changed) messages.set(data.messages);
  else messages.refresh(data.messages);
  list.upsert(data.thread);
  const queued = state.pending || [];
  state.pending = null;
  for (const frame of queued) event(frame);
  if (changed && !quiet) {
    $("#thread-subject").focus();
    const last = $("#messages").lastElementChild;
    if (last) last.scrollIntoView({ block: "nearest" });
  }
}

function closeThread(text) {
  state.threadId = null;
  state.thread = null;
  state.pending = null;
  state.asking += 1;
  messages.set([]);
  list.select(null);
  history.replaceState(null, "", "/portal");
  say($("#empty-notice"), text || "", "warning");
  // On a small screen the list replaces the thread: say it there.
  if (text && window.matchMedia("(max-width: 760px)").matches) say($("#list-status"), text, "warning");
  show("empty");
}

function renderHead() {
  const thread = state.thread;
  fill($("#thread-subject"), thread.subject);
  fill($("#thread-meta"),
    el("span", { class: "chip" }, audienceLabel(thread.audience)),
    thread.topic ? el("span", { class: "chip" }, thread.topic.name) : null,
    el("span", { class: "muted" }, "Started ", timeEl(thread.created_at, { long: true })));
}

let seenWhenVisible = false;
/** The client is looking at the thread: fetch it again so new staff messages count as seen. */
function markSeen() {
  if (document.visibilityState === "visible") {
    seenWhenVisible = false;
    openThread(state.threadId, { quiet: true });
  } else {
    seenWhenVisible = true;
  }
}

document.addEventListener("visibilitychange", () => {
  if (seenWhenVisible && state.threadId && document.visibilityState === "visible") markSeen();
});

// --- live events ----------------------------------------------------------------------------

function event(frame) {
  const id = frame.thread_id ?? frame.thread?.id ?? frame.message?.thread_id;
  if (state.pending && id === state.threadId) {
    state.pending.push(frame);
    return;
  }
  const open = state.thread && id === state.threadId;
  // A search's results are fetched anew on every change, never patched.
  if (state.q && frame.type !== "receipt.seen") refreshSoon();
  switch (frame.type) {
    case "thread.created":
    case "thread.updated":
      list.upsert(frame.thread);
      if (open) {
        state.thread = { ...state.thread, ...frame.thread };
        renderHead();
      }
      break;
    case "message.created":
      list.upsert(frame.thread);
      if (open) {
        messages.put(frame.message);
        if (frame.message.author.kind === "staff") markSeen();
      }
      break;
    case "message.deleted":
      if (open) messages.remove(frame.message_id);
      refreshSoon();
      break;
    case "message.read_state": {
      if (open) {
        for (const messageId of frame.message_ids) messages.update(messageId, { unread: frame.unread });
        list.setUnread(id, messages.unreadCount());
      } else {
        refreshSoon();
      }
      break;
    }
    case "thread.removed":
      list.remove(frame.thread_id);
      if (open) closeThread("The practice removed this conversation.");
      break;
    default:
      break;
  }
}

async function load() {
  await loadList();
  if (state.threadId) await openThread(state.threadId, { quiet: true });
}

// --- writing --------------------------------------------------------------------------------

let replyId = null;
let replyFiles = null;
let newFiles = null;

/** Text or a finished upload, and no upload still running. */
function filled(textarea, files) {
  return Boolean((textarea.value.trim() || files.ids().length) && !files.busy());
}

async function reply(event) {
  event.preventDefault();
  const input = $("#reply-body");
  const body = input.value.trim();
  if (!filled(input, replyFiles) || !state.thread) return;
  const send = $("[data-testid=send]");
  send.disabled = true;
  replyId = replyId || newClientMsgId();
  say($("#reply-status"), "Sending…");
  try {
    const sent = await api("POST", `/api/threads/${state.threadId}/messages`, { body, client_msg_id: replyId, attachments: replyFiles.ids() });
    replyId = null;
    input.value = "";
    replyFiles.clear();
    messages.put(sent.message);
    say($("#reply-status"), "Sent.");
    input.focus();
    showCrisis(sent);
  } catch (error) {
    showError($("#reply-status"), error);
    send.disabled = !filled(input, replyFiles);
  }
}

let newId = null;
function newReady() {
  return Boolean($("#new-audience").value && $("#new-subject").value.trim() && filled($("#new-body"), newFiles));
}

function openNew() {
  show("new");
  newId = null;
  fill($("#new-topic"), el("option", { value: "" }, "No topic"),
    options(state.topics.map((t) => [String(t.id), t.name])));
  $("#new-audience").value = "";
  $("#new-subject").value = "";
  $("#new-body").value = "";
  newFiles.clear();
  say($("#new-error"), "");
  $("[data-testid=new-send]").disabled = true;
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
    list.upsert(created.thread);
    await openThread(created.thread.id);
    notice("Your message was sent to the practice.");
    showCrisis(created);
  } catch (error) {
    showError($("#new-error"), error);
    button.disabled = !newReady();
  }
}

// --- start ----------------------------------------------------------------------------------

async function start() {
  state.me = await signedInAs("client");
  try {
    state.topics = await api("GET", "/api/topics");
  } catch (error) {
    state.topics = [];
  }
  const checkReply = () => { $("[data-testid=send]").disabled = !filled($("#reply-body"), replyFiles); };
  replyFiles = new AttachmentPicker($("#reply-form"), { onChange: checkReply, before: $("#reply-form .reply-actions") });
  newFiles = new AttachmentPicker($("#new-form"), {
    onChange: () => { $("[data-testid=new-send]").disabled = !newReady(); },
    before: $("#new-error"),
  });
  $("#reply-body").addEventListener("input", checkReply);
  $("#reply-form").addEventListener("submit", reply);
  showExpectations([$("#reply-form"), $("#new-form")]);
  $("#export").addEventListener("click", async () => {
    try {
      await download(`/api/threads/${state.threadId}/export`, `conversation-${state.threadId}.pdf`);
    } catch (error) {
      notice(error.message, "error");
    }
  });
  $("#new-thread").addEventListener("click", openNew);
  $("#new-back").addEventListener("click", () => show(state.threadId ? "thread" : "empty"));
  $("#new-topic").addEventListener("change", () => {
    const topic = state.topics.find((t) => String(t.id) === $("#new-topic").value);
    if (topic) $("#new-subject").value = topic.subject;
    $("[data-testid=new-send]").disabled = !newReady();
  });
  for (const id of ["#new-audience", "#new-subject", "#new-body"]) {
    $(id).addEventListener("input", () => {
      $("[data-testid=new-send]").disabled = !newReady();
    });
    $(id).addEventListener("change", () => {
      $("[data-testid=new-send]").disabled = !newReady();
    });
  }
  $("#new-form").addEventListener("submit", sendNew);
  $("#load-more").addEventListener("click", () => loadList(state.next));
  wireSearch($("#search"), (q) => {
    state.q = q;
    loadList();
  });
  $("#back").addEventListener("click", () => closeThread(""));
  const fromHash = /^#thread-(\d+)$/.exec(window.location.hash);
  if (fromHash) {
    state.threadId = Number(fromHash[1]);
    show("thread");
  }
  goLive({ load, event });
}

start().catch((error) => {
  document.body.prepend(el("p", { class: "error", role: "alert" }, `Cairn could not start: ${error.message}`));
});
