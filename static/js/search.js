// Search (GET /api/threads?q=): the search box above the filters, the hit highlighted in each
// result's snippet, and the matching message brought into view when a result is opened.
//
// The snippet is plain text from the server; the highlight is made here with text nodes and
// <mark> elements, so nothing in it is ever parsed as HTML.

import { el } from "./dom.js";

const WORD = /[\p{L}\p{N}]+/gu;
const DELAY_MS = 250;

/** Lower case without accents, one code unit for one, so positions stay those of `text`. */
function fold(text) {
  let out = "";
  for (const char of text) {
    const base = char.normalize("NFKD").slice(0, char.length).toLowerCase();
    out += base.length === char.length ? base : char;
  }
  return out;
}

/** The words of a search as the server reads them: the last one also matches as a prefix. */
export function searchWords(q) {
  return fold((q || "").normalize("NFC")).match(WORD) || [];
}

/** `snippet` as nodes: text, with each word that matches the search `q` inside a <mark>. */
export function highlighted(snippet, q) {
  const words = searchWords(q);
  const exact = new Set(words.slice(0, -1));
  const prefix = words[words.length - 1];
  const nodes = [];
  let at = 0;
  for (const found of fold(snippet).matchAll(WORD)) {
    const word = found[0];
    if (!(exact.has(word) || (prefix && word.startsWith(prefix)))) continue;
    if (found.index > at) nodes.push(snippet.slice(at, found.index));
    nodes.push(el("mark", {}, snippet.slice(found.index, found.index + word.length)));
    at = found.index + word.length;
  }
  if (at < snippet.length) nodes.push(snippet.slice(at));
  return nodes;
}

/** The line under a result's subject: its snippet with the hit marked (null outside a search). */
export function matchLine(thread, q) {
  if (!thread.match || !q) return null;
  return el("span", { class: "row-snippet", testid: "search-snippet" }, highlighted(thread.match.snippet, q));
}

/** Scroll the message a result matched into view and mark it (nothing for a subject match). */
export function revealMatch(thread) {
  const id = thread && thread.match ? thread.match.message_id : null;
  if (id === null || id === undefined) return;
  const node = document.querySelector(`[data-testid="message"][data-message-id="${id}"]`);
  if (!node) return;
  for (const old of document.querySelectorAll(".message.search-hit")) old.classList.remove("search-hit");
  node.classList.add("search-hit");
  node.scrollIntoView({ block: "center" });
}

/**
 * Wire the search box `input` (in a form): `onSearch(q)` runs once typing pauses, at once on
 * Enter, and with "" when the box is cleared.
 */
export function wireSearch(input, onSearch) {
  let timer = null;
  let last = "";
  const run = () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (q === last) return;
    last = q;
    onSearch(q);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(run, DELAY_MS);
  });
  input.addEventListener("search", run);
  input.form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && input.value) {
      input.value = "";
      run();
    }
  });
}
