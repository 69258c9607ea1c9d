"""Uploaded file names made safe to show and to offer back as a download name."""

import unicodedata
from pathlib import PurePosixPath

NAME_MAX = 255


def clean_name(raw) -> str:
    """The uploaded name without path parts, control or format characters (a right-to-left
    override can disguise "gpj.exe"), outer blanks and dots; at most NAME_MAX characters,
    keeping the extension. "file" when nothing is left."""
    text = unicodedata.normalize("NFC", str(raw or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    text = " ".join(text.split()).strip(" .")
    if len(text) > NAME_MAX:
        suffix = PurePosixPath(text).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        text = text[:NAME_MAX - len(suffix)].rstrip(" .") + suffix
    return text or "file"
