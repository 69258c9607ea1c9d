"""Each event type is declared once, and a row holds what its declaration carries: references
and read-state flags, no text. A row is read back as the declaration it was written from."""

from server.live.declared import (DECLARED, SENT, AccessChanged, MessageCreated,
                                  MessageDeleted, MessageReadState, ReceiptSeen, ThreadCreated,
                                  ThreadRemoved, ThreadUpdated, ThreadUrgent, declared)
from server.live.log import event_row
from server.models import Event

SAMPLES = [MessageCreated(5, 9), MessageDeleted(5, 9), MessageReadState(2, 5, [8, 9], True),
           ReceiptSeen(5, 9), ThreadCreated(5), ThreadUpdated(5), ThreadUpdated(5, user_id=2),
           ThreadRemoved(5, "deleted"), ThreadRemoved(5, "access", user_id=2), ThreadUrgent(5, 2),
           AccessChanged(2)]


def test_every_type_of_the_protocol_is_declared():
    assert SENT == {"message.created", "message.deleted", "message.read_state", "receipt.seen",
                    "thread.created", "thread.updated", "thread.removed", "thread.urgent"}
    assert {type(sample).name for sample in SAMPLES} == set(DECLARED)


def test_a_row_reads_back_as_its_declaration_and_holds_no_text():
    for sample in SAMPLES:
        row = event_row(1, sample)
        assert declared(row) == sample
        assert row.thread_id == getattr(sample, "thread_id", None)
        assert row.user_id == getattr(sample, "user_id", None)
        assert not {"body", "subject", "thread", "message"} & set(row.payload)


def test_a_row_that_does_not_carry_its_declaration_reaches_nobody():
    assert declared(Event(pk=3, type="message.created", payload={}, thread_id=5)) is None
    assert declared(Event(pk=4, type="something.new", payload={}, thread_id=5)) is None
