"""CPU a contestant spends, split by where: its server processes, the PostgreSQL backends serving
its database, and the bench's Redis. Each part is user + system time from /proc/<pid>/stat. A
server's processes are all it runs (C3n: three `serve` and nginx's master and workers); what its
proxy spent is also given on its own ("proxy", part of "server").

PostgreSQL backends are found in `pg_stat_activity` by the contestant's database name (every
bench database name is the run's alone) at the start and at the end of a phase: a backend that
appears during the phase counts whole, one that exits during it is missed (the contestants keep
their connections: Cairn's pool, C2p's persistent connection)."""

from bench import databases, private_redis, procs

PARTS = ("server", "postgres", "redis")


def _cpu(pid: int) -> float | None:
    try:
        return procs.cpu_seconds(pid)
    except (OSError, IndexError, ValueError):
        return None


class Meter:
    """CPU seconds per part between `start()` and `stop()` for a contestant's `servers`; after
    `stop()`, `backends` is how many PostgreSQL backends were counted."""

    def __init__(self, contestant, servers):
        self.contestant, self.servers = contestant, list(servers)

    def _pids(self) -> dict:
        pids = {"server": [pid for s in self.servers for pid in s.pids()], "postgres": [],
                "redis": []}
        if self.contestant.database:
            pids["postgres"] = databases.backend_pids(self.contestant.database)
        if self.contestant.redis:
            pid = private_redis.pid()
            pids["redis"] = [pid] if pid else []
        return pids

    def _read(self, pids: dict) -> dict:
        return {part: {pid: _cpu(pid) for pid in pids[part]} for part in PARTS}

    def start(self) -> None:
        self.before = self._read(self._pids())

    def stop(self) -> dict:
        """{part: CPU seconds since start()} for every part, "total", and "proxy" (the share of
        "server" its proxy processes spent; None without a proxy)."""
        pids = self._pids()
        for part in PARTS:  # backends seen at the start and gone since still had their share
            pids[part] = sorted(set(pids[part]) | set(self.before[part]))
        after = self._read(pids)
        self.backends = len(pids["postgres"])
        spent = {}
        for part in PARTS:
            total = 0.0
            for pid, now in after[part].items():
                if now is None:
                    continue
                total += now - (self.before[part].get(pid) or 0.0)
            spent[part] = total
        spent["total"] = sum(spent[p] for p in PARTS)
        proxies = {pid for s in self.servers for pid in s.proxy_pids()}
        spent["proxy"] = (sum(now - (self.before["server"].get(pid) or 0.0)
                              for pid, now in after["server"].items()
                              if pid in proxies and now is not None) if proxies else None)
        return spent


def per(spent: dict, count: int, scale: float) -> dict:
    """`spent` per unit (`count` of them), times `scale` (1e6 for µs), each part and the total."""
    if not count:
        return {part: None for part in spent}
    return {part: None if value is None else value * scale / count
            for part, value in spent.items()}
