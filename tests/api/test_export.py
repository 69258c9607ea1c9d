"""Export: the thread as a PDF with its header and live messages, nothing deleted."""

import io

from pypdf import PdfReader

from tests.api.helpers import reply, start


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_export_holds_header_and_live_messages_only(world, as_user):
    cleo, cara = as_user(world.cleo), as_user(world.cara)
    topic = world.topics["Clinical question"]
    tid = start(cleo, "clinical", client=world.dana, topic_id=topic.pk, subject="Homework",
                body="First note")["thread"]["id"]
    gone = reply(cleo, tid, "Sent to the wrong client")["id"]
    reply(as_user(world.dana.user), tid, "Zoë says <b>thanks</b> — 日本")
    cara.delete(f"/api/messages/{gone}")
    r = cleo.get(f"/api/threads/{tid}/export")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = pdf_text(r.content)
    for expected in ("Homework", "Northside Counseling", "Dana Reyes", "clinical",
                     "Clinical question", "Cleo Clinician", "First note", "Zoë says <b>thanks</b>"):
        assert expected in text, expected
    assert "wrong client" not in text


def test_long_threads_span_pages(world, as_user):
    cleo = as_user(world.cleo)
    tid = start(cleo, "clinical", client=world.dana, body="x " * 4000)["thread"]["id"]
    reply(cleo, tid, "y " * 4000)
    pages = PdfReader(io.BytesIO(cleo.get(f"/api/threads/{tid}/export").content)).pages
    assert len(pages) >= 2


def test_client_exports_own_thread_but_not_anothers(world, as_user):
    dana = as_user(world.dana.user)
    tid = start(dana)["thread"]["id"]
    assert dana.get(f"/api/threads/{tid}/export").status_code == 200
    other = start(as_user(world.cleo), "clinical", client=world.eli)["thread"]["id"]
    assert dana.get(f"/api/threads/{other}/export").status_code == 404
