"""The tables, printed after a run or rendered again from its JSON:

python -m bench.report RUN.json [RUN.json …] [--markdown]
"""

import argparse
import json

COLUMNS = {
    "W1": [("contestant", "contestant"), ("n", "size"), ("procs", "procs"),
           ("server procs", "server_processes"), ("held", "held"), ("failed", "failed"),
           ("open s", "open_seconds"), ("opens/s", "open_rate"),
           ("KB/socket", "mem_per_socket_kb"), ("settle s", "settle_seconds"),
           ("idle CPU %", "idle_cpu_pct"), ("proxy %", "idle_cpu_pct_proxy"),
           ("idle µs/socket/s", "idle_cpu_us_per_socket_s"), ("mem ×C1", "memory_vs_C1"),
           ("mem ×C1d", "memory_vs_C1d"), ("opens ×C1d", "open_rate_vs_C1d"),
           ("idle ×C1d", "idle_cpu_vs_C1d")],
    "W2": [("contestant", "contestant"), ("n", "recipients"), ("tabs/user", "tabs_per_user"),
           ("p50 ms", "p50_ms"), ("p99 ms", "p99_ms"), ("last p99 ms", "last_p99_ms"),
           ("deliveries/s", "rate"), ("CPU µs/delivery", "cpu_us_per_delivery"),
           ("server", "cpu_us_server"), ("of it proxy", "cpu_us_proxy"),
           ("PostgreSQL", "cpu_us_postgres"),
           ("Redis", "cpu_us_redis"), ("lost", "lost"), ("dup", "duplicates"),
           ("rate ×C2p", "rate_vs_C2p"), ("rate ×C2", "rate_vs_C2"), ("CPU ×C2p", "cpu_vs_C2p"),
           ("rate ×C1d", "rate_vs_C1d")],
    "W3": [("contestant", "contestant"), ("users", "users"), ("sockets", "sockets"),
           ("posts/s reached", "rate_reached"),
           ("deliveries/s", "delivered_per_s"), ("CPU ms/message", "cpu_ms_per_message"),
           ("server", "cpu_ms_server"), ("PostgreSQL", "cpu_ms_postgres"),
           ("Redis", "cpu_ms_redis"), ("p99 ms, 1st step", "first_p99_ms"),
           ("last posts/s", "last_post_rate"), ("last p99 ms", "last_p99_ms"),
           ("misdelivered", "misdelivered"), ("lost", "lost"), ("dup", "duplicates"),
           ("post errors", "post_errors"), ("rate ×C2p", "rate_vs_C2p"),
           ("rate ×C2", "rate_vs_C2")],
    "W4": [("contestant", "contestant"), ("n", "recipients"), ("same p50 ms", "same_p50_ms"),
           ("other p50 ms", "other_p50_ms"), ("added p50 ms", "added_p50_ms"),
           ("other p99 ms", "other_p99_ms"), ("Redis cmds/msg", "redis_commands_per_message"),
           ("per process", "redis_commands_per_message_per_process"),
           ("idle cmds/s", "redis_idle_commands_per_s")],
    "W5": [("request", "request"), ("small p50 ms", "small_p50_ms"),
           ("small p99 ms", "small_p99_ms"), ("large p50 ms", "large_p50_ms"),
           ("large p99 ms", "large_p99_ms"), ("growth p50", "growth_p50"),
           ("growth p99", "growth_p99")],
}


def _title(workload: str, result: dict) -> str:
    reps = result["settings"].get("reps")
    data = result["results"][workload]
    return {
        "W1": f"W1 idle sockets (medians of {reps}; procs = client processes; memory = RSS of "
              "every server process (nginx's too) + kernel TCP buffers, per socket; idle CPU "
              "summed over the server processes, measured once they settled)",
        "W2": f"W2 fan-out (medians of {reps}; latency from publish to receipt; CPU = server + "
              "PostgreSQL backends + Redis, split after it)",
        "W3": f"W3 practice traffic: rising post rate until p99 post-to-delivery > 100 ms "
              f"(medians of {reps}; misdeliveries, losses and duplicates summed)",
        "W4": f"W4 cross-process: two server processes, one Redis (medians of {reps})",
        "W5": (f"W5 inbox at scale, one practice: {data.get('small', {}).get('messages', 0):,} vs "
               f"{data.get('large', {}).get('messages', 0):,} messages, "
               f"{data.get('requests')} requests each, page of {data.get('page')}"),
    }[workload]


def fmt(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 100:
            return f"{value:.0f}"
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(title: str, columns: list, rows: list, *, markdown: bool = False) -> str:
    """A plain-text (or Markdown) table: `columns` are (header, key) pairs, `rows` dicts."""
    cells = [[fmt(row.get(key)) for _, key in columns] for row in rows]
    if markdown:
        lines = [f"**{title}**", "", "| " + " | ".join(h for h, _ in columns) + " |",
                 "|" + "|".join("---" if i == 0 else "---:" for i in range(len(columns))) + "|"]
        lines += ["| " + " | ".join(c) + " |" for c in cells]
        return "\n".join(lines)
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, (h, _) in enumerate(columns)]
    lines = [title, "  ".join(h.ljust(w) for (h, _), w in zip(columns, widths)),
             "  ".join("-" * w for w in widths)]
    for c in cells:
        lines.append("  ".join(v.rjust(w) if i else v.ljust(w)
                               for i, (v, w) in enumerate(zip(c, widths))))
    return "\n".join(lines)


def render(result: dict, *, markdown: bool = False) -> list:
    """The tables of every workload in a run's result."""
    return [table(_title(w, result), COLUMNS[w], result["results"][w]["rows"], markdown=markdown)
            for w in COLUMNS if w in result.get("results", {})]


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.report")
    parser.add_argument("files", nargs="+")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    for path in args.files:
        with open(path) as f:
            result = json.load(f)
        for text in render(result, markdown=args.markdown):
            print(text + "\n")


if __name__ == "__main__":
    main()
