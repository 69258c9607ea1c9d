"""Who does an action: the user, the rules' view of them, and the address they came from."""

from dataclasses import dataclass

from rules import Person
from server.facts import person_for


@dataclass(frozen=True)
class Actor:
    """The one argument every `check_*`/`do_*` action takes about its caller. `user` and
    `person` are None only for a caller not signed in (activating a portal account)."""

    user: object | None
    person: Person | None
    ip: str | None = None

    @classmethod
    def of(cls, user, ip: str | None = None) -> "Actor":
        """`user` as an actor (a command, a test, the admin site): their Person is read now."""
        return cls(user, person_for(user), ip)

    @classmethod
    def from_request(cls, request) -> "Actor":
        """The request's signed-in user (or nobody) and its address."""
        user = request.user if request.user.is_authenticated else None
        return cls(user, person_for(user), request.META.get("REMOTE_ADDR"))
