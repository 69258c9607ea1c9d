"""The inbox, the badge, /api/me and a thread view cost a fixed number of queries, whatever the
number of threads and messages: measured with 3 threads and again with 40 (several messages
each, unread marks, archives, deleted messages and threads), the counts are equal and under a
fixed bound."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from server.actions import marks
from server.actions.messages import do_delete_message, do_send_message
from server.actions.threads import do_delete_thread, do_start_thread
from server.actor import Actor
from server.facts import person_for
from tests.factory import JsonClient

SMALL, LARGE = 3, 40
# No request below may need more than this, however much data there is. 26 since email timing:
# a client's first open also withdraws the notice email still waiting for them.
BOUND = 26


class Practice:
    """Builds threads straight through the actions (no HTTP, no send limit)."""

    def __init__(self, world):
        self.world = world
        self.users = {name: getattr(world, name) for name in ("sam", "cleo", "cara", "bill")}
        self.users["dana"] = world.dana.user
        self.persons = {name: person_for(user) for name, user in self.users.items()}
        self.count = 0
        self.clients = itertools.cycle((world.dana, world.eli, world.fay))
        self.others = itertools.cycle([t for name, t in world.topics.items()
                                       if name != "Scheduling"] + [None])

    def add_threads(self, n, audiences=("administrative", "billing", "clinical"),
                    messages_each=3):
        """`n` threads by the clinical admin, rotating clients and `audiences`. Even the first
        three include a deleted message, a deleted thread, archived and read ones and the
        Scheduling topic, so every filter finds something at both sizes."""
        cara, cara_user = self.persons["cara"], self.users["cara"]
        audience_cycle = itertools.cycle(audiences)
        for _ in range(n):
            self.count += 1
            client, audience = next(self.clients), next(audience_cycle)
            topic = self.world.topics["Scheduling"] if self.count % 2 else next(self.others)
            thread, first, _ = do_start_thread(Actor(cara_user, cara), client, audience, topic,
                                               f"Subject {self.count}", "Hi")
            written = [first]
            for i in range(messages_each - 1):
                if client == self.world.dana and i % 2 == 0:
                    author = "dana"
                elif client != self.world.fay:
                    author = "cleo"
                else:
                    author = "cara"
                written.append(do_send_message(Actor(self.users[author], self.persons[author]), thread,
                                               f"Message {i}", mark_thread_read=False))
            if self.count % 3 == 0:
                for name in ("sam", "cleo", "cara", "bill", "dana"):
                    if name != "dana" or client == self.world.dana:
                        marks.do_archive(self.persons[name], thread, True)
            if self.count % 4 == 1:
                marks.do_mark_read(self.persons["sam"], thread)
                marks.do_mark_read(self.persons["cleo"], thread)
            if self.count % 5 == 1:
                do_delete_message(Actor(cara_user, cara), written[-1])
            if self.count % 7 == 2:
                do_delete_thread(Actor(cara_user, cara), thread)

    def thread_with(self, client, audience, staff_messages):
        """A thread for the thread-view measurements, with `staff_messages` unseen staff
        messages after the client's first one."""
        dana = self.persons["dana"]
        thread, _, _ = do_start_thread(Actor(self.users["dana"], dana), client, audience, None,
                                       "Measured", "From the client")
        self.add_messages(thread, staff_messages)
        return thread

    def add_messages(self, thread, n):
        for i in range(n):
            do_send_message(Actor(self.users["cleo"], self.persons["cleo"]), thread, f"Staff {i}",
                            mark_thread_read=False)


def measure(api, path, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        r = api.get(path, **params)
    assert r.status_code == 200, (path, params, r.content[:300])
    return len(captured.captured_queries)


def cursor(api, **params):
    page = api.get("/api/threads", limit=1, **params).json()
    assert page["next"], "the measurement needs a second page"
    return page["next"]


STAFF_LISTS = {
    "inbox": {},
    "unread": {"state": "unread"},
    "all": {"state": "all"},
    "deleted": {"state": "deleted"},
    "by_client": {"client": "{dana}"},
    "by_audience": {"audience": "{audience}"},
    "by_topic": {"topic": "{topic}"},
    "small_page": {"limit": 5},
    "all_by_client_and_audience": {"state": "all", "client": "{dana}",
                                   "audience": "{audience}"},
    "second_page": {"before": "{cursor}"},
    "second_page_all": {"state": "all", "before": "{cursor_all}"},
}
CLIENT_LISTS = {k: v for k, v in STAFF_LISTS.items()
                if k in ("inbox", "unread", "all", "by_audience", "by_topic", "small_page",
                         "second_page", "second_page_all")}


def _params(template, names):
    return {k: names.get(v, v) if isinstance(v, str) else v for k, v in template.items()}


def counts_for(api, world, thread_id, *, staff: bool, audience: str) -> dict:
    names = {"{dana}": str(world.dana.pk), "{topic}": str(world.topics["Scheduling"].pk),
             "{audience}": audience,
             "{cursor}": cursor(api), "{cursor_all}": cursor(api, state="all")}
    lists = STAFF_LISTS if staff else CLIENT_LISTS
    counts = {f"list:{name}": measure(api, "/api/threads", **_params(params, names))
              for name, params in lists.items()}
    counts["badge"] = measure(api, "/api/badge")
    counts["me"] = measure(api, "/api/me")
    counts["thread"] = measure(api, f"/api/threads/{thread_id}")
    if staff:
        counts["thread:deleted"] = measure(api, f"/api/threads/{thread_id}", state="deleted")
        counts["clients"] = measure(api, "/api/clients")
    return counts


@pytest.mark.parametrize("who", ["sam", "cleo", "cara", "bill"])
def test_staff_requests_cost_the_same_for_3_and_40_threads(world, who,
                                                          django_assert_max_num_queries):
    practice = Practice(world)
    # Cara sees every thread; the others see it by role (sam, bill) or by assignment (cleo).
    audience = {"sam": "administrative", "bill": "billing"}.get(who, "clinical")
    practice.add_threads(SMALL, audiences=[audience])
    measured = practice.thread_with(world.dana, audience, staff_messages=2)
    api = JsonClient(practice.users[who])
    # Warm up: sessions, content types.
    counts_for(api, world, measured.pk, staff=True, audience=audience)
    practice.add_messages(measured, 2)
    small = counts_for(api, world, measured.pk, staff=True, audience=audience)

    practice.add_threads(LARGE - SMALL, messages_each=4)
    practice.add_messages(measured, 30)
    large = counts_for(api, world, measured.pk, staff=True, audience=audience)

    assert large == small
    assert max(large.values()) <= BOUND, large
    with django_assert_max_num_queries(BOUND):
        api.get("/api/threads", state="all")
    with django_assert_max_num_queries(BOUND):
        api.get(f"/api/threads/{measured.pk}")


def test_client_requests_cost_the_same_for_3_and_40_threads(world, django_assert_max_num_queries):
    practice = Practice(world)
    practice.add_threads(SMALL, audiences=["administrative"])
    measured = practice.thread_with(world.dana, "clinical", staff_messages=2)
    api = JsonClient(practice.users["dana"])
    counts_for(api, world, measured.pk, staff=False,
                       audience="administrative")
    # Each measured open finds new staff messages to mark seen: 2 now, 30 later.
    practice.add_messages(measured, 2)
    small = counts_for(api, world, measured.pk, staff=False,
                       audience="administrative")

    practice.add_threads(LARGE - SMALL, messages_each=4)
    practice.add_messages(measured, 30)
    large = counts_for(api, world, measured.pk, staff=False,
                       audience="administrative")

    assert large == small
    assert max(large.values()) <= BOUND, large
    with django_assert_max_num_queries(BOUND):
        api.get("/api/threads", state="all")


def test_a_clients_first_open_costs_the_same_for_2_and_30_unseen_messages(
        world, django_assert_max_num_queries):
    """Opening marks every unseen staff message seen and read: a fixed cost however many."""
    practice = Practice(world)
    api = JsonClient(practice.users["dana"])
    practice.add_threads(SMALL)
    warm = practice.thread_with(world.dana, "administrative", staff_messages=1)
    few = practice.thread_with(world.dana, "administrative", staff_messages=2)
    many = practice.thread_with(world.dana, "clinical", staff_messages=30)
    measure(api, f"/api/threads/{warm.pk}")
    first_few = measure(api, f"/api/threads/{few.pk}")
    with django_assert_max_num_queries(BOUND):
        r = api.get(f"/api/threads/{many.pk}")
    staff = [m for m in r.json()["messages"] if m["author"]["kind"] == "staff"]
    assert len(staff) == 30 and all(m["seen_by_client_at"] for m in staff)
    practice.add_messages(many, 10)
    assert measure(api, f"/api/threads/{many.pk}") == first_few
    # Reopened with nothing new: no more than a first open.
    assert measure(api, f"/api/threads/{few.pk}") <= first_few
