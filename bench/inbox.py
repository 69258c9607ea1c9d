"""W5 inbox at scale: one practice grown from 1,000 to 1,000,000 messages (its staff's unread
marks with it), the same HTTP requests against both, alternated in chunks so that drift on a
shared machine hits both alike; p50/p99 per request and the growth ratio (large over small).
The search request (`GET /api/threads?q=`) is measured only when the server's OpenAPI lists `q`."""

import asyncio
import time

from bench import databases
from bench.cairn import cairn_server
from bench.httpclient import Connection
from bench.procs import HOST, running
from bench.stats import ms, percentile, ratio

PAGE = 20  # every list request asks for one page of this size
# A clinical thread (the clinical admin sees it) in both databases, neither deleted nor recent in
# the large one: its number is a word of its messages ("… of thread 59: …").
RARE_THREAD = 59


def requests_for(seeded: dict, search: bool) -> list:
    """(name, session role, path function(i)) for each measured request."""
    first = seeded["practices"][0]
    views = first["view_thread_ids"]
    word = seeded.get("search_word", "referral")
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
    ] + ([("search q=", "clinical_admin", lambda i: f"/api/threads?limit={PAGE}&q={word}"),
          # A word of one old thread in both databases: the index's path, not the walk's.
          ("search q=, one thread", "clinical_admin",
           lambda i: f"/api/threads?limit={PAGE}&q={RARE_THREAD}+note"),
          # A last word whose prefix matches 1 thread among 1,000 messages and 1,111 among
          # 1,000,000 (59, 590–599, 5900–5999, 59000–59999), none of them among the newest.
          ("search q=, prefix (matches grow)", "clinical_admin",
           lambda i: f"/api/threads?limit={PAGE}&q=thread+{RARE_THREAD}")]
         if search else [])


async def lists_search(port: int) -> bool:
    """Whether the server's OpenAPI gives `GET /api/threads` a `q` parameter (search merged)."""
    conn = Connection(HOST, port)
    try:
        response = await conn.get("/api/openapi.json")
    finally:
        await conn.close()
    if response.status != 200:
        return False
    paths = response.json().get("paths", {})
    return any(p.get("name") == "q" for path, item in paths.items()
               if path.rstrip("/").endswith("/threads")
               for p in item.get("get", {}).get("parameters", []))


def measure(config: dict, made: list, log) -> dict:
    """W5 as `config` sizes it: seed (or reuse) both databases and measure."""
    small_db = databases.name(config["w5_small_db"])
    large_db = databases.name(config["w5_large_db"])
    made += [small_db, large_db]
    small_seed, big_seed = prepare(config["w5_small"], config["w5_large"], big_name=large_db,
                                   small_name=small_db, log=log)
    return asyncio.run(run(small_seed, big_seed, small_name=small_db, big_name=large_db,
                           requests=config["w5_requests"], chunk=config["w5_chunk"], log=log))


def prepare(small: tuple, big: tuple, *, big_name: str, small_name: str, log) -> tuple:
    """Seed (or reuse) both databases; returns their seed results."""
    log(f"W5: seeding {small_name} (one practice, {small[0]} threads × {small[1]} messages)")
    databases.fresh(small_name)
    small_seed = databases.seed(small_name, "inbox", "--threads", str(small[0]),
                                "--messages", str(small[1]))
    marker = f"inbox one practice {big} migrations {databases.migrations_signature()} seed v3"
    if databases.seeded_marker(big_name) == marker:
        big_seed = databases.stored_result(big_name)
        practice = big_seed["practices"][0]["practice_id"]
        big_seed["practices"][0]["sessions"] = databases.seed(big_name, "sessions", "--practice",
                                                              str(practice))
        big_seed["reused"] = True
        log(f"W5: reusing {big_name} ({big_seed['messages']} messages)")
    else:
        log(f"W5: seeding {big_name} (one practice, {big[0]} threads × {big[1]} messages); "
            "this takes a while once")
        databases.fresh(big_name)
        big_seed = databases.seed(big_name, "inbox", "--threads", str(big[0]),
                                  "--messages", str(big[1]))
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
        search = await lists_search(small_srv.port)
        log(f"W5: the server {'lists' if search else 'does not list'} search (q=)")
        kinds = [(name, role, [requests_for(seed, search)[k][2] for _, _, seed in targets])
                 for k, (name, role, _) in enumerate(requests_for(small_seed, search))]
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
    return {"small": {key: small_seed.get(key) for key in ("messages", "threads", "unread_marks")},
            "large": {**{key: big_seed.get(key) for key in ("messages", "threads", "unread_marks")},
                      "reused": big_seed.get("reused")},
            "practices": 1, "search": search, "page": PAGE, "requests": requests, "rows": results}
