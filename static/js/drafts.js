// Unsent text, kept per signed-in user in this tab's sessionStorage: a reply per thread and the
// new-message form. It survives switching threads and reloading; sending clears it; closing the
// tab forgets it.

const PREFIX = "cairn.draft";

function key(userId, name) {
  return `${PREFIX}.${userId}.${name}`;
}

/** The draft saved under `name` ("thread-12", "new"), or null. */
export function loadDraft(userId, name) {
  try {
    const text = sessionStorage.getItem(key(userId, name));
    return text ? JSON.parse(text) : null;
  } catch (error) {
    return null;
  }
}

/** Save `value` (anything JSON); an empty value removes the draft. */
export function saveDraft(userId, name, value, empty = false) {
  try {
    if (empty) sessionStorage.removeItem(key(userId, name));
    else sessionStorage.setItem(key(userId, name), JSON.stringify(value));
  } catch (error) {
    // Storage full or refused (private mode): the draft lives only on screen.
  }
}

export function clearDraft(userId, name) {
  saveDraft(userId, name, null, true);
}
