"""The only code that changes state, in two layers, each taking one `server.actor.Actor`:

- `check_*` is a door's one call (HTTP views, and any other door): it takes the practice's
  event-log lock (`events.writing`), finds its object through `server.access` (one "not found"),
  validates, applies the `rules/` predicates, settles retries and raises the 409s, then calls
  the `do_*` action. It returns objects; the door shapes its own answer.
- `do_*` writes the rows and event rows, writes its audit row (actor and address from the
  Actor), and leaves the live push to run after commit. It trusts its caller's checks.

Reads that return message text are actions too (`reading`): they write their audit row here.
Per-user marks (`marks`) take the `rules.Person` whose marks change, not an Actor.
"""
