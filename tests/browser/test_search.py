"""The search box: typing finds the thread, its result shows the snippet with the hit in <mark>
(text only: markup someone wrote stays text), and opening it brings the matching message into
view; the portal's box searches the client's own threads."""

from tests.browser.helpers import api, client_id, expect, message, row, start_thread


def test_typing_a_search_shows_the_marked_snippet_and_opens_at_the_hit(open_as):
    cleo = open_as("cleo")
    dana_id = client_id(cleo, "Dana Reyes")
    found = start_thread(cleo, client_id=dana_id, audience="clinical", subject="Week one",
                         body="Let us start with the plan for this week.")
    thread_id = found["thread"]["id"]
    hit = api(cleo, "POST", f"/api/threads/{thread_id}/messages",
              {"body": "José <b>asked</b> about the medication change on Monday."})["body"]["message"]
    for i in range(14):
        api(cleo, "POST", f"/api/threads/{thread_id}/messages",
            {"body": f"Follow-up note {i}: nothing new.\n\nMore lines to fill the screen."})
    other = start_thread(cleo, client_id=dana_id, audience="clinical", subject="Other",
                         body="No such words here.")["thread"]["id"]
    expect(row(cleo, other)).to_be_visible()

    cleo.get_by_test_id("search").fill("jose medic")
    expect(row(cleo, other)).to_have_count(0)
    result = row(cleo, thread_id)
    snippet = result.get_by_test_id("search-snippet")
    expect(snippet).to_have_text("José <b>asked</b> about the medication change on Monday.")
    expect(snippet.locator("mark")).to_have_text(["José", "medication"])
    expect(snippet.locator("b")).to_have_count(0)

    result.click()
    target = message(cleo, hit["id"])
    expect(target).to_be_in_viewport()
    expect(target).to_have_class("message from-staff search-hit")

    # Clearing the box brings the whole inbox back.
    cleo.get_by_test_id("search").fill("")
    expect(row(cleo, other)).to_be_visible()

    dana = open_as("dana")
    dana.get_by_test_id("search").fill("medication")
    expect(row(dana, thread_id).get_by_test_id("search-snippet").locator("mark")).to_have_text(
        ["medication"])
    expect(row(dana, other)).to_have_count(0)
