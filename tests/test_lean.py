"""The lean path of an append (one event at the head of the timeline, see
``unledger.lean``) against the general path.

Two ledgers take the same random sequence of single appends: one as
unledger appends, the other with the lean path switched off. Each step must
give the same record or the same error (type, message, event, field, rule),
the two logs and head records must stay byte-for-byte identical (a shared
stand-in clock gives both the same ``recorded`` times), a refusal must leave
the log as it was, and at the end both must give the states of a naive fold
from scratch. The sequences mix what the lean path takes (events at the head,
with and without ids) with everything it must hand over: backfills, events
on the head's own day, retries and conflicting ids, retractions and
corrections, ``expected_seq`` right and wrong, events that break a rule.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from strategies import History, _date_on_or_after, histories, naive_effective, naive_state, on

import unledger.ledger as ledger_module
from unledger import timeline as timeline_module
from unledger import (
    Admission,
    Correction,
    Dissolution,
    Election,
    Enlargement,
    Establishment,
    Event,
    Ledger,
    Retraction,
    Return,
    Signing,
    Withdrawal,
)
from unledger import dates as dates_module
from unledger.errors import IntegrityError, UnledgerError
from unledger.events.instruments import ACTS
from unledger.log import Record


class Clock:
    """A stand-in for ``now_timestamp``: one time per step, however often
    a path asks (the lean path may ask, then hand over to the general one)."""

    def __init__(self) -> None:
        self.step = 0

    def __call__(self) -> str:
        return f"2020-01-01T00:{self.step // 60:02d}:{self.step % 60:02d}.000000Z"


@contextmanager
def general_path_only() -> Iterator[None]:
    with mock.patch.object(ledger_module, "append_at_head", lambda *args, **kwargs: None):
        yield


@contextmanager
def counting_lean_appends(counter: list[int]) -> Iterator[None]:
    real = ledger_module.append_at_head

    def spy(*args: Any, **kwargs: Any) -> Record | None:
        record = real(*args, **kwargs)
        counter[0] += record is not None
        return record

    with mock.patch.object(ledger_module, "append_at_head", spy):
        yield


def _outcome(ledger: Ledger, item: Event | list[Event], expected_seq: int | None) -> tuple[Any, ...]:
    try:
        return ("recorded", ledger.append(item, expected_seq=expected_seq))
    except UnledgerError as exc:
        return ("refused", type(exc), str(exc), getattr(exc, "event", None), getattr(exc, "field", None), getattr(exc, "rule", None))


def _log_bytes(ledger: Ledger) -> tuple[bytes, bytes]:
    path = ledger.path
    if path is None:
        return ledger._log.all_bytes(), b""
    return path.read_bytes(), Path(str(path) + ".head").read_bytes()


class Pair:
    """The two ledgers, the model (accepted records) and the shared clock."""

    def __init__(self, storage: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="unledger-lean-"))
        if storage == "file":
            self.lean, self.general = Ledger.open(self.dir / "lean.jsonl"), Ledger.open(self.dir / "general.jsonl")
        else:
            self.lean, self.general = Ledger.memory(), Ledger.memory()
        self.records: list[Record] = []
        self.clock = Clock()
        self.taken = [0]
        self.serial = 0

    def close(self) -> None:
        self.lean.close()
        self.general.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def fresh_id(self) -> str:
        self.serial += 1
        return f"x{self.serial}"

    def step(self, item: Event | list[Event], expected_seq: int | None = None) -> tuple[Any, ...]:
        """Append ``item`` to both; check they agree, and the model."""
        self.clock.step += 1
        before = _log_bytes(self.lean)
        with mock.patch.object(dates_module, "now_timestamp", self.clock):
            with counting_lean_appends(self.taken):
                got = _outcome(self.lean, item, expected_seq)
            with general_path_only():
                want = _outcome(self.general, item, expected_seq)
        assert got == want, (item, got, want)
        assert _log_bytes(self.lean) == _log_bytes(self.general)
        if got[0] == "refused":
            assert _log_bytes(self.lean) == before  # byte for byte as it was
            return got
        for record in got[1] if isinstance(got[1], list) else [got[1]]:
            if record.seq == len(self.records) + 1:
                self.records.append(record)
        return got

    def check_states(self, days: list[int], cut: int) -> None:
        """States on ``days``, now and as known when record ``cut`` was the last."""
        assert self.lean.seq == self.general.seq == len(self.records)
        assert list(self.lean.records) == list(self.general.records) == self.records
        moment = self.records[cut - 1].recorded if cut else "2019-01-01T00:00:00.000000Z"
        known = [r for r in self.records if r.recorded <= moment]  # a batch shares one time
        for day in days:
            expected = naive_state(self.records, day)
            assert self.lean.state(on(day)) == expected, day
            assert self.general.state(on(day)) == expected, day
            assert self.lean.state(on(day), known_at=moment) == naive_state(known, day), (day, moment)


def _random_event(data: st.DataObject, pair: Pair, history: History, day: int) -> Event:
    """An event over the history's entities, with no regard to the rules."""
    m = history.model
    states = sorted(m.alive | set(m.gone)) or ["S01"]
    orgs = sorted(m.orgs) or ["ORG01"]
    date = _date_on_or_after(day, data.draw(st.sampled_from(("day", "day", "month", "year"))))
    env = {"date": date, "id": pair.fresh_id()}
    org, state = data.draw(st.sampled_from(orgs)), data.draw(st.sampled_from(states))
    choices: list[Event] = [
        Admission(org=org, member=state, **env),
        Withdrawal(org=org, member=state, **env),
        Return(org=org, member=state, **env),
        Dissolution(state=state, **env),
    ]
    if m.instruments:
        instrument = data.draw(st.sampled_from(sorted(m.instruments)))
        choices.append(Signing(instrument=instrument, party=state, act=data.draw(st.sampled_from(ACTS)), **env))
    if m.bodies:  # seats: the check made on the whole fold after a change
        body = data.draw(st.sampled_from(sorted(m.bodies)))
        start = date.following()
        choices.append(Election(body=body, member=state, term_start=start, term_end=start.following().following(), **env))
        choices.append(Enlargement(body=body, elected_seats=data.draw(st.integers(0, 2)), **env))
    return data.draw(st.sampled_from(choices))


def _last_day(pair: Pair) -> int:
    live = naive_effective(pair.records)
    return live[-1][0][0] if live else 700_000


ACTIONS = ("next", "next", "next", "next", "any", "random", "same day", "retry", "conflict", "retract", "correct", "batch", "replacement id")


def _one_step(data: st.DataObject, pair: Pair, history: History, pending: list[Event]) -> None:
    action = data.draw(st.sampled_from(ACTIONS))
    expected_seq = data.draw(st.sampled_from((None, None, None, "now", "stale")))
    seq = None if expected_seq is None else pair.lean.seq - (expected_seq == "stale")
    item: Event
    if action in ("next", "any") and pending:
        item = pending[0] if action == "next" else data.draw(st.sampled_from(pending))
        if data.draw(st.booleans()):
            item = attrs.evolve(item, id=None)  # its content id
    elif action == "random" or (action in ("next", "any", "same day")):
        day = _last_day(pair) + (0 if action == "same day" else data.draw(st.integers(-30, 400)))
        item = _random_event(data, pair, history, day)
    elif action in ("retry", "conflict") and pair.records:
        item = data.draw(st.sampled_from(pair.records)).event
        if action == "conflict":
            item = attrs.evolve(item, note=f"changed {pair.serial}")
    elif action in ("retract", "correct") and pair.records:
        live = [e for _, e in naive_effective(pair.records)] or [pair.records[0].event]
        target = data.draw(st.sampled_from(live))
        if action == "retract":
            item = Retraction(target=target.id, reason="not in the source", date="2030", id=pair.fresh_id())  # type: ignore[arg-type]
        else:  # the replacement keeps the target's id, or takes one of its own
            replacement = attrs.evolve(target, note="re-read", id=data.draw(st.sampled_from((target.id, pair.fresh_id()))))
            item = Correction(target=target.id, replacement=replacement, reason="re-read", date="2030", id=pair.fresh_id())  # type: ignore[arg-type]
    elif action == "replacement id" and pair.records:
        # An id in the record that no line names: a correction's replacement's own.
        recorded = {r.id for r in pair.records}
        taken = [e.id for _, e in naive_effective(pair.records) if e.id not in recorded] or [pair.records[-1].id]
        item = attrs.evolve(_random_event(data, pair, history, _last_day(pair)), id=data.draw(st.sampled_from(taken)))
    elif action == "batch" and pending:
        # Several at once (the general path; before the head, possibly the bulk
        # path), so that the lean appends after it meet what those leave.
        chosen = data.draw(st.lists(st.sampled_from(pending), min_size=1, max_size=6, unique_by=lambda e: e.id))
        got = pair.step(chosen)  # type: ignore[arg-type]
        if got[0] == "recorded":
            pending[:] = [e for e in pending if e not in chosen]
        return
    else:
        item = _random_event(data, pair, history, _last_day(pair))
    got = pair.step(item, seq)
    if got[0] == "recorded":
        pending[:] = [e for e in pending if e.id != got[1].id and e != item]


@settings(max_examples=120, deadline=None)
@given(history=histories(max_events=25), storage=st.sampled_from(("file", "memory")), bulk=st.booleans(), data=st.data())
def test_the_lean_path_writes_what_the_general_path_writes(history: History, storage: str, bulk: bool, data: st.DataObject) -> None:
    pair = Pair(storage)
    # ``bulk``: every change before the head goes the bulk way (unledger.bulk)
    # and checkpoints come every 3 events, so lean appends meet unmerged
    # events, region indexes and checkpoints to patch.
    thresholds = [mock.patch.object(timeline_module, "BULK_MIN_INSERTS", 1), mock.patch.object(timeline_module, "CHECKPOINT_EVERY", 3)]
    for patch in thresholds if bulk else []:
        patch.start()
    try:
        pending = list(history.events)
        for _ in range(data.draw(st.integers(8, 45))):
            _one_step(data, pair, history, pending)
        taken = pair.taken[0]
        event(f"lean appends: {'none' if taken == 0 else '1-4' if taken < 5 else '5 or more'}")
        lo = history.events[0].date.earliest_day - 5
        days = data.draw(st.lists(st.integers(lo, history.last_day + 500), min_size=1, max_size=5))
        pair.check_states(days, data.draw(st.integers(0, len(pair.records))))
        assert pair.lean.verify() == pair.general.verify() == pair.lean.head
        if storage == "file":
            reopened = Ledger.open(pair.lean.path)  # type: ignore[arg-type]
            assert list(reopened.records) == pair.records
    finally:
        for patch in thresholds if bulk else []:
            patch.stop()
        pair.close()


def test_a_plain_history_goes_the_lean_way() -> None:
    """Anchor for the property above: events appended in date order, one at
    a time, are taken by the lean path, and it writes what the general does."""
    pair = Pair("file")
    try:
        events = [
            attrs.evolve(Admission(org="UN", member="AZE", date="1992-03-02"), id=None),
            Admission(org="UN", member="ARM", date="1992-03-02", id="arm"),
            Admission(org="UN", member="AZE", date="1993", id="again"),  # refused: already a member
            Withdrawal(org="UN", member="ARM", date="1999", id="w"),
        ]
        assert pair.step(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))[0] == "recorded"
        outcomes = [pair.step(e)[0] for e in events]
        assert outcomes == ["recorded", "recorded", "refused", "recorded"]
        # The three accepted after the first: a ledger's first append opens
        # the head record for writing, which the general path does.
        assert pair.taken[0] == 3
        pair.check_states([727_000, 728_000, 730_000], 2)
    finally:
        pair.close()


@pytest.mark.parametrize("storage", ["file", "memory"])
def test_the_lean_path_hands_over_what_it_does_not_take(storage: str) -> None:
    pair = Pair(storage)
    try:
        pair.step(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
        pair.step(Admission(org="UN", member="AZE", date="1992-03-02", id="a"))
        taken = pair.taken[0]
        pair.step(Admission(org="UN", member="ARM", date="1992-03-01", id="b"))  # a backfill
        pair.step(Admission(org="UN", member="AZE", date="1992-03-02", id="a"))  # a retry
        pair.step(Retraction(target="b", reason="typo", date="2030", id="r"))
        assert pair.taken[0] == taken
        pair.step(Admission(org="UN", member="ARM", date="1992-03-02", id="c"), expected_seq=pair.lean.seq)
        assert pair.taken[0] == taken + 1
        pair.check_states([727_000, 728_000], 3)
    finally:
        pair.close()


def test_a_log_changed_behind_the_ledger_is_caught_up_before_a_lean_append(tmp_path: Path) -> None:
    """Another writer's append, and a rewritten last line, are seen as on the
    general path: the first is read in, the second refused, nothing written."""
    path = tmp_path / "log.jsonl"
    one, two = Ledger.open(path), Ledger.open(path)
    one.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    two.append(Admission(org="UN", member="AZE", date="1992-03-02", id="a"))  # two had not seen "un"
    one.append(Admission(org="UN", member="ARM", date="1992-03-02", id="b"))  # one had not seen "a"
    assert [r.id for r in one.records] == [r.id for r in Ledger.open(path).records] == ["un", "a", "b"]
    data = path.read_bytes()  # the last line's hash, one digit changed
    path.write_bytes(data[:-4] + (b"0" if data[-4:-3] != b"0" else b"1") + data[-3:])
    before = path.read_bytes()
    with pytest.raises(IntegrityError):
        one.append(Admission(org="UN", member="BEL", date="1992-03-02", id="c"))
    assert path.read_bytes() == before


def test_a_head_record_put_back_behind_the_ledger_is_refused_before_a_lean_append(tmp_path: Path) -> None:
    """An older head record copied over the current one (in place: the same
    file) is refused as the general path refuses it: nothing is written."""
    path = tmp_path / "log.jsonl"
    head = Path(str(path) + ".head")
    ledger = Ledger.open(path)
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    ledger.append(Admission(org="UN", member="AZE", date="1992-03-02", id="a"))
    old = head.read_bytes()
    ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="b"))
    ledger.append(Admission(org="UN", member="BEL", date="1992-03-02", id="c"))
    with open(head, "r+b") as f:  # the same inode
        f.write(old)
    before = path.read_bytes(), head.read_bytes()
    with pytest.raises(IntegrityError, match="head record went back"):
        ledger.append(Admission(org="UN", member="CAN", date="1992-03-02", id="d"))
    assert (path.read_bytes(), head.read_bytes()) == before


def test_a_torn_tail_left_by_a_crashed_writer_is_moved_aside_before_a_lean_append(tmp_path: Path) -> None:
    """Bytes after the acknowledged lines (a write cut short) are quarantined
    as the general path does, and the event is appended after the last
    whole line."""
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"))
    ledger.append(Admission(org="UN", member="AZE", date="1992-03-02", id="a"))
    clean = path.read_bytes()
    with open(path, "ab") as f:
        f.write(b'{"prev":"' + b"0" * 30)  # a crashed writer's first bytes
    ledger.append(Admission(org="UN", member="ARM", date="1992-03-02", id="b"))
    assert path.read_bytes().startswith(clean) and len(ledger.quarantined) == 1
    assert ledger.quarantined[0].read_bytes() == b'{"prev":"' + b"0" * 30
    assert [r.id for r in Ledger.open(path).records] == ["un", "a", "b"]
    assert ledger.verify() == ledger.head


def test_the_lean_path_keeps_a_body_within_its_seats() -> None:
    """Anchor: an election at the head that would seat more members than the
    body has elected seats is refused on the lean path exactly as on the
    general one (same error, log unchanged), and one within the seats is taken."""
    pair = Pair("file")
    try:
        setup = [
            Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"),
            Establishment(entity="SC", name="Security Council", org="UN", elected_seats=1, date="1945-10-24", id="sc"),
            Admission(org="UN", member="AAA", original=True, date="1945-10-24", id="adm-a"),
            Admission(org="UN", member="BBB", original=True, date="1945-10-24", id="adm-b"),
            Election(body="SC", member="AAA", term_start="1951-01-01", term_end="1952-12-31", date="1950-10-01", id="e-a"),
        ]
        for event in setup:
            assert pair.step(event)[0] == "recorded"
        taken = pair.taken[0]
        before = _log_bytes(pair.lean)
        over = Election(body="SC", member="BBB", term_start="1952-01-01", term_end="1953-12-31", date="1951-10-01", id="e-b")
        outcome = pair.step(over)
        assert outcome[0] == "refused" and "elected-seats" in repr(outcome)
        assert _log_bytes(pair.lean) == before
        within = Election(body="SC", member="BBB", term_start="1953-01-01", term_end="1954-12-31", date="1952-10-01", id="e-b2")
        assert pair.step(within)[0] == "recorded"
        assert pair.taken[0] >= taken + 1  # the lean path took the elections at the head
        pair.check_states([713_000, 713_500, 714_000], 5)
    finally:
        pair.close()
