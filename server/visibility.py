"""The visibility rule as SQL filters, for lists and counts. Must agree with `rules.can_view`
(tests/rules/test_sql_agrees.py checks it over the whole matrix)."""

from django.db.models import Q

from rules import Person
from rules.roles import audiences_by_role


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


def visible_clients(person: Person) -> Q:
    """Clients `person` (staff) sees in at least one audience."""
    if not person.is_staff:
        return Q(pk__in=[])
    if audiences_by_role(person.roles):
        return Q(practice_id=person.practice_id)
    related = person.assigned_client_ids | person.supervised_client_ids
    return Q(practice_id=person.practice_id, pk__in=sorted(related))
