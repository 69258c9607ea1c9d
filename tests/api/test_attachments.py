"""Attachments (SPEC §4): upload by content type, attach to messages, download under the
message's own rules, the sweep of untaken uploads, export and email."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils import timezone
from PIL import Image

from server.actions.attachments import remove_untaken_uploads
from server.attachments.store import attachment_storage
from server.live import render
from server.models import Attachment, AuditEntry, Event
from tests.api.attachment_files import (CAMERA, EXCEL_MAIN, EXE, HTML, PDF, SVG, image, office,
                                        upload, uploaded)
from tests.api.helpers import start
from tests.api.test_export import pdf_text


def stored_files() -> list:
    storage = attachment_storage()
    try:
        folders, _ = storage.listdir("")
    except FileNotFoundError:
        return []
    return [f"{d}/{f}" for d in folders for f in storage.listdir(d)[1]]


def refused(r, status, code):
    assert r.status_code == status, r.content
    assert r.json()["error"]["code"] == code
    assert r.json()["error"]["message"]


# Upload: what is taken, as what

@pytest.mark.parametrize("name,data,content_type", [
    ("card.pdf", PDF, "application/pdf"),
    ("scan.png", image("PNG"), "image/png"),
    ("photo.jpg", image("JPEG"), "image/jpeg"),
    ("anim.gif", image("GIF", gps=False), "image/gif"),
    ("shot.webp", image("WEBP"), "image/webp"),
    ("notes.txt", "Zoë's notes — ok\n".encode(), "text/plain; charset=utf-8"),
    ("hours.csv", b"day,hours\nmon,9-5\n", "text/csv; charset=utf-8"),
    ("letter.docx", office(), "application/vnd.openxmlformats-officedocument."
                              "wordprocessingml.document"),
    ("sheet.xlsx", office("xl/workbook.xml", EXCEL_MAIN),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_allowed_types_are_taken_by_content(world, as_user, name, data, content_type):
    dana = as_user(world.dana.user)
    # The browser's own claim about the type is ignored.
    body = uploaded(dana, name, data, content_type="application/x-whatever")
    assert body["name"] == name and body["content_type"] == content_type
    row = Attachment.objects.get(pk=body["id"])
    assert row.uploader == world.dana.user and row.message is None
    assert body["size"] == row.size == attachment_storage().size(row.storage_name)
    assert name not in row.storage_name and stored_files() == [row.storage_name]


def test_heic_is_taken_and_kept_as_jpeg(world, as_user):
    body = uploaded(as_user(world.cleo), "IMG_0001.HEIC", image("HEIF"))
    assert body["content_type"] == "image/jpeg" and body["name"] == "IMG_0001.jpg"


@pytest.mark.parametrize("name,data", [
    ("page.html", HTML), ("page.txt", HTML), ("logo.svg", SVG),
    ("evil.pdf", EXE), ("setup.exe", EXE), ("tool", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
    ("files.zip", office(main=None)), ("data.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 30),
    ("macro.docx", office(extra=["word/vbaProject.bin"])),
    ("binary.txt", b"text then \x00\x01\x02 binary"),
    ("latin1.txt", "café".encode("latin-1")),
])
def test_everything_else_is_415_and_nothing_is_stored(world, as_user, name, data):
    refused(upload(as_user(world.cleo), name, data), 415, "unsupported_type")
    assert not Attachment.objects.exists() and stored_files() == []


def test_images_lose_their_exif_and_stand_upright(world, as_user):
    cleo = as_user(world.cleo)
    # Orientation 6: the camera was turned; the stored pixels are turned back.
    raw = image("JPEG", size=(40, 20), orientation=6)
    assert Image.open(io.BytesIO(raw)).getexif().get(0x010F) == CAMERA
    body = uploaded(cleo, "photo.jpg", raw)
    stored = cleo.get(f"/api/attachments/{body['id']}")
    data = b"".join(stored.streaming_content)
    assert CAMERA.encode() not in data
    with Image.open(io.BytesIO(data)) as seen:
        assert dict(seen.getexif()) == {} and seen.size == (20, 40)
    png = uploaded(cleo, "scan.png", image("PNG"))
    data = b"".join(cleo.get(f"/api/attachments/{png['id']}").streaming_content)
    assert CAMERA.encode() not in data and b"eXIf" not in data


@pytest.mark.parametrize("name,data,code", [
    ("empty.txt", b"", "empty_file"),
    ("empty.png", b"", "empty_file"),
    ("broken.png", image("PNG")[:40], "unreadable_image"),
])
def test_empty_and_broken_files_are_422(world, as_user, name, data, code):
    refused(upload(as_user(world.cleo), name, data), 422, code)
    assert not Attachment.objects.exists() and stored_files() == []


def test_no_file_field_is_422_and_bad_multipart_400(world, as_user):
    cleo = as_user(world.cleo)
    refused(cleo.http.post("/api/attachments", {"other": "x"}), 422, "no_file")
    refused(cleo.post("/api/attachments", {"file": "x"}), 422, "no_file")
    r = cleo.http.post("/api/attachments", b"--zz\r\nbroken", content_type="multipart/form-data")
    assert r.status_code in (400, 422)
    assert not Attachment.objects.exists()


def test_over_the_limit_is_413_and_nothing_is_stored(world, as_user, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    cleo = as_user(world.cleo)
    refused(upload(cleo, "big.txt", b"a" * 1001), 413, "too_large")
    assert uploaded(cleo, "fits.txt", b"a" * 1000)["size"] == 1000
    assert Attachment.objects.count() == 1 and len(stored_files()) == 1


def test_large_uploads_stream_to_a_temporary_file(world, as_user, settings, monkeypatch):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE the upload goes to disk, not memory."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    to_disk = []
    original = TemporaryFileUploadHandler.new_file

    def spy(self, *args, **kwargs):
        to_disk.append(True)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", spy)
    assert uploaded(as_user(world.cleo), "long.txt", b"line\n" * 2000)["size"] == 10_000
    assert to_disk


@pytest.mark.parametrize("raw,expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\dana\\card.txt", "card.txt"),
    ("tab\tand\x07bell.txt", "tabandbell.txt"),
    ("\u202etxt.exe", "txt.exe"),
])
def test_names_lose_paths_and_control_characters(world, as_user, raw, expected):
    assert uploaded(as_user(world.cleo), raw, b"hello")["name"] == expected


def test_long_names_are_cut_to_255_keeping_the_extension(world, as_user):
    name = uploaded(as_user(world.cleo), "x" * 300 + ".txt", b"hello")["name"]
    assert len(name) == 255 and name.endswith("x.txt")


def test_untaken_uploads_per_user_are_bounded(world, as_user, monkeypatch):
    monkeypatch.setattr("server.actions.attachments.MAX_UNTAKEN", 2)
    cleo = as_user(world.cleo)
    first, _ = uploaded(cleo, "1.txt", b"1"), uploaded(cleo, "2.txt", b"2")
    r = upload(cleo, "3.txt", b"3")
    refused(r, 429, "too_many_uploads")
    assert r["Retry-After"]
    # Sending one frees a place; others' uploads do not count.
    tid = start(cleo, "clinical", client=world.dana, attachments=[first["id"]])["thread"]["id"]
    assert tid and uploaded(cleo, "3.txt", b"3") and uploaded(as_user(world.cara), "x.txt", b"x")


def test_a_retried_send_returns_the_first_message_with_its_files(world, as_user):
    cleo = as_user(world.cleo)
    tid = start(cleo, "clinical", client=world.dana)["thread"]["id"]
    file = uploaded(cleo, "a.txt", b"a")
    send = {"body": "Here", "attachments": [file["id"]], "client_msg_id": "retry-1"}
    first = cleo.post(f"/api/threads/{tid}/messages", send)
    again = cleo.post(f"/api/threads/{tid}/messages", send)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["message"]["attachments"] == first.json()["message"]["attachments"] == [file]


def test_upload_needs_a_signed_in_user(world, as_user):
    refused(upload(as_user(None), "a.txt", b"hi"), 401, "not_signed_in")


# Attaching to messages

def test_a_reply_and_a_new_thread_carry_attachments(world, as_user):
    cleo = as_user(world.cleo)
    first = uploaded(cleo, "plan.pdf", PDF)
    r = cleo.post("/api/threads", {"client_id": world.dana.pk, "audience": "clinical",
                                   "subject": "Plan", "body": "", "attachments": [first["id"]]})
    assert r.status_code == 201, r.content
    assert r.json()["message"]["attachments"] == [first]
    tid = r.json()["thread"]["id"]
    a, b = uploaded(cleo, "a.txt", b"a"), uploaded(cleo, "b.png")
    r = cleo.post(f"/api/threads/{tid}/messages", {"body": "Two more", "attachments": [a["id"], b["id"]]})
    assert r.status_code == 201 and r.json()["message"]["attachments"] == [a, b]
    seen = as_user(world.dana.user).get(f"/api/threads/{tid}").json()["messages"]
    assert [m["attachments"] for m in seen] == [[first], [a, b]]
    # The socket's message.created carries them too.
    pushed = render.envelopes([Event.objects.filter(type="message.created").last()])
    assert pushed[0]["frame"]["message"]["attachments"] == [a, b]


def test_an_empty_body_needs_an_attachment(world, as_user):
    tid = start(as_user(world.cleo), "clinical", client=world.dana)["thread"]["id"]
    refused(as_user(world.cleo).post(f"/api/threads/{tid}/messages", {"body": "  "}), 422,
            "body_empty")


def test_others_taken_missing_and_too_many_uploads_are_422(world, as_user):
    cleo, cara = as_user(world.cleo), as_user(world.cara)
    tid = start(cleo, "clinical", client=world.dana)["thread"]["id"]
    theirs = uploaded(cara, "theirs.txt", b"x")["id"]
    mine = uploaded(cleo, "mine.txt", b"x")["id"]

    def send(ids):
        return cleo.post(f"/api/threads/{tid}/messages", {"body": "See", "attachments": ids})

    refused(send([mine, theirs]), 422, "invalid_attachment")
    refused(send([mine, 999_999]), 422, "invalid_attachment")
    refused(send([mine, mine]), 422, "invalid_attachment")
    refused(send([2**70]), 422, "invalid_attachment")
    assert Attachment.objects.get(pk=mine).message is None  # nothing half-taken
    assert send([mine]).status_code == 201
    refused(send([mine]), 422, "invalid_attachment")
    eleven = [uploaded(cleo, f"{i}.txt", b"x")["id"] for i in range(11)]
    refused(send(eleven), 422, "too_many_attachments")
    assert send(eleven[:10]).status_code == 201
    assert not Attachment.objects.filter(pk__in=eleven[:10], message=None).exists()


# Downloading

def _thread_with_file(world, as_user, audience="clinical"):
    cleo = as_user(world.cleo)
    file = uploaded(cleo, "plan.pdf", PDF)
    r = cleo.post("/api/threads", {"client_id": world.dana.pk, "audience": audience,
                                   "subject": "Plan", "body": "Here", "attachments": [file["id"]]})
    assert r.status_code == 201, r.content
    return r.json(), file["id"]


def test_download_headers_and_audit(world, as_user):
    created, fid = _thread_with_file(world, as_user)
    r = as_user(world.dana.user).get(f"/api/attachments/{fid}")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == 'attachment; filename="plan.pdf"'
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.filter(action="attachment.downloaded").get()
    assert entry.actor == world.dana.user and entry.message_id == created["message"]["id"]
    assert entry.detail == {"attachment_id": fid}  # no file name: names can be PHI


def test_inline_is_for_images_only(world, as_user):
    cleo = as_user(world.cleo)
    png, pdf = uploaded(cleo, "a.png"), uploaded(cleo, "b.pdf", PDF)
    shown = cleo.get(f"/api/attachments/{png['id']}", inline="1")
    assert shown["Content-Disposition"].startswith("inline") and shown["X-Content-Type-Options"] == "nosniff"
    assert cleo.get(f"/api/attachments/{pdf['id']}", inline="1")["Content-Disposition"].startswith("attachment")


def test_an_untaken_upload_is_its_uploaders_alone(world, as_user):
    fid = uploaded(as_user(world.cleo), "mine.txt", b"x")["id"]
    assert as_user(world.cleo).get(f"/api/attachments/{fid}").status_code == 200
    for other in (world.cara, world.admin, world.dana.user, world.olga):
        refused(as_user(other).get(f"/api/attachments/{fid}"), 404, "not_found")


def test_who_cannot_see_the_thread_gets_404(world, as_user):
    _, fid = _thread_with_file(world, as_user, "clinical")
    for user in (world.sue, world.cara, world.dana.user):
        assert as_user(user).get(f"/api/attachments/{fid}").status_code == 200
    for user in (world.sam, world.admin, world.bill, world.carl, world.olga, world.oscar.user):
        refused(as_user(user).get(f"/api/attachments/{fid}"), 404, "not_found")
    refused(as_user(world.cleo).get("/api/attachments/99999999"), 404, "not_found")
    assert not AuditEntry.objects.filter(action="attachment.downloaded",
                                         actor=world.sam).exists()


def test_deleted_messages_files_are_404_but_for_staff_in_the_deleted_view(world, as_user):
    created, fid = _thread_with_file(world, as_user)
    assert as_user(world.cleo).delete(f"/api/messages/{created['message']['id']}").status_code == 204
    refused(as_user(world.dana.user).get(f"/api/attachments/{fid}"), 404, "not_found")
    refused(as_user(world.dana.user).get(f"/api/attachments/{fid}", state="deleted"), 404, "not_found")
    refused(as_user(world.cleo).get(f"/api/attachments/{fid}"), 404, "not_found")
    assert as_user(world.cleo).get(f"/api/attachments/{fid}", state="deleted").status_code == 200
    refused(as_user(world.sam).get(f"/api/attachments/{fid}", state="deleted"), 404, "not_found")


def test_deleted_threads_files_follow_the_thread(world, as_user):
    created, fid = _thread_with_file(world, as_user)
    assert as_user(world.cleo).delete(f"/api/threads/{created['thread']['id']}").status_code == 204
    refused(as_user(world.dana.user).get(f"/api/attachments/{fid}"), 404, "not_found")
    refused(as_user(world.cleo).get(f"/api/attachments/{fid}"), 404, "not_found")


def test_losing_access_loses_the_file(world, as_user):
    _, fid = _thread_with_file(world, as_user)
    world.dana.clinicians.set([])
    refused(as_user(world.cleo).get(f"/api/attachments/{fid}"), 404, "not_found")


# Housekeeping, export, email

def test_untaken_uploads_go_after_24_hours(world, as_user):
    cleo = as_user(world.cleo)
    old, kept = uploaded(cleo, "old.txt", b"x")["id"], uploaded(cleo, "kept.txt", b"y")["id"]
    tid = start(cleo, "clinical", client=world.dana)["thread"]["id"]
    cleo.post(f"/api/threads/{tid}/messages", {"body": "", "attachments": [kept]})
    fresh = uploaded(cleo, "fresh.txt", b"z")["id"]
    Attachment.objects.filter(pk__in=[old, kept]).update(
        created_at=timezone.now() - timedelta(hours=30))
    names = dict(Attachment.objects.values_list("pk", "storage_name"))
    now = timezone.now()
    assert remove_untaken_uploads(now) == 1
    assert set(Attachment.objects.values_list("pk", flat=True)) == {kept, fresh}
    assert sorted(stored_files()) == sorted([names[kept], names[fresh]])
    # A day later the fresh one goes too; the taken one stays for good.
    assert remove_untaken_uploads(now + timedelta(hours=25)) == 1
    assert list(Attachment.objects.values_list("pk", flat=True)) == [kept]


def test_export_lists_names_and_sizes(world, as_user):
    created, _ = _thread_with_file(world, as_user)
    text = pdf_text(as_user(world.cleo).get(f"/api/threads/{created['thread']['id']}/export").content)
    assert f"plan.pdf ({len(PDF)} bytes)" in text


def test_openapi_describes_upload_and_download(world, as_user):
    schema = as_user(None).get("/api/openapi.json").json()
    assert "multipart/form-data" in schema["paths"]["/api/attachments"]["post"]["requestBody"]["content"]
    assert "get" in schema["paths"]["/api/attachments/{attachment_id}"]


def test_a_zip_without_office_content_types_is_refused(world, as_user):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    refused(upload(as_user(world.cleo), "letter.docx", data.getvalue()), 415, "unsupported_type")
