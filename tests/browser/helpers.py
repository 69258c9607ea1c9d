"""What the browser tests share: signing in, waiting for the socket, calling the API as a page."""

import re

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `chromium` fixture skips (or, under CI, fails) with the reason
    Page, expect = object, None

PASSWORD = "browser-test-pass-1"
STAFF = {"cleo", "bill", "sam"}

# Console noise that is not a fault of the page: a 401/404 the page asked for on purpose shows
# up as "Failed to load resource".
_EXPECTED_CONSOLE = re.compile(r"Failed to load resource")


def watch(page: Page, problems: list) -> None:
    """Collect script errors and console errors (CSP violations included) into `problems`."""
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("console", lambda message: (
        problems.append(f"{page.url}: console {message.type}: {message.text}")
        if message.type == "error" and not _EXPECTED_CONSOLE.search(message.text) else None))


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> Page:
    """Sign in through the sign-in page and wait until the inbox or portal is live."""
    page.goto(base_url + "/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()
    try:
        page.wait_for_url(re.compile(r"/(inbox|portal)(#.*)?$"), timeout=30_000)
    except Exception as error:
        raise AssertionError(f"signing in as {username} failed at {page.url}: "
                             f"{page.locator('body').inner_text()[:500]}") from error
    wait_live(page)
    return page


def wait_live(page: Page) -> None:
    """The socket said hello and the page loaded its state."""
    expect(page.locator("html")).to_have_attribute("data-connection", "live", timeout=15_000)


def api(page: Page, method: str, path: str, body=None):
    """Call the HTTP API from inside `page` (its cookies, its CSRF token); returns
    {"status", "body"}."""
    return page.evaluate(
        """async ([method, path, body]) => {
            if (!document.cookie.includes("csrftoken=")) await fetch("/api/auth/csrf");
            const token = document.cookie.split("; ").find((c) => c.startsWith("csrftoken=")).split("=")[1];
            const response = await fetch(path, {
                method,
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: body === null ? undefined : JSON.stringify(body),
            });
            const text = await response.text();
            return {status: response.status, body: text ? JSON.parse(text) : null};
        }""",
        [method, path, body])


def client_id(page: Page, name: str) -> int:
    """The id of the client called `name`, as a staff page sees it."""
    found = api(page, "GET", f"/api/clients?q={name}")["body"]
    return next(client["id"] for client in found if client["name"] == name)


def topic_id(page: Page, name: str) -> int:
    return next(t["id"] for t in api(page, "GET", "/api/topics")["body"] if t["name"] == name)


def row(page: Page, thread_id: int):
    return page.locator(f'[data-testid="thread-row"][data-thread-id="{thread_id}"]')


def message(page: Page, message_id: int):
    return page.locator(f'[data-testid="message"][data-message-id="{message_id}"]')


def start_thread(page: Page, **fields) -> dict:
    """POST /api/threads from `page`; returns the 201 body."""
    answer = api(page, "POST", "/api/threads", fields)
    assert answer["status"] == 201, answer
    return answer["body"]
