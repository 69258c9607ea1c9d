"""The staff inbox: filters, the header editor's access-change confirmation, per-message and
per-thread actions, "+ New" and invitations, notification settings, text shown as text."""

import re

import pytest

from tests.browser.helpers import (api, client_id, expect, row, start_thread, topic_id,
                                   wait_live)


def test_an_audience_change_shows_who_loses_and_gains_then_applies_live(open_as):
    cleo = open_as("cleo")
    bill = open_as("bill")
    sam = open_as("sam")
    created = start_thread(cleo, client_id=client_id(cleo, "Dana Reyes"), audience="billing",
                           subject="Your invoice", body="Your invoice for November is ready.")
    thread_id = created["thread"]["id"]
    # The biller has it open; the scheduler does not see billing threads.
    expect(row(bill, thread_id)).to_be_visible()
    row(bill, thread_id).click()
    expect(bill.get_by_test_id("message")).to_have_count(1)
    expect(row(sam, thread_id)).to_have_count(0)

    # The clinician moves it to the administrative audience: first, who loses and who gains.
    row(cleo, thread_id).click()
    cleo.get_by_test_id("edit-header").click()
    cleo.locator("#edit-audience").select_option("administrative")
    cleo.get_by_role("button", name="Save").click()
    panel = cleo.locator("#access-change")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("from Billing to Administrative")
    expect(cleo.locator("#losing")).to_have_text("Bill Biller")
    expect(cleo.locator("#gaining li")).to_have_text(["Ada Admin", "Sam Scheduler"])
    # Nothing applied yet: the biller still has it.
    bill.wait_for_timeout(300)
    expect(row(bill, thread_id)).to_be_visible()

    cleo.get_by_test_id("confirm-audience-change").click()
    expect(cleo.locator("#thread-meta")).to_contain_text("Administrative")
    expect(panel).to_be_hidden()
    # The biller's open inbox drops it at once, and says why.
    expect(row(bill, thread_id)).to_have_count(0)
    expect(bill.locator("#empty-notice")).to_contain_text("audience you do not see")
    expect(bill.get_by_test_id("message")).to_have_count(0)
    assert api(bill, "GET", f"/api/threads/{thread_id}")["status"] == 404
    # The scheduler's inbox gains it, its latest message unread.
    expect(row(sam, thread_id)).to_have_attribute("data-unread", "true")
    expect(sam.get_by_test_id("badge")).to_have_text("1")


def test_cancelling_the_access_change_keeps_the_audience(open_as):
    cleo = open_as("cleo")
    created = start_thread(cleo, client_id=client_id(cleo, "Gus Hale"), audience="clinical",
                           subject="Check-in", body="How was the week?")
    row(cleo, created["thread"]["id"]).click()
    cleo.get_by_test_id("edit-header").click()
    cleo.locator("#edit-audience").select_option("billing")
    cleo.get_by_role("button", name="Save").click()
    expect(cleo.locator("#gaining")).to_contain_text("Bill Biller")
    cleo.get_by_role("button", name="Keep the audience").click()
    expect(cleo.locator("#access-change")).to_be_hidden()
    expect(cleo.locator("#edit-audience")).to_have_value("clinical")
    assert api(cleo, "GET", f"/api/threads/{created['thread']['id']}")["body"]["thread"]["audience"] == "clinical"


def test_the_header_editor_changes_topic_and_subject_live_for_others(open_as):
    cleo = open_as("cleo")
    sam = open_as("sam")
    created = start_thread(cleo, client_id=client_id(cleo, "Gus Hale"), audience="administrative",
                           subject="Appointment", body="Can we move Monday?")
    thread_id = created["thread"]["id"]
    row(sam, thread_id).click()
    row(cleo, thread_id).click()
    cleo.get_by_test_id("edit-header").click()
    cleo.locator("#edit-topic").select_option(label="Scheduling")
    cleo.locator("#edit-subject").fill("Move Monday's appointment")
    cleo.get_by_role("button", name="Save").click()
    expect(cleo.locator("#thread-subject")).to_have_text("Move Monday's appointment")
    # The scheduler's open thread and list follow without a reload.
    expect(sam.locator("#thread-subject")).to_have_text("Move Monday's appointment")
    expect(row(sam, thread_id)).to_contain_text("Scheduling")


def test_filters_narrow_the_list(open_as):
    cleo = open_as("cleo")
    dana, gus = client_id(cleo, "Dana Reyes"), client_id(cleo, "Gus Hale")
    scheduling, billing = topic_id(cleo, "Scheduling"), topic_id(cleo, "Billing question")
    a = start_thread(cleo, client_id=dana, audience="administrative", topic_id=scheduling,
                     body="Dana, scheduling.")["thread"]["id"]
    b = start_thread(cleo, client_id=dana, audience="billing", topic_id=billing,
                     body="Dana, billing.")["thread"]["id"]
    c = start_thread(cleo, client_id=gus, audience="clinical", body="Gus, clinical.",
                     subject="Check-in")["thread"]["id"]
    d = start_thread(cleo, client_id=gus, audience="billing", topic_id=billing,
                     body="Gus, billing.")["thread"]["id"]
    gus_page = open_as("gus")
    api(gus_page, "POST", f"/api/threads/{d}/messages", {"body": "About that bill"})
    expect(cleo.get_by_test_id("badge")).to_have_text("1")
    rows = cleo.get_by_test_id("thread-row")

    def shown(*ids):
        expect(cleo.locator("#thread-list")).to_have_attribute("aria-busy", "false")
        expect(rows).to_have_count(len(ids))
        got = [int(x) for x in rows.evaluate_all("rs => rs.map(r => r.dataset.threadId)")]
        assert got == list(ids), got  # newest activity first

    shown(d, c, b, a)

    # Client, by type-ahead.
    cleo.get_by_test_id("filter-client").fill("gu")
    option = cleo.get_by_role("option", name="Gus Hale")
    expect(option).to_be_visible()
    option.click()
    shown(d, c)

    cleo.get_by_test_id("filter-audience").select_option("billing")
    shown(d)
    cleo.get_by_test_id("filter-client").fill("")
    cleo.get_by_test_id("filter-client").dispatch_event("search")
    shown(d, b)

    cleo.get_by_test_id("filter-audience").select_option("")
    cleo.get_by_test_id("filter-topic").select_option(label="Scheduling")
    shown(a)
    cleo.get_by_test_id("filter-topic").select_option("")

    cleo.get_by_test_id("filter-state").select_option("unread")
    shown(d)
    expect(row(cleo, d)).to_have_attribute("data-unread", "true")

    # Archive one: it leaves the inbox, stays under "all".
    cleo.get_by_test_id("filter-state").select_option("inbox")
    shown(d, c, b, a)
    row(cleo, b).click()
    cleo.get_by_test_id("archive").click()
    shown(d, c, a)
    expect(cleo.get_by_test_id("archive")).to_have_text("Unarchive")
    cleo.get_by_test_id("filter-state").select_option("all")
    shown(d, c, b, a)
    expect(row(cleo, b)).to_contain_text("archived")

    # A new message in a thread the filter excludes does not sneak into the list.
    cleo.get_by_test_id("filter-state").select_option("inbox")
    cleo.get_by_test_id("filter-audience").select_option("clinical")
    shown(c)
    api(gus_page, "POST", f"/api/threads/{d}/messages", {"body": "And one more thing"})
    expect(cleo.get_by_test_id("badge")).to_have_text("2")
    shown(c)


def test_html_in_a_body_shows_literally(open_as):
    cleo = open_as("cleo")
    dialogs = []
    cleo.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    body = '<b>bold?</b> <img src=x onerror="alert(1)"> & <script>alert(2)</script>'
    subject = "<i>subject</i>"
    client = open_as("dana")
    created = start_thread(client, audience="administrative", subject=subject, body=body)
    thread_id = created["thread"]["id"]
    expect(row(cleo, thread_id)).to_contain_text(subject)
    row(cleo, thread_id).click()
    text = cleo.get_by_test_id("message").first.locator(".body")
    expect(text).to_have_text(body)
    expect(cleo.locator("#thread-subject")).to_have_text(subject)
    assert cleo.locator(".messages b, .messages img, .messages script, .thread-list i").count() == 0
    assert dialogs == []


def test_per_message_read_unread_and_delete_on_hover(open_as):
    cleo = open_as("cleo")
    client = open_as("dana")
    created = start_thread(client, audience="clinical", subject="Two things", body="First thing.")
    thread_id = created["thread"]["id"]
    api(client, "POST", f"/api/threads/{thread_id}/messages", {"body": "Second thing."})
    expect(cleo.get_by_test_id("badge")).to_have_text("2")
    row(cleo, thread_id).click()
    messages = cleo.get_by_test_id("message")
    expect(messages).to_have_count(2)
    first = messages.first

    first.hover()
    first.get_by_test_id("message-toggle-read").click()
    expect(first).to_have_attribute("data-unread", "false")
    expect(cleo.get_by_test_id("badge")).to_have_text("1")
    expect(row(cleo, thread_id)).to_contain_text("1 unread")
    first.get_by_test_id("message-toggle-read").click()
    expect(first).to_have_attribute("data-unread", "true")
    expect(cleo.get_by_test_id("badge")).to_have_text("2")

    # Client-written messages count as seen: a clinician cannot delete them.
    expect(first.get_by_test_id("message-delete")).to_be_disabled()

    # A staff message the client has not seen can be deleted (after confirming).
    cleo.get_by_test_id("mark-read-after-send").uncheck()
    cleo.get_by_test_id("reply-body").fill("Sent by mistake")
    cleo.get_by_test_id("send").click()
    mine = messages.last
    expect(mine).to_contain_text("Sent by mistake")
    expect(cleo.get_by_test_id("badge")).to_have_text("2")
    mine.hover()
    mine.get_by_test_id("message-delete").click()
    cleo.get_by_role("button", name="Delete message").click()
    expect(messages).to_have_count(2)

    # "Mark all read" and "Mark unread" for the thread.
    cleo.get_by_role("button", name="Mark all read").click()
    expect(cleo.get_by_test_id("badge")).to_have_text("0")
    expect(row(cleo, thread_id)).to_have_attribute("data-unread", "false")
    cleo.locator("#thread-unread").click()
    expect(row(cleo, thread_id)).to_have_attribute("data-unread", "true")
    expect(messages.last).to_have_attribute("data-unread", "true")
    expect(cleo.get_by_test_id("badge")).to_have_text("1")


def test_delete_and_export_a_thread(open_as):
    cleo = open_as("cleo")
    sam = open_as("sam")
    created = start_thread(cleo, client_id=client_id(cleo, "Gus Hale"), audience="administrative",
                           subject="Receipt", body="Your receipt is attached.")
    thread_id = created["thread"]["id"]
    row(cleo, thread_id).click()

    with cleo.expect_download() as download:
        cleo.get_by_test_id("export").click()
    assert download.value.suggested_filename == f"thread-{thread_id}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    expect(row(sam, thread_id)).to_be_visible()
    cleo.get_by_test_id("delete").click()
    cleo.get_by_role("button", name="Cancel").click()
    expect(row(cleo, thread_id)).to_be_visible()
    cleo.get_by_test_id("delete").click()
    cleo.get_by_role("button", name="Delete conversation").click()
    expect(row(cleo, thread_id)).to_have_count(0)
    expect(row(sam, thread_id)).to_have_count(0)
    # Staff still find it under "Deleted".
    cleo.get_by_test_id("filter-state").select_option("deleted")
    expect(row(cleo, thread_id)).to_contain_text("deleted")


def test_new_thread_fills_the_subject_and_reports_invitations(open_as):
    cleo = open_as("cleo")
    cleo.get_by_test_id("new-thread").click()
    send = cleo.get_by_test_id("new-send")
    expect(send).to_be_disabled()

    # A client without a portal account (with an email): marked as such, then invited.
    cleo.get_by_test_id("new-client").fill("Eli")
    option = cleo.get_by_role("option", name=re.compile("Eli Moss"))
    expect(option).to_contain_text("no portal account")
    cleo.get_by_test_id("new-client").press("Enter")
    expect(cleo.get_by_test_id("new-client")).to_have_value("Eli Moss")
    expect(cleo.locator("#new-client-note")).to_contain_text("invitation")
    cleo.get_by_test_id("new-audience").select_option("administrative")
    cleo.get_by_test_id("new-topic").select_option(label="Scheduling")
    expect(cleo.get_by_test_id("new-subject")).to_have_value("Scheduling question")
    cleo.get_by_test_id("new-subject").fill("Scheduling question for Eli")
    cleo.get_by_test_id("new-body").fill("Welcome! Here is how to book.")
    expect(send).to_be_enabled()
    send.click()
    expect(cleo.locator("#thread-subject")).to_have_text("Scheduling question for Eli")
    expect(cleo.locator("#thread-notice")).to_contain_text("invitation to create one was emailed")
    expect(cleo.locator("#thread-meta")).to_contain_text("no portal account")
    expect(cleo.get_by_test_id("thread-row").first).to_contain_text("no portal account")

    # A client with neither account nor email: the message is kept, no invitation.
    cleo.get_by_test_id("new-thread").click()
    cleo.get_by_test_id("new-client").fill("Fay")
    cleo.get_by_role("option", name=re.compile("Fay Lund")).click()
    expect(cleo.locator("#new-client-note")).to_contain_text("no email address")
    cleo.get_by_test_id("new-audience").select_option("clinical")
    cleo.get_by_test_id("new-subject").fill("Hello")
    cleo.get_by_test_id("new-body").fill("A first note.")
    cleo.get_by_test_id("new-send").click()
    expect(cleo.locator("#thread-notice")).to_contain_text("no invitation could be sent")

    # A reply to a client who has no account says so too.
    cleo.get_by_test_id("reply-body").fill("And a second note.")
    cleo.get_by_test_id("send").click()
    expect(cleo.locator("#reply-status")).to_contain_text("no invitation could be sent")


def test_an_audience_the_user_does_not_see_is_refused_with_the_reason(open_as):
    sam = open_as("sam")
    sam.get_by_test_id("new-thread").click()
    sam.get_by_test_id("new-client").fill("Dana")
    sam.get_by_role("option", name="Dana Reyes").click()
    sam.get_by_test_id("new-audience").select_option("clinical")
    sam.get_by_test_id("new-subject").fill("Hello")
    sam.get_by_test_id("new-body").fill("Hello there")
    sam.get_by_test_id("new-send").click()
    expect(sam.locator("#new-error")).to_contain_text("cannot write to this client in that audience")


def test_notification_settings(open_as):
    bill = open_as("bill")
    if api(bill, "GET", "/api/me/notifications")["status"] == 404:
        pytest.skip("GET /api/me/notifications is not mounted in server/api/__init__.py yet")
    bill.get_by_role("button", name="Notifications").click()
    dialog = bill.get_by_role("dialog", name="Email notifications")
    expect(dialog).to_be_visible()
    billing = dialog.get_by_label("Billing conversations")
    expect(billing).not_to_be_checked()
    # A biller is offered only what a biller sees.
    expect(dialog.get_by_label("Clinical conversations")).to_have_count(0)
    billing.check()
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    assert api(bill, "GET", "/api/me/notifications")["body"]["email_audiences"] == ["billing"]
    bill.reload()
    wait_live(bill)
    bill.get_by_role("button", name="Notifications").click()
    expect(bill.get_by_role("dialog").get_by_label("Billing conversations")).to_be_checked()
