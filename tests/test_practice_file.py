"""The practice file loader: a good file creates everything; a bad one is refused whole, the
message naming the field, and not one row is created."""

import copy
import json

import pytest
from django.db import IntegrityError

from rules.roles import ROLES
from server.management.commands.demo import demo_data
from server.models import Client, Practice, StaffRole, Topic, User
from server.practice_file import (
    PracticeFileError, create_practice, load_practice_file, read_practice_file,
)
from tests.factory import DEMO_TOPICS

PASSWORD = "a long enough passphrase"

GOOD = {
    "practice": {"name": "Northside Counseling", "portal_enabled": True,
                 "topics": [{"name": "Scheduling", "subject": "Scheduling question"},
                            {"name": "Other", "subject": "Message"}]},
    "staff": [
        {"username": "sam", "name": "Sam Scheduler", "email": "sam@example.org",
         "password": PASSWORD, "roles": ["scheduler"], "supervises": []},
        {"username": "cleo", "name": "Cleo Clinician", "email": None,
         "password": PASSWORD, "roles": ["clinician"], "supervises": []},
        {"username": "sue", "name": "Sue Supervisor", "email": "sue@example.org",
         "password": PASSWORD, "roles": ["supervisor", "clinician"], "supervises": ["cleo"]},
        {"username": "ada", "name": "Ada Admin", "email": "ada@example.org",
         "password": PASSWORD, "roles": ["practice_admin"]},
    ],
    "clients": [
        {"name": "Dana Reyes", "email": "dana@example.org", "clinicians": ["cleo"],
         "portal": {"username": "dana", "password": PASSWORD}},
        {"name": "Eli Moss", "email": None, "clinicians": ["cleo", "sue"], "portal": None},
        {"name": "Fay Lund"},
    ],
}


def good():
    return copy.deepcopy(GOOD)


def row_counts():
    return {
        "practices": Practice.objects.count(),
        "topics": Topic.objects.count(),
        "users": User.objects.count(),
        "roles": StaffRole.objects.count(),
        "clients": Client.objects.count(),
        "assignments": Client.clinicians.through.objects.count(),
        "supervision": User.supervises.through.objects.count(),
    }


def refused(data) -> str:
    """Load `data`, expect it refused with nothing created; the refusal's message."""
    before = row_counts()
    with pytest.raises(PracticeFileError) as caught:
        create_practice(data)
    assert row_counts() == before
    return str(caught.value)


def test_a_good_file_creates_the_practice_and_everyone_in_it(db):
    practice = create_practice(good())

    assert (practice.name, practice.portal_enabled) == ("Northside Counseling", True)
    assert [(t.name, t.subject) for t in practice.topics.all()] == [
        ("Scheduling", "Scheduling question"), ("Other", "Message")]
    staff = {u.username: u for u in User.objects.filter(practice=practice, kind=User.STAFF)}
    assert set(staff) == {"sam", "cleo", "sue", "ada"}
    assert staff["sam"].name == "Sam Scheduler" and staff["sam"].email == "sam@example.org"
    assert staff["cleo"].email == ""
    assert staff["sam"].check_password(PASSWORD)
    assert set(staff["sue"].role_rows.values_list("role", flat=True)) == {"supervisor", "clinician"}
    assert list(staff["sue"].supervises.all()) == [staff["cleo"]]
    # The practice_admin role opens Django's admin; is_staff plays no part.
    assert not any(u.is_staff for u in staff.values())
    assert not any(u.is_superuser for u in staff.values())

    dana, eli, fay = Client.objects.filter(practice=practice).order_by("name")
    assert dana.user.username == "dana" and dana.user.kind == User.CLIENT
    assert dana.user.practice == practice and dana.user.check_password(PASSWORD)
    assert dana.email == "dana@example.org"
    assert list(dana.clinicians.all()) == [staff["cleo"]]
    assert eli.user is None and eli.email is None
    assert set(eli.clinicians.all()) == {staff["cleo"], staff["sue"]}
    assert fay.user is None and fay.email is None and not fay.clinicians.exists()


def test_optional_fields_may_be_left_out(db):
    data = {"practice": {"name": "Tiny Practice"},
            "staff": [{"username": "solo", "name": "Solo", "password": PASSWORD,
                       "roles": list(ROLES)}],
            "clients": [{"name": "Only Client", "clinicians": ["solo"]}]}
    practice = create_practice(data)
    assert practice.portal_enabled is True and not practice.topics.exists()
    assert set(StaffRole.objects.values_list("role", flat=True)) == set(ROLES)


def test_the_demo_practice_has_every_role_and_kind_of_client(db):
    data = demo_data()
    practice = create_practice(data)

    staff = User.objects.filter(practice=practice, kind=User.STAFF)
    roles_of = {u.username: set(u.role_rows.values_list("role", flat=True)) for u in staff}
    for role in ROLES:
        assert any(roles == {role} for roles in roles_of.values()), role
    assert sum(1 for roles in roles_of.values() if roles == {"clinician"}) >= 2
    assert any(len(roles) > 1 for roles in roles_of.values())
    assert User.supervises.through.objects.filter(from_user__practice=practice).exists()

    clients = list(Client.objects.filter(practice=practice))
    assert len(clients) >= 3
    assert any(c.user_id for c in clients) and any(not c.user_id for c in clients)
    assert any(c.email for c in clients) and any(c.email is None for c in clients)
    assert any(c.clinicians.exists() for c in clients)
    assert [(t.name, t.subject) for t in practice.topics.all()] == DEMO_TOPICS


@pytest.mark.parametrize("change, message", [
    (lambda d: d["staff"][2]["roles"].__setitem__(0, "boss"),
     'staff[2].roles[0]: unknown role "boss"'),
    (lambda d: d["staff"][0]["roles"].append("scheduler"),
     'staff[0].roles[1]: duplicate role "scheduler"'),
    (lambda d: d["staff"][0].__setitem__("roles", "scheduler"), "staff[0].roles: must be a list"),
    (lambda d: d["staff"][0]["roles"].__setitem__(0, 7), "staff[0].roles[0]: must be a string"),
    (lambda d: d["staff"][1].pop("password"), "staff[1].password: required"),
    (lambda d: d["staff"][1].pop("username"), "staff[1].username: required"),
    (lambda d: d["staff"][1].__setitem__("name", ""), "staff[1].name: must not be empty"),
    (lambda d: d["staff"][1].__setitem__("name", 5), "staff[1].name: must be a string"),
    (lambda d: d["staff"][0].__setitem__("password", "short"),
     "staff[0].password: This password is too short"),
    (lambda d: d["staff"][0].__setitem__("username", "sam smith"),
     'staff[0].username: "sam smith" may hold only letters'),
    (lambda d: d["staff"][0].__setitem__("nickname", "Sammy"), "staff[0].nickname: unknown field"),
    (lambda d: d["staff"][3].__setitem__("username", "Cleo"),
     'staff[3].username: duplicate username "Cleo" (also at staff[1].username)'),
    (lambda d: d["clients"][0]["portal"].__setitem__("username", "sam"),
     'clients[0].portal.username: duplicate username "sam" (also at staff[0].username)'),
    (lambda d: d["staff"][0].__setitem__("email", "not-an-email"),
     'staff[0].email: "not-an-email" is not a valid email address'),
    (lambda d: d["clients"][0].__setitem__("email", "dana@"),
     'clients[0].email: "dana@" is not a valid email address'),
    (lambda d: d["clients"][0].__setitem__("email", ["dana@example.org"]),
     "clients[0].email: must be a string or null"),
    (lambda d: d["clients"][0].__setitem__("clinicians", ["zed"]),
     'clients[0].clinicians[0]: "zed" is not a staff member in this file'),
    (lambda d: d["clients"][0].__setitem__("clinicians", ["sam"]),
     'clients[0].clinicians[0]: "sam" does not hold the "clinician" role'),
    (lambda d: d["clients"][1]["clinicians"].append("cleo"),
     'clients[1].clinicians[2]: "cleo" is listed twice'),
    (lambda d: d["clients"][0].pop("name"), "clients[0].name: required"),
    (lambda d: d["clients"][0].__setitem__("portal", "dana"),
     "clients[0].portal: must be null or an object {username, password}"),
    (lambda d: d["clients"][0]["portal"].pop("password"), "clients[0].portal.password: required"),
    (lambda d: d["clients"][0]["portal"].__setitem__("password", "dana"),
     "clients[0].portal.password: The password is too similar to the username"),
    (lambda d: d["staff"][2]["supervises"].append("ghost"),
     'staff[2].supervises[1]: "ghost" is not a staff member in this file'),
    (lambda d: d["staff"][2]["supervises"].append("sam"),
     'staff[2].supervises[1]: "sam" does not hold the "clinician" role'),
    (lambda d: d["staff"][2]["supervises"].append("sue"),
     "staff[2].supervises[1]: a staff member cannot supervise themselves"),
    (lambda d: d["staff"][0].__setitem__("supervises", ["cleo"]),
     'staff[0].supervises: only a supervisor supervises'),
    (lambda d: d["practice"].pop("name"), "practice.name: required"),
    (lambda d: d["practice"].__setitem__("portal_enabled", "yes"),
     "practice.portal_enabled: must be true or false"),
    (lambda d: d["practice"]["topics"].append({"name": "other", "subject": "Again"}),
     'practice.topics[2].name: duplicate topic "other" (also at practice.topics[1].name)'),
    (lambda d: d["practice"]["topics"][0].pop("subject"), "practice.topics[0].subject: required"),
    (lambda d: d["practice"]["topics"][0].__setitem__("subject", "x" * 201),
     "practice.topics[0].subject: must be at most 200 characters"),
    (lambda d: d["practice"].__setitem__("topics", {"Scheduling": "Scheduling question"}),
     "practice.topics: must be a list"),
    (lambda d: d.pop("practice"), "practice: required"),
    (lambda d: d.__setitem__("staff", {"sam": {}}), "staff: must be a list"),
    (lambda d: d["staff"].__setitem__(0, "sam"), "staff[0]: must be a JSON object"),
    (lambda d: d.__setitem__("settings", {}), "settings: unknown field"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_a_bad_file_is_refused_whole_naming_the_field(db, change, message):
    data = good()
    change(data)
    assert message in refused(data)


def test_a_file_that_is_not_an_object_is_refused(db):
    assert refused([GOOD]).startswith("file: must be a JSON object")


def test_usernames_already_taken_are_refused_case_insensitively(db):
    create_practice({"practice": {"name": "Elsewhere"},
                     "staff": [{"username": "Dana", "name": "Dana Elsewhere",
                                "password": PASSWORD, "roles": ["scheduler"]}],
                     "clients": []})
    message = refused(good())
    assert 'clients[0].portal.username: username "Dana" is already taken' in message
    assert Practice.objects.count() == 1


def test_every_problem_is_reported_at_once(db):
    data = good()
    data["staff"][0]["roles"] = ["boss"]
    data["clients"][2]["email"] = "nope"
    message = refused(data)
    assert message.splitlines() == [
        'staff[0].roles[0]: unknown role "boss" (roles: practice_admin, scheduler, biller, '
        'clinician, supervisor, clinical_admin)',
        'clients[2].email: "nope" is not a valid email address',
    ]


def test_a_failure_while_creating_leaves_nothing_behind(db, monkeypatch):
    # The file checks out, but the last insert fails: the staff already written must go too.
    def fail(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Client.objects, "create", fail)
    assert "refused by the database" in refused(good())


def test_reading_a_file(tmp_path, db):
    path = tmp_path / "practice.json"
    path.write_text(json.dumps(GOOD))
    assert load_practice_file(path).name == "Northside Counseling"

    path.write_text('{"practice": {"name": "X"},\n "staff": [,]}')
    with pytest.raises(PracticeFileError, match=r"practice.json: not valid JSON \(line 2"):
        read_practice_file(path)
    with pytest.raises(PracticeFileError, match="missing.json: cannot read the file"):
        read_practice_file(tmp_path / "missing.json")


# The safety settings (SPEC §4 "Safety"), checked as PUT /api/practice checks them.

SAFETY = {"guidelines": "Messages are read on business days.", "timezone": "America/Chicago",
          "hours": {"mon": [["08:00", "16:00"]], "closed": ["2026-12-25"]},
          "after_hours_reply": "We are closed; we will answer when we open.",
          "crisis_resources": "Call or text 988, or call 911.", "require_two_factor": True}


def test_a_file_may_set_the_safety_settings(db):
    data = good()
    data["practice"].update(SAFETY)
    practice = Practice.objects.get(pk=create_practice(data).pk)
    assert {key: getattr(practice, key) for key in SAFETY} == SAFETY


def test_a_file_without_them_gets_the_defaults(db):
    practice = create_practice(good())
    assert (practice.timezone, practice.hours, practice.require_two_factor) == ("UTC", {}, False)
    assert practice.crisis_resources.startswith("If you are in danger")


@pytest.mark.parametrize("change, message", [
    ({"guidelines": "x" * 501}, "practice.guidelines: must be at most 500 characters"),
    ({"crisis_resources": ""}, "practice.crisis_resources: must not be empty"),
    ({"after_hours_reply": 5}, "practice.after_hours_reply: must be text"),
    ({"timezone": "Atlantis/Capital"}, "practice.timezone: 'Atlantis/Capital' is not an IANA"),
    ({"hours": {"mon": [["09:00", "25:00"]]}}, 'practice.hours.mon[0]: "25:00" is not a time'),
    ({"hours": {"funday": []}}, "practice.hours.funday: unknown day"),
    ({"hours": {"tue": [["10:00", "12:00"], ["11:00", "13:00"]]}},
     "practice.hours.tue[1]: overlaps practice.hours.tue[0]"),
    ({"hours": {"closed": ["25/12/2026"]}}, "practice.hours.closed[0]: '25/12/2026' is not a date"),
    ({"require_two_factor": "no"}, "practice.require_two_factor: must be true or false"),
])
def test_bad_safety_settings_refuse_the_file_naming_the_field(db, change, message):
    data = good()
    data["practice"].update(change)
    assert message in refused(data)
