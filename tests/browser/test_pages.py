"""Sign-in, sign-out, the idle timeout, the portal, activation from an invitation link, and the
layout: labelled controls, keyboard use, 360 px screens. Screenshots go to docs/screenshots/
when CAIRN_SCREENSHOTS=1."""

import os
import re
from pathlib import Path

from tests.browser.helpers import (PASSWORD, api, client_id, expect, message, row, sign_in,
                                   start_thread, wait_live)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def test_sign_in_sends_staff_to_the_inbox_and_clients_to_the_portal(open_as, cairn_server):
    page = open_as("nobody", sign_in=False)
    page.get_by_test_id("login-username").fill("cleo")
    page.get_by_test_id("login-password").fill("wrong password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    expect(page).to_have_url(re.compile(r"/$"))

    sign_in(page, cairn_server.url, "cleo")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator("#user-name")).to_have_text("Cleo Clinician")
    # Staff sent to the portal land back in the inbox.
    page.goto(cairn_server.url + "/portal")
    expect(page).to_have_url(re.compile(r"/inbox$"))

    client = open_as("dana")
    expect(client).to_have_url(re.compile(r"/portal$"))
    expect(client.locator("#practice-name")).to_have_text("Harbor Family Therapy")
    client.goto(cairn_server.url + "/inbox")
    expect(client).to_have_url(re.compile(r"/portal$"))

    # Sign out: back to sign-in, saying so; the inbox is closed to the signed-out browser.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/\?signed_out=1$"))
    expect(page.locator("#signin-notice")).to_have_text("You have signed out.")
    page.goto(cairn_server.url + "/inbox")
    expect(page).to_have_url(re.compile(r"/$"))


def test_an_ended_session_returns_to_sign_in_saying_so(open_as, cairn_server):
    page = open_as("cleo")
    created = start_thread(page, client_id=client_id(page, "Dana Reyes"), audience="clinical",
                           subject="Hello", body="Hello Dana")
    # The session ends (30 minutes idle, say): the next request answers 401.
    page.context.clear_cookies(name="sessionid")
    row(page, created["thread"]["id"]).click()
    expect(page).to_have_url(re.compile(r"/\?expired=1$"))
    expect(page.locator("#signin-notice")).to_contain_text("30 minutes without activity")


def test_signing_out_closes_the_other_tabs_and_a_portal_switched_off_closes_the_portal(
        open_as, cairn_server):
    page = open_as("cleo")
    other_tab = page.context.new_page()
    other_tab.goto(cairn_server.url + "/inbox")
    wait_live(other_tab)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/\?signed_out=1$"))
    # The server closes the user's sockets: the other tab notices at once.
    expect(other_tab).to_have_url(re.compile(r"/\?expired=1$"))
    expect(other_tab.locator("#signin-notice")).to_contain_text("signed out elsewhere")

    client = open_as("dana")
    admin = open_as("ada")
    assert api(admin, "PUT", "/api/practice", {"portal_enabled": False})["status"] == 200
    expect(client).to_have_url(re.compile(r"/\?portal_off=1$"))
    expect(client.locator("#signin-notice")).to_contain_text("switched the client portal off")


def test_the_portal_new_message_reply_export_and_removal(open_as):
    cleo = open_as("cleo")
    client = open_as("dana")
    client.get_by_test_id("new-thread").click()
    client.get_by_test_id("new-audience").select_option("administrative")
    client.get_by_test_id("new-topic").select_option(label="Scheduling")
    expect(client.get_by_test_id("new-subject")).to_have_value("Scheduling question")
    client.get_by_test_id("new-body").fill("Can I come at 4 instead of 3?")
    client.get_by_test_id("new-send").click()
    expect(client.locator("#thread-subject")).to_have_text("Scheduling question")
    thread_id = int(client.get_by_test_id("thread-row").first.get_attribute("data-thread-id"))

    # The practice answers; the client's open thread shows it live.
    expect(row(cleo, thread_id)).to_have_attribute("data-unread", "true")
    row(cleo, thread_id).click()
    cleo.get_by_test_id("reply-body").fill("4 works.")
    cleo.get_by_test_id("send").click()
    expect(client.get_by_test_id("message")).to_have_count(2)
    expect(client.get_by_test_id("message").last).to_contain_text("4 works.")

    # The client replies; Send waits for text.
    expect(client.get_by_test_id("send")).to_be_disabled()
    client.get_by_test_id("reply-body").fill("Thank you!")
    client.get_by_test_id("send").click()
    expect(client.locator("#reply-status")).to_have_text("Sent.")
    expect(client.get_by_test_id("message")).to_have_count(3)
    expect(cleo.get_by_test_id("message")).to_have_count(3)
    expect(cleo.get_by_test_id("badge")).to_have_text("1")

    with client.expect_download() as download:
        client.get_by_test_id("export").click()
    assert download.value.suggested_filename == f"thread-{thread_id}.pdf"

    # The practice edits the header: the client's page follows; staff messages the client
    # has seen cannot be deleted by a clinician, so the thread delete is refused with the reason.
    cleo.get_by_test_id("edit-header").click()
    cleo.locator("#edit-subject").fill("Appointment time")
    cleo.get_by_role("button", name="Save").click()
    expect(client.locator("#thread-subject")).to_have_text("Appointment time")
    cleo.get_by_test_id("delete").click()
    cleo.get_by_role("button", name="Delete conversation").click()
    expect(cleo.locator("#thread-notice")).to_contain_text("only an administrator")


def test_a_deleted_thread_leaves_the_open_portal(open_as):
    cleo = open_as("cleo")
    created = start_thread(cleo, client_id=client_id(cleo, "Dana Reyes"), audience="clinical",
                           subject="Oops", body="Not meant for you.")
    thread_id = created["thread"]["id"]
    client = open_as("dana")
    expect(row(client, thread_id)).to_have_attribute("data-unread", "true")
    # Unseen by the client so far: the clinician may delete it.
    row(cleo, thread_id).click()
    cleo.get_by_test_id("delete").click()
    cleo.get_by_role("button", name="Delete conversation").click()
    expect(row(client, thread_id)).to_have_count(0)
    expect(client.get_by_test_id("badge")).to_have_text("0")


def test_an_invitation_link_creates_the_portal_account(open_as, cairn_server):
    cleo = open_as("cleo")
    created = start_thread(cleo, client_id=client_id(cleo, "Eli Moss"), audience="administrative",
                           subject="Welcome", body="Welcome to the practice, Eli.")
    assert created["invitation"]["status"] == "sent"
    cairn_server.manage("worker", "--once")
    mail = "\n".join(p.read_text() for p in (cairn_server.var_dir / "mail").iterdir())
    token = re.search(r"/activate#([A-Za-z0-9_\-]+)", mail).group(1)

    page = open_as("eli", sign_in=False)
    page.goto(f"{cairn_server.url}/activate#{token}")
    page.get_by_test_id("activate-username").fill("eli")
    page.get_by_test_id("activate-password").fill(PASSWORD)
    page.get_by_test_id("activate-password-again").fill(PASSWORD)
    page.get_by_test_id("activate-submit").click()
    page.wait_for_url(re.compile(r"/portal$"))
    wait_live(page)
    thread_id = created["thread"]["id"]
    expect(row(page, thread_id)).to_have_attribute("data-unread", "true")
    row(page, thread_id).click()
    expect(message(page, created["message"]["id"])).to_contain_text("Welcome to the practice, Eli.")
    expect(message(cleo, created["message"]["id"])).to_have_count(0)  # not open there
    row(cleo, thread_id).click()
    expect(message(cleo, created["message"]["id"]).get_by_test_id("seen-receipt")).to_be_visible()

    # The link works once.
    other = open_as("someone", sign_in=False)
    other.goto(f"{cairn_server.url}/activate#{token}")
    other.get_by_test_id("activate-username").fill("eli2")
    other.get_by_test_id("activate-password").fill(PASSWORD)
    other.get_by_test_id("activate-password-again").fill(PASSWORD)
    other.get_by_test_id("activate-submit").click()
    expect(other.locator("#activate-notice")).to_contain_text("already used")


LABELLED = """() => [...document.querySelectorAll("input, select, textarea")]
    .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute("aria-label")
                   && !c.getAttribute("aria-labelledby"))
    .map((c) => c.id || c.outerHTML)"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _seed(cleo, client):
    dana = client_id(cleo, "Dana Reyes")
    first = start_thread(client, audience="clinical", subject="Sleep since the new dose",
                         body="I have been sleeping badly since Tuesday. Is that the new dose?")
    api(cleo, "POST", f"/api/threads/{first['thread']['id']}/messages",
        {"body": "Thank you for telling me. It can take two weeks to settle; let us talk on "
                 "Thursday, and call the office if it gets worse.", "mark_thread_read": False})
    start_thread(cleo, client_id=dana, audience="administrative", subject="Intake forms",
                 body="Please bring the intake forms on Monday.")
    start_thread(cleo, client_id=client_id(cleo, "Gus Hale"), audience="billing",
                 subject="Your November invoice", body="Your invoice is ready.")
    start_thread(client, audience="billing", subject="Question about a bill",
                 body="Was the October session billed twice?")
    start_thread(cleo, client_id=client_id(cleo, "Eli Moss"), audience="administrative",
                 subject="Welcome", body="Welcome to the practice.")
    return first["thread"]["id"]


def _shoot(page, name, tmp_path):
    target = SCREENSHOTS if os.environ.get("CAIRN_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(target / f"{name}.png"), full_page=True)


def test_layout_is_labelled_keyboard_reachable_and_fits_360px(open_as, tmp_path):
    cleo = open_as("cleo")
    client = open_as("dana")
    thread_id = _seed(cleo, client)
    expect(cleo.get_by_test_id("thread-row")).to_have_count(5)

    # Desktop: every control labelled; the keyboard reaches a thread and opens it.
    assert cleo.evaluate(LABELLED) == []
    for _ in range(40):
        cleo.keyboard.press("Tab")
        if cleo.evaluate("() => document.activeElement.dataset.threadId") == str(thread_id):
            break
    else:
        raise AssertionError("Tab never reached the thread row")
    cleo.keyboard.press("Enter")
    expect(cleo.get_by_test_id("message")).to_have_count(2)
    expect(cleo.locator("#thread-subject")).to_be_focused()
    cleo.get_by_test_id("message").first.hover()
    _shoot(cleo, "inbox-desktop", tmp_path)
    row(client, thread_id).click()
    expect(client.get_by_test_id("message")).to_have_count(2)
    assert client.evaluate(LABELLED) == []
    _shoot(client, "portal-desktop", tmp_path)

    # 360 px: one pane at a time, nothing wider than the screen.
    small = {"width": 360, "height": 740}
    phone = open_as("cleo", viewport=small)
    expect(phone.get_by_test_id("thread-row")).to_have_count(5)
    assert phone.evaluate(OVERFLOW) <= 0
    _shoot(phone, "inbox-360-list", tmp_path)
    row(phone, thread_id).click()
    expect(phone.get_by_test_id("message")).to_have_count(2)
    expect(phone.get_by_test_id("thread-row").first).to_be_hidden()
    expect(phone.get_by_test_id("seen-receipt")).to_be_visible()
    assert phone.evaluate(OVERFLOW) <= 0
    _shoot(phone, "inbox-360-thread", tmp_path)
    phone.get_by_role("button", name="← Conversations").click()
    expect(phone.get_by_test_id("thread-row").first).to_be_visible()

    client_phone = open_as("dana", viewport=small)
    expect(client_phone.get_by_test_id("thread-row")).to_have_count(3)
    assert client_phone.evaluate(OVERFLOW) <= 0
    _shoot(client_phone, "portal-360-list", tmp_path)
    row(client_phone, thread_id).click()
    expect(client_phone.get_by_test_id("message")).to_have_count(2)
    assert client_phone.evaluate(OVERFLOW) <= 0
    _shoot(client_phone, "portal-360-thread", tmp_path)
