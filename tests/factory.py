"""Builds practices, staff and clients for tests, and a signed-in JSON client."""

import json
from dataclasses import dataclass, field

from django.test import Client as HttpClient

from server.models import Client, Practice, StaffRole, Topic, User

DEMO_TOPICS = [
    ("Scheduling", "Scheduling question"),
    ("Billing question", "Question about a bill"),
    ("Insurance", "Insurance question"),
    ("Clinical question", "Question for my clinician"),
    ("Forms and documents", "Forms and documents"),
    ("Other", "Message"),
]
PASSWORD = "correct horse battery staple"


def make_practice(name="Northside Counseling", portal_enabled=True) -> Practice:
    practice = Practice.objects.create(name=name, portal_enabled=portal_enabled)
    Topic.objects.bulk_create(Topic(practice=practice, name=n, subject=s) for n, s in DEMO_TOPICS)
    return practice


def make_staff(practice, username, roles=(), *, name=None, email=None, supervises=()) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, practice=practice,
                                    kind=User.STAFF, name=name or username.title(),
                                    email=email or f"{username}@staff.example.org")
    StaffRole.objects.bulk_create(StaffRole(user=user, role=r) for r in roles)
    if supervises:
        user.supervises.set(supervises)
    return user


def make_client(practice, name, *, email="", clinicians=(), username=None) -> Client:
    """A client; `username` gives them a portal account. `email=None` means no address."""
    if email == "":
        email = f"{name.split()[0].lower()}@client.example.org"
    user = None
    if username:
        user = User.objects.create_user(username=username, password=PASSWORD, practice=practice,
                                        kind=User.CLIENT, name=name, email=email or "")
    client = Client.objects.create(practice=practice, name=name, email=email, user=user)
    client.clinicians.set(clinicians)
    return client


@dataclass
class World:
    """One practice with a user for every role and relationship, and a second practice."""

    practice: Practice
    admin: User          # practice_admin
    sam: User            # scheduler
    bill: User           # biller
    cleo: User           # clinician assigned to dana and eli
    carl: User           # clinician assigned to nobody
    sue: User            # supervisor of cleo
    cara: User           # clinical_admin
    dana: Client         # portal account "dana", email
    eli: Client          # no portal account, email
    fay: Client          # no portal account, no email
    other_practice: Practice
    olga: User           # clinical_admin of the other practice
    oscar: Client        # client of the other practice, portal account "oscar"
    topics: dict = field(default_factory=dict)

    def staff(self):
        return [self.admin, self.sam, self.bill, self.cleo, self.carl, self.sue, self.cara]


def make_world() -> World:
    practice = make_practice()
    cleo = make_staff(practice, "cleo", ["clinician"], name="Cleo Clinician")
    world = World(
        practice=practice,
        admin=make_staff(practice, "admin", ["practice_admin"], name="Ada Admin"),
        sam=make_staff(practice, "sam", ["scheduler"], name="Sam Scheduler"),
        bill=make_staff(practice, "bill", ["biller"], name="Bill Biller"),
        cleo=cleo,
        carl=make_staff(practice, "carl", ["clinician"], name="Carl Clinician"),
        sue=make_staff(practice, "sue", ["supervisor"], name="Sue Supervisor", supervises=[cleo]),
        cara=make_staff(practice, "cara", ["clinical_admin"], name="Cara Clinicaladmin"),
        dana=make_client(practice, "Dana Reyes", clinicians=[cleo], username="dana"),
        eli=make_client(practice, "Eli Moss", clinicians=[cleo]),
        fay=make_client(practice, "Fay Lund", email=None),
        other_practice=(other := make_practice("Elsewhere Therapy")),
        olga=make_staff(other, "olga", ["clinical_admin"], name="Olga Other"),
        oscar=make_client(other, "Oscar Other", username="oscar"),
    )
    world.topics = {t.name: t for t in Topic.objects.filter(practice=practice)}
    return world


class JsonClient:
    """Django's test client speaking JSON, signed in as `user` (or anonymous)."""

    def __init__(self, user=None, **defaults):
        self.http = HttpClient(**defaults)
        if user is not None:
            self.http.force_login(user)

    def _call(self, method, path, data=None, **extra):
        kwargs = {}
        if data is not None:
            kwargs = {"data": data if isinstance(data, (str, bytes)) else json.dumps(data),
                      "content_type": "application/json"}
        return getattr(self.http, method)(path, **kwargs, **extra)

    def get(self, path, **params):
        return self.http.get(path, params)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._call("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._call("put", path, data, **extra)

    def delete(self, path, **extra):
        return self._call("delete", path, **extra)
