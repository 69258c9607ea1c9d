"""Who loses and who gains access when a thread's audience changes."""

from dataclasses import replace

from rules.facts import ThreadFacts
from rules.visibility import can_view


def audience_change(staff, thread: ThreadFacts, new_audience: str) -> tuple[list, list]:
    """Split `staff` (Persons of the practice) into those losing and those gaining `thread`.

    Returns `(losing, gaining)`, each a list of the Persons in the order given.
    """
    moved = replace(thread, audience=new_audience)
    losing = [p for p in staff if can_view(p, thread) and not can_view(p, moved)]
    gaining = [p for p in staff if not can_view(p, thread) and can_view(p, moved)]
    return losing, gaining
