"""Safety on screen (SPEC §4 "Safety"): the portal's guidelines and "office closed" line before the
client sends, the crisis resources at once after a crisis message, and in the inbox the urgent row
arriving live, the banner, Acknowledge and Mark urgent."""

from tests.browser.helpers import api, expect, row

RESOURCES = "Call or text 988 now, or call 911. Harbor's on-call line: 555-0100."


def test_crisis_resources_in_the_portal_and_the_urgent_row_in_the_inbox(open_as):
    admin = open_as("ada")
    # Closed but for one minute on Saturdays: the office is closed whenever this runs.
    saved = api(admin, "PUT", "/api/practice", {
        "guidelines": "Messages are read on weekdays. Not for emergencies.",
        "timezone": "America/New_York", "hours": {"sat": [["09:00", "09:01"]]},
        "after_hours_reply": "We are closed and will reply when we open.",
        "crisis_resources": RESOURCES})
    assert saved["status"] == 200, saved
    staff = open_as("cleo")
    client = open_as("dana")

    client.get_by_test_id("new-thread").click()
    new_form = client.locator("#new-form")
    expect(new_form.get_by_test_id("guidelines")).to_have_text(
        "Messages are read on weekdays. Not for emergencies.")
    expect(new_form.get_by_test_id("office-closed")).to_contain_text(
        "The office is closed now; we reply from Saturday")
    client.get_by_test_id("new-audience").select_option("clinical")
    client.get_by_test_id("new-subject").fill("Tonight")
    client.get_by_test_id("new-body").fill("I can't go on, I'm going to kill myself tonight")
    client.get_by_test_id("new-send").click()

    crisis = client.get_by_test_id("crisis-resources")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text(RESOURCES)
    # The message went through untouched, followed by the automatic reply.
    expect(client.get_by_test_id("message")).to_have_count(2)
    expect(client.get_by_test_id("message").first).to_contain_text("kill myself tonight")
    thread_id = int(client.get_by_test_id("thread-row").first.get_attribute("data-thread-id"))

    # The inbox, never reloaded: the row arrives urgent and first.
    urgent_row = row(staff, thread_id)
    expect(urgent_row).to_have_attribute("data-urgent", "true")
    expect(staff.get_by_test_id("thread-row").first).to_have_attribute(
        "data-thread-id", str(thread_id))
    urgent_row.click()
    expect(staff.locator(".urgent-banner")).to_contain_text("possible crisis")
    staff.get_by_test_id("acknowledge").click()
    expect(urgent_row).to_have_attribute("data-urgent", "false")
    expect(staff.locator(".urgent-banner")).to_contain_text("Acknowledged by Cleo Clinician")
    expect(staff.get_by_test_id("acknowledge")).to_have_count(0)

    # Someone else marks it urgent again: it comes back live.
    staff.get_by_test_id("mark-urgent").click()
    expect(urgent_row).to_have_attribute("data-urgent", "true")
    expect(staff.locator(".urgent-banner")).to_contain_text("marked by staff")
    # The client never sees the staff's triage.
    expect(client.locator(".urgent-banner")).to_have_count(0)
    expect(client.get_by_test_id("thread-row").first).to_have_attribute("data-urgent", "false")
