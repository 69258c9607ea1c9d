"""What an upload is, judged by its content (never its name), and images without their metadata.

Binary types are recognised by `filetype` (one answer per file, from its first 8 KiB). Office
files are zip archives: a DOCX or XLSX is a zip whose `[Content_Types].xml` declares a Word
document or an Excel workbook as its main part (a plain or macro-carrying zip is refused).
Plain text is what `filetype` does not recognise, decodes as UTF-8 and holds no control
characters and no markup (HTML, SVG and XML are refused).
"""

import codecs
import re
import tempfile
import warnings
import zipfile

import filetype
import pillow_heif
from PIL import Image, ImageOps

from server.errors import ApiError, invalid

pillow_heif.register_heif_opener()

PDF, PNG, JPEG, GIF, WEBP, HEIC = ("application/pdf", "image/png", "image/jpeg", "image/gif",
                                   "image/webp", "image/heic")
TEXT, CSV = "text/plain; charset=utf-8", "text/csv; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# filetype's MIME of each binary type we take -> the content type we store.
BINARY = {"application/pdf": PDF, "image/png": PNG, "image/jpeg": JPEG, "image/gif": GIF,
          "image/webp": WEBP, "image/heic": HEIC, "image/heif": HEIC}
# Each image type -> (the type it is stored as, the Pillow format that re-encodes it). HEIC is
# stored as JPEG: only Safari shows HEIC, and re-encoding a 12-megapixel HEIC took
# 7 to 50 seconds here (JPEG: 0.3 s).
IMAGES = {PNG: (PNG, "PNG"), JPEG: (JPEG, "JPEG"), GIF: (GIF, "GIF"), WEBP: (WEBP, "WEBP"),
          HEIC: (JPEG, "JPEG")}
OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Markup a browser might render, looked for at the start of a text file.
MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<iframe",
          b"<!--", b"<xsl", b"<object", b"<embed", b"<div", b"<a ", b"<img", b"<style", b"<meta")
# Control characters other than tab, line feed, form feed and carriage return.
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Images with more pixels than this are refused (a small file can hold a huge image).
MAX_PIXELS = 60_000_000


def unsupported() -> ApiError:
    return ApiError(415, "unsupported_type",
                    "This kind of file cannot be attached. Allowed: PDF, PNG, JPEG, GIF, WebP, "
                    "HEIC, plain text, CSV, Word (DOCX) and Excel (XLSX) files.")


def sniff(file, name: str) -> str:
    """The content type of the open binary `file`, or a 415 for anything off the list."""
    file.seek(0)
    head = file.read(8192)
    kind = filetype.guess(head)
    file.seek(0)
    if kind is None:
        if _is_plain_text(file, head):
            return CSV if name.lower().endswith(".csv") else TEXT
        raise unsupported()
    if kind.mime in BINARY:
        return BINARY[kind.mime]
    if kind.mime in ("application/zip", DOCX, XLSX):
        return _office_type(file)
    raise unsupported()


def _office_type(file) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024 or any(
                    n.lower().endswith("vbaproject.bin") for n in archive.namelist()):
                raise unsupported()
            types = archive.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError, RuntimeError):
        raise unsupported()
    finally:
        file.seek(0)
    found = {kind for marker, kind in OOXML_MAIN.items() if marker in types}
    if len(found) != 1 or b"macroEnabled" in types:
        raise unsupported()
    return found.pop()


def _is_plain_text(file, head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(start.startswith(tag) for tag in MARKUP):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := file.read(256 * 1024):
            # UTF-8 never uses bytes below 0x80 inside a multi-byte character: a byte search
            # finds exactly the control characters.
            if CONTROL.search(chunk):
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        file.seek(0)
    return True


def is_image(content_type: str) -> bool:
    return content_type in IMAGES


def clean_image(file, content_type: str):
    """(a new temporary file, its content type): the image re-encoded without EXIF (GPS,
    camera, times), XMP or comments, turned upright as its EXIF orientation said; HEIC becomes
    JPEG. Animated GIF and WebP keep their frames. A file that sniffs as an image but will not
    decode is a 422."""
    stored_type, fmt = IMAGES[content_type]
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise invalid("image_too_large",
                                  f"Images may have at most {MAX_PIXELS:,} pixels.")
                _save_without_metadata(image, fmt, out)
    except ApiError:
        out.close()
        raise
    except Exception:
        out.close()
        raise invalid("unreadable_image", "This image could not be read; it may be damaged.")
    out.seek(0)
    return out, stored_type


def _save_without_metadata(image, fmt: str, out) -> None:
    # Only what is passed to save() is written: no exif, xmp or comment is passed on.
    options = {}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if getattr(image, "n_frames", 1) > 1 and fmt in ("GIF", "WEBP"):
        for key in ("duration", "loop", "transparency", "background"):
            if key in image.info:
                options[key] = image.info[key]
        image.save(out, fmt, save_all=True, **options)
        return
    upright = ImageOps.exif_transpose(image)
    if fmt == "JPEG":
        options.update(quality=92)
        if upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
    elif fmt == "PNG" and "transparency" in upright.info:
        options["transparency"] = upright.info["transparency"]
    elif fmt == "GIF" and "transparency" in upright.info:
        options["transparency"] = upright.info["transparency"]
    elif fmt == "WEBP":
        options.update(quality=90)
    upright.save(out, fmt, **options)
