"""What every run records: the machine, the versions, the settings."""

import importlib.metadata
import os
import platform
import resource
import subprocess
from datetime import datetime, timezone

from bench import nginx
from bench.procs import REPO

PACKAGES = ("django", "channels", "channels-redis", "daphne", "twisted", "websockets", "msgpack",
            "redis", "psycopg", "django-ninja")


def _meminfo_kib(key: str):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return None


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _version(package: str):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _server_version(command) -> str | None:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def _redis_server_version():
    text = _server_version(["redis-server", "--version"]) or ""
    for word in text.split():
        if word.startswith("v="):
            return word[2:]
    return text or None


def _nginx_version():
    """`nginx -v` (it answers on stderr), when nginx is installed (C3n runs behind it)."""
    path = nginx.binary()
    if path is None:
        return None
    try:
        text = subprocess.run([path, "-v"], capture_output=True, text=True, timeout=10).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    return text.strip().rpartition("/")[2] or None


def loadavg() -> str:
    """/proc/loadavg as it reads (1, 5, 15 minute load, runnable/all tasks, last pid)."""
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return " ".join(str(x) for x in os.getloadavg())


def git_commit() -> dict:
    """The commit the bench ran at, and whether the work tree had changes on top of it."""
    def git(*args):
        return _server_version(["git", "-C", str(REPO), *args])
    return {"commit": git("rev-parse", "HEAD"), "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def describe(settings: dict, *, command: list) -> dict:
    """The machine (cores, memory, load), the git commit, the command line, the software
    versions and this run's settings."""
    return {
        "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "git": git_commit(),
        "command": command,
        "machine": {
            "cores": os.cpu_count(),
            "cpu": _cpu_model(),
            "memory_gib": round((_meminfo_kib("MemTotal") or 0) / 1024 / 1024, 1),
            "kernel": platform.release(),
            "open_files_limit": resource.getrlimit(resource.RLIMIT_NOFILE),
            "load_average_at_start": os.getloadavg(),
            "loadavg_at_start": loadavg(),
        },
        "versions": {
            "python": platform.python_version(),
            **{name: _version(name) for name in PACKAGES},
            "postgresql": _server_version(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                                           "SHOW server_version"]),
            "redis-server": _redis_server_version(),
            "nginx": _nginx_version(),
        },
        "settings": settings,
    }
