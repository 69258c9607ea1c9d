"""Starting and stopping the servers under test, and reading what they cost: CPU time, resident
memory, kernel socket memory. Everything listens on loopback only."""

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
HOST = "127.0.0.1"


def raise_open_files() -> int:
    """Raise this process's soft open-file limit to the hard limit; returns the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc=None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {HOST}:{port} after {timeout} s")


class Server:
    """One server process under test: started with the open-file limit raised, its output kept in
    a log file, stopped with SIGTERM (then SIGKILL)."""

    settings = {}  # what it ran with beyond its contestant's settings (nginx's config), for the JSON

    def __init__(self, name: str, argv: list, port: int, env: dict | None = None):
        self.name, self.argv, self.port = name, argv, port
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log",
                                               delete=False)
        self.proc = None

    def start(self, timeout: float = 60.0) -> "Server":
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        self.proc = subprocess.Popen(self.argv, cwd=REPO, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, preexec_fn=raise_open_files,
                                     start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> "Server":
        """Wait until the launched server listens (and start py-spy on it with --profile)."""
        try:
            wait_for_port(self.port, self.proc, timeout)
        except Exception:
            self.stop()
            raise RuntimeError(f"{self.name} did not start; log:\n{self.tail()}")
        self.profiler = None
        profile_dir = os.environ.get("BENCH_PROFILE")
        if profile_dir and self.name.startswith(("cairn", "stock", "floor")):
            # `python -m bench --profile DIR`: py-spy samples the server's CPU until it exits
            # (collapsed stacks, one file per server process; read with any flamegraph tool).
            Path(profile_dir).mkdir(parents=True, exist_ok=True)
            out = Path(profile_dir) / f"{self.name}-{time.strftime('%H%M%S')}-{self.port}.txt"
            spy = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
            try:
                self.profiler = subprocess.Popen(
                    [spy, "record", "--pid", str(self.pid), "--rate", "200", "--format", "raw",
                     "--output", str(out), "--nonblocking"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except OSError:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if getattr(self, "profiler", None) is not None:
            try:
                self.profiler.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.profiler.kill()

    def tail(self, chars: int = 3000) -> str:
        try:
            return Path(self.log.name).read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        return self.proc.pid

    def pids(self) -> list:
        """Every process of this server (one here; nginx's master and workers in `bench.nginx`)."""
        return [self.pid]

    def proxy_pids(self) -> list:
        """Those of `pids()` that only proxy (nginx's), counted apart as well as in the total."""
        return []

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids())

    def rss_bytes(self) -> int:
        return sum(rss_bytes(pid) for pid in self.pids())

    def processes(self) -> list:
        """Each process now: name, pid, port, open descriptors (the cap is per process), RSS KB."""
        return [{"name": self.name, "pid": pid, "port": self.port, "descriptors": descriptors(pid),
                 "rss_kb": rss_bytes(pid) // 1024} for pid in self.pids()]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if os.environ.get("BENCH_KEEP_LOGS"):
            return  # kept for a look at the server's own errors (the path is in self.log.name)
        try:
            os.unlink(self.log.name)
        except OSError:
            pass


class Servers:
    """Processes that serve as one address (Cairn's `serve` processes behind nginx): launched
    together, ready when each listens, stopped front first; their CPU and memory are summed and
    `port` is the front's. Anything that takes a `Server` takes this."""

    def __init__(self, members: list, port: int):
        self.members, self.port = members, port

    def launch(self) -> None:
        for member in self.members:
            member.launch()

    def wait_ready(self, timeout: float = 60.0) -> "Servers":
        try:
            for member in self.members:
                member.wait_ready(timeout)
        except Exception:
            self.stop()
            raise
        return self

    def start(self, timeout: float = 60.0) -> "Servers":
        self.launch()
        return self.wait_ready(timeout)

    def stop(self) -> None:
        for member in reversed(self.members):
            member.stop()

    def pids(self) -> list:
        return [pid for member in self.members for pid in member.pids()]

    def proxy_pids(self) -> list:
        return [pid for member in self.members for pid in member.proxy_pids()]

    def cpu_seconds(self) -> float:
        return sum(member.cpu_seconds() for member in self.members)

    def rss_bytes(self) -> int:
        return sum(member.rss_bytes() for member in self.members)

    def processes(self) -> list:
        """Each member's processes; a member listening behind the front also says how many TCP
        connections it holds (how evenly the front spread the sockets)."""
        held = established([m.port for m in self.members if m.port != self.port])
        return [{**process, **({"connections": held[member.port]} if member.port in held else {})}
                for member in self.members for process in member.processes()]

    @property
    def settings(self) -> dict:
        return {k: v for member in self.members for k, v in member.settings.items()}

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        for member in reversed(self.members):
            member.__exit__(*exc)


@contextlib.contextmanager
def running(servers):
    """Start `servers` side by side (all launched before any is waited for: each takes seconds
    to import Django or daphne) and stop them all on exit."""
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.push(server.__exit__)
            server.launch()
        for server in servers:
            server.wait_ready()
        yield servers


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def tcp_kernel_bytes() -> int:
    """Memory the kernel holds for TCP socket buffers, machine-wide (/proc/net/sockstat)."""
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                parts = line.split()
                return int(parts[parts.index("mem") + 1]) * PAGE
    return 0


def tcp_in_use() -> int:
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                parts = line.split()
                return int(parts[parts.index("inuse") + 1])
    return 0


def process_threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0


def descriptors(pid: int) -> int | None:
    """Open file descriptors of `pid` (None when it is gone)."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def children(pid: int) -> list:
    """The pids whose parent is `pid` (this kernel has no /proc/<pid>/task/<pid>/children)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return sorted(found)


def established(ports: list) -> dict:
    """{port: established IPv4 TCP connections whose local port it is}, from /proc/net/tcp."""
    wanted = {f"{port:04X}": port for port in ports}
    counts = dict.fromkeys(ports, 0)
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            _, local, _, state, _ = line.split(None, 4)
            if state == "01" and local[-4:] in wanted:
                counts[wanted[local[-4:]]] += 1
    return counts
