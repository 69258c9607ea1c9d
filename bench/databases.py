"""The bench's PostgreSQL databases: a migrated template, copies of it per workload, and the
large W5 database kept between runs when its seed and the migrations have not changed. Only
databases named bench* are ever created, dropped or seeded."""

import hashlib
import json
import os
import subprocess
import sys

from bench.procs import REPO

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PREFIX = "bench"
SECRET_KEY = "bench-only-secret-key-not-used-anywhere-else-0123456789"


def name(role: str) -> str:
    """The database of `role` ("template", "live", "small", "large", "quick_small", …) under the
    run's PREFIX; the full run's large database is PREFIX itself ("bench")."""
    return PREFIX if role == "large" else f"{PREFIX}_{role}"


def url(db: str) -> str:
    return f"{PG}/{db}"


def _check(db: str) -> None:
    if not db.startswith("bench"):
        raise ValueError(f"the bench only touches bench* databases, not {db!r}")


def psql(sql: str, db: str = "postgres") -> str:
    result = subprocess.run(["psql", url(db), "-v", "ON_ERROR_STOP=1", "-tAqc", sql],
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{result.stderr}")
    return result.stdout.strip()


def exists(db: str) -> bool:
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"


def backend_pids(db: str) -> list:
    """The pids of the PostgreSQL backends connected to `db` now (this query's own excluded)."""
    out = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}' "
               "AND pid <> pg_backend_pid()")
    return [int(line) for line in out.split()]


def drop(db: str) -> None:
    _check(db)
    psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def django_env(db: str, **extra) -> dict:
    """The environment a Cairn process (server, seed) runs with against database `db`."""
    # REDIS_URL "" (Cairn's in-memory layer) unless `extra` names the bench's Redis: a REDIS_URL
    # of the caller's (CI exports one for the tests) must not reach the servers measured.
    env = {"DATABASE_URL": url(db), "REDIS_URL": "", "SECRET_KEY": SECRET_KEY,
           "CAIRN_LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "CAIRN_INSECURE_COOKIES": "1", "DJANGO_SETTINGS_MODULE": "server.settings"}
    env.update(extra)
    return env


def migrations_signature() -> str:
    files = sorted((REPO / "server" / "migrations").glob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def make_template() -> None:
    """(Re)create the template database with every migration applied."""
    template = name("template")
    drop(template)
    psql(f'CREATE DATABASE "{template}"')
    run_django(["-m", "server", "migrate", "-v0"], template)


def fresh(db: str) -> None:
    """`db` as an empty migrated copy of the template."""
    _check(db)
    drop(db)
    psql(f'CREATE DATABASE "{db}" TEMPLATE "{name("template")}"')


def run_django(args: list, db: str, **extra) -> str:
    """Run `python args…` with Cairn's environment against `db`; returns stdout."""
    _check(db)
    env = {**os.environ, **django_env(db, **extra)}
    result = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed on {db}:\n{result.stderr[-4000:]}")
    return result.stdout


def seed(db: str, *args) -> dict:
    return json.loads(run_django(["-m", "bench.seed", *args], db))


def seeded_marker(db: str):
    if not exists(db):
        return None
    try:
        return psql("SELECT params FROM bench_seed", db) or None
    except RuntimeError:
        return None


def mark_seeded(db: str, marker: str, result: dict) -> None:
    params = marker.replace("'", "''")
    stored = json.dumps(result).replace("'", "''")
    psql(f"CREATE TABLE bench_seed (params text, result text); "
         f"INSERT INTO bench_seed VALUES ('{params}', '{stored}')", db)


def stored_result(db: str) -> dict:
    return json.loads(psql("SELECT result FROM bench_seed", db))
