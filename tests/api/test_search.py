"""GET /api/threads?q=: every word, case and accents folded, the last word a prefix; combined
with every state, filter and page; deleted messages only under state=deleted; never another's
threads; a snippet around the first hit; bad searches refused, never a 500. The same tests run
on SQLite (FTS5) and, with DATABASE_URL=postgres://…, on PostgreSQL (full-text search)."""

import pytest

import server.search
from django.db import connection
from django.test.utils import CaptureQueriesContext

from server.actions import marks
from server.actions.messages import do_delete_message, do_send_message
from server.actions.threads import do_delete_thread, do_start_thread
from server.actor import Actor
from server.facts import person_for
from server.models import AuditEntry, Message
from server.search import parse, postgres

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                 reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")


class Writer:
    """Writes threads and messages straight through the actions (no HTTP, no send limit)."""

    def __init__(self, world):
        self.world = world

    def thread(self, client, audience, body, *, subject="Hello", topic=None, by=None):
        user = by or self.world.cara
        thread, message, _ = do_start_thread(Actor.of(user), client, audience, topic, subject,
                                             body)
        return thread, message

    def reply(self, thread, body, by=None):
        user = by or self.world.cara
        return do_send_message(Actor.of(user), thread, body, mark_thread_read=False)


@pytest.fixture
def write(world):
    return Writer(world)


def search(api, q, **params):
    """The threads of a search, as (id, match) pairs; asserts 200."""
    r = api.get("/api/threads", q=q, **params)
    assert r.status_code == 200, r.content
    return [(t["id"], t["match"]) for t in r.json()["threads"]]


def found(api, q, **params) -> list[int]:
    return [thread_id for thread_id, _ in search(api, q, **params)]


def test_every_word_must_match_in_one_message_or_the_subject(world, as_user, write):
    both, _ = write.thread(world.dana, "clinical", "We talked about the medication change.")
    one, _ = write.thread(world.dana, "clinical", "The medication is the same.")
    subject, _ = write.thread(world.dana, "clinical", "Nothing here.",
                              subject="Medication change")
    cara = as_user(world.cara)
    assert found(cara, "medication change") == [subject.pk, both.pk]
    assert found(cara, "medication") == [subject.pk, one.pk, both.pk]
    assert found(cara, "change medication talked") == [both.pk]
    assert found(cara, "medication unrelated") == []


def test_case_and_accents_fold_both_ways(world, as_user, write):
    accented, _ = write.thread(world.dana, "administrative", "José called about Zoë's ÉCOLE form.")
    plain, _ = write.thread(world.dana, "administrative", "Jose will call back.")
    sam = as_user(world.sam)
    assert found(sam, "jose") == [plain.pk, accented.pk]
    assert found(sam, "JOSÉ") == [plain.pk, accented.pk]
    assert found(sam, "zoe ecole") == [accented.pk]
    assert found(sam, "Zoë") == [accented.pk]


def test_the_last_word_is_a_prefix_the_others_whole(world, as_user, write):
    thread, _ = write.thread(world.dana, "clinical", "A change of medication next week.")
    cara = as_user(world.cara)
    assert found(cara, "medic") == [thread.pk]
    assert found(cara, "change medic") == [thread.pk]
    # Only the last word is a prefix.
    assert found(cara, "medic change") == []
    assert found(cara, "chan medication") == []


def test_match_gives_the_first_matching_message_and_a_snippet_around_the_hit(world, as_user,
                                                                            write):
    before = "word " * 60
    thread, first = write.thread(world.dana, "clinical", "No hit in the opening message.")
    hit = write.reply(thread, before + "we should lower the Medikament dose, says Dr. Núñez. " + before)
    write.reply(thread, "A later medikament note.")
    [(thread_id, match)] = search(as_user(world.cara), "medikament")
    assert thread_id == thread.pk
    assert match["message_id"] == hit.pk
    snippet = match["snippet"]
    assert "lower the Medikament dose" in snippet
    assert 80 <= len(snippet) <= 130
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "\n" not in snippet


def test_a_subject_match_has_no_message_id(world, as_user, write):
    thread, _ = write.thread(world.dana, "clinical", "The insurance card is attached.",
                             subject="Insurance card")
    [(thread_id, match)] = search(as_user(world.cara), "insurance car")
    assert (thread_id, match) == (thread.pk, {"message_id": None, "snippet": "Insurance card"})


def test_a_search_is_audited_with_what_it_showed_never_the_words(world, as_user, write):
    thread, _ = write.thread(world.dana, "clinical", "Hello")
    hit = write.reply(thread, "About lithium levels")
    search(as_user(world.cara), "lithium")
    entry = AuditEntry.objects.filter(action="threads.searched").get()
    assert entry.actor_id == world.cara.pk
    assert entry.detail == {"shown": [[thread.pk, hit.pk]]}
    assert "lithium" not in str(entry.detail)


def test_match_appears_only_on_a_search(world, as_user, write):
    write.thread(world.dana, "clinical", "Hello")
    [summary] = as_user(world.cara).get("/api/threads").json()["threads"]
    assert "match" not in summary


def test_a_biller_never_finds_a_clinical_threads_text(world, as_user, write):
    clinical, _ = write.thread(world.dana, "clinical", "Invoice talk inside a clinical thread.")
    billing, _ = write.thread(world.dana, "billing", "Your invoice is ready.")
    assert found(as_user(world.bill), "invoice") == [billing.pk]
    assert found(as_user(world.cara), "invoice") == [billing.pk, clinical.pk]
    # The clinician without the client, and another practice, find nothing.
    assert found(as_user(world.carl), "invoice") == []
    assert found(as_user(world.olga), "invoice") == []


def test_a_client_searches_only_their_own_threads(world, as_user, write):
    mine, _ = write.thread(world.dana, "clinical", "Your homework: the breathing exercise.")
    write.thread(world.eli, "clinical", "Your homework: the breathing exercise.")
    write.thread(world.oscar, "clinical", "Your homework: the breathing exercise.",
                 by=world.olga)
    assert found(as_user(world.dana.user), "breathing") == [mine.pk]
    assert found(as_user(world.oscar.user), "homework breath") != []
    assert mine.pk not in found(as_user(world.oscar.user), "homework breath")


def test_deleted_messages_match_only_under_state_deleted(world, as_user, write):
    thread, _ = write.thread(world.dana, "clinical", "Hello")
    gone = write.reply(thread, "A secret about lithium.")
    do_delete_message(Actor.of(world.cara), gone)
    cara, dana = as_user(world.cara), as_user(world.dana.user)
    for state in ("inbox", "unread", "all"):
        assert found(cara, "lithium", state=state) == []
    assert search(cara, "lithium", state="deleted") == [
        (thread.pk, {"message_id": gone.pk, "snippet": "A secret about lithium."})]
    assert found(dana, "lithium") == []
    # A client cannot ask for the deleted listing at all.
    assert dana.get("/api/threads", q="lithium", state="deleted").status_code == 422


def test_deleted_threads_are_found_only_under_state_deleted(world, as_user, write):
    thread, _ = write.thread(world.eli, "administrative", "Parking at the new office")
    do_delete_thread(Actor.of(world.cara), thread)
    cara = as_user(world.cara)
    assert found(cara, "parking", state="all") == []
    assert found(cara, "parking", state="deleted") == [thread.pk]
    assert found(as_user(world.sam), "parking", state="deleted") == [thread.pk]


def test_search_combines_with_each_filter_and_state(world, as_user, write):
    topic = world.topics["Scheduling"]
    # Written by the clinician, so unread for the clinical admin who searches.
    a, _ = write.thread(world.dana, "administrative", "Reschedule please", topic=topic,
                        by=world.cleo)
    b, _ = write.thread(world.eli, "billing", "Reschedule the payment", by=world.cleo)
    c, _ = write.thread(world.dana, "clinical", "Reschedule the session", by=world.cleo)
    write.thread(world.dana, "clinical", "Unrelated")
    cara = person_for(world.cara)
    marks.do_archive(cara, b, True)
    marks.do_mark_read(cara, c)
    api = as_user(world.cara)
    assert found(api, "reschedule") == [c.pk, a.pk]
    assert found(api, "reschedule", state="all") == [c.pk, b.pk, a.pk]
    assert found(api, "reschedule", state="unread") == [b.pk, a.pk]
    assert found(api, "reschedule", client=world.dana.pk) == [c.pk, a.pk]
    assert found(api, "reschedule", audience="billing", state="all") == [b.pk]
    assert found(api, "reschedule", topic=topic.pk) == [a.pk]
    assert found(api, "resched", client=world.eli.pk, state="inbox") == []


def test_search_pages_like_any_listing(world, as_user, write):
    threads = [write.thread(world.dana, "clinical", f"Sleep diary, week {i}")[0]
               for i in range(5)]
    write.thread(world.dana, "clinical", "Something else")
    api = as_user(world.cara)
    seen, cursor = [], None
    while True:
        params = {"q": "sleep diary", "limit": 2, **({"before": cursor} if cursor else {})}
        page = api.get("/api/threads", **params).json()
        seen += [t["id"] for t in page["threads"]]
        assert all(t["match"]["snippet"].startswith("Sleep diary") for t in page["threads"])
        cursor = page["next"]
        if not cursor:
            break
    assert seen == [t.pk for t in reversed(threads)]


@pytest.mark.parametrize("listed_max", [500, 1])
def test_pages_past_the_walk_come_from_the_index_in_the_same_order(world, as_user, write,
                                                                  monkeypatch, listed_max):
    """A page of 1 probes the newest 8 threads (server.search.WALK × 2) one by one, then asks
    the index (whose answer goes to the listing as ids, or as a subquery past LISTED_MAX):
    matches among old threads, deleted ones and other clients' come out exactly as with one
    large page, which the probes answer alone."""
    monkeypatch.setattr(server.search, "LISTED_MAX", listed_max)
    cara = person_for(world.cara)
    matching = {"inbox": [], "all": [], "deleted": [], "dana": [], "dana all": []}
    for i in range(30):
        client = world.dana if i % 2 else world.eli
        hit = i in (1, 2, 17, 20, 21, 28)
        body = f"Week {i}: " + ("the tapering plan" if hit else "nothing to see")
        thread, message = write.thread(client, ("clinical", "billing")[i % 2], body,
                                       subject="Taper" if i == 5 else "Week")
        if i == 20:
            do_delete_message(Actor.of(world.cara), message)
            write.reply(thread, "Still here")
        if i == 21:
            marks.do_archive(cara, thread, True)
        hit = hit or i == 5
        if hit and i != 20:
            matching["all"].insert(0, thread.pk)
            if i != 21:
                matching["inbox"].insert(0, thread.pk)
            if client == world.dana:
                matching["dana all"].insert(0, thread.pk)
                if i != 21:
                    matching["dana"].insert(0, thread.pk)
        if i == 20:
            matching["deleted"].insert(0, thread.pk)
    api = as_user(world.cara)

    def paged(**params):
        seen, cursor = [], None
        while True:
            page = api.get("/api/threads", q="taper", limit=1,
                           **params, **({"before": cursor} if cursor else {})).json()
            seen += [t["id"] for t in page["threads"]]
            cursor = page["next"]
            if not cursor:
                return seen

    assert paged() == found(api, "taper") == matching["inbox"]
    assert paged(state="all") == found(api, "taper", state="all") == matching["all"]
    assert paged(state="deleted") == found(api, "taper", state="deleted") == matching["deleted"]
    assert paged(client=world.dana.pk) == matching["dana"]
    assert paged(audience="billing", state="all") == matching["dana all"]


@pytest.mark.parametrize("q", ['"', '*', '"medic', 'medic*', 'NEAR(medic change)', 'medic OR x',
                               'medic AND change', 'NOT', 'medic -change', 'medic:*', 'a & b | !c',
                               "(medic", "'; DROP TABLE server_message; --", "medic^2",
                               "change:medic", "medic\\", "{medic}", "%_"])
def test_operators_are_just_text(world, as_user, write, q):
    thread, _ = write.thread(world.dana, "clinical", "A medic change")
    r = as_user(world.cara).get("/api/threads", q=q)
    assert r.status_code in (200, 422), r.content
    if r.status_code == 422:
        assert r.json()["error"]["code"] == "invalid_query"
    assert Message.objects.count() == 1


def test_operator_words_are_searched_as_words(world, as_user, write):
    near, _ = write.thread(world.dana, "administrative", "Parking near the office and not far, or so")
    write.thread(world.dana, "administrative", "Parking elsewhere")
    sam = as_user(world.sam)
    assert found(sam, "parking NEAR") == [near.pk]
    assert found(sam, "OR parking") == [near.pk]
    assert found(sam, "parking AND") == [near.pk]
    assert found(sam, "not") == [near.pk]
    assert found(sam, '"parking" -near') == [near.pk]


@pytest.mark.parametrize("q", ["?!", "...", "***", '"" ()', "&&|!:-", "_"])
def test_a_search_of_only_punctuation_is_refused(world, as_user, q):
    r = as_user(world.cara).get("/api/threads", q=q)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid_query"
    assert r.json()["error"]["field"] == "q"


@pytest.mark.parametrize("q", [" ".join(["word"] * 1000), " ".join(["w"] * 21), "x" * 201])
def test_too_many_words_or_characters_are_refused(world, as_user, q):
    r = as_user(world.cara).get("/api/threads", q=q)
    assert r.status_code == 422
    assert r.json()["error"] == {"code": "invalid_query", "field": "q",
                                 "message": r.json()["error"]["message"]}
    assert "q must be at most" in r.json()["error"]["message"]


def test_blank_q_is_the_plain_listing(world, as_user, write):
    thread, _ = write.thread(world.dana, "clinical", "Hello")
    r = as_user(world.cara).get("/api/threads", q="   ")
    assert [t["id"] for t in r.json()["threads"]] == [thread.pk]
    assert "match" not in r.json()["threads"][0]


@pytest.mark.parametrize("q", ["%00", "medic%00", "%ED%A0%80", "%F0%9F%98%80+medic", "%FF%FE",
                               "%EF%BD%8D%EF%BD%85%EF%BD%84", "medic%CC%81", "%"])
def test_odd_characters_are_never_a_500(world, as_user, write, q):
    write.thread(world.dana, "clinical", "A medic change")
    r = as_user(world.cara).http.get(f"/api/threads?q={q}")
    assert r.status_code in (200, 422), r.content


def test_edited_and_new_text_is_found_at_once(world, as_user, write):
    thread, _ = write.thread(world.dana, "clinical", "First words", subject="Old subject")
    api = as_user(world.cara)
    assert found(api, "subj") == [thread.pk]
    r = api.patch(f"/api/threads/{thread.pk}", {"subject": "Renamed"})
    assert r.status_code == 200
    assert found(api, "subject") == []
    assert found(api, "renamed") == [thread.pk]
    write.reply(thread, "Later words")
    assert found(api, "later") == [thread.pk]


def test_a_search_costs_the_same_queries_with_few_and_many_threads(world, as_user, write):
    api = as_user(world.cara)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/api/threads", q="appointment", **params).status_code == 200
        return len(captured)

    def add(n):
        for i in range(n):
            thread, _ = write.thread(world.dana, "clinical", f"Note {i}",
                                     subject="Appointment" if i % 2 else "Other")
            write.reply(thread, "About the appointment")

    add(3)
    small = [queries(), queries(state="all"), queries(state="deleted"), queries(limit=2)]
    add(30)
    assert [queries(), queries(state="all"), queries(state="deleted"), queries(limit=2)] == small
    assert max(small) <= 12


@on_postgres
def test_postgres_matches_through_the_gin_indexes(world, write):
    write.thread(world.dana, "clinical", "Hello")
    query = parse("hello wor")
    assert postgres.tsquery(query) == "hello & wor:*"
    plans = []
    with connection.cursor() as cursor:
        # A handful of rows: without this the planner rightly reads the tables instead.
        cursor.execute("SET LOCAL enable_seqscan = off")
        for table, column in (("server_message", "search_vector"),
                              ("server_thread", "subject_vector")):
            cursor.execute(f"EXPLAIN SELECT id FROM {table} "
                           f"WHERE {column} @@ to_tsquery('cairn_search', %s)",
                           [postgres.tsquery(query)])
            plans.append("\n".join(row[0] for row in cursor))
    assert "Bitmap Index Scan on message_search" in plans[0]
    assert "Bitmap Index Scan on thread_subject_search" in plans[1]


@on_postgres
def test_postgres_configuration_keeps_names_and_other_languages(world, as_user, write):
    spanish, _ = write.thread(world.dana, "clinical", "Mañana hablamos de la medicación.")
    german, _ = write.thread(world.dana, "clinical", "Die Übungen für nächste Woche.")
    cara = as_user(world.cara)
    # No stemming and no stop words: every word is kept as written, accents folded.
    assert found(cara, "manana medicacion") == [spanish.pk]
    assert found(cara, "de la") == [spanish.pk]
    assert found(cara, "ubungen fur") == [german.pk]
