"""Opening a log: the fast path gives what the strict decode and a naive fold give.

Correctness only, no timing. The open path takes parsed dates, valid codes
and field defaults from tables, checks a batch's recorded time once, and
builds the records by id and the map of effective events in one pass; these
tests hold it to the strict decoder line by line and to a fold from scratch
of the events in effect, on random histories appended in random batches and
in random order (backfills), with retractions and corrections, and to the
same refusals on lines that reuse what an earlier line made valid.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from helpers_paths import SETTINGS
from hypothesis import given
from hypothesis import strategies as st
from strategies import History, histories, naive_effective, naive_state, on

from unledger import Correction, IntegrityError, Ledger, Retraction, RuleViolation
from unledger.log import GENESIS, decode_line
from unledger.log.fast import decode_lines


def _append_shuffled(ledger: Ledger, history: History, rnd: random.Random) -> None:
    """Append the events in random batches and a random order, retrying the
    refused ones while any progress is made (a shuffled order backfills)."""
    pending = list(history.events)
    rnd.shuffle(pending)
    while pending:
        left = []
        at = 0
        while at < len(pending):
            size = rnd.randint(1, 6)
            batch = pending[at : at + size]
            at += size
            try:
                ledger.append(batch)
            except RuleViolation:
                left.extend(batch)
        if len(left) == len(pending):
            for e in left:  # one by one: a batch may fail for one of its events
                try:
                    ledger.append(e)
                except RuleViolation:
                    pass
            return
        pending = left


def _amend(ledger: Ledger, rnd: random.Random) -> None:
    """Some retractions and corrections (moved dates), some of them refused."""
    for number in range(rnd.randint(1, 4)):
        live = [e for _, e in naive_effective(ledger.records)]
        if not live:
            return
        target = rnd.choice(live)
        try:
            if rnd.random() < 0.5:
                ledger.append(Retraction(target=target.id, reason="test", id=f"r{number}"))  # type: ignore[arg-type]
            else:
                moved = rnd.choice(live).date
                replacement = attrs.evolve(target, date=moved, note="corrected")
                ledger.append(Correction(target=target.id, replacement=replacement, reason="test", id=f"c{number}"))  # type: ignore[arg-type]
        except (RuleViolation, ValueError, TypeError):
            pass
        except Exception as exc:  # an invalid replacement (a date the event cannot take)
            if not isinstance(exc, IntegrityError):
                continue
            raise


@SETTINGS
@given(histories(min_events=5, max_events=40), st.randoms(use_true_random=False))
def test_open_gives_the_strict_records_and_the_naive_fold(tmp_path_factory: Any, history: History, rnd: random.Random) -> None:
    path = Path(tmp_path_factory.mktemp("open")) / "log.jsonl"
    writer = Ledger.open(path)
    _append_shuffled(writer, history, rnd)
    _amend(writer, rnd)
    lines = path.read_bytes()[:-1].split(b"\n")
    opened = Ledger.open(path, readonly=True)
    strict = [decode_line(line, n) for n, line in enumerate(lines, 1)]
    assert list(opened.records) == strict == list(writer.records)
    assert opened._by_id == {r.event.id: r for r in strict}
    assert sorted(opened._effective.values(), key=lambda p: p[0]) == naive_effective(strict)
    days = sorted({d for e in history.events for d in (e.date.earliest_day, e.date.latest_day)})
    picked = rnd.sample(days, min(12, len(days))) + [days[0] - 1, days[-1] + 1]
    for day in picked:  # in random order: checkpoints are filled out of order
        assert opened.state(on(day)) == naive_state(strict, day), day


# -- lines that reuse what an earlier line made valid ------------------------------------------

_STAMP = "2026-01-02T03:04:05.000006Z"


def _chain(objs: list[dict[str, Any]], stamps: list[str] | None = None) -> list[bytes]:
    """Lines holding ``objs`` with a valid chain and valid hashes, whatever the objects say."""
    out = []
    prev = GENESIS
    for seq, obj in enumerate(objs, 1):
        recorded = stamps[seq - 1] if stamps else _STAMP
        body = orjson.dumps({"prev": prev, "seq": seq, "recorded": recorded, **obj})
        prev = hashlib.sha256(body).hexdigest()
        out.append(body[:-1] + b',"hash":"%s"}' % prev.encode("ascii"))
    return out


def _admission(number: int, **changes: Any) -> dict[str, Any]:
    return {"kind": "admission", "id": f"a{number}", "date": "1992-03-02", "org": "UN", "member": "ARM", **changes}


_BAD = [
    {"date": "1992-02-30"},  # an impossible day, after the valid 1992-03-02
    {"date": 1992},
    {"date": ["1992"]},  # not hashable: the table is not asked
    {"org": "un"},  # lower case, after the valid UN
    {"org": 7},
    {"member": ["ARM"]},
    {"member": "A"},
    {"source": 5},  # a field that has a default, present and invalid
    {"original": "yes"},
    {"name": 5},
    {"id": "-x"},
]


@pytest.mark.parametrize("bad", _BAD, ids=[next(iter(b.items()))[0] + "=" + repr(next(iter(b.values()))) for b in _BAD])
def test_a_value_is_refused_after_valid_ones_as_the_strict_path_refuses_it(bad: dict[str, Any]) -> None:
    lines = _chain([_admission(1), _admission(2, member="AZE"), _admission(3, **{"member": "BLR", **bad})])
    assert [r.event.member for r in decode_lines(lines[:2], 1, GENESIS)] == ["ARM", "AZE"]  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError) as fast:
        decode_lines(lines, 1, GENESIS)
    with pytest.raises(IntegrityError) as strict:
        decode_line(lines[2], 3)
    assert fast.value.line == strict.value.line == 3
    assert str(fast.value) == str(strict.value)


@pytest.mark.parametrize("stamps", [["", ""], [_STAMP, ""], [_STAMP, "2026-01-02 03:04:05"], [_STAMP, 5]])
def test_a_recorded_time_is_checked_on_every_line_that_changes_it(stamps: list[Any]) -> None:
    lines = _chain([_admission(1), _admission(2, member="AZE")], stamps)
    with pytest.raises(IntegrityError, match="recorded"):
        decode_lines(lines, 1, GENESIS)


def test_a_batch_sharing_one_recorded_time_keeps_one_string() -> None:
    lines = _chain([_admission(n, member=m) for n, m in enumerate(("ARM", "AZE", "BLR"))])
    records = decode_lines(lines, 1, GENESIS)
    assert records[0].recorded == _STAMP
    assert records[0].recorded is records[1].recorded is records[2].recorded
    assert records[0].event.date is records[2].event.date  # one parsed date, shared


# -- the fold's own constructors ------------------------------------------------------------


_WORDS = st.one_of(st.none(), st.text(max_size=5))


@SETTINGS
@given(st.lists(_WORDS, min_size=11, max_size=11), st.integers(0, 3))
def test_fast_constructors_equal_the_classes_own(values: list[Any], defaults: int) -> None:
    from unledger.world import Act, Resolution, Spell, Term, new_act, new_resolution, new_spell, new_term

    for cls, make in ((Spell, new_spell), (Term, new_term), (Act, new_act), (Resolution, new_resolution)):
        required = [f for f in attrs.fields(cls) if f.default is attrs.NOTHING]
        optional = [f for f in attrs.fields(cls) if f.default is not attrs.NOTHING][: defaults]
        args = values[: len(required) + len(optional)]
        built, expected = make(*args), cls(*args)
        assert built == expected and hash(built) == hash(expected) and repr(built) == repr(expected)
        named = {f.name: v for f, v in zip(required + optional, args, strict=False)}
        assert make(**named) == cls(**named)


def test_a_class_with_its_own_checks_gets_no_fast_constructor() -> None:
    from unledger import Admission
    from unledger.events.resolutions import Tally
    from unledger.world import fast_constructor

    for cls in (Admission, Tally):
        with pytest.raises(TypeError):
            fast_constructor(cls)


def test_with_a_map_equals_replace() -> None:
    import immutables

    from unledger import world as w

    base = w.World(names=immutables.Map(a=1), members=immutables.Map(b=2), acts=immutables.Map(c=3))
    value = immutables.Map(z=9)
    for name in ("members", "acts", "terms", "resolutions"):
        changed = getattr(w, f"with_{name}")(base, value)
        assert changed == base.replace(**{name: value}) and changed is not base
        assert getattr(changed, name) is value and changed.names is base.names
