"""Channel-layer group names, and which groups a person's sockets join.

A thread event is sent to exactly two groups, whatever the number of recipients:

- the *audience group* of the thread's audience in its practice, joined by staff whose roles open
  that audience for every client (`rules.roles.audiences_by_role`);
- the *client group* of the thread's client, joined by the client's own portal account and by
  staff who see the client through a relationship (assigned clinicians and their supervisors).

Every socket also joins its *user group* (per-user events, access changes, "close"), and client
sockets the practice's *portal group* (the portal switch). The groups only route: a consumer
still checks `can_view` with its current `Person` before it forwards anything.
"""

from rules.facts import Person, ThreadFacts
from rules.roles import audiences_by_role

_PREFIX = "cairn"


def user_group(user_id: int) -> str:
    """Every socket of one user."""
    return f"{_PREFIX}.u{user_id}"


def audience_group(practice_id: int, audience: str) -> str:
    """Staff who see `audience` threads of every client of the practice by role."""
    return f"{_PREFIX}.p{practice_id}.a.{audience}"


def client_group(practice_id: int, client_id: int) -> str:
    """The client's portal account and the staff related to that client."""
    return f"{_PREFIX}.p{practice_id}.c{client_id}"


def portal_group(practice_id: int) -> str:
    """Every client socket of the practice (the portal switch closes them)."""
    return f"{_PREFIX}.p{practice_id}.portal"


def groups_for(person: Person) -> frozenset:
    """The groups `person`'s sockets join: enough to hear of every thread they see."""
    groups = {user_group(person.user_id)}
    if person.is_client:
        # A client hears of their own threads and of the portal switch.
        if person.client_id is not None:
            groups.add(client_group(person.practice_id, person.client_id))
        groups.add(portal_group(person.practice_id))
        return frozenset(groups)
    if not person.is_staff:
        return frozenset(groups)
    # Staff: one group per audience their roles open, one per client they are related to.
    groups |= {audience_group(person.practice_id, a) for a in audiences_by_role(person.roles)}
    related = person.assigned_client_ids | person.supervised_client_ids
    groups |= {client_group(person.practice_id, c) for c in related}
    return frozenset(groups)


def thread_groups(thread: ThreadFacts) -> tuple:
    """The groups an event about `thread` is sent to (two, whoever sees it)."""
    return (audience_group(thread.practice_id, thread.audience),
            client_group(thread.practice_id, thread.client_id))
