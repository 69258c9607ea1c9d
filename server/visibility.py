"""The visibility rule as SQL filters, for lists and counts. Must agree with `rules.can_view`
(tests/rules/test_sql_agrees.py checks it over the whole matrix)."""

from django.db.models import BooleanField, Case, OuterRef, Q, Subquery, Value, When

from rules import Person
from rules.roles import audiences_by_role
from server.models import Thread


def visible_threads(person: Person) -> Q:
    """Threads `person` sees, deleted ones included for staff (filter them as the view needs)."""
    if person.is_client:
        return Q(client_id=person.client_id, practice_id=person.practice_id,
                 deleted_at__isnull=True)
    seen = Q(audience__in=sorted(audiences_by_role(person.roles)))
    related = person.assigned_client_ids | person.supervised_client_ids
    if related:
        seen |= Q(client_id__in=sorted(related))
    return Q(practice_id=person.practice_id) & seen


def view_of(person: Person) -> tuple:
    """What `visible_threads` reads of `person`: people with the same view see the same threads
    (ten clinical admins of a practice, say)."""
    return (person.kind, person.practice_id, person.client_id,
            frozenset(audiences_by_role(person.roles)),
            person.assigned_client_ids | person.supervised_client_ids)


def sees_live_thread(person: Person) -> Subquery:
    """A filter on rows with a `thread_id` (unread marks): that thread is not deleted and `person`
    sees it. A scalar subquery, on purpose: the planner runs it once per outer row (one
    primary-key probe), whereas a join, IN or EXISTS lets it hash every thread of the practice
    to meet a user's few marks (docs/PERFORMANCE.md, F6)."""
    # CASE, not the bare condition: a person who sees nothing makes it an empty IN, which
    # Django writes as a constant 0 that PostgreSQL refuses as a boolean.
    test = Case(When(visible_threads(person) & Q(deleted_at__isnull=True), then=Value(True)),
                default=Value(False), output_field=BooleanField())
    return Subquery(Thread.objects.filter(pk=OuterRef("thread_id")).values(seen=test),
                    output_field=BooleanField())


def visible_clients(person: Person) -> Q:
    """Clients `person` (staff) sees in at least one audience."""
    if not person.is_staff:
        return Q(pk__in=[])
    if audiences_by_role(person.roles):
        return Q(practice_id=person.practice_id)
    related = person.assigned_client_ids | person.supervised_client_ids
    return Q(practice_id=person.practice_id, pk__in=sorted(related))
