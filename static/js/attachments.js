// Attachments: the attach button, drag-and-drop, upload progress and chips of a composer, and
// the files shown on a message. Uploads go one by one to POST /api/attachments; the composer
// sends the ids of the finished ones with its message. Names are set as text, never as HTML.

import { csrfToken } from "./api.js";
import { el, fill, say } from "./dom.js";

export const MAX_FILES = 10;
export const MAX_BYTES = 25 * 1024 * 1024;
const ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.heic,.heif,.txt,.csv,.docx,.xlsx,"
  + "application/pdf,image/png,image/jpeg,image/gif,image/webp,image/heic,text/plain,text/csv";
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** "2.4 MB", "180 KB", "12 bytes". */
export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function fileUrl(id, { inline = false, deleted = false } = {}) {
  const query = [inline ? "inline=1" : "", deleted ? "state=deleted" : ""].filter(Boolean).join("&");
  return `/api/attachments/${id}${query ? `?${query}` : ""}`;
}

/** The files of a message: a download link each, a small picture for images. */
export function attachmentList(message, { deletedView = false } = {}) {
  const files = message.attachments || [];
  if (!files.length) return null;
  const deleted = deletedView && message.deleted;
  return el("ul", { class: "attachments" }, files.map((file) => el("li", {
    class: "attachment", testid: "attachment", dataset: { attachmentId: String(file.id) },
  },
  IMAGE_TYPES.includes(file.content_type)
    ? el("img", { class: "thumb", src: fileUrl(file.id, { inline: true, deleted }), alt: "", loading: "lazy" })
    : null,
  el("a", { href: fileUrl(file.id, { deleted }), download: file.name }, file.name),
  el("span", { class: "muted" }, ` ${fileSize(file.size)}`))));
}

/** Upload `file` with progress; resolves the server's {id, name, size, content_type}. */
async function uploadFile(file, onProgress) {
  const token = await csrfToken();
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/attachments");
    request.setRequestHeader("X-CSRFToken", token);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      let data = null;
      try {
        data = JSON.parse(request.responseText);
      } catch (error) {
        data = null;
      }
      if (request.status === 201 && data) resolve(data);
      else reject(new Error((data && data.error && data.error.message) || `The upload failed (${request.status}).`));
    });
    request.addEventListener("error", () => reject(new Error("The upload failed: the server cannot be reached.")));
    const form = new FormData();
    form.append("file", file);
    request.send(form);
  });
}

/**
 * The attach button, drop zone and chips of one composer form. `onChange` runs whenever the
 * set of finished uploads or the busy state changes (to enable Send).
 */
export class AttachmentPicker {
  constructor(form, { onChange = () => {}, before = null } = {}) {
    this.onChange = onChange;
    this.items = [];
    this.input = el("input", {
      type: "file", multiple: true, accept: ACCEPT, class: "visually-hidden",
      testid: "attach-input", id: `${form.id}-attach`,
      onchange: () => {
        this.add([...this.input.files]);
        this.input.value = "";
      },
    });
    this.chips = el("ul", { class: "attachment-chips" });
    this.status = el("p", { class: "status-line", role: "alert", hidden: true });
    const button = el("label", { class: "button quiet small attach-button", for: this.input.id }, "Attach files");
    const box = el("div", { class: "attach-box" }, this.input, button,
      el("span", { class: "muted small" }, " or drop files here"), this.chips, this.status);
    form.insertBefore(box, before || null);
    form.addEventListener("dragover", (event) => {
      if (!event.dataTransfer || ![...event.dataTransfer.types].includes("Files")) return;
      event.preventDefault();
      form.classList.add("dropping");
    });
    form.addEventListener("dragleave", () => form.classList.remove("dropping"));
    form.addEventListener("drop", (event) => {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      form.classList.remove("dropping");
      this.add([...event.dataTransfer.files]);
    });
  }

  /** Ids of the finished uploads, in the order they were added. */
  ids() {
    return this.items.filter((item) => item.done).map((item) => item.done.id);
  }

  busy() {
    return this.items.some((item) => !item.done && !item.failed);
  }

  clear() {
    this.items = [];
    fill(this.chips);
    say(this.status, "");
    this.onChange();
  }

  add(files) {
    say(this.status, "");
    for (const file of files) {
      if (this.items.filter((item) => !item.failed).length >= MAX_FILES) {
        say(this.status, `A message may carry at most ${MAX_FILES} files.`, "error");
        break;
      }
      if (file.size > MAX_BYTES) {
        say(this.status, `${file.name} is too large: files may be at most ${fileSize(MAX_BYTES)}.`, "error");
        continue;
      }
      if (!file.size) {
        say(this.status, `${file.name} is empty.`, "error");
        continue;
      }
      this.start(file);
    }
  }

  start(file) {
    const progress = el("progress", { max: "1", value: "0", "aria-label": `Uploading ${file.name}` });
    const item = { done: null, failed: false };
    const remove = el("button", {
      type: "button", class: "quiet small", "aria-label": `Remove ${file.name}`,
      onclick: () => {
        this.items = this.items.filter((other) => other !== item);
        chip.remove();
        this.onChange();
      },
    }, "×");
    const chip = el("li", { class: "attachment-chip", testid: "attachment-chip" },
      el("span", { class: "name" }, file.name), el("span", { class: "muted" }, ` ${fileSize(file.size)} `),
      progress, remove);
    item.chip = chip;
    this.items.push(item);
    this.chips.append(chip);
    this.onChange();
    uploadFile(file, (share) => { progress.value = share; }).then((stored) => {
      item.done = stored;
      chip.dataset.attachmentId = String(stored.id);
      progress.remove();
      if (IMAGE_TYPES.includes(stored.content_type)) {
        chip.prepend(el("img", { class: "thumb", src: fileUrl(stored.id, { inline: true }), alt: "" }));
      }
      this.onChange();
    }, (error) => {
      item.failed = true;
      chip.remove();
      this.items = this.items.filter((other) => other !== item);
      say(this.status, `${file.name}: ${error.message}`, "error");
      this.onChange();
    });
  }
}
