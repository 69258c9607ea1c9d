"""rules.hours with fixed moments: Friday 17:01, a Sunday, a holiday, both DST nights of 2026 in
New York, and the validation of hours structures and time zones."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from rules.hours import (
    NEVER, HoursError, check_hours, check_timezone, closed_period_key, has_hours,
    hours_problems, is_open, next_opening,
)

NY = "America/New_York"
WEEKDAYS = [["09:00", "17:00"]]
HOURS = {"mon": WEEKDAYS, "tue": WEEKDAYS, "wed": WEEKDAYS, "thu": WEEKDAYS, "fri": WEEKDAYS,
         "sat": [], "closed": ["2026-12-25"]}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def ny(*parts) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(NY))


def test_friday_at_4_59_pm_is_open_and_at_5_01_pm_closed_until_monday_9_am():
    assert is_open(ny(2026, 12, 4, 16, 59), NY, HOURS)
    assert not is_open(ny(2026, 12, 4, 17, 1), NY, HOURS)
    assert not is_open(ny(2026, 12, 4, 17, 0), NY, HOURS)  # a range ends at its end
    assert next_opening(ny(2026, 12, 4, 17, 1), NY, HOURS) == ny(2026, 12, 7, 9, 0)


def test_the_answer_is_in_the_practice_zone_and_an_open_moment_is_its_own_opening():
    opening = next_opening(utc(2026, 12, 4, 22, 1), NY, HOURS)
    assert opening.tzinfo == ZoneInfo(NY) and opening.isoformat() == "2026-12-07T09:00:00-05:00"
    assert next_opening(utc(2026, 12, 4, 15, 0), NY, HOURS) == utc(2026, 12, 4, 15, 0)


def test_sunday_is_closed_and_in_the_same_closed_period_as_friday_evening():
    sunday = ny(2026, 12, 6, 12, 0)
    assert not is_open(sunday, NY, HOURS)
    assert closed_period_key(sunday, NY, HOURS) == closed_period_key(ny(2026, 12, 4, 17, 1),
                                                                      NY, HOURS)


def test_each_closed_period_has_its_own_key_and_open_hours_have_none():
    friday = closed_period_key(ny(2026, 12, 4, 17, 1), NY, HOURS)
    monday_night = closed_period_key(ny(2026, 12, 7, 20, 0), NY, HOURS)
    assert friday != monday_night
    assert closed_period_key(ny(2026, 12, 7, 10, 0), NY, HOURS) is None


def test_a_closed_date_stays_closed_and_joins_the_nights_around_it():
    holiday = ny(2026, 12, 25, 10, 0)  # a Friday
    assert not is_open(holiday, NY, HOURS)
    assert next_opening(holiday, NY, HOURS) == ny(2026, 12, 28, 9, 0)
    assert (closed_period_key(ny(2026, 12, 24, 17, 30), NY, HOURS)
            == closed_period_key(holiday, NY, HOURS))


def test_the_weekend_the_clocks_go_forward_monday_opens_at_9_am_daylight_time():
    friday = ny(2026, 3, 6, 17, 1)
    assert next_opening(friday, NY, HOURS) == utc(2026, 3, 9, 13, 0)  # 09:00 EDT, not 14:00


def test_the_weekend_the_clocks_go_back_monday_opens_at_9_am_standard_time():
    friday = ny(2026, 10, 30, 17, 1)
    assert next_opening(friday, NY, HOURS) == utc(2026, 11, 2, 14, 0)  # 09:00 EST


def test_a_range_over_the_spring_forward_night_is_an_hour_shorter():
    night = {"sun": [["01:00", "04:00"]]}
    assert is_open(utc(2026, 3, 8, 6, 30), NY, night)  # 01:30 EST
    assert is_open(utc(2026, 3, 8, 7, 30), NY, night)  # 03:30 EDT
    assert not is_open(utc(2026, 3, 8, 8, 0), NY, night)  # 04:00 EDT: two hours after 01:00


def test_an_opening_inside_the_skipped_hour_opens_when_the_clocks_resume():
    night = {"sun": [["02:30", "05:00"]]}
    assert next_opening(utc(2026, 3, 8, 6, 0), NY, night) == utc(2026, 3, 8, 7, 30)  # 03:30 EDT


def test_a_range_over_the_fall_back_night_is_an_hour_longer():
    night = {"sun": [["00:00", "03:00"]]}
    assert is_open(utc(2026, 11, 1, 5, 30), NY, night)  # 01:30 EDT
    assert is_open(utc(2026, 11, 1, 6, 30), NY, night)  # 01:30 EST, the second time
    assert is_open(utc(2026, 11, 1, 7, 59), NY, night)  # 02:59 EST
    assert not is_open(utc(2026, 11, 1, 8, 0), NY, night)  # 03:00 EST


def test_a_range_may_end_at_midnight():
    late = {"fri": [["18:00", "24:00"]]}
    assert is_open(ny(2026, 12, 4, 23, 59), NY, late)
    assert not is_open(ny(2026, 12, 5, 0, 0), NY, late)


def test_no_hours_never_opens():
    assert not has_hours({}) and not has_hours({"mon": [], "closed": ["2026-01-01"]})
    assert has_hours(HOURS)
    assert next_opening(utc(2026, 12, 4), NY, {}) is None
    assert closed_period_key(utc(2026, 12, 4), NY, {}) == NEVER


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        is_open(datetime(2026, 12, 4, 12, 0), NY, HOURS)


def test_sound_hours_pass():
    assert check_hours(HOURS) is HOURS
    assert hours_problems({}) == []
    assert hours_problems({"mon": [["09:00", "12:00"], ["12:00", "17:00"]]}) == []  # touching


@pytest.mark.parametrize("hours, field, words", [
    ([], "hours", "object"),
    ({"monday": WEEKDAYS}, "hours.monday", "unknown day"),
    ({"mon": "09:00-17:00"}, "hours.mon", "list"),
    ({"mon": [["09:00"]]}, "hours.mon[0]", "pair"),
    ({"mon": [[9, 17]]}, "hours.mon[0]", "pair"),
    ({"tue": [["09:00", "25:00"]]}, "hours.tue[0]", '"25:00" is not a time'),
    ({"tue": [["9:00", "17:00"]]}, "hours.tue[0]", '"9:00" is not a time'),
    ({"wed": [["17:00", "09:00"]]}, "hours.wed[0]", "ends before it starts"),
    ({"wed": [["09:00", "09:00"]]}, "hours.wed[0]", "ends before it starts"),
    ({"thu": [["13:00", "17:00"], ["09:00", "14:00"]]}, "hours.thu[0]", "overlaps hours.thu[1]"),
    ({"closed": "2026-12-25"}, "hours.closed", "list of dates"),
    ({"closed": ["2026-12-25", "2026-02-30"]}, "hours.closed[1]", "not a date"),
    ({"closed": ["Christmas"]}, "hours.closed[0]", "not a date"),
    ({"closed": [20261225]}, "hours.closed[0]", "not a date"),
    ({"mon": [["09:00", "09:01"]] * 25}, "hours.mon", "at most 24 ranges"),
    ({"closed": ["2026-12-25"] * 1001}, "hours.closed", "at most 1000 dates"),
])
def test_bad_hours_name_the_field(hours, field, words):
    with pytest.raises(HoursError) as refused:
        check_hours(hours)
    assert refused.value.field == field
    assert words in str(refused.value)


def test_every_problem_is_listed():
    problems = hours_problems({"sun": [["25:00", "26:00"]], "fri": [["10:00", "09:00"]],
                               "xmas": []})
    assert [p.field for p in problems] == ["hours.sun[0]", "hours.fri[0]", "hours.xmas"]


@pytest.mark.parametrize("name", ["America/New_York", "Europe/Madrid", "UTC"])
def test_iana_time_zones_pass(name):
    assert check_timezone(name) == name


@pytest.mark.parametrize("name", ["Mars/Olympus", "EST-ish", "", "../../etc/passwd",
                                  "/usr/share/zoneinfo/UTC", None, 5, "America/New_York\x00"])
def test_other_time_zones_are_refused_naming_the_field(name):
    with pytest.raises(HoursError) as refused:
        check_timezone(name)
    assert refused.value.field == "timezone"
