"""Whether a run is sound (`python -m bench` exits 1 when it is not, so CI notices): every
workload asked for has figures, no measurement raised, and no contestant lost, duplicated or
misdelivered a message, refused a socket or closed one it held, or left a figure missing. Each
repetition is checked, not only the medians (a loss in one of three would hide in a median).
Slow figures never fail a run."""

# The figures every row must have, per workload.
FIGURES = {
    "W1": ("open_rate", "mem_per_socket_kb", "idle_cpu_pct"),
    "W2": ("p50_ms", "p99_ms", "last_p99_ms", "rate", "cpu_us_per_delivery"),
    "W3": ("first_p99_ms", "last_p99_ms", "last_post_rate"),
    "W4": ("same_p50_ms", "other_p50_ms", "redis_commands_per_message"),
    "W5": ("small_p50_ms", "small_p99_ms", "large_p50_ms", "large_p99_ms", "growth_p50",
           "growth_p99"),
}
# Counts that must be zero in every repetition: a message or socket the contestant failed.
FAULTS = {
    "W1": ("failed",),
    "W2": ("lost", "lost_latency_phase", "duplicates", "refused"),
    "W3": ("lost", "misdelivered", "duplicates", "post_errors", "refused"),
    "W4": ("lost", "duplicates", "refused"),
}


def failures(result: dict) -> list:
    """One line per problem in a run's result; empty when the run is sound."""
    problems = []
    results = result.get("results", {})
    for workload in result["settings"]["workloads"]:
        if workload not in results or not results[workload].get("rows"):
            problems.append(f"{workload}: no figures")
    for workload, data in results.items():
        for row in data.get("rows", []):
            where = f"{workload} {row.get('contestant', row.get('request'))}" + (
                f" n={row['size']}" if row.get("size") else "")
            problems += [f"{where}: no {key}" for key in FIGURES.get(workload, ())
                         if row.get(key) is None]
            for k, sample in enumerate(row.get("samples", [row]), 1):
                if "error" in sample:
                    problems.append(f"{where} #{k}: {sample['error'][:500]}")
                    continue
                problems += [f"{where} #{k}: {p}" for p in sample_problems(workload, sample)]
            if workload == "W5":
                problems += [f"{where}: {p}" for p in _w5(row)]
    return problems


def sample_problems(workload: str, sample: dict) -> list:
    """What one repetition of a workload did wrong."""
    problems = [f"{sample[key]} {key.replace('_', ' ')}" for key in FAULTS.get(workload, ())
                if sample.get(key)]
    if workload == "W1":
        if sample.get("budget_ran_out"):
            problems.append(f"opened {sample.get('opened')} before the opening budget ran out")
        if not sample.get("held"):
            problems.append("held no socket")
        elif sample["held"] < sample.get("opened", 0):
            problems.append(f"held {sample['held']} of {sample['opened']} opened")
    if workload == "W2":
        delivered, expected = sample.get("delivered"), sample.get("expected")
        if not delivered:
            problems.append("delivered nothing")
        elif expected is not None and delivered < expected and not sample.get("lost"):
            problems.append(f"delivered {delivered} of {expected}")
    if workload == "W3" and sample.get("expected") is not None:
        if sample.get("delivered", 0) < sample["expected"] and not sample.get("lost"):
            problems.append(f"delivered {sample.get('delivered', 0)} of {sample['expected']}")
    if workload in ("W1", "W2", "W3", "W4") and sample.get("closed_by_server"):
        problems.append(f"sockets closed by the server {sample['closed_by_server']}")
    if workload == "W4" and not sample.get("recipients"):
        problems.append("no recipient")
    return problems


def _w5(row: dict) -> list:
    problems = []
    for label in ("small", "large"):
        errors = row["errors"][label]
        # 503 is Cairn's answer when PostgreSQL refuses a connection (a shared machine can reach
        # max_connections); any other status is a broken request.
        if set(errors) - {"503"}:
            problems.append(f"{label} database answered {errors}")
        elif sum(errors.values()) > row["n"] // 2:
            problems.append(f"{label} database: {errors} of {row['n']}")
    return problems
