"""Attachments in the browser: attach from the reply box, see the chip, send, see the file on
the message (for the sender and, live, for the client), and a refused type said plainly."""

import io
import re

from PIL import Image

from tests.browser.helpers import api, client_id, expect, row, start_thread


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "teal").save(out, "PNG")
    return out.getvalue()


def test_a_png_attached_from_the_reply_box_reaches_the_message(open_as):
    cleo = open_as("cleo")
    dana = open_as("dana")
    created = start_thread(cleo, client_id=client_id(cleo, "Dana Reyes"), audience="clinical",
                           subject="Forms", body="Please send your insurance card.")
    row(cleo, created["thread"]["id"]).click()
    expect(cleo.get_by_test_id("message")).to_have_count(1)

    # A refused type: the chip goes and the reason is shown.
    reply_box = cleo.locator("#reply-form")
    reply_box.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "setup.pdf", "mimeType": "application/pdf",
                "buffer": b"MZ\x90\x00" + b"\x00" * 200}])
    expect(cleo.locator("#reply-form")).to_contain_text("cannot be attached")
    expect(cleo.get_by_test_id("attachment-chip")).to_have_count(0)

    reply_box.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "card.png", "mimeType": "image/png", "buffer": _png()}])
    chip = cleo.get_by_test_id("attachment-chip")
    expect(chip).to_contain_text("card.png")
    expect(chip).to_have_attribute("data-attachment-id", re.compile(r"^\d+$"))
    expect(chip.locator("img.thumb")).to_be_visible()
    # A file alone is enough to send.
    send = cleo.get_by_test_id("send")
    expect(send).to_be_enabled()
    send.click()
    expect(cleo.get_by_test_id("attachment-chip")).to_have_count(0)

    shown = cleo.get_by_test_id("message").last.get_by_test_id("attachment")
    expect(shown).to_contain_text("card.png")
    attachment_id = shown.get_attribute("data-attachment-id")
    expect(shown.locator("a")).to_have_attribute("href", f"/api/attachments/{attachment_id}")
    # The client sees it too, live, and may fetch it.
    row(dana, created["thread"]["id"]).click()
    expect(dana.get_by_test_id("attachment")).to_have_attribute("data-attachment-id", attachment_id)
    fetched = dana.evaluate("""async (id) => {
        const response = await fetch(`/api/attachments/${id}`);
        return [response.status, response.headers.get("Content-Disposition")];
    }""", attachment_id)
    assert fetched == [200, 'attachment; filename="card.png"']
    assert api(dana, "GET", "/api/badge")["status"] == 200


def test_a_client_sends_a_new_message_with_only_a_file_from_the_portal(open_as, tmp_path):
    dana = open_as("dana")
    dana.get_by_test_id("new-thread").click()
    dana.get_by_test_id("new-audience").select_option("administrative")
    dana.get_by_test_id("new-subject").fill("Insurance card")
    form = dana.locator("#new-form")
    # Too large is said before anything is sent.
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as out:
        out.truncate(25 * 1024 * 1024 + 1)
    form.get_by_test_id("attach-input").set_input_files(huge)
    expect(form).to_contain_text("too large")
    form.get_by_test_id("attach-input").set_input_files(
        files=[{"name": "card.txt", "mimeType": "text/plain", "buffer": b"Member 123"}])
    expect(form.get_by_test_id("attachment-chip")).to_contain_text("card.txt")
    expect(dana.get_by_test_id("new-send")).to_be_enabled()
    dana.get_by_test_id("new-send").click()
    shown = dana.get_by_test_id("message").get_by_test_id("attachment")
    expect(shown).to_contain_text("card.txt")
    expect(shown).to_contain_text("10 bytes")
