"""W5 inbox at scale: the same HTTP requests against a small and a large database, alternated in
chunks so that drift on a shared machine hits both alike; p50/p99 per request and the growth
ratio (large over small)."""

import time

from bench import databases
from bench.cairn import cairn_server
from bench.httpclient import Connection
from bench.procs import HOST, running
from bench.stats import ms, percentile, ratio

PAGE = 20  # every list request asks for one page of this size


def requests_for(seeded: dict) -> list:
    """(name, session role, path function(i)) for each measured request."""
    first = seeded["practices"][0]
    views = first["view_thread_ids"]
    return [
        ("inbox", "clinical_admin", lambda i: f"/api/threads?limit={PAGE}"),
        ("inbox state=unread", "clinical_admin", lambda i: f"/api/threads?limit={PAGE}&state=unread"),
        ("inbox state=all", "clinical_admin", lambda i: f"/api/threads?limit={PAGE}&state=all"),
        ("inbox state=deleted", "clinical_admin",
         lambda i: f"/api/threads?limit={PAGE}&state=deleted"),
        ("inbox audience=clinical", "clinical_admin",
         lambda i: f"/api/threads?limit={PAGE}&audience=clinical"),
        ("inbox client=", "clinical_admin",
         lambda i: f"/api/threads?limit={PAGE}&client={first['client_id']}"),
        ("inbox topic=", "clinical_admin",
         lambda i: f"/api/threads?limit={PAGE}&topic={first['topic_id']}"),
        ("inbox (clinician)", "clinician", lambda i: f"/api/threads?limit={PAGE}"),
        ("badge", "clinical_admin", lambda i: "/api/badge"),
        ("thread view", "clinical_admin", lambda i: f"/api/threads/{views[i % len(views)]}"),
    ]


def prepare(small: tuple, big: tuple, *, big_name: str, small_name: str, log) -> tuple:
    """Seed (or reuse) both databases; returns their seed results."""
    log(f"W5: seeding {small_name} ({small[0]}×{small[1]}×{small[2]})")
    databases.fresh(small_name)
    small_seed = databases.seed(small_name, "inbox", "--practices", str(small[0]),
                                "--threads", str(small[1]), "--messages", str(small[2]))
    marker = f"inbox {big} migrations {databases.migrations_signature()} seed v1"
    if databases.seeded_marker(big_name) == marker:
        big_seed = databases.stored_result(big_name)
        practice = big_seed["practices"][0]["practice_id"]
        big_seed["practices"][0]["sessions"] = databases.seed(big_name, "sessions", "--practice",
                                                              str(practice))
        big_seed["reused"] = True
        log(f"W5: reusing {big_name} ({big_seed['messages']} messages)")
    else:
        log(f"W5: seeding {big_name} ({big[0]}×{big[1]}×{big[2]}); this takes a while once")
        databases.fresh(big_name)
        big_seed = databases.seed(big_name, "inbox", "--practices", str(big[0]),
                                  "--threads", str(big[1]), "--messages", str(big[2]))
        databases.mark_seeded(big_name, marker, big_seed)
        big_seed["reused"] = False
        log(f"W5: seeded {big_seed['messages']} messages in {big_seed['seconds']} s")
    return small_seed, big_seed


async def _measure(port, session, paths, n, offset):
    """n sequential requests on one keep-alive connection: (latencies, statuses, rows)."""
    conn = Connection(HOST, port, cookies={"sessionid": session})
    latencies, bad, rows = [], {}, None
    try:
        for i in range(n):
            path = paths(offset + i)
            started = time.perf_counter()
            response = await conn.get(path)
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                bad[response.status] = bad.get(response.status, 0) + 1
            elif rows is None:
                body = response.json()
                rows = len(body.get("threads", body.get("messages", []))) if isinstance(body, dict) else None
    finally:
        await conn.close()
    return latencies, bad, rows


async def run(small_seed, big_seed, *, small_name, big_name, requests, chunk, log) -> dict:
    """Serve both databases and alternate the requests between them."""
    results = []
    with running([cairn_server(small_name, layer="memory"),
                  cairn_server(big_name, layer="memory")]) as (small_srv, big_srv):
        targets = [("small", small_srv.port, small_seed), ("large", big_srv.port, big_seed)]
        kinds = [(name, role, [requests_for(seed)[k][2] for _, _, seed in targets])
                 for k, (name, role, _) in enumerate(requests_for(small_seed))]
        for k, (name, role, paths) in enumerate(kinds):
            samples = {"small": [], "large": []}
            rows, errors = {}, {"small": {}, "large": {}}
            # Warm both up (connections, caches, plans) before timing.
            for t, (label, port, seed) in enumerate(targets):
                await _measure(port, seed["practices"][0]["sessions"][role], paths[t],
                               min(10, requests), 0)
            done = 0
            while done < requests:
                n = min(chunk, requests - done)
                order = targets if (done // chunk) % 2 == 0 else targets[::-1]
                for label, port, seed in order:
                    t = 0 if label == "small" else 1
                    lat, bad, got = await _measure(port, seed["practices"][0]["sessions"][role],
                                                   paths[t], n, done)
                    samples[label] += lat
                    for status, count in bad.items():
                        errors[label][str(status)] = errors[label].get(str(status), 0) + count
                    rows.setdefault(label, got)
                done += n
            row = {"request": name, "as": role, "n": requests, "errors": errors, "rows": rows}
            for label in ("small", "large"):
                row[f"{label}_p50_ms"] = ms(percentile(samples[label], 50))
                row[f"{label}_p99_ms"] = ms(percentile(samples[label], 99))
            row["growth_p50"] = ratio(row["large_p50_ms"], row["small_p50_ms"])
            row["growth_p99"] = ratio(row["large_p99_ms"], row["small_p99_ms"])
            results.append(row)
            log(f"W5: {name:26} small p50 {row['small_p50_ms']:.2f} ms, large p50 "
                f"{row['large_p50_ms']:.2f} ms, growth {row['growth_p50']:.2f}×")
    return {"small": {"messages": small_seed["messages"], "threads": small_seed["threads"]},
            "large": {"messages": big_seed["messages"], "threads": big_seed["threads"],
                      "reused": big_seed.get("reused")},
            "page": PAGE, "requests": requests, "rows": results}
