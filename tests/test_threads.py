"""Threads sharing one Ledger: appends are serialised inside the process as
well as across processes, and a query never sees half a batch."""

from __future__ import annotations

import threading

from helpers_reliability import batch_events

from unledger import Ledger


def _run(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_four_threads_two_hundred_appends_each_through_one_ledger(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    returned: dict[int, list] = {n: [] for n in range(4)}
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(200):
                returned[n].append(ledger.append(batch_events(f"t{n}", i, 1)[0]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    _run([threading.Thread(target=writer, args=(n,)) for n in range(4)])
    assert errors == []
    reopened = Ledger.open(path)
    assert reopened.verify() == reopened.head
    stored = {r.id: r for r in reopened.records}
    for records in returned.values():
        assert len(records) == 200
        for record in records:
            assert stored[record.id] == record
    assert [r.seq for r in reopened.records] == list(range(1, 801))


def test_queries_from_other_threads_see_whole_batches(tmp_path):
    ledger = Ledger.open(tmp_path / "log.jsonl")
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                seen.append(sum(1 for _ in ledger.events()))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    try:
        for i in range(60):
            ledger.append(batch_events("b", i, 3))
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    assert seen and all(n % 3 == 0 for n in seen)


def test_processes_of_appending_threads_killed_at_random_lose_nothing_acknowledged(tmp_path):
    import logging

    from helpers_reliability import thread_crash_round

    logging.getLogger("unledger").setLevel(logging.ERROR)
    figures = thread_crash_round(tmp_path, 8, seed=13, threads=4)
    assert figures["kills"] == 8 and figures["acked_events"] > 0
