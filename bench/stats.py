"""Percentiles, medians and ratios over the samples a workload collects."""

import math
import statistics


def percentile(values, q: float):
    """The q-th percentile (0–100) by the nearest-rank method; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    """a / b, or None when either is missing or b is zero."""
    if a is None or b in (None, 0):
        return None
    return a / b


def ms(seconds):
    return None if seconds is None else seconds * 1000.0
