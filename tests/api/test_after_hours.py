"""The after-hours reply (SPEC §4 "Safety"), with a frozen clock: once per thread per closed
period, author kind `system`, unread for no one, emailing no one, pushed live and audited;
never for staff, never without hours or a reply text; right across closed dates and DST."""

from datetime import datetime, timezone as tz
from types import SimpleNamespace

import pytest

import server.actions.messages
import server.actions.threads
import server.api.office

from server.models import AuditEntry, Event, OutboxEmail, Practice, UnreadMark
from tests.api.helpers import badge, reply, start

REPLY = "The office is closed. We reply on the next business day; in an emergency call 911."
WEEKDAYS = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=tz.utc)


@pytest.fixture
def clock(monkeypatch):
    """clock(moment): from now on, messages and threads are written at `moment` (sessions
    keep the real clock)."""
    def set_to(moment):
        frozen = SimpleNamespace(now=lambda: moment)
        for module in (server.actions.messages, server.actions.threads, server.api.office):
            monkeypatch.setattr(module, "timezone", frozen)
    return set_to


@pytest.fixture
def practice(world):
    Practice.objects.filter(pk=world.practice.pk).update(
        timezone="America/New_York", hours={**WEEKDAYS, "closed": ["2026-12-25"]},
        after_hours_reply=REPLY)
    return world


def automatic(api, thread_id) -> list:
    messages = api.get(f"/api/threads/{thread_id}").json()["messages"]
    return [m for m in messages if m["author"]["kind"] == "system"]


def test_friday_1701_gets_one_reply_until_monday(practice, as_user, clock):
    world, dana, cleo = practice, as_user(practice.dana.user), as_user(practice.cleo)
    clock(utc(2026, 12, 4, 22, 1))  # Friday 17:01 in New York
    thread_id = start(dana, body="Can we move Monday's session?")["thread"]["id"]
    badge_before = badge(cleo)
    [auto] = automatic(dana, thread_id)
    assert auto["body"] == REPLY and auto["unread"] is False
    assert auto["author"] == {"id": None, "name": "Automatic reply", "kind": "system"}
    assert automatic(cleo, thread_id)[0]["unread"] is False
    assert not UnreadMark.objects.filter(message_id=auto["id"]).exists()
    # Pushed live and audited; no email for it (only the client message's own notice).
    created = Event.objects.filter(type="message.created", thread_id=thread_id).order_by("id")
    assert [e.payload["message_id"] for e in created][-1] == auto["id"]
    assert AuditEntry.objects.filter(action="message.after_hours_reply",
                                     message_id=auto["id"]).exists()
    assert not OutboxEmail.objects.filter(to=world.dana.email).exists()

    clock(utc(2026, 12, 5, 15, 0))  # Saturday
    reply(dana, thread_id, body="Also, Tuesday works.")
    clock(utc(2026, 12, 7, 13, 59))  # Monday 08:59
    reply(dana, thread_id, body="Anyone there?")
    assert len(automatic(dana, thread_id)) == 1
    assert badge(cleo) == badge_before + 2  # the client's messages, never the reply

    clock(utc(2026, 12, 7, 15, 0))  # Monday 10:00: open
    reply(dana, thread_id, body="Thanks!")
    clock(utc(2026, 12, 7, 22, 30))  # Monday 17:30: a new closed period
    reply(dana, thread_id, body="One more thing.")
    assert len(automatic(dana, thread_id)) == 2


def test_sunday_and_a_holiday_are_closed_and_staff_messages_never_answered(practice, as_user,
                                                                            clock):
    dana, cleo = as_user(practice.dana.user), as_user(practice.cleo)
    clock(utc(2026, 12, 6, 18, 0))  # Sunday
    assert len(automatic(dana, start(dana)["thread"]["id"])) == 1
    clock(utc(2026, 12, 25, 16, 0))  # Friday 11:00, but 25 December is closed
    assert len(automatic(dana, start(dana)["thread"]["id"])) == 1
    staff_thread = start(cleo, client=practice.dana)["thread"]["id"]
    reply(cleo, staff_thread, body="Merry Christmas")
    assert automatic(cleo, staff_thread) == []
    clock(utc(2026, 12, 23, 16, 0))  # Wednesday 11:00: open
    assert automatic(dana, start(dana)["thread"]["id"]) == []


def test_the_dst_night_is_one_closed_period(practice, as_user, clock):
    dana = as_user(practice.dana.user)
    clock(utc(2026, 10, 30, 21, 30))  # Friday 17:30 EDT
    thread_id = start(dana)["thread"]["id"]
    for moment in (utc(2026, 11, 1, 5, 30),   # 01:30 EDT on the night the clocks go back
                   utc(2026, 11, 1, 6, 30),   # 01:30 EST, an hour later
                   utc(2026, 11, 2, 13, 30)):  # Monday 08:30 EST (09:30 were it still EDT)
        clock(moment)
        reply(dana, thread_id)
    assert len(automatic(dana, thread_id)) == 1
    clock(utc(2026, 11, 2, 13, 30))
    assert len(automatic(dana, start(dana)["thread"]["id"])) == 1  # still closed at 08:30 EST
    clock(utc(2026, 11, 2, 14, 0))  # 09:00 EST: open
    assert automatic(dana, start(dana)["thread"]["id"]) == []


@pytest.mark.parametrize("settings_", [{"after_hours_reply": ""}, {"after_hours_reply": "   "},
                                       {"hours": {}}, {"hours": {"closed": ["2026-12-06"]}}])
def test_no_reply_without_hours_or_text(practice, as_user, clock, settings_):
    Practice.objects.filter(pk=practice.practice.pk).update(**settings_)
    clock(utc(2026, 12, 6, 18, 0))  # Sunday
    dana = as_user(practice.dana.user)
    assert automatic(dana, start(dana)["thread"]["id"]) == []


def test_the_portal_learns_when_the_office_opens(practice, as_user, clock):
    dana = as_user(practice.dana.user)
    clock(utc(2026, 12, 4, 22, 1))  # Friday 17:01
    assert dana.get("/api/practice/office").json() == {
        "open": False, "next_opening": "2026-12-07T09:00:00-05:00",
        "timezone": "America/New_York"}
    clock(utc(2026, 12, 24, 22, 0))  # Thursday evening before the closed 25th
    assert dana.get("/api/practice/office").json()["next_opening"] == "2026-12-28T09:00:00-05:00"
    clock(utc(2026, 12, 7, 15, 0))  # Monday 10:00
    assert dana.get("/api/practice/office").json() == {
        "open": True, "next_opening": None, "timezone": "America/New_York"}
    Practice.objects.filter(pk=practice.practice.pk).update(hours={})
    assert as_user(practice.cleo).get("/api/practice/office").json()["open"] is True
    assert as_user(None).get("/api/practice/office").status_code == 401
