"""What makes a run fail (`python -m bench` exits 1, so CI notices): a measurement that raised,
a workload that produced no figures, a misdelivery, or the ceiling losing deliveries (C1 cannot
lose one: if it does, the client or the method is broken). Slow figures never fail a run."""


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
                f" n={row['size']}" if "size" in row else "")
            for sample in row.get("samples", []):
                if "error" in sample:
                    problems.append(f"{where}: {sample['error'][:500]}")
            problems += [f"{where}: {p}" for p in _row_problems(workload, row)]
    return problems


def _row_problems(workload: str, row: dict) -> list:
    if workload == "W1" and not row.get("held"):
        return ["held no socket"]
    if workload == "W2":
        if not row.get("delivered"):
            return ["delivered nothing"]
        if row["contestant"] == "C1" and row["delivered"] < row["expected"]:
            return [f"the ceiling delivered {row['delivered']} of {row['expected']}"]
    if workload == "W3" and row.get("misdelivered"):
        return [f"{row['misdelivered']} messages reached users the rules do not let see them"]
    if workload == "W4" and not row.get("recipients"):
        return ["no recipient"]
    if workload == "W5":
        problems = []
        for label in ("small", "large"):
            errors = row["errors"][label]
            # 503 is Cairn's answer when PostgreSQL refuses a connection (a shared machine can
            # reach max_connections); any other status is a broken request.
            if set(errors) - {"503"}:
                problems.append(f"{label} database answered {errors}")
            elif sum(errors.values()) > row["n"] // 2:
                problems.append(f"{label} database: {errors} of {row['n']}")
            if not row.get(f"{label}_p50_ms"):
                problems.append(f"no latency on the {label} database")
        return problems
    return []
