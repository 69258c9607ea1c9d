"""`python -m bench --quick` fails a run that is not sound (bench/checks.py): fed synthetic
results, it passes a sound run and names each fault of an unsound one."""

import copy

import pytest

from bench import checks


def w1(contestant, *, opened=50, held=50, failed=0):
    sample = {"opened": opened, "held": held, "failed": failed, "closed_by_server": {},
              "open_rate": 900.0, "mem_per_socket_kb": 30.0, "idle_cpu_pct": 0.5}
    return {"contestant": contestant, "size": 50, **sample, "samples": [sample]}


def w2(contestant, *, delivered=1000, expected=1000, duplicates=0, rate=5000.0):
    sample = {"recipients": 50, "refused": 0, "delivered": delivered, "expected": expected,
              "lost": expected - delivered, "lost_latency_phase": 0, "duplicates": duplicates,
              "closed_by_server": {}, "p50_ms": 4.0, "p99_ms": 9.0, "last_p99_ms": 9.5,
              "rate": rate, "cpu_us_per_delivery": 50.0}
    return {"contestant": contestant, "size": 50, **sample, "samples": [sample]}


def w3(contestant, *, expected=40, lost=0, misdelivered=0):
    sample = {"users": 16, "lost": lost, "misdelivered": misdelivered, "duplicates": 0,
              "post_errors": 0, "refused": 0, "first_p99_ms": 30.0, "last_p99_ms": 30.0,
              "last_post_rate": 5.0, "steps": [{"expected": expected,
                                                "delivered": expected - lost}]}
    return {"contestant": contestant, "size": 0, **sample, "samples": [sample]}


def w4(contestant):
    sample = {"recipients": 50, "lost": 0, "duplicates": 0, "refused": 0,
              "closed_by_server": {}, "same_p50_ms": 3.0, "other_p50_ms": 3.1,
              "redis_commands_per_message": 5.0}
    return {"contestant": contestant, "size": 50, **sample, "samples": [sample]}


def w5():
    return {"request": "inbox", "n": 5, "errors": {"small": {}, "large": {}},
            "small_p50_ms": 7.0, "small_p99_ms": 9.0, "large_p50_ms": 7.5, "large_p99_ms": 9.9,
            "growth_p50": 1.07, "growth_p99": 1.1}


def sound_run():
    return {
        "settings": {"workloads": ["W1", "W2", "W3", "W4", "W5"]},
        "results": {
            "W1": {"rows": [w1("C1"), w1("C1d"), w1("C2"), w1("C3")]},
            "W2": {"rows": [w2("C1"), w2("C2"), w2("C2p"), w2("C3")]},
            "W3": {"rows": [w3("C2"), w3("C2p"), w3("C3")]},
            "W4": {"rows": [w4("C2"), w4("C3")]},
            "W5": {"rows": [w5()]},
        },
    }


def with_row(workload, index, row):
    run = sound_run()
    run["results"][workload]["rows"][index] = row
    return run


def test_a_sound_run_passes():
    assert checks.failures(sound_run()) == []


@pytest.mark.parametrize("run, expected", [
    (with_row("W1", 3, w1("C3", opened=50, held=1)), "W1 C3 n=50 #1: held 1 of 50 opened"),
    (with_row("W1", 2, w1("C2", opened=40, held=40, failed=10)), "W1 C2 n=50 #1: 10 failed"),
    (with_row("W1", 3, {**w1("C3", opened=30, held=30), "samples": [
        {**w1("C3", opened=30, held=30)["samples"][0], "budget_ran_out": True}]}),
     "W1 C3 n=50 #1: opened 30 before the opening budget ran out"),
    (with_row("W2", 3, w2("C3", delivered=1, expected=1000)), "W2 C3 n=50 #1: 999 lost"),
    (with_row("W2", 1, w2("C2", delivered=500, expected=1000)), "W2 C2 n=50 #1: 500 lost"),
    (with_row("W2", 2, w2("C2p", duplicates=3)), "W2 C2p n=50 #1: 3 duplicates"),
    (with_row("W3", 2, w3("C3", expected=40, lost=40)), "W3 C3 #1: 40 lost"),
    (with_row("W3", 0, w3("C2", misdelivered=2)), "W3 C2 #1: 2 misdelivered"),
    (with_row("W2", 0, w2("C1", rate=None)), "W2 C1 n=50: no rate"),
], ids=["W1 holds 1 of 50", "W1 refused", "W1 out of time", "W2 delivers 1 of 1,000", "C2 loses half",
        "duplicates", "W3 loses every delivery", "misdelivery", "a missing figure"])
def test_an_unsound_run_fails_and_says_why(run, expected):
    assert expected in checks.failures(run)


def test_a_loss_in_one_repetition_is_not_hidden_by_the_median():
    run = sound_run()
    row = run["results"]["W2"]["rows"][1]
    bad = copy.deepcopy(row["samples"][0])
    bad.update(delivered=500, lost=500)
    row["samples"] = [row["samples"][0], bad, row["samples"][0]]
    assert checks.failures(run) == ["W2 C2 n=50 #2: 500 lost"]


def test_a_workload_with_no_figures_fails():
    run = sound_run()
    del run["results"]["W4"]
    assert checks.failures(run) == ["W4: no figures"]


def test_a_w2_sample_without_its_lost_count_still_fails_on_a_shortfall():
    run = sound_run()
    sample = run["results"]["W2"]["rows"][3]["samples"][0]
    sample.update(delivered=1, lost=0)
    assert checks.failures(run) == ["W2 C3 n=50 #1: delivered 1 of 1000"]
