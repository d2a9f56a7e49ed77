"""The Ledger facade (issue 3, point 7): open, append, ask, correct.

Checks opening (a missing file is created; read-only ledgers refuse
appends), what an append returns (seq, id, recorded time; ids generated when
missing), the defaults of ``state`` (today, now), ``events`` filters,
corrections and retractions as seen before and after (docs/concepts.md#corrections), another
writer's appends picked up by ``refresh``, and the typed errors of bad calls.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from unledger import (
    Admission,
    Correction,
    Establishment,
    InvalidEvent,
    Ledger,
    ReadOnlyLedger,
    Record,
    Retraction,
    RuleViolation,
    State,
    StorageError,
    UnknownEntity,
    Withdrawal,
    World,
)
from unledger.dates import parse_date

UN = Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def test_open_creates_a_missing_log_and_reads_it_back(log_path: Path) -> None:
    assert not log_path.exists()
    ledger = Ledger.open(log_path)
    assert log_path.exists() and log_path.read_bytes() == b""
    assert len(ledger) == 0 and ledger.seq == 0 and ledger.head == "0" * 64
    ledger.append(UN)
    assert Ledger.open(log_path).records == ledger.records
    assert "1 records" in repr(ledger)


def test_read_only_ledgers_refuse_appends(log_path: Path) -> None:
    with pytest.raises(StorageError):
        Ledger.open(log_path, readonly=True)  # missing: not created
    Ledger.open(log_path).append(UN)
    reader = Ledger.open(log_path, readonly=True)
    with pytest.raises(ReadOnlyLedger):
        reader.append(Admission(org="UN", member="AZE", date="1992-03-02"))
    assert len(Ledger.open(log_path)) == 1
    with pytest.raises(ReadOnlyLedger):
        Ledger.bundled().append(Admission(org="UN", member="AZE", date="1992-03-02"))


def test_append_returns_what_was_recorded() -> None:
    ledger = Ledger.memory()
    first = ledger.append(UN)
    assert isinstance(first, Record) and (first.seq, first.id, first.kind) == (1, "un", "establishment")
    assert TIMESTAMP.fullmatch(first.recorded)
    batch = ledger.append([Admission(org="UN", member="AZE", date="1992-03-02"), Admission(org="UN", member="ARM", date="1992-03-02")])
    assert [r.seq for r in batch] == [2, 3]
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.id) for r in batch)  # generated ids
    assert batch[0].recorded == batch[1].recorded >= first.recorded
    assert ledger.record(batch[0].id) == batch[0]
    with pytest.raises(InvalidEvent, match="no event with id"):
        ledger.record("nope")


def test_state_defaults_to_today_and_now() -> None:
    ledger = Ledger.memory()
    ledger.append([UN, Admission(org="UN", member="AZE", date="1992-03-02", id="aze")])
    today = dt.datetime.now(dt.UTC).date()
    state = ledger.state()
    assert isinstance(state, State) and state.day in (today.toordinal(), today.toordinal() + 1)
    assert state == ledger.state(today) or state == ledger.state(today + dt.timedelta(days=1))
    assert ledger.state("1992") == ledger.state("1992-12-31") == ledger.state(dt.date(1992, 12, 31))
    assert ledger.state("1992").as_of == "1992-12-31"
    assert isinstance(ledger.world("1992"), World)
    assert ledger.state("1992", known_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)) == ledger.state("1992")
    with pytest.raises(InvalidEvent):
        ledger.state("1992-13")
    with pytest.raises(InvalidEvent):
        ledger.state("1992", known_at="yesterday-ish")


def test_a_correction_changes_the_answer_only_from_when_it_is_recorded() -> None:
    ledger = Ledger.memory()
    ledger.append([UN, Admission(org="UN", member="AZE", date="1992-05-02", id="aze")])  # a wrong date
    before_fix = ledger.records[-1].recorded
    fix = ledger.append(Correction(target="aze", replacement=Admission(org="UN", member="AZE", date="1992-03-02"), reason="A/RES/46/230 says 2 March"))
    assert fix.event.replacement.id == "aze"  # the replacement keeps the target's id
    assert [m.member for m in ledger.state("1992-04-01").members("UN")] == ["AZE"]
    assert ledger.state("1992-04-01", known_at=before_fix).members("UN") == ()
    assert [r.event.date for r in ledger.events(kind="admission")] == [parse_date("1992-03-02")]
    assert [r.event.date for r in ledger.events(kind="admission", known_at=before_fix)] == [parse_date("1992-05-02")]
    assert {r.kind for r in ledger.events(include_retracted=True)} == {"establishment", "admission", "correction"}


def test_a_retraction_withdraws_an_event_and_cannot_be_retracted_itself() -> None:
    ledger = Ledger.memory()
    ledger.append([UN, Admission(org="UN", member="XXX", date="1950", id="x")])
    retraction = ledger.append(Retraction(target="x", reason="no such state", id="r"))
    assert ledger.state("2000").members("UN") == ()
    assert [r.id for r in ledger.events()] == ["un"]
    with pytest.raises(RuleViolation) as info:
        ledger.append(Retraction(target="r", reason="undo", id="r2"))
    assert info.value.field == "target"
    with pytest.raises(RuleViolation):
        ledger.append(Retraction(target="x", reason="again", id="r3"))
    assert ledger.seq == retraction.seq


def test_a_batch_may_retract_what_it_appends() -> None:
    ledger = Ledger.memory()
    ledger.append(UN)
    ledger.append([Admission(org="UN", member="XXX", date="1950", id="x"), Retraction(target="x", reason="typo", id="r")])
    assert ledger.state("2000").members("UN") == () and ledger.seq == 3


def test_events_filters_by_kind_entity_and_date_range() -> None:
    ledger = Ledger.memory()
    ledger.append(
        [
            UN,
            Admission(org="UN", member="AZE", date="1992-03-02", id="aze"),
            Admission(org="UN", member="IDN", date="1950-09-28", id="idn"),
            Withdrawal(org="UN", member="IDN", date="1965", id="idn-out"),
        ]
    )
    assert [r.id for r in ledger.events(kind="admission")] == ["aze", "idn"]  # log order
    assert [r.id for r in ledger.events(entity="IDN")] == ["idn", "idn-out"]
    assert [r.id for r in ledger.events(start="1960", end="1970")] == ["idn-out"]
    assert [r.id for r in ledger.events(start="1965-06-01", end="1965-06-01")] == ["idn-out"]  # may fall that day
    assert [r.id for r in ledger.events(end=dt.date(1945, 12, 31))] == ["un"]


def test_another_writer_is_seen_after_refresh(log_path: Path) -> None:
    mine, theirs = Ledger.open(log_path), Ledger.open(log_path)
    mine.append(UN)
    assert len(theirs) == 0
    theirs.refresh()
    assert len(theirs) == 1 and theirs.head == mine.head
    theirs.append(Admission(org="UN", member="AZE", date="1992-03-02", id="aze"))
    record = mine.append(Admission(org="UN", member="ARM", date="1992-03-02", id="arm"))  # catches up under the lock
    assert record.seq == 3 and [r.id for r in mine.records] == ["un", "aze", "arm"]


def test_bad_calls_are_typed_errors() -> None:
    ledger = Ledger.memory()
    with pytest.raises(InvalidEvent, match="batch item 1"):
        ledger.append([{"kind": "admission"}])  # type: ignore[list-item]
    with pytest.raises(InvalidEvent):
        ledger.append(UN, expected_seq=-1)
    with pytest.raises(InvalidEvent):
        ledger.append(UN, expected_seq="0")  # type: ignore[arg-type]
    with pytest.raises(UnknownEntity):
        ledger.member_counts("UN")
    assert ledger.seq == 0


def test_member_counts_default_to_the_organizations_first_year() -> None:
    ledger = Ledger.memory()
    ledger.append([UN, Admission(org="UN", member="AZE", date="1992-03-02")])
    counts = ledger.member_counts("UN", end=1993)
    assert counts[0] == (1945, 0) and counts[-1] == (1993, 1) and len(counts) == 49
    assert dict(ledger.member_counts("UN", 1991, 1992)) == {1991: 0, 1992: 1}


def test_as_of_accepts_years_and_dates() -> None:
    ledger = Ledger.memory()
    ledger.append([UN, Admission(org="UN", member="AZE", date="1992-03-02")])
    assert ledger.state(dt.date(1992, 3, 2)) == ledger.state("1992-03-02") == ledger.state(parse_date("1992-03-02"))
    assert ledger.state(dt.date(1992, 3, 1)).members("UN") == ()
