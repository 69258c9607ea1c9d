"""server/visibility.py (SQL) and server/facts.py agree with rules/ and with SPEC §2, in the db."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

import rules
from server.facts import person_for, practice_staff, thread_facts
from server.models import Client, StaffRole, Thread, User
from server.visibility import visible_clients, visible_threads
from tests.factory import make_client, make_practice, make_staff
from tests.rules.spec import (
    ASSIGNED, AUDIENCES, NO_RELATIONSHIP, SUPERVISES, role_subsets, spec_sees,
)

pytestmark = pytest.mark.django_db

# How each combination-staff member is tied to the practice's clients. cleo (clinician) has eli;
# lapsed is assigned gus but holds no clinician role; dana's clinicians come from these links.
LINKS = ("none", "assigned_dana", "supervises_cleo", "supervises_lapsed",
         "assigned_dana+supervises_cleo")


def _thread(client, audience, author, deleted=False):
    now = timezone.now()
    return Thread.objects.create(
        practice_id=client.practice_id, client=client, audience=audience, subject="Hello",
        created_by=author, created_at=now, last_message_at=now,
        deleted_at=now + timedelta(minutes=1) if deleted else None)


def build():
    """A practice with a staff member per (role subset, link), four clients, and a second practice."""
    practice, other = make_practice(), make_practice("Elsewhere Therapy")
    cleo = make_staff(practice, "cleo", ["clinician"])
    lapsed = make_staff(practice, "lapsed", ["scheduler"])
    dana = make_client(practice, "Dana Reyes", username="dana")
    eli = make_client(practice, "Eli Moss", clinicians=[cleo], username="eli")
    gus = make_client(practice, "Gus Hale", clinicians=[lapsed], username="gus")
    fay = make_client(practice, "Fay Lund", email=None)
    olga = make_staff(other, "olga", ["clinical_admin", "clinician", "supervisor"], supervises=[cleo])
    oscar = make_client(other, "Oscar Other", clinicians=[olga], username="oscar")
    expected = {}  # user id -> {client id: relation}, as SPEC §2 reads the links
    for i, roles in enumerate(role_subsets()):
        for link in LINKS:
            supervises = [u for name, u in (("cleo", cleo), ("lapsed", lapsed)) if name in link]
            user = make_staff(practice, f"s{i}-{link}", sorted(roles), supervises=supervises)
            if "assigned_dana" in link:
                dana.clinicians.add(user)
            relation = {c.pk: NO_RELATIONSHIP for c in (dana, eli, gus, fay)}
            if "assigned_dana" in link and "clinician" in roles:
                relation[dana.pk] = ASSIGNED
            if "supervises_cleo" in link and "supervisor" in roles:
                relation[eli.pk] = SUPERVISES
            expected[user.pk] = (roles, relation)
    expected[cleo.pk] = ({"clinician"}, {dana.pk: NO_RELATIONSHIP, eli.pk: ASSIGNED,
                                         gus.pk: NO_RELATIONSHIP, fay.pk: NO_RELATIONSHIP})
    expected[lapsed.pk] = ({"scheduler"}, dict.fromkeys((dana.pk, eli.pk, gus.pk, fay.pk),
                                                        NO_RELATIONSHIP))
    for c in (dana, eli, gus, fay):
        for audience in AUDIENCES:
            _thread(c, audience, cleo)
    _thread(dana, "clinical", cleo, deleted=True)
    _thread(eli, "billing", cleo, deleted=True)
    for audience in AUDIENCES:
        _thread(oscar, audience, olga)
    _thread(oscar, "administrative", olga, deleted=True)
    return practice, other, expected


def test_sql_rules_and_spec_agree_for_every_user():
    practice, other, expected = build()
    threads, clients = list(Thread.objects.all()), list(Client.objects.all())
    users = list(User.objects.filter(practice__isnull=False).order_by("id"))
    assert len(users) > 320 and len(threads) == 18
    problems, seen_some = [], 0
    for user in users:
        person = person_for(user)
        sql = set(Thread.objects.filter(visible_threads(person)).values_list("id", flat=True))
        ruled = {t.pk for t in threads if rules.can_view(person, thread_facts(t))}
        sql_clients = set(Client.objects.filter(visible_clients(person)).values_list("id", flat=True))
        ruled_clients = {c.pk for c in clients if rules.can_see_client(person, c.practice_id, c.pk)}
        if user.kind == User.CLIENT:
            own = user.client_record
            spec = {t.pk for t in threads if t.client_id == own.pk and t.deleted_at is None}
            spec_clients = set()
        elif user.pk in expected:
            roles, relation = expected[user.pk]
            spec = {t.pk for t in threads if t.practice_id == practice.pk
                    and spec_sees(roles, t.audience, relation[t.client_id])}
            spec_clients = {c for c, rel in relation.items()
                            if any(spec_sees(roles, a, rel) for a in AUDIENCES)}
        else:  # olga, of the other practice: clinical_admin sees all of it, deleted included
            spec = {t.pk for t in threads if t.practice_id == other.pk}
            spec_clients = {c.pk for c in clients if c.practice_id == other.pk}
        seen_some += bool(spec)
        for what, got in (("sql", sql), ("rules", ruled)):
            if got != spec:
                problems.append(f"{user.username} {what} threads: +{got - spec} -{spec - got}")
        for what, got in (("sql", sql_clients), ("rules", ruled_clients)):
            if got != spec_clients:
                problems.append(f"{user.username} {what} clients: +{got - spec_clients} "
                                f"-{spec_clients - got}")
    assert problems == []
    assert 0 < seen_some < len(users)


def test_practice_staff_agrees_with_person_for():
    practice, other, _ = build()
    staff = practice_staff(practice.pk)
    users = User.objects.filter(practice=practice, kind=User.STAFF)
    assert [p.user_id for p in staff] == sorted(users.values_list("id", flat=True))
    assert staff == [person_for(User.objects.get(pk=p.user_id)) for p in staff]
    assert any(p.supervised_client_ids for p in staff) and any(p.assigned_client_ids for p in staff)
    assert [p.user_id for p in practice_staff(other.pk)] == [User.objects.get(username="olga").pk]
    # A few of them (sockets opening together) read alone: each one alike, supervisors with the
    # clients of clinicians outside the few, nobody of another practice.
    supervisors = [p.user_id for p in staff if p.supervised_client_ids]
    for few in ([p.user_id for p in staff][::3], supervisors,
                [staff[0].user_id, User.objects.get(username="olga").pk], []):
        assert practice_staff(practice.pk, few) == [p for p in staff if p.user_id in few]


def _world_person(username):
    return person_for(User.objects.get(username=username))


def _sql_audiences(person, client):
    return set(Thread.objects.filter(visible_threads(person), client=client)
               .values_list("audience", flat=True))


@pytest.fixture
def threads(world):
    for c in (world.dana, world.eli, world.fay):
        for audience in AUDIENCES:
            _thread(c, audience, world.cleo)
    return world


def test_world_people(threads):
    w = threads
    assert _world_person("cleo").assigned_client_ids == {w.dana.pk, w.eli.pk}
    assert _world_person("sue").supervised_client_ids == {w.dana.pk, w.eli.pk}
    assert _sql_audiences(_world_person("sue"), w.dana) == set(AUDIENCES)
    assert _sql_audiences(_world_person("carl"), w.dana) == set()
    assert _sql_audiences(_world_person("admin"), w.dana) == {"administrative"}
    dana = person_for(w.dana.user)
    assert (dana.kind, dana.client_id, dana.practice_id) == ("client", w.dana.pk, w.practice.pk)


def test_removing_the_clinician_role_removes_the_assignment(threads):
    w = threads
    StaffRole.objects.filter(user=w.cleo, role="clinician").delete()
    cleo, sue = _world_person("cleo"), _world_person("sue")
    assert cleo.assigned_client_ids == frozenset()
    assert _sql_audiences(cleo, w.dana) == set()
    assert not rules.can_see_client(cleo, w.practice.pk, w.dana.pk)
    # Her supervisor now sees nothing of her clients either.
    assert sue.supervised_client_ids == frozenset()
    assert _sql_audiences(sue, w.dana) == _sql_audiences(sue, w.eli) == set()
    assert not Client.objects.filter(visible_clients(sue)).exists()
    # The assignment row is still there: giving the role back restores both.
    StaffRole.objects.create(user=w.cleo, role="clinician")
    assert _sql_audiences(_world_person("cleo"), w.eli) == set(AUDIENCES)
    assert _sql_audiences(_world_person("sue"), w.eli) == set(AUDIENCES)


def test_removing_the_supervisor_role_removes_supervision(threads):
    w = threads
    StaffRole.objects.filter(user=w.sue, role="supervisor").delete()
    sue = _world_person("sue")
    assert sue.supervised_client_ids == frozenset() and sue.roles == frozenset()
    assert _sql_audiences(sue, w.dana) == set()
    assert [p for p in practice_staff(w.practice.pk) if p.user_id == w.sue.pk] == [sue]


def test_supervision_follows_the_supervised_clinician_only(threads):
    """dana keeps a clinician (carl) whom sue does not supervise: that gives sue nothing."""
    w = threads
    w.dana.clinicians.add(w.carl)
    StaffRole.objects.filter(user=w.cleo, role="clinician").delete()
    sue = _world_person("sue")
    assert sue.supervised_client_ids == frozenset()
    assert _sql_audiences(sue, w.dana) == set()
    assert _world_person("carl").assigned_client_ids == {w.dana.pk}


def test_a_deactivated_clinician_counts_the_same_everywhere(threads):
    """practice_staff (event fan-out) and person_for (requests) must build the same supervisor."""
    w = threads
    User.objects.filter(pk=w.cleo.pk).update(is_active=False)
    sue = _world_person("sue")
    assert [p for p in practice_staff(w.practice.pk) if p.user_id == w.sue.pk] == [sue]
    assert practice_staff(w.practice.pk, [w.sue.pk, w.cleo.pk]) == [sue]
    assert _sql_audiences(sue, w.dana) == set()


def test_person_for_outside_any_practice(threads):
    assert person_for(None) is None
    assert person_for(AnonymousUser()) is None
    assert person_for(make_staff(None, "drifter", ["clinical_admin"])) is None
    orphan = User.objects.create_user(username="orphan", practice=threads.practice,
                                      kind=User.CLIENT)
    assert person_for(orphan) is None
