"""Browser tests: a real Cairn server (daphne, SQLite, the in-memory channel layer) and real
Chromium driven by Playwright.

Without Chromium (or the playwright package) the tests skip with a one-line reason; under CI
(CI=true) that is a failure instead. Chromium comes from the system (`apt-get install chromium`),
never from `playwright install`; CAIRN_CHROMIUM names another executable.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser import helpers

ROOT = Path(__file__).resolve().parents[2]
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


def _server_env(var_dir: Path) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "CAIRN_DEMO", "SECRET_KEY")}
    env.update(CAIRN_VAR_DIR=str(var_dir), CAIRN_INSECURE_COOKIES="1",
               ALLOWED_HOSTS="127.0.0.1,localhost", DJANGO_SETTINGS_MODULE="server.settings",
               CAIRN_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    return env


def _manage(var_dir: Path, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "server", *args], cwd=ROOT, env=_server_env(var_dir),
                          capture_output=True, text=True, timeout=300, check=check)


@pytest.fixture(scope="session")
def practice_template(tmp_path_factory, chromium):
    """A migrated database holding tests/browser/practice.json; each test copies it."""
    var_dir = tmp_path_factory.mktemp("cairn-template")
    for args in (("migrate", "-v0"), ("load_practice", str(PRACTICE_FILE))):
        done = _manage(var_dir, *args, check=False)
        if done.returncode != 0:
            pytest.fail(f"python -m server {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return var_dir


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveServer:
    """A running `python -m server serve` over its own copy of the template database."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        if (ROOT / "server/management/commands/serve.py").exists():
            command = ["-m", "server", "serve", "--port", str(self.port), "--no-worker"]
        else:
            command = ["-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "server.asgi:application"]
        self.log = open(var_dir / "server.log", "w")
        self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT,
                                        env=_server_env(var_dir), stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited early:\n{self.output()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/auth/csrf", timeout=2) as answer:
                    if answer.status == 204:
                        return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"the server did not start within 30 s:\n{self.output()}")

    def output(self) -> str:
        self.log.flush()
        return (self.var_dir / "server.log").read_text()

    def manage(self, *args) -> str:
        """Run another management command on the same database (say `worker --once`)."""
        return _manage(self.var_dir, *args).stdout

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@pytest.fixture
def cairn_server(practice_template, tmp_path):
    var_dir = tmp_path / "var"
    shutil.copytree(practice_template, var_dir)
    server = LiveServer(var_dir)
    yield server
    server.stop()


@pytest.fixture
def open_as(chromium, cairn_server):
    """open_as("cleo") -> a signed-in Page in its own browser context (its own cookies), live.

    Every page is watched: a script error or a console error (a CSP violation, say) fails the test.
    """
    contexts, problems = [], []

    def open_page(username, *, viewport=None, sign_in=True):
        context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 860},
                                       accept_downloads=True)
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
