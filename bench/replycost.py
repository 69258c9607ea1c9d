"""python -m bench.replycost: what one reply costs as its viewers leave more and more unread.

A practice whose client writes into one clinical thread that `--viewers` clinical admins follow
and never read; every reply goes through Django's whole request path (the session, the action,
the commit and the fan-out after it) on PostgreSQL, timed one at a time. Prints the median and
p99 time and the queries of a reply per band of `--band` replies: flat if nothing counts marks
(docs/PERFORMANCE.md, F11 and F15). Runs on its own database `<prefix>_replycost`, dropped at the
end."""

import argparse
import json
import sys
import time


def measure(viewers: int, replies: int, band: int) -> list[dict]:
    """Inside Django: the bands' figures."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    from bench.seed import session_for
    from server.models import Client, Practice, StaffRole, User

    practice = Practice.objects.create(name="Reply Cost Practice")
    password = make_password(None)
    admins = User.objects.bulk_create(
        User(username=f"ca{i}", password=password, practice=practice, kind=User.STAFF,
             name=f"Admin {i}") for i in range(viewers))
    StaffRole.objects.bulk_create(StaffRole(user=u, role="clinical_admin") for u in admins)
    user = User.objects.create(username="client", password=password, practice=practice,
                               kind=User.CLIENT, name="Dana Client")
    Client.objects.create(practice=practice, name="Dana Client", user=user)
    http = HttpClient(HTTP_HOST="127.0.0.1")  # checks no CSRF token: the client signed in
    http.cookies["sessionid"] = session_for(user)

    def post(path, data):
        r = http.post(path, json.dumps(data), content_type="application/json")
        assert r.status_code == 201, r.content[:300]
        return r.json()

    thread_id = post("/api/threads", {"audience": "clinical", "subject": "Long thread",
                                      "body": "First"})["thread"]["id"]
    figures, times, queries = [], [], []
    for n in range(1, replies + 1):
        connection.queries_log.clear()  # the request's start clears it too (reset_queries)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            post(f"/api/threads/{thread_id}/messages", {"body": f"Reply {n}"})
            times.append(time.perf_counter() - started)
        queries.append(len(captured.captured_queries))
        if n % band == 0:
            times.sort()
            figures.append({"unread_before": n - band + 1, "unread_after": n,
                            "p50_ms": round(times[len(times) // 2] * 1000, 1),
                            "p99_ms": round(times[int(len(times) * 0.99)] * 1000, 1),
                            "queries": sorted(set(queries))})
            times, queries = [], []
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--band", type=int, default=100)
    parser.add_argument("--db-prefix", default="bench")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        import django
        django.setup()
        print(json.dumps(measure(args.viewers, args.replies, args.band)))
        return
    from bench import databases
    from bench.cairn import SEND_LIMIT
    databases.PREFIX = args.db_prefix
    db = databases.name("replycost")
    databases.make_template()
    databases.fresh(db)
    try:
        out = databases.run_django(["-m", "bench.replycost", "--inside",
                                    f"--viewers={args.viewers}", f"--replies={args.replies}",
                                    f"--band={args.band}"], db,
                                   CAIRN_SEND_LIMIT_PER_MINUTE=SEND_LIMIT)
    finally:
        databases.drop(db)
        databases.drop(databases.name("template"))
    print(f"{args.viewers} viewers who read nothing; a reply's time and queries as their unread "
          f"grows")
    print(f"{'unread':>13} {'p50 ms':>8} {'p99 ms':>8} queries")
    for band in json.loads(out):
        print(f"{band['unread_before']:>6}–{band['unread_after']:<6} {band['p50_ms']:>8} "
              f"{band['p99_ms']:>8} {band['queries']}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
