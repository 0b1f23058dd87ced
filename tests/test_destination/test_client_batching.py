"""Batches leave when full by count or by bytes, on an interval, on flush and on close; enqueue
is safe from many threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from contract.limits import MAX_BATCH_BYTES, MAX_BATCH_MESSAGES
from destination.batching import EMPTY_BODY_BYTES, BatchQueue, wire
from destination.client import AkitaClient
from destination.report import DeliveryRecord

from .fake_akita import FakeAkita, assert_exactly_once, ids, tracks

MakeClient = Callable[..., AkitaClient]


def test_a_full_batch_by_count_leaves_on_enqueue(akita: FakeAkita, make_client: MakeClient) -> None:
    client = make_client(max_batch_messages=3)
    records = [client.enqueue(call) for call in tracks(7)]
    assert akita.batch_sizes == [3, 3]
    assert [r.status for r in records] == ["delivered"] * 6 + ["mapped"]
    client.flush()
    assert akita.batch_sizes == [3, 3, 1] and records[-1].status == "delivered"
    assert_exactly_once(akita, ids(7))


def test_batches_by_bytes_stay_within_the_limit_and_are_measured_exactly(
        akita: FakeAkita, make_client: MakeClient) -> None:
    calls = tracks(20)
    for i, call in enumerate(calls):
        call["properties"] = {"note": "é" * (i * 7)}  # varied sizes, two bytes per character
    limit = 1500
    client = make_client(max_batch_bytes=limit)
    client.deliver(calls)
    assert len(akita.bodies) > 1
    assert all(len(raw) <= limit for raw in akita.raw)
    # each cut was forced: the next message would not have fitted
    for raw, following in zip(akita.raw, akita.bodies[1:], strict=False):
        assert len(raw) + 1 + len(wire(following["batch"][0])) > limit
    assert [len(raw) for raw in akita.raw] == [len(wire(body)) for body in akita.bodies]
    assert_exactly_once(akita, ids(20))


def test_limits_above_the_contract_are_lowered_to_it() -> None:
    queue: BatchQueue[int] = BatchQueue(10**6, 10**9)
    assert (queue.max_messages, queue.max_bytes) == (MAX_BATCH_MESSAGES, MAX_BATCH_BYTES)
    with pytest.raises(ValueError):
        BatchQueue(0)


def test_the_queue_cuts_by_count_and_bytes_and_always_lets_one_item_leave() -> None:
    queue: BatchQueue[str] = BatchQueue(max_messages=3, max_bytes=EMPTY_BODY_BYTES + 21)
    assert queue.put("a", 10) is False
    assert queue.take(full_only=True) == []
    assert queue.put("b", 10) is False  # 11 + 10 + 1 + 10 = 32 bytes: exactly the limit
    assert queue.put("c", 1) is True
    assert queue.take(full_only=True) == ["a", "b"]
    assert queue.put("huge", 500) is True
    assert queue.take() == ["c"]
    assert queue.take() == ["huge"]
    assert queue.take() == [] and len(queue) == 0


def test_a_lone_surrogate_is_named_locally_and_never_sent(akita: FakeAkita,
                                                         make_client: MakeClient) -> None:
    odd, fine = (tracks(2)[0] | {"properties": {"odd": "x\ud800y"}},
                 tracks(2)[1] | {"properties": {"fine": "zoë"}})
    [rejected, delivered] = make_client().deliver([odd, fine]).records
    assert (rejected.status, rejected.path) == ("invalid", "$.properties.odd")
    assert delivered.status == "delivered"
    assert [m["properties"] for m in akita.bodies[0]["batch"]] == [{"fine": "zoë"}]


def test_the_interval_flushes_without_being_asked(akita: FakeAkita,
                                                  make_client: MakeClient) -> None:
    client = make_client(flush_interval=0.02)
    record = client.enqueue(tracks(1)[0])
    deadline = time.monotonic() + 5
    while record.status == "mapped" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert record.status == "delivered" and akita.batch_sizes == [1]
    client.close()
    assert akita.batch_sizes == [1]


def test_close_flushes_what_is_queued_and_stops_the_interval_thread(
        akita: FakeAkita, make_client: MakeClient) -> None:
    before = set(threading.enumerate())
    client = make_client(flush_interval=3600)
    timers = [t for t in set(threading.enumerate()) - before if t.name == "akita-flush"]
    records = [client.enqueue(call) for call in tracks(2)]
    assert akita.bodies == [] and len(timers) == 1 and timers[0].is_alive()
    client.close()
    assert [r.status for r in records] == ["delivered"] * 2
    assert not timers[0].is_alive()


def test_context_manager_closes(akita: FakeAkita, retry: object) -> None:
    with AkitaClient("http://akita.test", "k", retry=retry, flush_interval=None) as client:
        record = client.enqueue(tracks(1)[0])
    assert record.status == "delivered"


def test_enqueue_from_many_threads_loses_nothing_and_sends_nothing_twice(
        akita: FakeAkita, make_client: MakeClient) -> None:
    heard: list[DeliveryRecord] = []
    lock = threading.Lock()

    def hear(record: DeliveryRecord) -> None:
        with lock:
            heard.append(record)

    client = make_client(max_batch_messages=7, flush_interval=0.005, on_record=hear)

    def produce(prefix: str) -> None:
        for call in tracks(50, prefix):
            client.enqueue(call)

    threads = [threading.Thread(target=produce, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.flush()
    expected = set().union(*(ids(50, f"t{n}") for n in range(4)))
    assert_exactly_once(akita, expected)
    assert sum(akita.sent.values()) == 200 and max(akita.batch_sizes) <= 7
    assert sorted(r.message_id for r in heard) == sorted(expected)
