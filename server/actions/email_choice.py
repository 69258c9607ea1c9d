"""A client's email choice: one email when the practice writes, on (the default) or off."""

from django.db import transaction

from server.models import User


def do_set_client_email(person, on: bool) -> bool:
    """Turn the client `person`'s notice emails on or off; returns the choice now held."""
    with transaction.atomic():
        User.objects.filter(pk=person.user_id, kind=User.CLIENT).update(email_notices=on)
    return on
