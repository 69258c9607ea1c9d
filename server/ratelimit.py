"""Fixed-window rate limits in the shared cache (Redis when REDIS_URL is set).

A limit that cannot be checked (the cache is down) lets the request through and logs it:
refusing every sign-in because Redis blinked would be worse than a short unguarded window.
"""

import hashlib
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache

from server.errors import ApiError

log = logging.getLogger(__name__)


def now() -> float:
    """The clock every limit reads (tests replace it)."""
    return time.time()


def _digest(key: str) -> str:
    # Hashed: usernames may hold any character.
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _window(name: str, key: str, seconds: int) -> tuple[str, int]:
    """The cache key of `key`'s current window and the seconds until the window ends."""
    at = now()
    return f"rl:{name}:{_digest(key)}:{int(at // seconds)}", int(seconds - at % seconds) + 1


def count(name: str, key: str, seconds: int) -> int:
    """How many hits `key` has in the current window of `name`."""
    bucket, _ = _window(name, key, seconds)
    try:
        return cache.get(bucket, 0)
    except Exception:
        log.warning("rate limit %s unavailable; letting the request through", name, exc_info=True)
        return 0


def hit(name: str, key: str, seconds: int) -> int:
    """Count one hit for `key` and return the window's total."""
    bucket, _ = _window(name, key, seconds)
    try:
        cache.add(bucket, 0, timeout=seconds + 1)
        return cache.incr(bucket)
    except Exception:
        log.warning("rate limit %s unavailable; letting the request through", name, exc_info=True)
        return 0


def refuse_if_over(name: str, key: str, limit: int, seconds: int, total: int | None = None):
    """429 with Retry-After when `key` is past `limit` in this window."""
    total = count(name, key, seconds) if total is None else total
    if total > limit:
        _, retry_after = _window(name, key, seconds)
        raise ApiError(429, "rate_limited", f"Too many attempts; try again in {retry_after} s.",
                       retry_after=retry_after)


def first_in_window(name: str, key: str, seconds: int) -> bool:
    """True once per window of `name` for `key` (say, to audit a throttle once, not per try)."""
    bucket, _ = _window(f"{name}-once", key, seconds)
    try:
        return bool(cache.add(bucket, 1, timeout=seconds + 1))
    except Exception:
        return True


def delay_until(name: str, key: str, until: float) -> None:
    """Refuse `key` under `name` until the time `until` (see `refuse_while_delayed`)."""
    try:
        cache.set(f"rl-delay:{name}:{_digest(key)}", until, timeout=int(until - now()) + 2)
    except Exception:
        log.warning("rate limit %s unavailable; not delaying", name, exc_info=True)


def refuse_while_delayed(name: str, key: str) -> None:
    """429 with Retry-After while a delay set by `delay_until` runs."""
    try:
        until = cache.get(f"rl-delay:{name}:{_digest(key)}")
    except Exception:
        log.warning("rate limit %s unavailable; letting the request through", name, exc_info=True)
        return
    if until is not None and until > now():
        retry_after = max(1, math.ceil(until - now()))
        raise ApiError(429, "rate_limited", f"Too many attempts; try again in {retry_after} s.",
                       retry_after=retry_after)


def check_send(user_id: int) -> None:
    """Sends per user per minute (SEND_LIMIT_PER_MINUTE)."""
    refuse_if_over("send", str(user_id), settings.SEND_LIMIT_PER_MINUTE, 60,
                   total=hit("send", str(user_id), 60))
