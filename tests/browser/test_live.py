"""Two people, two browsers, one live conversation: badges, dots, replies and receipts arrive
without a reload (SPEC §3 "Browser UI", "Everything updates live")."""

import re

from tests.browser.helpers import (api, client_id, expect, message, row, sign_in, start_thread,
                                   wait_live)


def test_client_writes_staff_sees_it_live_replies_and_gets_the_receipt(open_as):
    staff = open_as("cleo")
    client = open_as("dana")
    expect(staff.get_by_test_id("badge")).to_have_text("0")

    # The client writes from the portal: audience, topic (filling the subject), body.
    client.get_by_test_id("new-thread").click()
    client.get_by_test_id("new-audience").select_option("clinical")
    client.get_by_test_id("new-topic").select_option(label="Clinical question")
    expect(client.get_by_test_id("new-subject")).to_have_value("Question for my clinician")
    client.get_by_test_id("new-subject").fill("Sleep since the new dose")
    expect(client.get_by_test_id("new-send")).to_be_disabled()
    client.get_by_test_id("new-body").fill("I have been sleeping badly since Tuesday.")
    client.get_by_test_id("new-send").click()
    expect(client.get_by_test_id("message")).to_have_count(1)
    thread_id = int(client.get_by_test_id("thread-row").first.get_attribute("data-thread-id"))

    # The staff inbox, never reloaded: the badge counts it, the row carries a dot.
    expect(staff.get_by_test_id("badge")).to_have_text("1")
    expect(row(staff, thread_id)).to_have_attribute("data-unread", "true")
    expect(row(staff, thread_id)).to_contain_text("Dana Reyes")
    expect(row(staff, thread_id)).to_contain_text("Sleep since the new dose")

    # Opening it as staff does not mark it read: the message keeps its dot.
    row(staff, thread_id).click()
    first = staff.get_by_test_id("message").first
    expect(first).to_have_attribute("data-unread", "true")
    expect(first).to_contain_text("I have been sleeping badly since Tuesday.")

    # Send enables once text is typed; "Mark as read after sending" is ticked by default.
    send = staff.get_by_test_id("send")
    expect(send).to_be_disabled()
    expect(staff.get_by_test_id("mark-read-after-send")).to_be_checked()
    staff.get_by_test_id("reply-body").fill("Thank you for telling me. Let us talk on Thursday.")
    expect(send).to_be_enabled()
    send.click()
    expect(staff.get_by_test_id("message")).to_have_count(2)
    expect(staff.get_by_test_id("reply-body")).to_have_value("")
    # The dots clear, and so does the badge.
    expect(row(staff, thread_id)).to_have_attribute("data-unread", "false")
    expect(staff.locator('[data-testid="message"][data-unread="true"]')).to_have_count(0)
    expect(staff.get_by_test_id("badge")).to_have_text("0")
    reply_id = int(staff.get_by_test_id("message").last.get_attribute("data-message-id"))

    # The client's portal has the reply live (the thread is open there: it is seen at once).
    expect(client.get_by_test_id("message")).to_have_count(2)
    expect(message(client, reply_id)).to_contain_text("Let us talk on Thursday.")

    # ... and the receipt reaches the staff inbox live.
    expect(message(staff, reply_id).get_by_test_id("seen-receipt")).to_contain_text("Seen by client")


def test_the_client_sees_a_dot_until_opening_then_the_receipt_appears(open_as):
    staff = open_as("cleo")
    dana = client_id(staff, "Dana Reyes")
    created = start_thread(staff, client_id=dana, audience="administrative", subject="Your forms",
                           body="Please bring the intake forms on Monday.")
    thread_id, message_id = created["thread"]["id"], created["message"]["id"]
    row(staff, thread_id).click()
    expect(message(staff, message_id)).to_be_visible()

    client = open_as("dana")
    expect(client.get_by_test_id("badge")).to_have_text("1")
    expect(row(client, thread_id)).to_have_attribute("data-unread", "true")
    expect(message(staff, message_id).get_by_test_id("seen-receipt")).to_have_count(0)

    row(client, thread_id).click()
    expect(message(client, message_id)).to_contain_text("intake forms")
    expect(row(client, thread_id)).to_have_attribute("data-unread", "false")
    expect(client.get_by_test_id("badge")).to_have_text("0")
    expect(message(staff, message_id).get_by_test_id("seen-receipt")).to_contain_text("Seen by client")
    # Seen by the client: a clinician may no longer delete it in this administrative thread
    # (only a practice admin could).
    delete = message(staff, message_id).get_by_test_id("message-delete")
    expect(delete).to_be_disabled()
    expect(message(staff, message_id)).to_contain_text(
        "The client has seen this message: only a practice admin can delete it.")


def test_the_socket_reconnects_by_itself_and_resumes_from_its_cursor(open_as, cairn_server):
    gate = {"open": True, "routes": []}

    def route(ws):
        if not gate["open"]:
            ws.close(code=3000, reason="test: network down")
            return
        ws.connect_to_server()
        gate["routes"].append(ws)

    # The page's socket goes through a gate the test opens and shuts.
    staff = open_as("cleo", sign_in=False)
    staff.route_web_socket(re.compile(r"/ws/$"), route)
    sign_in(staff, cairn_server.url, "cleo")
    client = open_as("dana")

    # The network drops: the page says so quietly and keeps trying.
    gate["open"] = False
    for ws in gate["routes"]:
        ws.close(code=3000, reason="test: network down")
    expect(staff.locator("#connection")).to_have_text("Reconnecting…")

    # Meanwhile the client writes.
    created = start_thread(client, audience="clinical", subject="While you were away",
                           body="Written while the staff socket was down.")
    thread_id = created["thread"]["id"]
    staff.wait_for_timeout(300)
    expect(row(staff, thread_id)).to_have_count(0)

    # The network returns: the socket resumes from its cursor and misses nothing.
    gate["open"] = True
    expect(staff.locator("html")).to_have_attribute("data-connection", "live", timeout=20_000)
    expect(row(staff, thread_id)).to_have_attribute("data-unread", "true")
    expect(staff.get_by_test_id("badge")).to_have_text("1")
    expect(staff.locator("#connection")).to_be_hidden()
    wait_live(staff)
    assert api(staff, "GET", "/api/badge")["body"] == {"unread": 1}
