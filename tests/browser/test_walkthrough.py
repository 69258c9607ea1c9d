"""The inbox as people use it all day (issue 15): Back, drafts, a layout that keeps the header,
toolbar and reply box in view, filters in the address, previews and relative times, true words
about deleting and invitations, the phone layout, and what screen readers and the console get."""

import re

import pytest

from tests.browser.helpers import (api, client_id, expect, message, row, start_thread,
                                   wait_live)

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _thread(page, client="Dana Reyes", audience="clinical", subject="Hello", body="Hello there"):
    created = start_thread(page, client_id=client_id(page, client), audience=audience,
                           subject=subject, body=body)
    return created["thread"]["id"]


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_back_returns_to_the_list_and_a_reload_reopens_the_thread(open_as, cairn_server):
    cleo = open_as("cleo")
    first = _thread(cleo, subject="First")
    second = _thread(cleo, subject="Second")
    row(cleo, first).click()
    expect(cleo.locator("#thread-subject")).to_have_text("First")
    row(cleo, second).click()
    expect(cleo.locator("#thread-subject")).to_have_text("Second")
    assert _path(cleo) == f"/inbox?thread={second}"

    cleo.go_back()
    expect(cleo.locator("#thread-subject")).to_have_text("First")
    assert _path(cleo) == f"/inbox?thread={first}"
    cleo.go_back()
    expect(cleo.locator("#thread-view")).to_be_hidden()
    assert _path(cleo) == "/inbox"
    assert cleo.evaluate("() => document.querySelector('[aria-current=true]')") is None

    cleo.goto(f"{cairn_server.url}/inbox?thread={second}")
    wait_live(cleo)
    expect(cleo.locator("#thread-subject")).to_have_text("Second")
    expect(cleo.get_by_test_id("message")).to_have_count(1)

    # On a phone, Back (the gesture) leaves the thread for the list, not the app.
    phone = open_as("cleo", viewport=PHONE)
    row(phone, first).click()
    expect(phone.get_by_test_id("message")).to_have_count(1)
    expect(row(phone, first)).to_be_hidden()
    phone.go_back()
    expect(row(phone, first)).to_be_visible()
    assert _path(phone) == "/inbox"
    # The page's own "← Conversations" is the same step.
    row(phone, second).click()
    phone.get_by_role("button", name="← Conversations").click()
    expect(row(phone, second)).to_be_visible()
    assert _path(phone) == "/inbox"


def test_drafts_survive_switching_threads_and_reloading(open_as):
    cleo = open_as("cleo")
    first = _thread(cleo, subject="First")
    second = _thread(cleo, subject="Second")
    reply = cleo.get_by_test_id("reply-body")
    row(cleo, first).click()
    expect(cleo.locator("#thread-subject")).to_have_text("First")
    reply.fill("Half a reply to the first")
    row(cleo, second).click()
    expect(cleo.locator("#thread-subject")).to_have_text("Second")
    expect(reply).to_have_value("")
    reply.fill("A note for the second")
    row(cleo, first).click()
    expect(reply).to_have_value("Half a reply to the first")
    expect(cleo.get_by_test_id("send")).to_be_enabled()

    cleo.reload()
    wait_live(cleo)
    expect(cleo.locator("#thread-subject")).to_have_text("First")
    expect(reply).to_have_value("Half a reply to the first")
    cleo.get_by_test_id("send").click()
    expect(cleo.get_by_test_id("message")).to_have_count(2)
    expect(reply).to_have_value("")
    cleo.reload()
    wait_live(cleo)
    expect(cleo.locator("#thread-subject")).to_have_text("First")
    expect(reply).to_have_value("")
    row(cleo, second).click()
    expect(reply).to_have_value("A note for the second")

    # "+ New": leaving the form and coming back, or reloading, keeps what was typed.
    cleo.get_by_test_id("new-thread").click()
    cleo.get_by_test_id("new-client").fill("Gus")
    cleo.get_by_role("option", name="Gus Hale").click()
    cleo.get_by_test_id("new-audience").select_option("billing")
    cleo.get_by_test_id("new-subject").fill("About your invoice")
    cleo.get_by_test_id("new-body").fill("It is nearly written")
    row(cleo, first).click()
    cleo.get_by_test_id("new-thread").click()
    expect(cleo.get_by_test_id("new-subject")).to_have_value("About your invoice")
    expect(cleo.get_by_test_id("new-body")).to_have_value("It is nearly written")
    cleo.reload()
    wait_live(cleo)
    expect(cleo.get_by_test_id("new-client")).to_have_value("Gus Hale")
    expect(cleo.get_by_test_id("new-audience")).to_have_value("billing")
    expect(cleo.get_by_test_id("new-body")).to_have_value("It is nearly written")
    cleo.get_by_test_id("new-send").click()
    expect(cleo.locator("#thread-subject")).to_have_text("About your invoice")
    cleo.get_by_test_id("new-thread").click()
    expect(cleo.get_by_test_id("new-subject")).to_have_value("")
    expect(cleo.get_by_test_id("new-body")).to_have_value("")

    # The portal shares the thread view, drafts included.
    dana = open_as("dana")
    row(dana, first).click()
    expect(dana.locator("#thread-subject")).to_have_text("First")
    dana.get_by_test_id("reply-body").fill("Dear Cleo,")
    dana.reload()
    wait_live(dana)
    expect(dana.get_by_test_id("reply-body")).to_have_value("Dear Cleo,")


def _in_view(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    assert box is not None, locator
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 0.5, (locator, box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"] + 0.5, (locator, box, size)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_the_header_toolbar_and_reply_box_stay_in_view_on_a_long_thread(open_as, viewport):
    cleo = open_as("cleo", viewport=viewport)
    dana = open_as("dana")
    thread_id = _thread(cleo, subject="A long conversation", body="Message 1")
    # Both sides write, each under the per-minute send limit.
    for n in range(2, 41):
        answer = api(dana if n % 2 else cleo, "POST", f"/api/threads/{thread_id}/messages",
                     {"body": f"Message {n}\nwith a second line", "mark_thread_read": False})
        assert answer["status"] == 201, answer
    row(cleo, thread_id).click()
    expect(cleo.get_by_test_id("message")).to_have_count(40)
    phone = viewport is PHONE
    # The end of the thread shows; scrolling it (or the page) moves only the messages.
    expect(message(cleo, cleo.get_by_test_id("message").last.get_attribute("data-message-id"))
           ).to_be_in_viewport()
    cleo.locator("#messages").evaluate("(box) => { box.scrollTop = 0; }")
    cleo.mouse.wheel(0, 5000)
    cleo.evaluate("() => window.scrollTo(0, 10000)")
    assert cleo.evaluate("() => window.scrollY") == 0
    fixed = [cleo.get_by_test_id("badge"), cleo.locator("#thread-subject"),
             cleo.get_by_test_id("reply-body"), cleo.get_by_test_id("send")]
    if phone:
        fixed.append(cleo.get_by_role("button", name="Actions"))
    else:
        fixed += [cleo.get_by_test_id("new-thread"), cleo.get_by_test_id("filter-state"),
                  cleo.get_by_test_id("archive"), cleo.get_by_test_id("delete")]
    for locator in fixed:
        expect(locator).to_be_visible()
        _in_view(cleo, locator)
    # The list scrolls on its own too.
    if not phone:
        assert cleo.locator("#thread-list").evaluate("(list) => getComputedStyle(list).overflowY") == "auto"


def test_filters_live_in_the_address_and_survive_a_reload(open_as, cairn_server):
    cleo = open_as("cleo")
    billing = _thread(cleo, client="Gus Hale", audience="billing", subject="Invoice")
    _thread(cleo, audience="clinical", subject="Check-in")
    dana = open_as("dana")
    client_thread = start_thread(dana, audience="billing", subject="A bill question",
                                 body="Was I billed twice?")["thread"]["id"]
    expect(row(cleo, client_thread)).to_be_visible()
    cleo.get_by_test_id("filter-state").select_option("unread")
    cleo.get_by_test_id("filter-audience").select_option("billing")
    expect(cleo.get_by_test_id("thread-row")).to_have_count(1)
    assert _path(cleo) in ("/inbox?state=unread&audience=billing", "/inbox?audience=billing&state=unread")

    cleo.reload()
    wait_live(cleo)
    expect(cleo.get_by_test_id("filter-state")).to_have_value("unread")
    expect(cleo.get_by_test_id("filter-audience")).to_have_value("billing")
    expect(cleo.get_by_test_id("thread-row")).to_have_count(1)
    expect(row(cleo, client_thread)).to_be_visible()

    # A bookmark of "Unread, Billing" in a new tab; a client filter comes back by name.
    tab = cleo.context.new_page()
    tab.goto(f"{cairn_server.url}/inbox?audience=billing&client={client_id(cleo, 'Gus Hale')}")
    wait_live(tab)
    expect(tab.get_by_test_id("filter-client")).to_have_value("Gus Hale")
    expect(tab.get_by_test_id("thread-row")).to_have_count(1)
    expect(row(tab, billing)).to_be_visible()
    tab.close()


def test_the_list_previews_the_last_message_and_times_are_relative(open_as):
    cleo = open_as("cleo")
    dana = open_as("dana")
    thread_id = _thread(cleo, subject="Sleep", body="How did you sleep this week?")
    expect(row(cleo, thread_id).get_by_test_id("thread-preview")).to_have_text(
        "You: How did you sleep this week?")
    expect(row(dana, thread_id).get_by_test_id("thread-preview")).to_have_text(
        "Cleo Clinician: How did you sleep this week?")
    dana.get_by_test_id("thread-row").first.click()
    expect(dana.get_by_test_id("message")).to_have_count(1)
    dana.get_by_test_id("reply-body").fill("Better, thank you.\nMostly.")
    dana.get_by_test_id("send").click()
    expect(row(cleo, thread_id).get_by_test_id("thread-preview")).to_have_text(
        "Dana Reyes: Better, thank you. Mostly.")

    # Today's times are clock times; the thread has a day separator and no repeated dates.
    clock = re.compile(r"^\d{1,2}:\d{2}( ?[AP]M)?$")
    expect(row(cleo, thread_id).locator(".row-side time")).to_have_text(clock)
    row(cleo, thread_id).click()
    expect(cleo.get_by_test_id("message")).to_have_count(2)
    expect(cleo.locator(".day-separator")).to_have_text(["Today"])
    expect(cleo.get_by_test_id("message").locator(".message-head time")).to_have_text([clock, clock])

    # Message cards keep no blank strip for the hover actions.
    card = cleo.get_by_test_id("message").first
    for each in cleo.get_by_test_id("message").all():
        gap = each.evaluate("""(card) => card.getBoundingClientRect().bottom - Math.max(
            ...[...card.children].filter((child) => !child.matches('.message-actions'))
                .map((child) => child.getBoundingClientRect().bottom))""")
        assert gap < 16, gap
    card.hover()
    expect(card.get_by_role("button", name=re.compile("Mark (un)?read"))).to_be_visible()


def test_true_words_about_deleting_and_invitations(open_as):
    cleo = open_as("cleo")
    dana = open_as("dana")
    thread_id = _thread(cleo, subject="Sleep")
    row(dana, thread_id).click()
    expect(dana.get_by_test_id("message")).to_have_count(1)
    dana.get_by_test_id("reply-body").fill("Thanks")
    dana.get_by_test_id("send").click()
    row(cleo, thread_id).click()
    expect(cleo.get_by_test_id("message")).to_have_count(2)
    from_client = cleo.get_by_test_id("message").last
    expect(from_client.locator(".reason")).to_have_text(
        "Written by the client: only a clinical admin can delete it.")
    expect(cleo.get_by_test_id("message").first.locator(".reason")).to_have_text(
        "The client has seen this message: only a clinical admin can delete it.")
    expect(cleo.locator("body")).not_to_contain_text("The client has seen this message: only an administrator")

    # A second message to a client without an account: no claim of a new email.
    eli = _thread(cleo, client="Eli Moss", subject="Welcome")
    row(cleo, eli).click()
    expect(cleo.get_by_test_id("message")).to_have_count(1)
    cleo.get_by_test_id("reply-body").fill("One more thing")
    cleo.get_by_test_id("send").click()
    status = cleo.locator("#reply-status")
    expect(status).to_contain_text("No new email was sent")
    expect(status).not_to_contain_text("an invitation to create one was emailed")

    # No email: a clinician is told who can help; a practice admin adds it and invites.
    fay = _thread(cleo, client="Fay Lund", audience="administrative", subject="Forms")
    row(cleo, fay).click()
    expect(cleo.get_by_test_id("message")).to_have_count(1)
    cleo.get_by_test_id("reply-body").fill("Please bring the forms")
    cleo.get_by_test_id("send").click()
    expect(status).to_contain_text("A practice admin can add their email address")
    expect(cleo.get_by_role("button", name="Add email and invite")).to_have_count(0)
    ada = open_as("ada")
    row(ada, fay).click()
    ada.get_by_role("button", name="Add email and invite").click()
    ada.get_by_label("Client's email address").fill("fay@client.example.org")
    ada.get_by_role("button", name="Send invitation").click()
    expect(ada.locator("#thread-notice")).to_contain_text("An invitation was emailed to Fay Lund")
    expect(ada.get_by_role("button", name="Resend invitation")).to_be_visible()
    fay_client = next(c for c in api(ada, "GET", "/api/clients?q=Fay")["body"])
    assert fay_client["has_email"] is True


def test_the_phone_layout_collapses_filters_and_actions(open_as):
    phone = open_as("cleo", viewport=PHONE)
    thread_id = _thread(phone, subject="On the phone")
    expect(phone.locator(".badge-label")).to_be_visible()
    expect(phone.get_by_test_id("filter-state")).to_be_hidden()
    phone.get_by_role("button", name="Filters").click()
    expect(phone.get_by_test_id("filter-state")).to_be_visible()
    phone.get_by_test_id("filter-state").select_option("all")
    expect(phone.get_by_role("button", name="Filters (1)")).to_be_visible()
    phone.get_by_role("button", name="Filters (1)").click()
    expect(phone.get_by_test_id("filter-state")).to_be_hidden()

    row(phone, thread_id).click()
    expect(phone.get_by_test_id("archive")).to_be_hidden()
    phone.get_by_role("button", name="Actions").click()
    expect(phone.get_by_test_id("archive")).to_be_visible()
    phone.get_by_test_id("archive").click()
    expect(phone.locator("#thread-notice")).to_contain_text("Archived for you")
    expect(phone.get_by_test_id("archive")).to_be_hidden()

    # The new-thread client list pushes the other fields down instead of covering them.
    phone.get_by_role("button", name="← Conversations").click()
    phone.get_by_test_id("new-thread").click()
    phone.get_by_test_id("new-client").fill("a")
    listbox = phone.get_by_role("listbox")
    expect(listbox.get_by_role("option").first).to_be_visible()
    below = listbox.bounding_box()
    audience = phone.get_by_test_id("new-audience").bounding_box()
    assert below["y"] + below["height"] <= audience["y"], (below, audience)


def test_headings_live_region_and_a_quiet_console(open_as, cairn_server, chromium):
    # The sign-in page asks nothing it expects to be refused: no 401 in the console.
    context = chromium.new_context()
    logged = []
    page = context.new_page()
    page.on("console", lambda entry: logged.append(f"{entry.type}: {entry.text}"))
    page.goto(cairn_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    page.get_by_test_id("login-username").click()
    assert not [line for line in logged if line.startswith("error")], logged
    context.close()

    cleo = open_as("cleo")
    expect(cleo.get_by_role("heading", level=1)).to_have_count(1)
    # Someone signed in who opens the sign-in page goes straight on, still without a 401.
    cleo_log = []
    cleo.on("console", lambda entry: cleo_log.append(f"{entry.type}: {entry.text}"))
    cleo.goto(cairn_server.url + "/")
    expect(cleo).to_have_url(re.compile(r"/inbox$"))
    wait_live(cleo)

    dana = open_as("dana")
    expect(dana.get_by_role("heading", level=1)).to_have_count(1)
    thread_id = start_thread(dana, audience="billing", subject="Bill", body="A question")["thread"]["id"]
    announcer = cleo.locator("#announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_contain_text(re.compile("New message from Dana Reyes|1 unread message"))
    expect(cleo.get_by_test_id("badge")).to_have_text("1")

    # The audience check asks first: no 409 in the console.
    row(cleo, thread_id).click()
    cleo.get_by_test_id("edit-header").click()
    cleo.locator("#edit-audience").select_option("administrative")
    cleo.get_by_role("button", name="Save").click()
    expect(cleo.locator("#access-change")).to_be_visible()
    expect(cleo.locator("#losing")).to_have_text("Bill Biller")
    cleo.get_by_test_id("confirm-audience-change").click()
    expect(cleo.locator("#thread-meta")).to_contain_text("Administrative")
    assert not [line for line in cleo_log if line.startswith("error")], cleo_log
