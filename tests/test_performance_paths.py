"""The fast paths give exactly what the slow ones give (issue 7).

Correctness only, no timing: the trusted decode path builds the same records
as the strict one; the incremental check of a backfill accepts and refuses
exactly what a full re-check does, with the same message, and leaves the same
states as a fold from scratch, checkpoints included; the snapshot cache gives
the same states and is thrown away whenever it does not match the log; the
garbage-collector policy leaves the collector as it found it.
"""

from __future__ import annotations

import gc
import os
import random
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import History, histories, naive_state

from unledger import Adoption, Correction, Establishment, IntegrityError, Ledger, Retraction, RuleViolation, UnledgerError
from unledger import _gc
from unledger import timeline as timeline_module
from unledger.cache import LazyWorld, cache_path, load_cache
from unledger.fastdecode import decode_lines
from unledger.footprints import _FOOTPRINTS, footprint
from unledger.log import GENESIS, decode_line

try:
    from unledger.log import whole_batches
except ImportError:  # a log format without batch markers: every complete line counts

    def whole_batches(data: bytes) -> int:
        return data.rfind(b"\n") + 1
from unledger.reducers import REDUCERS

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _days(history: History, rnd: random.Random, k: int = 12) -> list[int]:
    days = history.days()
    return rnd.sample(days, min(k, len(days))) + [days[0] - 1, days[-1] + 400]


def _shuffled_batches(events: list, rnd: random.Random) -> list[list]:
    order = list(events)
    rnd.shuffle(order)
    batches, i = [], 0
    while i < len(order):
        size = rnd.choice((1, 1, 2, 3, 5))
        batches.append(order[i : i + size])
        i += size
    return batches


def _refold_only(self, *args, **kwargs):  # stands in for the incremental check
    raise timeline_module._Fallback


# -- the trusted decode path --------------------------------------------------------


@SETTINGS
@given(histories(max_events=40))
def test_trusted_decode_builds_exactly_the_strict_records(history: History) -> None:
    ledger = Ledger.memory()
    for e in history.events:
        ledger.append(e)
    lines = ledger._log.all_lines()
    fast = decode_lines(lines, 1, GENESIS)
    strict = [decode_line(line, n) for n, line in enumerate(lines, 1)]
    assert fast == strict
    for a, b in zip(fast, strict):
        assert type(a.event) is type(b.event) and hash(a.event) == hash(b.event)
    assert [r.event for r in fast] == list(history.events)


def test_a_line_whose_hash_fails_takes_the_strict_path(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append([Adoption(body="UNGA", symbol=f"A/RES/{i}", title="T", date="1990", without_vote=True) for i in range(3)])
    data = path.read_bytes().replace(b'"title":"T"', b'"title":"U"', 1)  # an edit the hash no longer covers
    path.write_bytes(data)
    lines = data[:-1].split(b"\n")
    fast = decode_lines(lines, 1, GENESIS)
    assert fast == [decode_line(line, n) for n, line in enumerate(lines, 1)]
    assert fast[0].event.title == "U"  # as the strict path reads it; verify() names the line
    # a broken chain is refused the same way on both paths
    swapped = [lines[1], lines[0], lines[2]]
    with pytest.raises(UnledgerError) as fast_error:
        decode_lines(swapped, 1, GENESIS)
    assert fast_error.value.line == 1


def test_every_built_in_kind_has_a_footprint() -> None:
    # A kind without one would only ever be refolded; this catches a new
    # kind added without teaching unledger.footprints about it.
    assert set(REDUCERS) <= set(_FOOTPRINTS)


# -- incremental checks after backfills ------------------------------------------------


@SETTINGS
@given(histories(max_events=45), st.randoms(use_true_random=False), st.integers(1, 6))
def test_incremental_backfill_matches_full_recheck_and_naive_fold(history: History, rnd: random.Random, every: int) -> None:
    """Two ledgers take the same appends in the same shuffled batches, one
    checked incrementally, one by refolding everything after the change: they
    accept and refuse alike (same message), and their states equal the fold
    from scratch on random days, with queries in between so that checkpoints
    exist when a backfill has to patch them."""
    batches = _shuffled_batches(list(history.events), rnd)
    with mock.patch.object(timeline_module, "CHECKPOINT_EVERY", every):
        fast = Ledger.memory()
        slow = Ledger.memory()
        incremental = 0
        for batch in batches:
            for day in rnd.sample(history.days(), min(3, len(history.days()))):
                fast.state(day)
                slow.state(day)
            outcome_fast = outcome_slow = None
            calls = {"n": 0}
            original = timeline_module.Timeline._propose_incremental

            def counting(self, *a, **k):
                calls["n"] += 1
                return original(self, *a, **k)

            try:
                with mock.patch.object(timeline_module.Timeline, "_propose_incremental", counting):
                    fast.append(batch)
            except RuleViolation as exc:
                outcome_fast = str(exc)
            incremental += calls["n"]
            try:
                with mock.patch.object(timeline_module.Timeline, "_propose_incremental", _refold_only):
                    slow.append(batch)
            except RuleViolation as exc:
                outcome_slow = str(exc)
            assert outcome_fast == outcome_slow
            assert fast.seq == slow.seq
        event(f"incremental checks: {'some' if incremental else 'none'}")
        # retract or correct a few recorded events (removals deep in the past)
        for record in rnd.sample(list(fast.records), min(3, len(fast.records))):
            if record.kind in ("retraction", "correction"):
                continue
            amend = (
                Retraction(target=record.id, reason="test", id=f"r-{record.id}")
                if rnd.random() < 0.5
                else Correction(target=record.id, replacement=record.event, reason="same again", id=f"c-{record.id}")
            )
            results = []
            for ledger, patch_with in ((fast, None), (slow, _refold_only)):
                try:
                    if patch_with is None:
                        ledger.append(amend)
                    else:
                        with mock.patch.object(timeline_module.Timeline, "_propose_incremental", patch_with):
                            ledger.append(amend)
                    results.append(None)
                except RuleViolation as exc:
                    results.append(str(exc))
            assert results[0] == results[1]
        days = _days(history, rnd)
        for day in days:
            expected = naive_state(fast.records, day)
            assert fast.state(day) == expected, day
            assert slow.state(day) == expected, day
        # The entity index the incremental check walks is kept up to date.
        line = fast._timeline
        if line._by_entity is not None:
            kept = {code: keys for code, keys in line._by_entity.items() if keys}
            line._by_entity = None
            assert kept == {code: keys for code, keys in line._entity_index().items() if keys}


def test_incremental_check_names_the_later_event_that_breaks() -> None:
    from unledger import Admission, Establishment, Withdrawal

    ledger = Ledger.memory()
    ledger.append([Establishment(entity="ORG", name="Org", date="1950-01-01", id="est")])
    ledger.append([Admission(org="ORG", member="AAA", date="1960-01-01", id="adm")])
    ledger.append([Adoption(body="ORG", symbol=f"R/{i}", title="t", date=f"{1961 + i}", without_vote=True) for i in range(40)])
    ledger.append([Withdrawal(org="ORG", member="AAA", date="1990-01-01", id="wd")])
    before = (ledger.seq, ledger.head)
    with pytest.raises(RuleViolation) as info:
        ledger.append(Withdrawal(org="ORG", member="AAA", date="1970-01-01", id="early"))
    assert info.value.event == "wd" and info.value.cause == "early"
    assert (ledger.seq, ledger.head) == before


# -- the snapshot cache ---------------------------------------------------------------


def _file_ledger(tmp_path: Path, history: History, rnd: random.Random) -> Path:
    path = tmp_path / f"log-{rnd.random():.12f}.jsonl"
    ledger = Ledger.open(path)
    for batch in _shuffled_batches(list(history.events), rnd):
        try:
            ledger.append(batch)
        except RuleViolation:
            pass
    return path


@SETTINGS
@given(histories(max_events=40), st.randoms(use_true_random=False))
def test_cached_reopen_gives_the_naive_states_and_is_never_trusted_blindly(tmp_path_factory, history: History, rnd: random.Random) -> None:
    tmp_path = tmp_path_factory.mktemp("cache")
    path = _file_ledger(tmp_path, history, rnd)
    first = Ledger.open(path, cache=True)  # no cache yet: reads the log, writes the cache
    assert cache_path(path).exists()
    records = first.records
    days = _days(history, rnd)

    reopened = Ledger.open(path, cache=True)
    assert reopened._lazy is not None and (reopened.seq, reopened.head) == (first.seq, first.head)
    for day in days:
        state = reopened.state(day)
        assert isinstance(state.world, LazyWorld)
        assert state == naive_state(records, day), day
    assert reopened.records == records  # loads the log on demand
    assert reopened._lazy is None

    # Another process appends: the cache covers a prefix; the rest is read.
    writer = Ledger.open(path)
    extra = Adoption(body="XBODY", symbol=f"X/{rnd.random()}", title="later", date="1999-05", without_vote=True)
    writer.append(extra)
    after = Ledger.open(path, cache=True)
    assert after.seq == len(records) + 1
    for day in days:
        assert after.state(day) == naive_state(writer.records, day), day
    again = Ledger.open(path, cache=True)  # the cache was taken again at the new head
    assert again._lazy is not None and (again.seq, again.head) == (writer.seq, writer.head)
    for day in days:
        assert again.state(day) == naive_state(writer.records, day), day

    # A log cut back behind the snapshot no longer matches the cache.
    data = path.read_bytes()
    cut = data[:-1].rfind(b"\n") + 1  # drops the line appended above
    if len(records) >= 2:
        cut = data[: cut - 1].rfind(b"\n") + 1  # and the cache's own last line
    cut = whole_batches(data[:cut])  # a cut batch is unfinished: readers drop it whole
    records = records[: data[:cut].count(b"\n")]
    path.write_bytes(data[:cut])
    assert load_cache(path) is None or len(records) == first.seq
    shorter = Ledger.open(path, cache=True)
    assert shorter.seq == len(records)
    for day in days:
        assert shorter.state(day) == naive_state(records, day), day

    # A corrupted cache file is ignored and rewritten.
    blob = bytearray(cache_path(path).read_bytes())
    for _ in range(20):
        blob[rnd.randrange(len(blob))] = rnd.randrange(256)
    cache_path(path).write_bytes(bytes(blob[: rnd.randrange(len(blob))]))
    try:
        damaged = Ledger.open(path, cache=True)
    except UnledgerError:  # pragma: no cover - a damaged cache must never surface
        raise AssertionError("a damaged cache file made open fail") from None
    for day in days:
        assert damaged.state(day) == naive_state(records, day), day


def test_cache_of_another_log_is_ignored(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path, title in ((a, "A"), (b, "B")):
        ledger = Ledger.open(path)
        ledger.append(Adoption(body="UNGA", symbol="A/RES/1", title=title, date="1990", without_vote=True))
    Ledger.open(a, cache=True)
    os.replace(cache_path(a), cache_path(b))  # same size, other head
    assert load_cache(b) is None
    assert Ledger.open(b, cache=True).state("1991").resolutions()[0].title == "B"


# -- the collector policy --------------------------------------------------------------


@pytest.mark.parametrize("enabled", [True, False])
def test_bulk_loads_leave_the_collector_as_they_found_it(tmp_path: Path, enabled: bool) -> None:
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append([Adoption(body="UNGA", symbol=f"A/RES/{i}", title="T", date="1990", without_vote=True) for i in range(60)])
    threshold = gc.get_threshold()
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with mock.patch.object(_gc, "BULK_EVENTS", 10), mock.patch.object(_gc, "FREEZE_AFTER", 10**9):
            reopened = Ledger.open(path)
            assert len(reopened.state("1991").resolutions()) == 60
        assert gc.isenabled() is enabled
        assert gc.get_threshold() == threshold
    finally:
        (gc.enable if was else gc.disable)()


def test_footprint_of_user_kinds_is_unknown() -> None:
    assert footprint(Adoption(body="B", symbol="S", title="t", date="1990", without_vote=True)) is not None

    class Fake:
        kind = "no-such-kind"

    assert footprint(Fake()) is None


# -- verification ---------------------------------------------------------------------


@SETTINGS
@given(histories(max_events=25), st.randoms(use_true_random=False))
def test_fast_verify_names_the_same_line_for_the_same_reason(history: History, rnd: random.Random) -> None:
    from unledger.fastdecode import verify_bytes, verify_chain
    from unledger.log import verify_lines

    ledger = Ledger.memory()
    for e in history.events:
        ledger.append(e)
    lines = ledger._log.all_lines()
    assert verify_chain(lines) == verify_lines(lines) == ledger.head
    damaged = list(lines)
    i = rnd.randrange(len(damaged))
    how = rnd.choice(("flip", "swap", "drop", "dup"))
    if how == "flip":
        b = bytearray(damaged[i])
        k = rnd.randrange(len(b))
        b[k] ^= 1 << rnd.randrange(8)
        if b[k] == 0x0A:  # a newline would make two lines of one: another damage than this test's
            b[k] ^= 0x20
        damaged[i] = bytes(b)
    elif how == "swap" and len(damaged) > 1:
        j = (i + 1) % len(damaged)
        damaged[i], damaged[j] = damaged[j], damaged[i]
    elif how == "drop":
        del damaged[i]
    else:
        damaged.insert(i, damaged[i])
    data = b"".join(line + b"\n" for line in damaged)

    def in_stretches(workers: int) -> Any:
        return lambda _lines: verify_bytes(data, workers=workers)[0]

    outcomes = []
    for fn in (verify_lines, verify_chain, in_stretches(1), in_stretches(2), in_stretches(3)):
        try:
            outcomes.append(("ok", fn(damaged)))
        except UnledgerError as exc:
            outcomes.append((type(exc).__name__, str(exc), getattr(exc, "line", None)))
    assert all(outcome == outcomes[0] for outcome in outcomes), outcomes


def _log_bytes(n: int) -> tuple[bytes, str]:
    ledger = Ledger.memory()
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    ledger.append([Adoption(body="UN", symbol=f"R/{i}", title="t", date="1950", without_vote=True) for i in range(n - 1)])
    return ledger._log.all_bytes(), ledger.head


@pytest.mark.parametrize("workers", [1, 2, 3, 4])
def test_verify_in_stretches_names_the_first_bad_line_at_every_cut(workers: int) -> None:
    from unledger.fastdecode import _stretches, verify_bytes

    data, head = _log_bytes(400)
    assert verify_bytes(data, workers=workers) == (head, 400)
    lines = data.split(b"\n")[:-1]
    cuts = [data.count(b"\n", 0, at) + 1 for at in _stretches(data, workers)[1:-1]]  # first line of each later stretch
    for bad in sorted({1, 2, 399, 400, *cuts, *(c - 1 for c in cuts)}):
        damaged = list(lines)
        damaged[bad - 1] = damaged[bad - 1].replace(b'"recorded":"2', b'"recorded":"3')
        broken = b"".join(line + b"\n" for line in damaged)
        with pytest.raises(IntegrityError) as info:
            verify_bytes(broken, workers=workers)
        assert info.value.line == bad and "was edited" in str(info.value)
        # a later bad line too: the first one is named
        damaged[-1] = damaged[-1][:-3] + b'0"}'
        with pytest.raises(IntegrityError) as info:
            verify_bytes(b"".join(line + b"\n" for line in damaged), workers=workers)
        assert info.value.line == bad


def test_a_failed_child_has_its_stretch_checked_by_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    from unledger import fastdecode

    parent = os.getpid()
    real = fastdecode._scan

    def dies_in_children(*args: Any) -> Any:
        if os.getpid() != parent:
            raise MemoryError("a child that cannot finish")
        return real(*args)

    monkeypatch.setattr(fastdecode, "_scan", dies_in_children)
    data, head = _log_bytes(300)
    assert fastdecode.verify_bytes(data, workers=3) == (head, 300)
    lines = data.split(b"\n")[:-1]
    lines[250] = lines[250].replace(b'"title":"t"', b'"title":"x"')
    with pytest.raises(IntegrityError) as info:
        fastdecode.verify_bytes(b"".join(line + b"\n" for line in lines), workers=3)
    assert info.value.line == 251


def test_verify_uses_one_process_when_threads_run_or_the_log_is_small() -> None:
    import threading

    from unledger.fastdecode import PARALLEL_MIN_BYTES, _default_workers

    assert _default_workers(PARALLEL_MIN_BYTES - 1) == 1
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        assert _default_workers(PARALLEL_MIN_BYTES * 4) == 1
    finally:
        stop.set()
        worker.join()
