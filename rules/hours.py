"""Office hours over plain data: is the practice open, when does it open next, which closed
period a moment falls in, and what is wrong with an hours structure.

`hours` is `{"mon": [["09:00", "17:00"]], …, "sun": [], "closed": ["2026-12-25"]}`: local
wall-clock ranges per weekday in the practice's time zone (a missing day is a closed day; "24:00"
may end a range; a range never crosses midnight) and whole local dates closed. A range runs from
the first instant its start occurs to the first instant its end occurs, so on a night the clocks
change it is as long as the clocks make it; a start that does not exist that night (02:30 in New
York on 2026-03-08) opens at the first instant after the gap.

Moments are aware datetimes; answers are aware datetimes in the practice's zone.
"""

import re
import zoneinfo
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOSED = "closed"
HORIZON_DAYS = 800  # a year of closed dates and then some: beyond it, "never opens"
MAX_RANGES = 24  # per day
MAX_CLOSED = 1000  # dates
NEVER = "never"
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class HoursError(ValueError):
    """An hours structure or time zone is refused: `field` names the part, `message` says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@lru_cache(maxsize=1)
def _zone_names() -> frozenset:
    return frozenset(zoneinfo.available_timezones())


def check_timezone(name, field: str = "timezone") -> str:
    """`name` when it is an IANA time zone name ("America/New_York"), else HoursError."""
    if not isinstance(name, str) or name not in _zone_names():
        raise HoursError(field, f"{name!r} is not an IANA time zone name "
                                f"(for example \"America/New_York\")")
    return name


def hours_problems(hours, field: str = "hours") -> list[HoursError]:
    """Every problem in `hours`, each naming its part (`hours.mon[1]`), in order; [] when sound."""
    if not isinstance(hours, dict):
        return [HoursError(field, 'must be an object like {"mon": [["09:00", "17:00"]]}')]
    problems = []
    for key, value in hours.items():
        where = f"{field}.{key}"
        if key == CLOSED:
            problems += _closed_problems(value, where)
        elif key in DAYS:
            problems += _day_problems(value, where)
        else:
            problems.append(HoursError(where, f"unknown day (use {', '.join(DAYS)} or {CLOSED})"))
    return problems


def check_hours(hours, field: str = "hours") -> dict:
    """`hours` when sound, else the first of its problems raised as HoursError."""
    problems = hours_problems(hours, field)
    if problems:
        raise problems[0]
    return hours


def _day_problems(ranges, where: str) -> list[HoursError]:
    if not isinstance(ranges, list):
        return [HoursError(where, 'must be a list of ["HH:MM", "HH:MM"] ranges')]
    if len(ranges) > MAX_RANGES:
        return [HoursError(where, f"must hold at most {MAX_RANGES} ranges")]
    problems, spans = [], []
    for i, pair in enumerate(ranges):
        at = f"{where}[{i}]"
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(t, str) for t in pair)):
            problems.append(HoursError(at, 'must be a ["HH:MM", "HH:MM"] pair'))
            continue
        bad = [t for t in pair if not _CLOCK.fullmatch(t)]
        if bad:
            problems.append(HoursError(at, f'"{bad[0]}" is not a time from 00:00 to 23:59 '
                                           f'(or 24:00 to end a day)'))
            continue
        start, end = pair
        if start >= end or start == "24:00":
            problems.append(HoursError(at, f"{start}–{end} ends before it starts "
                                           f"(a range cannot cross midnight)"))
            continue
        spans.append((start, end, at))
    spans.sort()
    for (_, end, at), (start, _, other) in zip(spans, spans[1:]):
        if start < end:
            problems.append(HoursError(other, f"overlaps {at}"))
    return problems


def _closed_problems(dates, where: str) -> list[HoursError]:
    if not isinstance(dates, list):
        return [HoursError(where, 'must be a list of dates like "2026-12-25"')]
    if len(dates) > MAX_CLOSED:
        return [HoursError(where, f"must hold at most {MAX_CLOSED} dates")]
    problems = []
    for i, value in enumerate(dates):
        if not isinstance(value, str) or not _DATE.fullmatch(value) or _date(value) is None:
            problems.append(HoursError(f"{where}[{i}]", f'{value!r} is not a date like '
                                                       f'"2026-12-25"'))
    return problems


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def has_hours(hours) -> bool:
    """Whether `hours` (sound) opens on any weekday at all."""
    return any(hours.get(day) for day in DAYS)


def _clock(text: str) -> time | None:
    return None if text == "24:00" else time.fromisoformat(text)


def _openings(day: date, zone, hours, closed: frozenset):
    """The (start, end) instants, in UTC, of `day`'s ranges (none on a `closed` date)."""
    if day.isoformat() in closed:
        return
    for start, end in sorted(hours.get(DAYS[day.weekday()]) or ()):
        opens = datetime.combine(day, _clock(start), tzinfo=zone).astimezone(timezone.utc)
        end_clock = _clock(end)
        closes = (datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
                  if end_clock is None else datetime.combine(day, end_clock, tzinfo=zone))
        yield opens, closes.astimezone(timezone.utc)


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be an aware datetime")


def is_open(moment: datetime, tz_name: str, hours) -> bool:
    """Whether the practice is open at `moment`."""
    _require_aware(moment)
    zone = zoneinfo.ZoneInfo(tz_name)
    local_day = moment.astimezone(zone).date()
    closed = frozenset(hours.get(CLOSED, ()))
    return any(opens <= moment < closes
               for opens, closes in _openings(local_day, zone, hours, closed))


def next_opening(moment: datetime, tz_name: str, hours) -> datetime | None:
    """`moment` itself when open, else the next instant the practice opens, in its zone;
    None when it never opens within HORIZON_DAYS."""
    _require_aware(moment)
    zone = zoneinfo.ZoneInfo(tz_name)
    local_day = moment.astimezone(zone).date()
    closed = frozenset(hours.get(CLOSED, ()))
    for offset in range(HORIZON_DAYS):
        for opens, closes in _openings(local_day + timedelta(days=offset), zone, hours, closed):
            if opens <= moment < closes:
                return moment.astimezone(zone)
            if opens > moment:
                return opens.astimezone(zone)
    return None


def closed_period_key(moment: datetime, tz_name: str, hours) -> str | None:
    """None when open at `moment`; otherwise a string naming the closed period it falls in,
    the same for every moment of that period and different for the next ("once per thread
    per closed period"): the UTC instant the period ends, or NEVER."""
    opening = next_opening(moment, tz_name, hours)
    if opening is not None and opening == moment:
        return None
    if opening is None:
        return NEVER
    return opening.astimezone(timezone.utc).isoformat()
