"""The snapshot cache gives the same states as a fold from scratch and is thrown
away whenever it does not match the log.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

from helpers_paths import SETTINGS, _days, _shuffled_batches
from hypothesis import given
from hypothesis import strategies as st
from strategies import History, histories, naive_state, on

from unledger import Adoption, Ledger, RuleViolation, UnledgerError
from unledger.cache import LazyWorld, cache_path, load_cache

try:
    from unledger.log import whole_batches
except ImportError:  # a log format without batch markers: every complete line counts

    def whole_batches(data: bytes) -> int:
        return data.rfind(b"\n") + 1


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
        state = reopened.state(on(day))
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
        assert after.state(on(day)) == naive_state(writer.records, day), day
    again = Ledger.open(path, cache=True)  # the cache was taken again at the new head
    assert again._lazy is not None and (again.seq, again.head) == (writer.seq, writer.head)
    for day in days:
        assert again.state(on(day)) == naive_state(writer.records, day), day

    # A log cut back behind the snapshot no longer matches the cache.
    data = path.read_bytes()
    cut = data[:-1].rfind(b"\n") + 1  # drops the line appended above
    if len(records) >= 2:
        cut = data[: cut - 1].rfind(b"\n") + 1  # and the cache's own last line
    cut = whole_batches(data[:cut])  # a cut batch is unfinished: readers drop it whole
    records = records[: data[:cut].count(b"\n")]
    path.with_name(path.name + ".head").unlink()  # cut and copied without its head record
    path.write_bytes(data[:cut])
    assert load_cache(path) is None or len(records) == first.seq
    shorter = Ledger.open(path, cache=True)
    assert shorter.seq == len(records)
    for day in days:
        assert shorter.state(on(day)) == naive_state(records, day), day

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
        assert damaged.state(on(day)) == naive_state(records, day), day


def test_cache_of_another_log_is_ignored(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path, title in ((a, "A"), (b, "B")):
        ledger = Ledger.open(path)
        ledger.append(Adoption(body="UNGA", symbol="A/RES/1", title=title, date="1990", without_vote=True))
    Ledger.open(a, cache=True)
    os.replace(cache_path(a), cache_path(b))  # same size, other head
    assert load_cache(b) is None
    assert Ledger.open(b, cache=True).state("1991").resolutions()[0].title == "B"
