"""Real `python -m server` processes for the tests that need one: a free port, the child's
environment, management commands, and `start_server` (serve, demo or plain daphne on a port,
ready once it answers HTTP, stopped with SIGTERM)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# What a child must not inherit from the test run: it gets its own var/ and embedded defaults.
_NOT_INHERITED = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "CAIRN_DEMO",
                  "DJANGO_SETTINGS_MODULE"}
# A server the tests talk to over plain HTTP on 127.0.0.1, logging only what goes wrong.
LIVE = {"CAIRN_INSECURE_COOKIES": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CAIRN_LOG_LEVEL": "WARNING", "SECRET_KEY": "live-test-key"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(var_dir, **extra) -> dict:
    """The environment of a child `python -m server`: its own var/ directory, the embedded
    defaults, then `extra` (say DATABASE_URL, or `**LIVE`)."""
    env = {k: v for k, v in os.environ.items() if k not in _NOT_INHERITED}
    env.update(CAIRN_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1",
               DJANGO_SETTINGS_MODULE="server.settings")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env, *args, timeout=180, check=True) -> subprocess.CompletedProcess:
    """`python -m server *args` to its end; with `check`, it must succeed."""
    done = subprocess.run([sys.executable, "-m", "server", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, done.stderr[-3000:]
    return done


class Served:
    """A running server process: its `url`, `port`, `proc`, `var_dir`, its `logs()`, `stop()`."""

    def __init__(self, proc, port: int, env: dict, log_path: Path, log_file):
        self.proc, self.port, self.env, self.log_path = proc, port, env, log_path
        self.var_dir = Path(env["CAIRN_VAR_DIR"])
        self._log = log_file
        self.url = f"http://127.0.0.1:{port}"

    def logs(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def manage(self, *args) -> str:
        """Another management command on the same database (say `worker --once`)."""
        return manage(self.env, *args).stdout

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, then (after `timeout` seconds) SIGKILL; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self._log.closed:
            self._log.close()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_server(env, *args, port: int | None = None, log_path=None, daphne: bool = False,
                 timeout: float = 90) -> Served:
    """Start `python -m server *args` (default `serve --no-worker`) on `port` (default a free
    one), or plain daphne with `daphne`, and return it once it answers HTTP (any status: a
    server without its database answers 503). Its output goes to `log_path` (default
    `server-PORT.log` in its var/ directory)."""
    port = port or free_port()
    if daphne:
        command = ["daphne", "-b", "127.0.0.1", "-p", str(port), "server.asgi:application"]
    else:
        command = ["server", *(args or ("serve", "--no-worker")), "--port", str(port)]
    log_path = Path(log_path or Path(env["CAIRN_VAR_DIR"]) / f"server-{port}.log")
    log_file = open(log_path, "ab")
    proc = subprocess.Popen([sys.executable, "-m", *command], cwd=REPO, env=env,
                            stdout=log_file, stderr=subprocess.STDOUT)
    served = Served(proc, port, env, log_path, log_file)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            served.stop()
            raise AssertionError(f"the server exited with {proc.returncode}:\n"
                                 f"{log_path.read_text(errors='replace')[-3000:]}")
        if _answers(served.url + "/api/auth/csrf"):
            return served
        time.sleep(0.1)  # polling for the port to open
    served.stop()
    raise AssertionError(f"the server did not answer in {timeout:.0f} s:\n"
                         f"{log_path.read_text(errors='replace')[-3000:]}")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


class Redis:
    """A redis-server of our own on a spare port, with no persistence."""

    def __init__(self, port=None):
        self.port, self.proc = port or free_port(), None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                                  text=True)
            if done.stdout.strip() == "PONG":
                return self
            time.sleep(0.1)  # polling for it to answer
        raise AssertionError("redis-server did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
