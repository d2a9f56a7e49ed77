"""Bulk changes (region histories) give exactly what a fold from scratch gives.

The bulk path checks a batch on the histories of the regions it touches and
leaves the checkpoints after it to be patched or refolded lazily. Here every
change takes it (its thresholds are lowered to one event), histories arrive
in random order in random batches, with retractions, corrections and
reopens between them, and every accept/refuse decision is compared with the
rules applied from scratch, every state with a naive fold, and the region
index with one built from scratch over the final record.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import History, histories, naive_effective, naive_state, naive_violation, on

from unledger import Admission, Correction, Establishment, Event, Ledger, Retraction, RuleViolation, Statehood, Withdrawal
from unledger import timeline as timeline_module
from unledger.bulk import RegionIndex, _followed_footprint
from unledger.dates import parse_date
from unledger.errors import UnledgerError
from unledger.log import Record


@contextmanager
def bulk_everywhere(every: int = 4, patch_limit: int = 3, in_place: int = 2) -> Iterator[None]:
    """Every change before the head takes the bulk path; small checkpoint
    intervals and a low patch limit exercise both lazy ways of catching a
    checkpoint up (patching it, refolding from an earlier one); batches of
    up to ``in_place`` events are inserted one by one, larger ones merged."""
    with (
        mock.patch.object(timeline_module, "BULK_MIN_INSERTS", 1),
        mock.patch.object(timeline_module, "_IN_PLACE", in_place),
        mock.patch.object(timeline_module, "CHECKPOINT_EVERY", every),
        mock.patch.object(timeline_module, "_PATCH_LIMIT", patch_limit),
    ):
        yield


def _records(events: Sequence[Event], seq: int) -> list[Record]:
    return [Record(seq + i + 1, "", e, "", "") for i, e in enumerate(events)]


def _expected_violation(ledger: Ledger, batch: Sequence[Event]) -> object:
    proposed = [*ledger.records, *_records(batch, ledger.seq)]
    return naive_violation(e for _, e in naive_effective(proposed))


def _append_checked(ledger: Ledger, batch: list[Event]) -> bool:
    """Append ``batch``; the decision must be the rules' from scratch."""
    expected = _expected_violation(ledger, batch)
    before = (ledger.seq, ledger.head)
    try:
        ledger.append(batch)
    except RuleViolation as exc:
        assert expected is not None, f"refused a valid batch: {exc}"
        assert (ledger.seq, ledger.head) == before
        return False
    assert expected is None, f"accepted a batch that breaks {expected}"
    return True


def _assert_index_exact(ledger: Ledger) -> None:
    timeline = ledger._timeline
    index = timeline._regions
    if index is None:
        return
    if any(_followed_footprint(e) is None for e in timeline.events):
        # An event of a kind the bulk path does not follow was appended at the
        # head since the index was built: it cannot catch up, so every later
        # change takes the other checks (the states are asserted elsewhere).
        return
    if timeline.keys and index.last < timeline.keys[-1]:
        at = timeline_module.bisect_right(timeline.keys, index.last)
        index.extend(timeline.keys[at:], timeline.events[at:])
    fresh = RegionIndex.build(timeline.keys, timeline.events)
    assert index.history == fresh.history
    assert {r: list(index.postings(r)) for r in index.touch} == {r: list(fresh.postings(r)) for r in fresh.touch}
    assert index.by_member == fresh.by_member and index.by_org == fresh.by_org


def _assert_states(ledger: Ledger, history: History, rnd: random.Random) -> None:
    days = history.days()
    picked = rnd.sample(days, min(15, len(days))) + [days[0] - 1, days[-1] + 1]
    for day in picked:  # random order: checkpoints are caught up out of order
        assert ledger.state(on(day)) == naive_state(ledger.records, day), day


def _random_batches(events: Sequence[Event], rnd: random.Random) -> list[list[Event]]:
    order = list(events)
    rnd.shuffle(order)
    out = []
    while order:
        size = rnd.randint(1, max(1, len(order) // 2))
        out.append(order[:size])
        order = order[size:]
    return out


def _import(ledger: Ledger, history: History, rnd: random.Random, *, query: bool) -> None:
    """Append ``history`` in random batches, retrying refused batches one
    event at a time until nothing more goes in."""
    pending: list[Event] = []
    for batch in _random_batches(history.events, rnd):
        if not _append_checked(ledger, batch):
            pending += batch
        if query and rnd.random() < 0.3:
            _assert_states(ledger, history, rnd)
    progress = True
    while pending and progress:
        progress = False
        for e in list(pending):
            if _append_checked(ledger, [e]):
                pending.remove(e)
                progress = True


@settings(max_examples=120, deadline=None)
@given(histories(max_events=45, distinct=True), st.randoms(use_true_random=False), st.booleans())
def test_random_order_batches_give_the_states_of_a_fold_from_scratch(history: History, rnd: random.Random, query: bool) -> None:
    with bulk_everywhere(every=rnd.choice((1, 2, 4, 8)), in_place=rnd.choice((0, 2, 32))):
        ledger = Ledger.memory()
        _import(ledger, history, rnd, query=query)
        _assert_states(ledger, history, rnd)
        _assert_index_exact(ledger)


@settings(max_examples=80, deadline=None)
@given(histories(min_events=10, max_events=40, distinct=True), st.randoms(use_true_random=False))
def test_retractions_corrections_and_reopens_between_bulk_batches(tmp_path_factory: object, history: History, rnd: random.Random) -> None:
    path = Path(tmp_path_factory.mktemp("bulk")) / "log.jsonl"  # type: ignore[attr-defined]
    with bulk_everywhere(every=rnd.choice((1, 3, 8))):
        ledger = Ledger.open(path)
        batches = _random_batches(history.events, rnd)
        for number, batch in enumerate(batches):
            _append_checked(ledger, batch)
            live = [e for _, e in naive_effective(ledger.records)]
            if live and rnd.random() < 0.4:
                target = rnd.choice(live)
                if rnd.random() < 0.5:
                    change: Event = Retraction(target=target.id, reason="test", id=f"r{number}")  # type: ignore[arg-type]
                else:
                    moved = rnd.choice(history.events).date
                    try:
                        replacement = target.__class__(**{**_fields(target), "date": moved})
                    except UnledgerError:  # the new date does not suit the event (an invalid event)
                        replacement = target.__class__(**_fields(target))
                    change = Correction(target=target.id, replacement=replacement, reason="test", id=f"c{number}")  # type: ignore[arg-type]
                try:
                    ledger.append(change)
                except RuleViolation:
                    pass
            if rnd.random() < 0.2:
                ledger.close()
                ledger = Ledger.open(path)
            if rnd.random() < 0.3:
                _assert_states(ledger, history, rnd)
        _assert_states(ledger, history, rnd)
        _assert_index_exact(ledger)
        ledger.close()
        assert {r.hash for r in Ledger.open(path, readonly=True).records} == {r.hash for r in ledger.records}


def _fields(event: Event) -> dict[str, object]:
    import attrs

    return {a.name: getattr(event, a.name) for a in attrs.fields(type(event)) if a.init and a.name != "id"}


@settings(max_examples=60, deadline=None)
@given(histories(min_events=8, max_events=35), st.data())
def test_a_bulk_batch_of_backfilled_endings_is_refused_exactly_when_the_rules_say(history: History, data: st.DataObject) -> None:
    """Withdrawals dated a little before something the state did, several at
    once, with admissions of new members: the rules from scratch decide."""
    with bulk_everywhere():
        ledger = Ledger.memory()
        ledger.append(list(history.events))
        live = [e for _, e in naive_effective(ledger.records) if e.kind == "admission"]
        if not live:
            return
        batch: list[Event] = []
        for i in range(data.draw(st.integers(1, 5))):
            target = data.draw(st.sampled_from(live))
            day = target.date.earliest_day + data.draw(st.integers(-200, 2000))
            date = timeline_module_day(day)
            if data.draw(st.booleans()):
                batch.append(Withdrawal(org=target.org, member=target.member, date=date, id=f"w{i}"))  # type: ignore[attr-defined]
            else:
                batch.append(Admission(org=target.org, member=f"N{i:02d}", date=date, id=f"a{i}"))  # type: ignore[attr-defined]
        _append_checked(ledger, batch)
        for day in history.days()[:: max(1, len(history.days()) // 10)]:
            assert ledger.state(on(day)) == naive_state(ledger.records, day)
        _assert_index_exact(ledger)


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(1946, 2024), st.integers(1946, 2024))
def test_a_state_s_existence_backfilled_under_its_admissions_appended_out_of_order(rnd: random.Random, born: int, again: int) -> None:
    """Every admission of a state reads its existence, so the keys of the
    events naming that region arrive out of order in an import; a statehood
    backfilled later must still find every recorded event after it (here a
    second statehood, which it makes a repeat, among admissions before and
    after it)."""
    with bulk_everywhere():
        ledger = Ledger.memory()
        orgs = [f"O{i:02d}" for i in range(30)]
        ledger.append([Establishment(entity=org, name=f"Organization {org}", date="1945-01-01") for org in orgs])
        first = Statehood(state="S1", name="First", date=f"{born}-06-01", id="first")
        admissions = [
            Admission(org=org, member="S1", date=f"{rnd.randint(1946, 2025)}-{rnd.randint(1, 12):02d}-15", id=f"a{i}")
            for i, org in enumerate(orgs)
        ]
        admissions.sort(key=lambda e: e.date.earliest_day)
        # the latest first, then the rest in random batches, each inserted before the head
        for batch in [admissions[-1:], *_random_batches([first, *admissions[:-1]], rnd)]:
            assert _append_checked(ledger, batch)
        index = ledger._timeline._regions
        assert index is not None and ("exist", "S1") in index.touch
        backfill = [Statehood(state="S1", name="Again", date=f"{again}-01-01", id="again"), Admission(org=orgs[0], member="S2", date="1990-01-01", id="s2")]
        before = (ledger.seq, ledger.head)
        with pytest.raises(RuleViolation) as refused:  # a state begins once: the later of the two is refused
            ledger.append(backfill)
        assert (ledger.seq, ledger.head) == before
        expected = _expected_violation(ledger, backfill)
        assert isinstance(expected, RuleViolation) and refused.value.event == expected.event
        assert refused.value.event == ("again" if again > born else "first")
        assert refused.value.rule == "statehood-once" and refused.value.field == "state"
        for year in range(1946, 2027, 5):
            day = parse_date(f"{year}-07-01").earliest_day
            assert ledger.state(on(day)) == naive_state(ledger.records, day)
        _assert_index_exact(ledger)


def timeline_module_day(day: int) -> str:
    from unledger.dates import day_to_iso

    return day_to_iso(day)


def test_appends_freeze_what_survived_after_enough_events_and_leave_the_collector_as_it_was() -> None:
    import gc

    from unledger import Adoption, _gc

    gc.unfreeze()
    with mock.patch.object(_gc, "FREEZE_APPENDS", 5), mock.patch.object(_gc, "_since_freeze", 0):
        ledger = Ledger.memory()
        ledger.append([Adoption(body="BODY", symbol=f"R/{i}", title="t", date="2000", without_vote=True) for i in range(4)])
        assert gc.get_freeze_count() == 0
        ledger.append(Adoption(body="BODY", symbol="R/4", title="t", date="2000", without_vote=True))
        assert gc.get_freeze_count() > 0
        assert gc.isenabled()
        gc.disable()
        try:
            gc.unfreeze()
            ledger.append([Adoption(body="BODY", symbol=f"S/{i}", title="t", date="2001", without_vote=True) for i in range(6)])
            assert gc.get_freeze_count() == 0  # a caller who disabled the collector is left alone
            assert not gc.isenabled()
        finally:
            gc.enable()
    gc.unfreeze()
