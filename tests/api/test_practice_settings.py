"""GET and PUT /api/practice with the safety settings (SPEC §4 "Safety"): who reads, who
changes, partial updates, and refusals that name the field and change nothing."""

import pytest
from django.utils import timezone

from server.models import AuditEntry, Practice, TwoFactor, User
from server.models.practice import DEFAULT_CRISIS_RESOURCES

HOURS = {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["09:00", "15:00"]],
         "closed": ["2026-12-25"]}
SETTINGS = {"guidelines": "We reply within two business days.", "timezone": "America/New_York",
            "hours": HOURS, "after_hours_reply": "The office is closed; we will reply soon.",
            "crisis_resources": "Call or text 988, or call 911.", "require_two_factor": True}


@pytest.fixture(autouse=True)
def staff_have_two_factor(world):
    """SETTINGS require two-step sign-in: the staff here have set it up, so they go on working
    (tests/api/test_two_factor.py holds those who have not at the set-up)."""
    now = timezone.now()
    TwoFactor.objects.bulk_create(TwoFactor(user=user, secret="JBSWY3DPEHPK3PXP", created_at=now,
                                            confirmed_at=now)
                                  for user in User.objects.filter(kind=User.STAFF))


def stored(world) -> dict:
    practice = Practice.objects.get(pk=world.practice.pk)
    return {key: getattr(practice, key) for key in ("portal_enabled", *SETTINGS)}


def test_a_new_practice_has_the_spec_defaults(world, as_user):
    r = as_user(world.admin).get("/api/practice")
    assert r.status_code == 200
    assert r.json() == {"name": world.practice.name, "portal_enabled": True, "guidelines": "",
                        "timezone": "UTC", "hours": {}, "after_hours_reply": "",
                        "crisis_resources": DEFAULT_CRISIS_RESOURCES,
                        "require_two_factor": False}
    assert DEFAULT_CRISIS_RESOURCES == (
        "If you are in danger or thinking about harming yourself, call or text 988 "
        "(Suicide & Crisis Lifeline) or call 911.")


def test_a_practice_admin_sets_everything_and_everyone_signed_in_reads_it(world, as_user):
    r = as_user(world.admin).put("/api/practice", SETTINGS)
    assert r.status_code == 200, r.content
    expected = {"name": world.practice.name, "portal_enabled": True, **SETTINGS}
    assert r.json() == expected
    for user in (world.admin, world.sam, world.cleo, world.dana.user):
        seen = as_user(user).get("/api/practice")
        assert seen.status_code == 200 and seen.json() == expected, user.username
    entry = AuditEntry.objects.get(action="practice.settings_changed")
    assert entry.actor_id == world.admin.pk and entry.detail["fields"] == sorted(SETTINGS)


def test_another_practice_sees_its_own_settings(world, as_user):
    as_user(world.admin).put("/api/practice", SETTINGS)
    r = as_user(world.olga).get("/api/practice")
    assert r.json()["name"] == "Elsewhere Therapy" and r.json()["guidelines"] == ""


def test_fields_left_out_keep_their_value(world, as_user):
    admin = as_user(world.admin)
    admin.put("/api/practice", SETTINGS)
    r = admin.put("/api/practice", {"guidelines": "  New words.  "})
    assert r.status_code == 200
    assert stored(world) == {"portal_enabled": True, **SETTINGS, "guidelines": "New words."}
    r = admin.put("/api/practice", {"portal_enabled": False})
    assert r.status_code == 200 and r.json()["hours"] == HOURS
    assert stored(world)["portal_enabled"] is False


def test_texts_may_be_cleared_but_crisis_resources_may_not(world, as_user):
    admin = as_user(world.admin)
    admin.put("/api/practice", SETTINGS)
    r = admin.put("/api/practice", {"guidelines": "", "after_hours_reply": " "})
    assert r.status_code == 200
    assert stored(world)["guidelines"] == "" and stored(world)["after_hours_reply"] == ""
    r = admin.put("/api/practice", {"crisis_resources": "   "})
    assert r.status_code == 422 and r.json()["error"]["field"] == "crisis_resources"


@pytest.mark.parametrize("change, field, code", [
    ({"guidelines": "x" * 501}, "guidelines", "too_long"),
    ({"after_hours_reply": "x" * 501}, "after_hours_reply", "too_long"),
    ({"crisis_resources": "x" * 501}, "crisis_resources", "too_long"),
    ({"guidelines": "bad \ud800 text"}, "guidelines", "invalid_text"),
    ({"guidelines": "nul \x00"}, "guidelines", "invalid"),
    ({"guidelines": None}, "guidelines", "invalid"),
    ({"guidelines": 5}, "guidelines", "invalid"),
    ({"timezone": "Mars/Olympus"}, "timezone", "unknown_timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone", "unknown_timezone"),
    ({"timezone": None}, "timezone", "unknown_timezone"),
    ({"hours": {"monday": [["09:00", "17:00"]]}}, "hours.monday", "invalid_hours"),
    ({"hours": {"mon": [["09:00", "25:00"]]}}, "hours.mon[0]", "invalid_hours"),
    ({"hours": {"mon": [["17:00", "09:00"]]}}, "hours.mon[0]", "invalid_hours"),
    ({"hours": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "hours.mon[1]",
     "invalid_hours"),
    ({"hours": {"closed": ["2026-13-01"]}}, "hours.closed[0]", "invalid_hours"),
    ({"hours": [["09:00", "17:00"]]}, "hours", "invalid"),
    ({"hours": None}, "hours", "invalid_hours"),
    ({"require_two_factor": "yes"}, "require_two_factor", "invalid"),
    ({"require_two_factor": None}, "require_two_factor", "invalid"),
    ({"portal_enabled": None}, "portal_enabled", "invalid"),
    ({}, "request", "invalid"),
])
def test_a_bad_value_is_a_422_naming_the_field_and_nothing_is_half_saved(world, as_user,
                                                                         change, field, code):
    admin = as_user(world.admin)
    admin.put("/api/practice", SETTINGS)
    before, audited = stored(world), AuditEntry.objects.count()
    # A good change to another field rides along: it must not be saved either.
    body = {"portal_enabled": False, "guidelines": "Changed", **change}
    if not change:
        body = {}
    r = admin.put("/api/practice", body)
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == code and error["field"] == field and field in error["message"]
    assert stored(world) == before
    assert AuditEntry.objects.count() == audited


@pytest.mark.parametrize("who", ["sam", "cleo", "cara", "sue", "dana"])
def test_only_a_practice_admin_changes_settings(world, as_user, who):
    user = world.dana.user if who == "dana" else getattr(world, who)
    r = as_user(user).put("/api/practice", {"guidelines": "Mine now"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_allowed"
    assert stored(world)["guidelines"] == ""


def test_reading_needs_a_sign_in(world, as_user):
    assert as_user(None).get("/api/practice").status_code == 401


def test_an_unchanged_put_is_not_audited(world, as_user):
    admin = as_user(world.admin)
    admin.put("/api/practice", SETTINGS)
    audited = AuditEntry.objects.count()
    assert admin.put("/api/practice", SETTINGS).status_code == 200
    assert AuditEntry.objects.count() == audited
