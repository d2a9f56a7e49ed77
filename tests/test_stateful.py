"""A state machine drives a file-backed ledger and checks it against a naive model.

The machine appends events from a generated valid history in random order
(backfill), random events that may break rules, batches, retractions,
corrections (of dates too), identical retries and conflicting ids, and
reopens the file. The model is just the list of accepted records: after
every step the ledger must agree with it, and on random days and ``known_at``
times its answers must equal a fold from scratch of what the model says was
in the record then. Whether an append is accepted is itself checked: the
model re-validates the whole record from scratch with the rules, so the
ledger may neither refuse a valid change nor accept an invalid one, and a
refusal must leave the file byte-for-byte as it was.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from unittest import mock

import attrs
import pytest
from hypothesis import event, note, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from strategies import History, _date_on_or_after, histories, naive_effective, naive_state, naive_violation, on

from unledger import (
    Admission,
    Correction,
    Dissolution,
    Establishment,
    Election,
    Enlargement,
    Event,
    InvalidEvent,
    Ledger,
    Retraction,
    Return,
    RuleViolation,
    Signing,
    Withdrawal,
)
from unledger.errors import DuplicateEventId
from unledger.ids import content_id as unledger_content_id
from unledger.events.instruments import ACTS
from unledger import timeline as timeline_module
from unledger.log import Record


def _note(text: str) -> None:
    try:
        note(text)
    except InvalidArgument:  # outside a hypothesis test (the anchor test below)
        pass


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="unledger-stateful-"))
        self.path = self.dir / "log.jsonl"
        self.ledger = Ledger.open(self.path)
        self.records: list[Record] = []  # the model: every accepted record, in seq order
        self.serial = 0
        self.history: History | None = None
        self.pending: list[Event] = []
        self.refused = 0

    def teardown(self) -> None:
        try:
            event(f"records: {len(self.records)}, refused: {self.refused}")
        except InvalidArgument:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- the model's side --------------------------------------------------------

    def _fresh_id(self) -> str:
        self.serial += 1
        return f"m{self.serial}"

    def _effective_ids(self) -> list[str]:
        return [e.id for _, e in naive_effective(self.records)]  # type: ignore[misc]

    def _expected_refusal(self, batch: list[Event]) -> str | None:
        """Why the model says ``batch`` must be refused (a rule), or None."""
        proposed = self.records + [Record(len(self.records) + i + 1, "", e, "", "") for i, e in enumerate(batch)]
        for n in range(len(self.records), len(proposed)):
            e = proposed[n].event
            if isinstance(e, (Retraction, Correction)):
                live = {ev.id for _, ev in naive_effective(proposed[:n])}
                if e.target not in live:
                    return "target-exists"
        violation = naive_violation(e for _, e in naive_effective(proposed))
        return None if violation is None else (violation.rule or "rule")

    def _try(self, batch: list[Event], given: Event | None = None) -> None:
        """Append ``batch`` (``given``: the one event as passed, without its
        id) and check the outcome against the model."""
        expected = self._expected_refusal(batch)
        before = self.path.read_bytes()
        _note(f"append {[(e.kind, e.id) for e in batch]}; model expects {expected or 'acceptance'}")
        try:
            recorded = self.ledger.append(given if given is not None else batch if len(batch) > 1 else batch[0])
        except RuleViolation as exc:
            assert expected is not None, f"refused a valid change: {exc}"
            self.refused += 1
            assert self.path.read_bytes() == before
            assert exc.event is not None and exc.event in str(exc)
            return
        assert expected is None, f"accepted a change that breaks {expected}"
        recorded = recorded if isinstance(recorded, list) else [recorded]
        for offset, (record, appended) in enumerate(zip(recorded, batch, strict=True)):
            assert record.seq == len(self.records) + 1
            assert record.event.id == appended.id
            assert record.prev == (self.records[-1].hash if self.records else "0" * 64)
            assert offset == 0 or record.recorded == recorded[0].recorded  # one batch, one time
            self.records.append(record)

    # -- rules -------------------------------------------------------------------------

    @initialize(history=histories(max_events=25))
    def start(self, history: History) -> None:
        self.history = history
        self.pending = list(history.events)

    @precondition(lambda self: self.pending)
    @rule(data=st.data(), size=st.integers(1, 4))
    def append_from_the_history(self, data: st.DataObject, size: int) -> None:
        """Events of a valid history, picked in any order (so often backfilled);
        one that is refused now may be accepted later."""
        if data.draw(st.booleans()):
            chosen = self.pending[:size]  # in plan order: mostly accepted
        else:
            chosen = data.draw(st.lists(st.sampled_from(self.pending), min_size=1, max_size=size, unique_by=lambda e: e.id))
        before = len(self.records)
        self._try(chosen)
        if len(self.records) > before:
            self.pending = [e for e in self.pending if e not in chosen]

    @precondition(lambda self: len(self.pending) > 1)
    @rule(data=st.data())
    def append_a_random_order_batch(self, data: st.DataObject) -> None:
        """Many events of the history at once, shuffled: a batch that spans
        the whole record, as an import by source file would append it."""
        chosen = data.draw(st.permutations(self.pending)).__getitem__(slice(0, data.draw(st.integers(2, 12))))
        before = len(self.records)
        self._try(list(chosen))
        if len(self.records) > before:
            self.pending = [e for e in self.pending if e not in chosen]

    @precondition(lambda self: self.history is not None)
    @rule(data=st.data())
    def append_a_random_event(self, data: st.DataObject) -> None:
        """An event over the history's entities with no regard to the rules."""
        assert self.history is not None
        m = self.history.model
        states = sorted(m.alive | set(m.gone)) or ["S01"]
        orgs = sorted(m.orgs) or ["ORG01"]
        lo = self.history.events[0].date.earliest_day
        day = data.draw(st.integers(lo - 50, self.history.last_day + 400))
        date = _date_on_or_after(day, data.draw(st.sampled_from(("day", "month", "year"))))
        env = {"date": date, "id": self._fresh_id()}
        org, state = data.draw(st.sampled_from(orgs)), data.draw(st.sampled_from(states))
        choices: list[Event] = [
            Admission(org=org, member=state, **env),
            Withdrawal(org=org, member=state, **env),
            Return(org=org, member=state, **env),
            Dissolution(state=state, **env),
        ]
        if m.bodies:
            body = data.draw(st.sampled_from(sorted(m.bodies)))
            start = date.following()
            choices.append(Election(body=body, member=state, term_start=start, term_end=start.following().following(), **env))
            choices.append(Enlargement(body=body, elected_seats=data.draw(st.integers(0, 2)), **env))
        if m.instruments:
            choices.append(Signing(instrument=data.draw(st.sampled_from(sorted(m.instruments))), party=state, act=data.draw(st.sampled_from(ACTS)), **env))
        self._try([data.draw(st.sampled_from(choices))])

    @precondition(lambda self: self.history is not None and self.records)
    @rule(data=st.data(), content_id=st.booleans())
    def append_one_at_the_head(self, data: st.DataObject, content_id: bool) -> None:
        """One event dated on or after the last event's day, alone: the
        lean path's case (unledger.lean), with an id or its content id,
        valid or not."""
        assert self.history is not None
        live = naive_effective(self.records)
        last = live[-1][0][0] if live else self.history.events[0].date.earliest_day
        candidates = [e for e in self.pending if e.date.earliest_day >= last]
        if candidates and data.draw(st.booleans()):
            chosen = candidates[0]
        else:
            m = self.history.model
            state = data.draw(st.sampled_from(sorted(m.alive | set(m.gone)) or ["S01"]))
            org = data.draw(st.sampled_from(sorted(m.orgs) or ["ORG01"]))
            date = _date_on_or_after(last + data.draw(st.integers(0, 60)), data.draw(st.sampled_from(("day", "day", "month"))))
            kind = data.draw(st.sampled_from((Admission, Withdrawal, Return)))
            chosen = kind(org=org, member=state, date=date, id=self._fresh_id())
        given = chosen
        if content_id:  # appended without an id: the ledger gives it its content id
            given = attrs.evolve(chosen, id=None)
            chosen = attrs.evolve(chosen, id=unledger_content_id(given))
            if any(r.id == chosen.id for r in self.records):
                return  # a retry, not this rule's case
        before = len(self.records)
        self._try([chosen], given)
        if len(self.records) > before:
            self.pending = [e for e in self.pending if e.id != chosen.id and attrs.evolve(e, id=None) != attrs.evolve(chosen, id=None)]

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def backfill_before_a_recorded_event(self, data: st.DataObject) -> None:
        """A state leaves, or ends, shortly before something it did: the
        recorded event may no longer hold, and then the append must be refused."""
        acting = [e for _, e in naive_effective(self.records) if isinstance(getattr(e, "member", getattr(e, "party", None)), str)]
        if not acting:
            return
        kind = data.draw(st.sampled_from(sorted({e.kind for e in acting})))  # rare kinds as often as common ones
        target = data.draw(st.sampled_from([e for e in acting if e.kind == kind]))
        state = getattr(target, "member", None) or target.party  # type: ignore[attr-defined]
        date = _date_on_or_after(target.date.earliest_day - data.draw(st.integers(0, 400)), data.draw(st.sampled_from(("day", "month"))))
        orgs = sorted({r.event.org for r in self.records if isinstance(r.event, Admission) and r.event.member == state}) or ["ORG01"]
        leave = Withdrawal(org=data.draw(st.sampled_from(orgs)), member=state, date=date, id=self._fresh_id())
        self._try([data.draw(st.sampled_from([leave, Dissolution(state=state, date=date, id=leave.id)]))])

    @precondition(lambda self: self.records)
    @rule(data=st.data(), two=st.booleans())
    def retract(self, data: st.DataObject, two: bool) -> None:
        """Retract one or two events (refused if a later event needs them,
        unless the same batch retracts that one too)."""
        live = self._effective_ids()
        if not live:
            return
        targets = data.draw(st.lists(st.sampled_from(live), min_size=1, max_size=2 if two else 1, unique=True))
        self._try([Retraction(target=t, reason="not in the source", id=self._fresh_id()) for t in targets])

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def correct(self, data: st.DataObject) -> None:
        """Replace an event: a new date (which may break or fix the rules) or a note."""
        live = [e for _, e in naive_effective(self.records)]
        if not live:
            return
        target = data.draw(st.sampled_from(live))
        if data.draw(st.booleans()):
            moved = _date_on_or_after(target.date.earliest_day + data.draw(st.integers(-400, 400)), data.draw(st.sampled_from(("day", "month", "year"))))
            try:
                replacement = attrs.evolve(target, date=moved)
            except InvalidEvent:  # e.g. an instrument that would close before it opens
                return
        else:
            replacement = attrs.evolve(target, note=f"checked {self.serial}")
        self._try([Correction(target=target.id, replacement=replacement, reason="source re-read", id=self._fresh_id())])  # type: ignore[arg-type]

    @rule()
    def retract_what_is_not_there(self) -> None:
        self._try([Retraction(target="no-such-event", reason="typo", id=self._fresh_id())])

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def append_a_known_id_again(self, data: st.DataObject) -> None:
        """The same id with the same content is a no-op; with other content, an error."""
        record = data.draw(st.sampled_from(self.records))
        before = self.path.read_bytes()
        assert self.ledger.append(record.event) == record
        changed = attrs.evolve(record.event, note="changed")
        try:
            self.ledger.append(changed)
        except DuplicateEventId as exc:
            assert exc.event == record.id
        else:
            raise AssertionError("a different event under a recorded id was accepted")
        assert self.path.read_bytes() == before

    @rule()
    def append_a_batch_repeating_an_id(self) -> None:
        e1 = Admission(org="XO", member="YS", date="2000", id="twice")
        before = self.path.read_bytes()
        try:
            self.ledger.append([e1, attrs.evolve(e1, date="2001")])
        except InvalidEvent as exc:
            assert exc.field == "id"
        else:
            raise AssertionError("a batch with one id twice was accepted")
        assert self.path.read_bytes() == before

    @rule(cache=st.booleans())
    def reopen(self, cache: bool) -> None:
        """Open the file again, with or without the snapshot cache beside it."""
        self.ledger = Ledger.open(self.path, cache=cache)
        assert list(self.ledger.records) == self.records

    # -- checks ---------------------------------------------------------------------------

    @invariant()
    def the_log_is_the_model(self) -> None:
        assert self.ledger.seq == len(self.records)
        assert self.ledger.head == (self.records[-1].hash if self.records else "0" * 64)

    @precondition(lambda self: self.history is not None)
    @rule(data=st.data())
    def ask_about_days(self, data: st.DataObject) -> None:
        assert self.history is not None
        lo = self.history.events[0].date.earliest_day - 5
        days = data.draw(st.lists(st.integers(lo, self.history.last_day + 500), min_size=1, max_size=4))
        for day in days:
            assert self.ledger.state(on(day)) == naive_state(self.records, day), day

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def ask_as_known_at_an_earlier_time(self, data: st.DataObject) -> None:
        assert self.history is not None
        cut = data.draw(st.integers(0, len(self.records)))
        moment = self.records[cut - 1].recorded if cut else "1970-01-01T00:00:00.000000Z"
        known = [r for r in self.records if r.recorded <= moment]
        lo = self.history.events[0].date.earliest_day - 5
        for day in data.draw(st.lists(st.integers(lo, self.history.last_day + 500), min_size=1, max_size=3)):
            assert self.ledger.state(on(day), known_at=moment) == naive_state(known, day), (day, moment)

    @rule()
    def verify(self) -> None:
        assert self.ledger.verify() == self.ledger.head


LedgerMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=40, deadline=None)
TestLedgerMachine = LedgerMachine.TestCase


class BulkLedgerMachine(LedgerMachine):
    """The same machine with every change before the head checked on region
    histories (unledger.bulk), short checkpoint intervals and a low patch
    limit, so that checkpoints are both patched and refolded lazily."""

    def __init__(self) -> None:
        self._patches = [
            mock.patch.object(timeline_module, "BULK_MIN_INSERTS", 1),
            mock.patch.object(timeline_module, "CHECKPOINT_EVERY", 3),
            mock.patch.object(timeline_module, "_PATCH_LIMIT", 4),
        ]
        for p in self._patches:
            p.start()
        super().__init__()

    def teardown(self) -> None:
        for p in self._patches:
            p.stop()
        super().teardown()


BulkLedgerMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestBulkLedgerMachine = BulkLedgerMachine.TestCase


@pytest.mark.slow
def test_the_machine_on_long_runs() -> None:
    run_state_machine_as_test(LedgerMachine, settings=settings(max_examples=500, stateful_step_count=120, deadline=None))


def test_the_model_refuses_what_the_rules_refuse() -> None:
    """An anchor for the machine's oracle: a readmission is refused by both."""
    machine = LedgerMachine()
    try:
        machine._try([Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un")])
        first = Admission(org="UN", member="AZE", date="1992-03-02", id="a1")
        machine._try([first])
        assert machine._expected_refusal([Admission(org="UN", member="AZE", date="1993", id="a2")]) == "no-readmission"
        machine._try([Admission(org="UN", member="AZE", date="1993", id="a2")])
        assert [r.id for r in machine.records] == ["un", "a1"]
    finally:
        machine.teardown()
