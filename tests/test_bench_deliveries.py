"""The bench counts a delivery once per (socket, message) (bench/pool.py), so that a second copy
at one socket cannot stand in for a copy another socket never got."""

from bench.pool import Deliveries


def seq_of(frame):
    return int(frame) if frame.isdigit() else None


def test_a_duplicate_does_not_hide_a_loss():
    # Message 1 reaches socket 0 twice and socket 1 never: two frames, one delivery.
    frames = [(0.1, "1", 0), (0.2, "1", 0)]
    deliveries = Deliveries(frames, seq_of)
    assert deliveries() == 1
    assert deliveries.duplicates == 1


def test_each_socket_and_message_counts_once_with_its_first_arrival():
    frames = [(0.1, "1", 0), (0.2, "badge", 0), (0.3, "1", 1), (0.4, "2", 0), (0.5, "1", 1)]
    deliveries = Deliveries(frames, seq_of, accept=lambda s: s == 1)
    assert deliveries() == 2
    assert deliveries.first == {(0, 1): 0.1, (1, 1): 0.3}
    assert deliveries.duplicates == 1


def test_only_frames_that_arrived_since_the_last_call_are_scanned():
    frames = [(0.1, "1", 0)]
    deliveries = Deliveries(frames, seq_of)
    assert deliveries() == 1
    frames += [(0.2, "1", 1), (0.3, "1", 1)]
    assert deliveries() == 2
    assert deliveries.duplicates == 1
