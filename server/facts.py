"""Builds the rules' plain data (`rules.Person`, `ThreadFacts`, `MessageFacts`) from the database."""

from collections import defaultdict

from rules import MessageFacts, Person, ThreadFacts, can_sign_in, two_factor_setup_pending
from rules.roles import CLINICIAN, SUPERVISOR
from server.models import Client, StaffRole, TwoFactor, User


def person_for(user) -> Person | None:
    """The rules' view of a signed-in user, or None for users outside any practice."""
    if user is None or not user.is_authenticated or user.practice_id is None:
        return None
    if user.kind == User.CLIENT:
        client_id = Client.objects.filter(user_id=user.pk).values_list("id", flat=True).first()
        if client_id is None:
            return None
        return Person(user.pk, user.practice_id, "client", client_id=client_id)
    roles = frozenset(StaffRole.objects.filter(user_id=user.pk).values_list("role", flat=True))
    assigned = frozenset()
    supervised = frozenset()
    if CLINICIAN in roles:
        assigned = frozenset(Client.objects.filter(clinicians=user.pk).values_list("id", flat=True))
    if SUPERVISOR in roles:
        supervised = frozenset(
            Client.objects.filter(clinicians__supervisors=user.pk, clinicians__is_active=True,
                                  clinicians__role_rows__role=CLINICIAN)
            .values_list("id", flat=True)
        )
    return Person(user.pk, user.practice_id, "staff", roles, assigned, supervised)


def live_person(user_id: int) -> Person | None:
    """The user's Person now, or None when they may not hear anything live (inactive, outside a
    practice, a client whose practice has the portal switched off, staff who have yet to set up
    the two-step sign-in their practice requires)."""
    return live_person_of(
        User.objects.select_related("practice").filter(pk=user_id, is_active=True).first())


def live_person_of(user) -> Person | None:
    """`live_person` of a user row already read (with its practice)."""
    person = person_for(user)
    if person is None or not can_sign_in(person.kind, user.practice.portal_enabled):
        return None
    required = user.practice.require_two_factor
    # The TwoFactor row is read only where the requirement holds.
    if two_factor_setup_pending(person.kind, required,
                                required and has_two_factor(user.pk)):
        return None
    return person


def has_two_factor(user_id: int) -> bool:
    """Whether the user has set up two-step sign-in (confirmed it)."""
    return TwoFactor.objects.filter(user_id=user_id, confirmed_at__isnull=False).exists()


def with_two_factor(user_ids) -> set:
    """Those of `user_ids` who have set up two-step sign-in, in one query."""
    return set(TwoFactor.objects.filter(user_id__in=set(user_ids), confirmed_at__isnull=False)
               .values_list("user_id", flat=True))


def practice_staff(practice_id: int, user_ids=None) -> list[Person]:
    """Every active staff member of the practice as the rules see them, in four queries; or
    only those of `user_ids` (sockets opening together), in at most five, whatever the size of
    the practice."""
    active = User.objects.filter(practice_id=practice_id, kind=User.STAFF, is_active=True)
    supervision = User.supervises.through.objects
    if user_ids is None:
        staff_ids = list(active.order_by("id").values_list("id", flat=True))
        pairs = list(supervision.filter(from_user__practice_id=practice_id)
                     .values_list("from_user_id", "to_user_id"))
        assignments = Client.clinicians.through.objects.filter(client__practice_id=practice_id)
        involved = staff_ids
    else:
        staff_ids = list(active.filter(pk__in=user_ids).order_by("id").values_list("id", flat=True))
        pairs = list(supervision.filter(from_user_id__in=staff_ids)
                     .values_list("from_user_id", "to_user_id"))
        # The clinicians they supervise count too: their clients are the supervisors'.
        supervised_ids = {clinician for _, clinician in pairs} - set(staff_ids)
        involved = staff_ids + (list(active.filter(pk__in=supervised_ids)
                                     .values_list("id", flat=True)) if supervised_ids else [])
        assignments = Client.clinicians.through.objects.filter(user_id__in=involved)
    roles = defaultdict(set)
    for user_id, role in (StaffRole.objects.filter(user_id__in=involved)
                          .values_list("user_id", "role")):
        roles[user_id].add(role)
    clients_of = defaultdict(set)
    for client_id, user_id in assignments.values_list("client_id", "user_id"):
        if CLINICIAN in roles[user_id]:
            clients_of[user_id].add(client_id)
    supervised = defaultdict(set)
    for boss, clinician in pairs:
        if SUPERVISOR in roles[boss]:
            supervised[boss] |= clients_of[clinician]
    return [Person(uid, practice_id, "staff", frozenset(roles[uid]), frozenset(clients_of[uid]),
                   frozenset(supervised[uid])) for uid in staff_ids]


def client_person(client: Client) -> Person | None:
    """The client's portal account as the rules see it, if they have one."""
    if client.user_id is None:
        return None
    return Person(client.user_id, client.practice_id, "client", client_id=client.pk)


def thread_facts(thread) -> ThreadFacts:
    return ThreadFacts(thread.practice_id, thread.client_id, thread.audience,
                       deleted=thread.deleted_at is not None)


def message_facts(message) -> MessageFacts:
    return MessageFacts(message.author_kind, message.seen_by_client_at is not None,
                        deleted=message.deleted_at is not None)
