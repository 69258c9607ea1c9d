"""The plain data the rules decide on. Built from the database by `server.facts`."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    """A signed-in user as the rules see them.

    For staff, `assigned_client_ids` holds the clients they are assigned to *as a clinician*
    (only counted while they hold the clinician role) and `supervised_client_ids` the clients of
    the clinicians they supervise (only counted while they hold the supervisor role and the
    supervised clinician holds the clinician role). For a client, `client_id` is their own record.
    """

    user_id: int
    practice_id: int
    kind: str  # "staff" or "client"
    roles: frozenset = field(default_factory=frozenset)
    assigned_client_ids: frozenset = field(default_factory=frozenset)
    supervised_client_ids: frozenset = field(default_factory=frozenset)
    client_id: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_client(self) -> bool:
        return self.kind == "client"


@dataclass(frozen=True)
class ThreadFacts:
    practice_id: int
    client_id: int
    audience: str
    deleted: bool = False


@dataclass(frozen=True)
class MessageFacts:
    author_kind: str  # "staff" or "client"
    seen_by_client: bool
    deleted: bool = False

    @property
    def client_has_seen(self) -> bool:
        """Client-written messages count as seen by the client."""
        return self.author_kind == "client" or self.seen_by_client
