"""The load tool keeps working: `python -m bench --quick` runs W2 (C1, the ceiling) and W5 (the
inbox on a tiny and a small PostgreSQL database) end to end and produces figures.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres); skipped without it. Uses its own databases
(bench_t<pid>_*), dropped at the end — never the `test` database.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        return False
    return subprocess.run(["psql", "postgres://postgres@127.0.0.1:5432/postgres", "-tAc",
                           "SELECT 1"], capture_output=True, timeout=10).returncode == 0


pytestmark = pytest.mark.skipif(not _postgres_up(), reason="needs PostgreSQL on 127.0.0.1:5432")


def test_quick_fanout_and_inbox_produce_figures(tmp_path):
    out = tmp_path / "bench.json"
    prefix = f"bench_t{os.getpid()}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--workloads", "W2,W5", "--contestants", "C1",
         "--w5-requests", "10", "--db-prefix", prefix, "--json", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "W2 fan-out" in run.stdout and "W5 inbox at scale" in run.stdout

    result = json.loads(out.read_text())
    assert result["machine"]["cores"] >= 1
    assert result["versions"]["websockets"]
    assert result["settings"]["mode"] == "quick"

    (fanout,) = result["results"]["W2"]["rows"]
    assert fanout["contestant"] == "C1" and fanout["recipients"] == 50
    assert fanout["delivered"] == fanout["expected"] > 0
    assert fanout["rate"] > 0 and fanout["p50_ms"] > 0 and fanout["last_p99_ms"] >= fanout["p50_ms"]

    inbox = result["results"]["W5"]
    assert inbox["small"]["messages"] == 1000 and inbox["large"]["messages"] == 10000
    assert len(inbox["rows"]) >= 8
    for row in inbox["rows"]:
        # 503 is Cairn's answer when PostgreSQL refuses a connection (a machine shared with
        # other test runs can hit max_connections); any other status is a broken request.
        for label in ("small", "large"):
            assert set(row["errors"][label]) <= {"503"}, row
            assert sum(row["errors"][label].values()) <= row["n"] // 2, row
        assert row["small_p50_ms"] > 0 and row["large_p50_ms"] > 0 and row["growth_p50"] > 0

    left = subprocess.run(["psql", "postgres://postgres@127.0.0.1:5432/postgres", "-tAc",
                           f"SELECT datname FROM pg_database WHERE datname LIKE '{prefix}%'"],
                          capture_output=True, text=True, timeout=10).stdout.split()
    assert left == []
