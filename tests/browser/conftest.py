"""Browser tests: a real Cairn server (daphne, SQLite, the in-memory channel layer) and real
Chromium driven by Playwright.

Without Chromium (or the playwright package) the tests skip with a one-line reason; under CI
(CI=true) that is a failure instead. Chromium comes from the system (`apt-get install chromium`),
never from `playwright install`; CAIRN_CHROMIUM names another executable.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.browser import helpers
from tests.servers import LIVE, manage, server_env, start_server

PRACTICE_FILE = Path(__file__).with_name("practice.json")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _chromium() -> str | None:
    named = os.environ.get("CAIRN_CHROMIUM")
    if named:
        return named if Path(named).exists() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _unavailable(reason: str):
    if _under_ci():
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium, shared by the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    executable = _chromium()
    if executable is None:
        _unavailable("Chromium not found: apt-get install -y chromium (or set CAIRN_CHROMIUM)")
    from playwright.sync_api import expect

    # A loaded CI machine is slow; a live update that takes 10 s is still a failure.
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def practice_template(tmp_path_factory, chromium):
    """A migrated database holding tests/browser/practice.json; each test copies it."""
    var_dir = tmp_path_factory.mktemp("cairn-template")
    for args in (("migrate", "-v0"), ("load_practice", str(PRACTICE_FILE))):
        done = manage(server_env(var_dir, **LIVE), *args, timeout=300, check=False)
        if done.returncode != 0:
            pytest.fail(f"python -m server {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return var_dir


@pytest.fixture
def cairn_server(practice_template, tmp_path):
    var_dir = tmp_path / "var"
    shutil.copytree(practice_template, var_dir)
    server = start_server(server_env(var_dir, **LIVE), timeout=30)
    yield server
    server.stop()


@pytest.fixture
def open_as(chromium, cairn_server):
    """open_as("cleo") -> a signed-in Page in its own browser context (its own cookies), live.

    Every page is watched: a script error or a console error (a CSP violation, say) fails the test.
    """
    contexts, problems = [], []

    def open_page(username, *, viewport=None, sign_in=True, bypass_csp=False):
        context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 860},
                                       accept_downloads=True, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        helpers.watch(page, problems)
        if sign_in:
            helpers.sign_in(page, cairn_server.url, username)
        else:
            page.goto(cairn_server.url + "/")
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "browser console errors:\n" + "\n".join(problems)
