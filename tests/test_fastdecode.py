"""The trusted decode path and the fast verifier give exactly what the strict ones give.

Correctness only, no timing: the trusted decode path builds the same records
as the strict one; the fast chain check, alone or in stretches checked by
forked processes, names the same first bad line for the same reason.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers_paths import SETTINGS
from hypothesis import given
from hypothesis import strategies as st
from strategies import History, histories

from unledger import Adoption, Establishment, IntegrityError, Ledger, UnledgerError
from unledger.fastdecode import decode_lines
from unledger.log import GENESIS, decode_line


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


def test_a_line_whose_hash_fails_is_refused_on_both_paths(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append([Adoption(body="UNGA", symbol=f"A/RES/{i}", title="T", date="1990", without_vote=True) for i in range(3)])
    data = path.read_bytes().replace(b'"title":"T"', b'"title":"U"', 1)  # an edit the hash no longer covers
    path.write_bytes(data)
    lines = data[:-1].split(b"\n")
    with pytest.raises(UnledgerError) as fast_edit:
        decode_lines(lines, 1, GENESIS)
    with pytest.raises(UnledgerError) as strict_edit:
        decode_line(lines[0], 1)
    assert fast_edit.value.line == strict_edit.value.line == 1
    assert str(fast_edit.value) == str(strict_edit.value)
    # a broken chain is refused the same way on both paths
    swapped = [lines[1], lines[0], lines[2]]
    with pytest.raises(UnledgerError) as fast_error:
        decode_lines(swapped, 1, GENESIS)
    assert fast_error.value.line == 1


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
    from unledger.log import verify as fastdecode

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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="verify forks only on Linux")
@pytest.mark.parametrize(("load", "workers"), [(0.2, 3), (1.0, 3), (1.9, 2), (2.5, 1), (3.0, 1), (9.0, 1)])
def test_verify_forks_only_for_cpus_the_load_leaves_idle(monkeypatch, load, workers) -> None:
    from unledger.fastdecode import PARALLEL_MIN_BYTES, _default_workers

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2})
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    listdir = os.listdir
    monkeypatch.setattr(os, "listdir", lambda path: ["1"] if path == "/proc/self/task" else listdir(path))  # one thread
    assert _default_workers(PARALLEL_MIN_BYTES * 4) == workers
