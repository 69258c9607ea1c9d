"""Notifications in the browser: the page tells the socket which thread is on screen (so a message
arriving there drops its waiting email), clients turn email on or off, and the opt-in browser
alert says nothing but "New message in Cairn"."""

import json
import time

from tests.browser.helpers import api, expect, row

# The page's visibility, switchable by the test (headless Chromium is always "visible"), and a
# Notification API that records what it is asked to show.
PAGE_HOOKS = """
let hidden = false;
Object.defineProperty(document, "visibilityState", {get: () => (hidden ? "hidden" : "visible")});
window.cairnSetHidden = (value) => {
  hidden = value;
  document.dispatchEvent(new Event("visibilitychange"));
};
window.cairnAlerts = [];
window.Notification = class {
  constructor(title, options) { window.cairnAlerts.push({title, options}); }
  addEventListener() {}
  close() {}
  static permission = "default";
  static async requestPermission() { this.permission = "granted"; return "granted"; }
};
"""


def waiting_notices(server, username: str) -> int:
    """Unsent notice emails to `username`'s address, read from the server's database."""
    out = server.manage("shell", "-c", (
        "from server.models import OutboxEmail, User; "
        f"print(OutboxEmail.objects.filter(to=User.objects.get(username='{username}').email, "
        "kind='staff_notice', sent_at__isnull=True).count())"))
    return int(out.strip().splitlines()[-1])


def eventually_waiting(server, username: str, want: int, timeout=10.0) -> None:
    deadline = time.monotonic() + timeout
    while (got := waiting_notices(server, username)) != want:
        assert time.monotonic() < deadline, (got, want)


def test_a_message_arriving_in_the_open_thread_drops_the_email_but_not_in_a_hidden_tab(
        open_as, cairn_server):
    sam = open_as("sam")
    sam.add_init_script(PAGE_HOOKS)
    assert api(sam, "PUT", "/api/me/notifications",
               {"email_audiences": ["administrative"]})["status"] == 200
    dana = open_as("dana")
    created = api(dana, "POST", "/api/threads", {"audience": "administrative",
                                                 "subject": "Parking", "body": "Where to park?"})
    thread_id = created["body"]["thread"]["id"]
    assert waiting_notices(cairn_server, "sam") == 1

    sam.reload()
    expect(sam.locator("html")).to_have_attribute("data-connection", "live")
    row(sam, thread_id).click()   # opening it is a review: the waiting email goes
    expect(sam.get_by_test_id("message")).to_have_count(1)
    eventually_waiting(cairn_server, "sam", 0)

    # With the thread on screen, a new message is reviewed as it arrives.
    api(dana, "POST", f"/api/threads/{thread_id}/messages", {"body": "Behind the building?"})
    expect(sam.get_by_test_id("message")).to_have_count(2)
    eventually_waiting(cairn_server, "sam", 0)

    # In a hidden tab it is not: its email waits.
    sam.evaluate("window.cairnSetHidden(true)")
    api(dana, "POST", f"/api/threads/{thread_id}/messages", {"body": "Or on the street?"})
    expect(sam.get_by_test_id("message")).to_have_count(3)
    eventually_waiting(cairn_server, "sam", 1)


def test_a_client_turns_email_off_and_alerts_on_and_an_alert_names_nothing(open_as):
    dana = open_as("dana")
    dana.add_init_script(PAGE_HOOKS)
    dana.reload()
    expect(dana.locator("html")).to_have_attribute("data-connection", "live")

    dana.get_by_role("button", name="Notifications").click()
    dialog = dana.get_by_role("dialog", name="Notifications")
    email = dialog.get_by_test_id("notify-email")
    expect(email).to_be_checked()
    email.uncheck()
    expect(dialog.get_by_role("status")).to_have_text("Saved.")
    assert api(dana, "GET", "/api/me/notifications")["body"]["email"] is False

    alerts = dialog.get_by_test_id("browser-notifications")
    expect(alerts).to_have_text("Turn on alerts")
    alerts.click()
    expect(alerts).to_have_text("Turn off alerts")
    dialog.get_by_role("button", name="Close").click()

    cleo = open_as("cleo")
    dana_id = next(c["id"] for c in api(cleo, "GET", "/api/clients")["body"]
                   if c["name"] == "Dana Reyes")
    created = api(cleo, "POST", "/api/threads", {"client_id": dana_id, "audience": "clinical",
                                                 "subject": "Homework", "body": "Try the log."})
    thread_id = created["body"]["thread"]["id"]
    expect(row(dana, thread_id)).to_be_visible()
    assert dana.evaluate("window.cairnAlerts.length") == 0   # the tab is in view: no alert

    dana.evaluate("window.cairnSetHidden(true)")
    api(cleo, "POST", f"/api/threads/{thread_id}/messages", {"body": "And the breathing."})
    dana.wait_for_function("window.cairnAlerts.length === 1")
    (alert,) = dana.evaluate("window.cairnAlerts")
    assert alert["title"] == "New message in Cairn"
    shown = json.dumps(alert)
    for phi in ("Homework", "breathing", "Cleo", "Dana"):
        assert phi not in shown
