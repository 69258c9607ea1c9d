"""axe-core over every kind of page (sign-in, the inbox, an open thread, "+ New", the portal) at
desktop and phone sizes: no serious or critical violation, and the page's structure rules (one
<h1>, one main landmark) hold too. axe-core comes from npm
(tests/browser/vendor/package.json; `npm ci` there). With CAIRN_SCREENSHOTS=1 the pages are
also shot into docs/screenshots/."""

import os
from pathlib import Path

import pytest

from tests.browser.helpers import client_id, expect, row, start_thread

AXE = Path(__file__).with_name("vendor") / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Moderate by axe's measure, but what a screen reader user navigates by.
STRUCTURE = {"page-has-heading-one", "landmark-one-main"}
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def axe_page(open_as):
    """axe_page(username | None, size) -> a Page (signed in unless None) that axe can be run in.
    The pages' CSP allows no inline script, so these contexts bypass it to inject axe."""
    if not AXE.exists():
        message = f"axe-core is not installed: cd {AXE.parents[2]} && npm ci"
        if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return lambda username, size: open_as(username, viewport=SIZES[size],
                                          sign_in=username is not None, bypass_csp=True)


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
    }""")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in found
            if v["impact"] in ("serious", "critical") or v["id"] in STRUCTURE]


def shoot(page, name):
    if os.environ.get("CAIRN_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_serious_or_critical_accessibility_violations(axe_page, size):
    problems = {}
    signin = axe_page(None, size)
    problems["sign-in"] = serious_violations(signin)
    shoot(signin, f"signin-{size}")

    cleo = axe_page("cleo", size)
    dana_id = client_id(cleo, "Dana Reyes")
    created = start_thread(cleo, client_id=dana_id, audience="clinical", subject="Sleep",
                           body="How did you sleep this week?")
    thread_id = created["thread"]["id"]
    start_thread(cleo, client_id=client_id(cleo, "Gus Hale"), audience="billing",
                 subject="Your November invoice", body="Your invoice is ready.")
    client = axe_page("dana", size)
    start_thread(client, audience="billing", subject="Question about a bill",
                 body="Was the October session billed twice?")
    expect(cleo.get_by_test_id("thread-row")).to_have_count(3)
    problems["inbox"] = serious_violations(cleo)
    shoot(cleo, f"inbox-{size}-list")

    row(cleo, thread_id).click()
    expect(cleo.get_by_test_id("message")).to_have_count(1)
    cleo.get_by_test_id("reply-body").fill("A reply being written")
    problems["thread"] = serious_violations(cleo)
    shoot(cleo, f"inbox-{size}-thread")

    if size == "phone":
        cleo.get_by_role("button", name="← Conversations").click()
    cleo.get_by_test_id("new-thread").click()
    expect(cleo.get_by_test_id("new-client")).to_be_focused()
    problems["new"] = serious_violations(cleo)
    shoot(cleo, f"inbox-{size}-new")

    expect(client.get_by_test_id("thread-row")).to_have_count(2)
    problems["portal"] = serious_violations(client)
    shoot(client, f"portal-{size}-list")
    row(client, thread_id).click()
    expect(client.get_by_test_id("message")).to_have_count(1)
    problems["portal thread"] = serious_violations(client)
    shoot(client, f"portal-{size}-thread")

    assert not {page: found for page, found in problems.items() if found}, problems
