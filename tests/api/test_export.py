"""Export: the thread as a PDF with its header and live messages, nothing deleted, read back
with pypdf."""

import io
import re
from datetime import datetime, timezone

from pypdf import PdfReader

from server.models import Message, Practice, Thread
from tests.api.helpers import reply, start


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pages_text(content: bytes) -> list:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


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
    for expected in ("Homework", "Northside Counseling", "Dana Reyes", "Clinical",
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


def test_times_are_the_practices_with_labels_receipts_and_a_real_title(world, as_user):
    Practice.objects.filter(pk=world.practice.pk).update(timezone="America/New_York")
    cleo, dana = as_user(world.cleo), as_user(world.dana.user)
    tid = start(cleo, "clinical", client=world.dana, subject="Homework for Thursday",
                body="Try the breathing log.")["thread"]["id"]
    asked = reply(dana, tid, "Will do.")["id"]
    # 14:05 UTC on 1 December is 09:05 in New York (EST); the client saw cleo's note at 15:30.
    first = Message.objects.filter(thread_id=tid).exclude(pk=asked).get()
    started = datetime(2026, 12, 1, 14, 5, tzinfo=timezone.utc)
    Thread.objects.filter(pk=tid).update(created_at=started)
    Message.objects.filter(pk=first.pk).update(
        created_at=started,
        seen_by_client_at=datetime(2026, 12, 1, 15, 30, tzinfo=timezone.utc))
    Message.objects.filter(pk=asked).update(
        created_at=datetime(2026, 12, 2, 1, 15, tzinfo=timezone.utc))

    content = cleo.get(f"/api/threads/{tid}/export").content
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata.title == "Homework for Thursday"
    text = pdf_text(content)
    assert "Audience: Clinical" in text and "clinical" not in text
    assert "Cleo Clinician (Staff) — 1 Dec 2026, 09:05 EST" in text
    assert "Seen by the client 1 Dec 2026, 10:30 EST" in text
    # 01:15 UTC on the 2nd is still the 1st in New York.
    assert "Dana Reyes (Client) — 1 Dec 2026, 20:15 EST" in text
    assert "UTC" not in text
    # Only staff messages carry a receipt: one here.
    assert text.count("Seen by the client") == 1


def test_every_page_has_the_header_and_footer(world, as_user):
    Practice.objects.filter(pk=world.practice.pk).update(timezone="Europe/Berlin")
    cleo = as_user(world.cleo)
    tid = start(cleo, "clinical", client=world.dana, subject="Long one",
                body="word " * 1900)["thread"]["id"]
    reply(cleo, tid, "more " * 1900)
    reply(cleo, tid, "again " * 1600)
    exported = as_user(world.dana.user).get(f"/api/threads/{tid}/export").content
    pages = pages_text(exported)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text, text[-200:]
        header = re.search(r"Northside Counseling · Exported by Dana Reyes on "
                           r"(\d{1,2} \w{3} \d{4}, \d\d:\d\d) (CET|CEST)", text)
        assert header, text[:300]
        assert "Northside Counseling · Confidential" in text


def test_text_is_left_aligned_not_justified(world, as_user):
    """Justified lines stretch their spaces: fpdf writes them as `[(words) -130.4(words)] TJ`,
    an offset between every two words. Left-aligned lines have no offsets."""
    cleo = as_user(world.cleo)
    tid = start(cleo, "clinical", client=world.dana,
                body="A sentence long enough to wrap onto several lines of the page. " * 20)["thread"]["id"]
    reader = PdfReader(io.BytesIO(cleo.get(f"/api/threads/{tid}/export").content))
    stream = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert b" Tj" in stream
    assert not re.search(rb"\)\s*-?[\d.]+\s*\(", stream)
