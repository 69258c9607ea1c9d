"""The practice file (SPEC §3 "Practice file"): read it, check it, and create the practice it
describes in one transaction. A bad file is refused whole, each problem named by its field
(`staff[2].roles[0]: unknown role "boss"`), and nothing is created."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from rules.roles import CLINICIAN, ROLES, SUPERVISOR
from server.models import Client, Practice, StaffRole, Topic, User
from server.practice_settings import SETTINGS, setting_problems


class PracticeFileError(Exception):
    """The file is refused. `errors` holds one "field: problem" line per problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class StaffEntry:
    username: str
    name: str
    email: str | None
    password: str
    roles: list[str]
    supervises: list[str] = field(default_factory=list)


@dataclass
class PortalEntry:
    username: str
    password: str


@dataclass
class ClientEntry:
    name: str
    email: str | None
    clinicians: list[str]
    portal: PortalEntry | None


@dataclass
class PracticePlan:
    """A checked practice file, ready to create."""

    name: str
    portal_enabled: bool
    topics: list[tuple[str, str]]
    staff: list[StaffEntry]
    clients: list[ClientEntry]
    settings: dict = field(default_factory=dict)  # server.practice_settings.SETTINGS given


def read_practice_file(path) -> dict:
    """The file's JSON, or PracticeFileError naming the file when it cannot be read or parsed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PracticeFileError([f"{path}: cannot read the file ({exc})"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PracticeFileError(
            [f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"]
        ) from None


def load_practice_file(path) -> Practice:
    """Read, check and create the practice in `path`; see `create_practice`."""
    return create_practice(read_practice_file(path))


def create_practice(data) -> Practice:
    """Create the practice described by `data` (the parsed file) with its topics, staff, roles,
    supervision, clients, assignments and portal accounts — all of it, or nothing."""
    try:
        with transaction.atomic():
            return _create(check_practice(data))
    except IntegrityError as exc:
        # Only a concurrent writer taking a username between the check and the insert.
        raise PracticeFileError([f"file: refused by the database ({exc})"]) from None


def check_practice(data) -> PracticePlan:
    """The checked plan for `data`, or PracticeFileError listing every problem found."""
    checker = _Checker()
    plan = checker.practice_file(data)
    if checker.errors:
        raise PracticeFileError(checker.errors)
    return plan


# Field limits, from the models.
_NAME_MAX = 200
_TOPIC_NAME_MAX = 100
_SUBJECT_MAX = 200
_USERNAME_MAX = 150
_EMAIL_MAX = 254


def _at(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Checker:
    """Walks the parsed file, collecting "field: problem" lines into `errors`."""

    def __init__(self):
        self.errors: list[str] = []
        self.usernames: dict[str, str] = {}  # lower-cased username -> the field that claimed it

    def fail(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    # -- shapes -----------------------------------------------------------------------------

    def fields(self, value, path: str, required: tuple, optional: tuple = ()) -> dict | None:
        """`value` as an object with these keys, or None (and a complaint) when it is not one."""
        if not isinstance(value, dict):
            self.fail(path or "file", "must be a JSON object")
            return None
        for key in value:
            if key not in required and key not in optional:
                self.fail(_at(path, key), "unknown field")
        for key in required:
            if key not in value:
                self.fail(_at(path, key), "required")
        return value

    def items(self, obj: dict, key: str, path: str) -> list:
        """The list under `key` (an empty one when it is absent: `fields` reports that)."""
        if key not in obj:
            return []
        value = obj[key]
        if not isinstance(value, list):
            self.fail(_at(path, key), "must be a list")
            return []
        return value

    def text(self, obj: dict, key: str, path: str, max_length: int, *,
             nullable: bool = False) -> str | None:
        """A non-empty string (trimmed) under `key`; None when absent, null or bad."""
        if key not in obj:
            return None
        value = obj[key]
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.fail(_at(path, key), "must be a string or null" if nullable else "must be a string")
            return None
        value = value.strip()
        if not value:
            self.fail(_at(path, key), "must not be empty")
            return None
        if len(value) > max_length:
            self.fail(_at(path, key), f"must be at most {max_length} characters")
            return None
        return value

    def email(self, obj: dict, key: str, path: str) -> str | None:
        value = self.text(obj, key, path, _EMAIL_MAX, nullable=True)
        if value is None:
            return None
        try:
            validate_email(value)
        except ValidationError:
            self.fail(_at(path, key), f'"{value}" is not a valid email address')
            return None
        return value

    def username(self, obj: dict, key: str, path: str) -> str | None:
        value = obj.get(key)
        if key not in obj:
            return None
        if not isinstance(value, str):
            self.fail(_at(path, key), "must be a string")
            return None
        where = _at(path, key)
        if not value or len(value) > _USERNAME_MAX:
            self.fail(where, f"must be 1 to {_USERNAME_MAX} characters")
            return None
        try:
            UnicodeUsernameValidator()(value)
        except ValidationError:
            self.fail(where, f'"{value}" may hold only letters, digits and @ . + - _')
            return None
        claimed = self.usernames.get(value.lower())
        if claimed is not None:
            self.fail(where, f'duplicate username "{value}" (also at {claimed})')
            return None
        self.usernames[value.lower()] = where
        return value

    def password(self, obj: dict, key: str, path: str, user: User) -> str | None:
        if key not in obj:
            return None
        value = obj[key]
        if not isinstance(value, str) or not value:
            self.fail(_at(path, key), "must be a non-empty string")
            return None
        try:
            validate_password(value, user)
        except ValidationError as exc:
            self.fail(_at(path, key), " ".join(exc.messages))
            return None
        return value

    # -- the file ---------------------------------------------------------------------------

    def practice_file(self, data) -> PracticePlan | None:
        top = self.fields(data, "", ("practice", "staff", "clients"))
        if top is None:
            return None
        name, portal_enabled, topics, settings = None, True, [], {}
        if "practice" in top:
            name, portal_enabled, topics = self.practice(top["practice"])
            settings = self.settings(top["practice"])
        staff = [self.staff_member(entry, _at("staff", i))
                 for i, entry in enumerate(self.items(top, "staff", ""))]
        clients = [self.client(entry, _at("clients", i))
                   for i, entry in enumerate(self.items(top, "clients", ""))]
        staff_by_name = {s.username: s for s in staff if s is not None and s.username}
        for i, member in enumerate(staff):
            if member is not None:
                self.supervision(member, _at("staff", i), staff_by_name)
        for i, client in enumerate(clients):
            if client is not None:
                self.assignments(client, _at("clients", i), staff_by_name)
        self.taken_usernames()
        return PracticePlan(name, portal_enabled, topics, staff, clients, settings)

    def practice(self, value):
        obj = self.fields(value, "practice", ("name",), ("portal_enabled", "topics", *SETTINGS))
        if obj is None:
            return None, True, []
        name = self.text(obj, "name", "practice", _NAME_MAX)
        portal_enabled = obj.get("portal_enabled", True)
        if not isinstance(portal_enabled, bool):
            self.fail("practice.portal_enabled", "must be true or false")
        topics, seen = [], {}
        for i, entry in enumerate(self.items(obj, "topics", "practice")):
            path = _at("practice.topics", i)
            topic = self.fields(entry, path, ("name", "subject"))
            if topic is None:
                continue
            topic_name = self.text(topic, "name", path, _TOPIC_NAME_MAX)
            subject = self.text(topic, "subject", path, _SUBJECT_MAX)
            if topic_name is not None and topic_name.lower() in seen:
                self.fail(_at(path, "name"),
                          f'duplicate topic "{topic_name}" (also at {seen[topic_name.lower()]})')
            elif topic_name is not None:
                seen[topic_name.lower()] = _at(path, "name")
            topics.append((topic_name, subject))
        return name, portal_enabled, topics

    def settings(self, value) -> dict:
        """The practice's safety settings, checked as PUT /api/practice checks them."""
        if not isinstance(value, dict):
            return {}
        given = {key: value[key] for key in SETTINGS if key in value}
        cleaned, problems = setting_problems(given, prefix="practice.")
        for problem in problems:
            self.errors.append(problem.message)
        return cleaned

    def staff_member(self, value, path: str) -> StaffEntry | None:
        obj = self.fields(value, path, ("username", "name", "password", "roles"),
                          ("email", "supervises"))
        if obj is None:
            return None
        username = self.username(obj, "username", path)
        name = self.text(obj, "name", path, _NAME_MAX)
        email = self.email(obj, "email", path)
        password = self.password(obj, "password", path,
                                 User(username=username or "", name=name or "", email=email or ""))
        roles = []
        for i, role in enumerate(self.items(obj, "roles", path)):
            where = _at(_at(path, "roles"), i)
            if not isinstance(role, str):
                self.fail(where, "must be a string")
            elif role not in ROLES:
                self.fail(where, f'unknown role "{role}" (roles: {", ".join(ROLES)})')
            elif role in roles:
                self.fail(where, f'duplicate role "{role}"')
            else:
                roles.append(role)
        supervises = self.names(obj, "supervises", path)
        return StaffEntry(username, name, email, password, roles, supervises)

    def client(self, value, path: str) -> ClientEntry | None:
        obj = self.fields(value, path, ("name",), ("email", "clinicians", "portal"))
        if obj is None:
            return None
        name = self.text(obj, "name", path, _NAME_MAX)
        email = self.email(obj, "email", path)
        clinicians = self.names(obj, "clinicians", path)
        portal = None
        portal_path = _at(path, "portal")
        if obj.get("portal") is not None and not isinstance(obj["portal"], dict):
            self.fail(portal_path, "must be null or an object {username, password}")
        elif obj.get("portal") is not None:
            account = self.fields(obj["portal"], portal_path, ("username", "password"))
            if account is not None:
                username = self.username(account, "username", portal_path)
                password = self.password(
                    account, "password", portal_path,
                    User(username=username or "", name=name or "", email=email or ""))
                portal = PortalEntry(username, password)
        return ClientEntry(name, email, clinicians, portal)

    def names(self, obj: dict, key: str, path: str) -> list[str]:
        """A list of distinct usernames under `key` (checked against the staff later)."""
        names = []
        for i, value in enumerate(self.items(obj, key, path)):
            where = _at(_at(path, key), i)
            if not isinstance(value, str):
                self.fail(where, "must be a username (a string)")
            elif value in names:
                self.fail(where, f'"{value}" is listed twice')
            else:
                names.append(value)
        return names

    # -- relationships ----------------------------------------------------------------------

    def supervision(self, member: StaffEntry, path: str, staff: dict) -> None:
        if member.supervises and SUPERVISOR not in member.roles:
            self.fail(_at(path, "supervises"),
                      f'only a supervisor supervises; give "{member.username}" the '
                      f'"{SUPERVISOR}" role or empty this list')
        for i, username in enumerate(member.supervises):
            where = _at(_at(path, "supervises"), i)
            if username == member.username:
                self.fail(where, "a staff member cannot supervise themselves")
            elif username not in staff:
                self.fail(where, f'"{username}" is not a staff member in this file')
            elif CLINICIAN not in staff[username].roles:
                self.fail(where, f'"{username}" does not hold the "{CLINICIAN}" role')

    def assignments(self, client: ClientEntry, path: str, staff: dict) -> None:
        for i, username in enumerate(client.clinicians):
            where = _at(_at(path, "clinicians"), i)
            if username not in staff:
                self.fail(where, f'"{username}" is not a staff member in this file')
            elif CLINICIAN not in staff[username].roles:
                self.fail(where, f'"{username}" does not hold the "{CLINICIAN}" role')

    def taken_usernames(self) -> None:
        """Usernames in the file that an existing user already holds (case-insensitively)."""
        if not self.usernames:
            return
        taken = {name.lower(): name for name in
                 User.objects.annotate(lower=Lower("username"))
                 .filter(lower__in=list(self.usernames)).values_list("username", flat=True)}
        for lowered, where in self.usernames.items():
            if lowered in taken:
                self.fail(where, f'username "{taken[lowered]}" is already taken')


def _create(plan: PracticePlan) -> Practice:
    practice = Practice.objects.create(name=plan.name, portal_enabled=plan.portal_enabled,
                                       **plan.settings)
    Topic.objects.bulk_create(Topic(practice=practice, name=name, subject=subject)
                              for name, subject in plan.topics)
    staff = {}
    for member in plan.staff:
        # The practice_admin role, not is_staff, opens Django's admin (server/admin/site.py).
        user = User(username=member.username, practice=practice, kind=User.STAFF,
                    name=member.name, email=member.email or "")
        user.set_password(member.password)
        user.save()
        StaffRole.objects.bulk_create(StaffRole(user=user, role=role) for role in member.roles)
        staff[member.username] = user
    for member in plan.staff:
        if member.supervises:
            staff[member.username].supervises.set([staff[u] for u in member.supervises])
    for entry in plan.clients:
        account = None
        if entry.portal is not None:
            account = User(username=entry.portal.username, practice=practice, kind=User.CLIENT,
                           name=entry.name, email=entry.email or "")
            account.set_password(entry.portal.password)
            account.save()
        client = Client.objects.create(practice=practice, name=entry.name, email=entry.email,
                                       user=account)
        if entry.clinicians:
            client.clinicians.set([staff[u] for u in entry.clinicians])
    return practice
