"""Every rule of issues 3 and 4, both ways.

For each rule: one test appends an event that breaks it and checks the
refusal (a :class:`RuleViolation` with the rule's id, a message naming the
event and the field, the log file byte-for-byte unchanged); one test appends
the boundary case the rule must still accept (adjacent terms, exactly the
seat limit, a signature and a ratification on the same day, an accession
without signature, a readmission on the day of a withdrawal...).
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from strategies import naive_effective, naive_violation

from unledger import (
    Admission,
    Adoption,
    Cessation,
    Continuation,
    Correction,
    Dissolution,
    Election,
    Enlargement,
    EntryIntoForce,
    EntryRule,
    Establishment,
    Event,
    InvalidEvent,
    Ledger,
    Merger,
    Opening,
    Representation,
    Retraction,
    Return,
    RuleViolation,
    Separation,
    Signing,
    Statehood,
    Termination,
    Withdrawal,
)

D0 = "1945-10-24"
#: The world every case starts from: an organization with a council of two
#: elected seats and one permanent member, five founding members, a treaty
#: that closes for signature at the end of 1950 and one whose entry into force
#: is recorded as an event.
BASE: tuple[Event, ...] = (
    Establishment(entity="UN", name="United Nations", date=D0, id="un"),
    Establishment(entity="SC", name="Security Council", org="UN", elected_seats=2, permanent_members=["USA"], date=D0, id="sc"),
    Establishment(entity="GA", name="General Assembly", org="UN", date=D0, id="ga"),
    *(Admission(org="UN", member=m, original=True, date=D0, id=f"adm-{m}") for m in ("USA", "FRA", "AAA", "BBB", "CCC")),
    Opening(instrument="T1", title="Treaty", entry_into_force=EntryRule(rule="deposits", count=2), closes="1950-12-31", date="1950-01-01", id="t1"),
    Opening(instrument="T2", title="Memorandum", form="memorandum", date="1950-01-01", id="t2"),
)


def term(member: str, start: str, end: str, *, id: str, date: str | None = None, body: str = "SC") -> Election:
    return Election(body=body, member=member, term_start=start, term_end=end, date=date or start, id=id)


def sign(party: str, act: str, date: str, *, id: str, instrument: str = "T1") -> Signing:
    return Signing(instrument=instrument, party=party, act=act, date=date, id=id)


@attrs.frozen
class Case:
    name: str
    rule: str
    field: str
    setup: tuple[Event, ...]
    bad: tuple[Event, ...]
    good: tuple[Event, ...]
    #: The event the refusal must name (default: the last bad one).
    blamed: str | None = None


def case(name: str, rule: str, field: str, setup: list[Event], bad: Event | list[Event], good: Event | list[Event], blamed: str | None = None) -> Case:
    def tup(x: Event | list[Event]) -> tuple[Event, ...]:
        return tuple(x) if isinstance(x, list) else (x,)

    return Case(name, rule, field, tuple(setup), tup(bad), tup(good), blamed)


WITHDRAWN = [Withdrawal(org="UN", member="AAA", date="1960-01-01", id="wd")]
DISSOLVED = [
    Establishment(entity="ILO", name="International Labour Organization", date="1919-04-11", id="ilo"),
    Admission(org="UN", member="CSK", original=True, date=D0, id="adm-CSK"),
    Dissolution(state="CSK", date="1992-12-31", successors=["CZE", "SVK"], id="csk-end"),
]
SEATED = [term("AAA", "1951-01-01", "1952-12-31", id="e-aaa")]
MERGED = [
    Admission(org="UN", member="EGY", original=True, date=D0, id="adm-EGY"),
    Admission(org="UN", member="SYR", original=True, date=D0, id="adm-SYR"),
    Merger(members=["EGY", "SYR"], into="UAR", name="United Arab Republic", date="1958-02-21", id="uar"),
]

CASES = [
    # -- membership ----------------------------------------------------------------
    case("readmission", "no-readmission", "member", [],
         Admission(org="UN", member="AAA", date="1960", id="bad"),
         WITHDRAWN + [Admission(org="UN", member="AAA", date="1960-01-01", id="good")]),
    case("admission of a state that is gone", "state-exists", "member", DISSOLVED,
         Admission(org="ILO", member="CSK", date="1993-01-01", id="bad"),
         Admission(org="ILO", member="CSK", date="1992-12-31", id="good")),
    case("admission before the organization exists", "org-exists", "org",
         [Establishment(entity="OIC", name="OIC", date="1969-09-25", id="oic")],
         Admission(org="OIC", member="AAA", date="1969-09-24", id="bad"),
         [Admission(org="OIC", member="AAA", date="1969-09-25", id="good"),
          Admission(org="OIC", member="BBB", original=True, date="1969-09-25", id="founder")]),
    case("admission to an organization never established", "org-exists", "org", [],
         Admission(org="NATO", member="AAA", date="1990", id="bad"),
         [Establishment(entity="NATO", name="NATO", date="1949-08-24", id="nato"), Admission(org="NATO", member="AAA", date="1990", id="good")]),
    case("founding admission to an organization never established", "org-exists", "org", [],
         Admission(org="NATO", member="AAA", original=True, date="1949-08-24", id="bad"),
         [Establishment(entity="NATO", name="NATO", date="1949-08-24", id="nato"),
          Admission(org="NATO", member="AAA", original=True, date="1949-08-24", id="good")]),
    case("founding admission before the organization exists", "org-exists", "org",
         [Establishment(entity="OIC", name="OIC", date="1969-09", id="oic")],
         Admission(org="OIC", member="AAA", original=True, date="1969-08-31", id="bad"),
         # a founder dated as coarsely as the founding joins with it (another
         # member on that date is refused: see "while the establishment is uncertain")
         Admission(org="OIC", member="AAA", original=True, date="1969-09", id="good")),
    case("admission while the establishment is uncertain", "org-exists", "org",
         [Establishment(entity="OIC", name="OIC", date="1969-09", id="oic")],
         Admission(org="OIC", member="AAA", date="1969-09-29", id="bad"),
         Admission(org="OIC", member="AAA", date="1969-09-30", id="good")),
    case("withdrawal of a non-member", "withdraw-member", "member", [],
         Withdrawal(org="UN", member="ZZZ", date="1960", id="bad"),
         [Admission(org="UN", member="ZZZ", date="1960-05-01", id="z"), Withdrawal(org="UN", member="ZZZ", date="1960-05-01", id="good")]),
    case("cessation of a non-member", "cease-member", "member", WITHDRAWN,
         Cessation(org="UN", member="AAA", date="1961", id="bad"),
         Cessation(org="UN", member="BBB", date="1961", id="good")),
    case("return of a member that never left", "return-after-leaving", "member", [],
         Return(org="UN", member="AAA", date="1966-09-28", id="bad"),
         WITHDRAWN + [Return(org="UN", member="AAA", date="1960-01-01", id="good")]),
    case("representation of a non-member", "represent-member", "member", [],
         Representation(org="UN", member="ZZZ", government="People's Republic", date="1971-10-25", id="bad"),
         Representation(org="UN", member="CCC", government="People's Republic", date="1971-10-25", id="good")),
    # -- bodies and elections ----------------------------------------------------------
    case("second establishment", "establish-once", "entity", [],
         Establishment(entity="SC", name="Security Council", org="UN", date="1950", id="bad"),
         Establishment(entity="ECOSOC", name="Economic and Social Council", org="UN", elected_seats=18, date="1950", id="good")),
    case("body of an unknown organization", "body-of-known-org", "org", [Establishment(entity="OAS", name="Organization of American States", date="1948", id="oas"),
                                                                       Admission(org="OAS", member="AAA", date="1948", original=True, id="oas-a")],
         Establishment(entity="OAS-X", name="Body", org="NOPE", date="1950", id="bad"),
         Establishment(entity="OAS-C", name="Council", org="OAS", date="1950", id="good")),
    case("enlargement of an unknown body", "body-established", "body", [],
         Enlargement(body="ECOSOC", elected_seats=27, date="1965-08-31", id="bad"),
         [Establishment(entity="ECOSOC", name="ECOSOC", org="UN", elected_seats=18, date=D0, id="eco"), Enlargement(body="ECOSOC", elected_seats=27, date="1965-08-31", id="good")]),
    case("election before the body exists", "body-established", "body",
         [Establishment(entity="HRC", name="Human Rights Council", org="UN", elected_seats=47, date="2006-03-15", id="hrc")],
         term("AAA", "2006-06-19", "2009-06-18", id="bad", date="2006-03-14", body="HRC"),
         term("AAA", "2006-06-19", "2009-06-18", id="good", date="2006-03-15", body="HRC")),
    case("election of a non-member", "elected-member-belongs", "member", [],
         term("DDD", "1951-01-01", "1952-12-31", id="bad", date="1950-10-01"),
         [Admission(org="UN", member="DDD", date="1950-10-01", id="adm-ddd"), term("DDD", "1951-01-01", "1952-12-31", id="good", date="1950-10-01")]),
    case("election of a withdrawn member", "elected-member-belongs", "member", WITHDRAWN,
         term("AAA", "1961-01-01", "1962-12-31", id="bad", date="1960-01-01"),
         term("AAA", "1961-01-01", "1962-12-31", id="good", date="1959-12-31")),
    case("election of a permanent member", "permanent-not-elected", "member",
         [Establishment(entity="ECOSOC", name="ECOSOC", org="UN", elected_seats=18, date=D0, id="eco")],
         term("USA", "1951-01-01", "1952-12-31", id="bad"),
         term("USA", "1951-01-01", "1952-12-31", id="good", body="ECOSOC")),
    case("overlapping terms", "no-overlapping-terms", "term_start", SEATED,
         term("AAA", "1952-12-31", "1954-12-31", id="bad", date="1952-10-01"),
         term("AAA", "1953-01-01", "1954-12-31", id="good", date="1952-10-01")),
    case("more elected members than seats", "elected-seats", "term_start", SEATED + [term("BBB", "1951-01-01", "1952-12-31", id="e-bbb")],
         term("CCC", "1952-12-31", "1953-12-31", id="bad", date="1952-10-01"),
         term("CCC", "1953-01-01", "1953-12-31", id="good", date="1952-10-01")),
    case("exactly the seat limit", "elected-seats", "term_start", SEATED,
         [term("BBB", "1951-01-01", "1952-12-31", id="e-bbb"), term("CCC", "1952-01-01", "1953-12-31", id="bad", date="1951-10-01")],
         term("BBB", "1951-01-01", "1952-12-31", id="good")),
    case("seats shrunk below the seated members", "elected-seats", "term_start", SEATED + [term("BBB", "1951-01-01", "1952-12-31", id="e-bbb")],
         Enlargement(body="SC", elected_seats=1, date="1952-06-01", id="bad"),
         Enlargement(body="SC", elected_seats=1, date="1953-01-01", id="good")),
    case("seats filled before they exist", "elected-seats", "term_start",
         SEATED + [term("BBB", "1951-01-01", "1952-12-31", id="e-bbb"), Enlargement(body="SC", elected_seats=4, date="1953-01-01", id="enl")],
         term("CCC", "1952-12-31", "1953-12-31", id="bad", date="1952-10-01"),
         term("CCC", "1953-01-01", "1953-12-31", id="good", date="1952-10-01")),
    # -- states -----------------------------------------------------------------------
    case("a second statehood", "statehood-once", "state", [Statehood(state="SSD", name="South Sudan", date="2011-07-09", id="ssd")],
         Statehood(state="SSD", name="South Sudan", date="2012", id="bad"),
         Statehood(state="ERI", name="Eritrea", date="1993-05-24", id="good")),
    case("separation without a merger", "separate-after-merger", "member", MERGED,
         Separation(member="AAA", separated_from="UAR", date="1961-10-13", id="bad"),
         Separation(member="SYR", separated_from="UAR", date="1961-10-13", id="good")),
    case("merger of a state that is gone", "state-exists", "members", DISSOLVED,
         Merger(members=["CSK", "AAA"], into="AAA", date="1993-06-01", id="bad"),
         Merger(members=["CSK", "AAA"], into="AAA", date="1992-12-31", id="good")),
    case("dissolution of a state that is gone", "state-exists", "state", DISSOLVED,
         Dissolution(state="CSK", date="1993-01-01", id="bad"),
         Dissolution(state="AAA", date="1993-01-01", id="good")),
    case("continuation by a state already a member", "continue-once", "successor", [],
         Continuation(predecessor="AAA", successor="BBB", date="1991-12-24", id="bad"),
         [Statehood(state="RUS", name="Russian Federation", date="1991-12-24", id="rus"), Continuation(predecessor="AAA", successor="RUS", date="1991-12-24", id="good")]),
    case("continuation of a state that is gone", "state-exists", "predecessor", DISSOLVED,
         Continuation(predecessor="CSK", successor="CZE", date="1993-01-01", id="bad"),
         Continuation(predecessor="CSK", successor="CZE", date="1992-12-31", id="good")),
    case("a gone state cannot sign", "state-exists", "party", DISSOLVED,
         sign("CSK", "accession", "1993-01-01", id="bad"),
         sign("CSK", "accession", "1992-12-31", id="good")),
    case("a gone state cannot be elected", "state-exists", "member", DISSOLVED,
         term("CSK", "1993-01-01", "1994-12-31", id="bad", date="1993-01-01"),
         term("CSK", "1993-01-01", "1994-12-31", id="good", date="1992-12-31")),
    # -- instruments --------------------------------------------------------------------
    case("signing an unknown instrument", "instrument-open", "instrument", [],
         sign("AAA", "signature", "1950-02-01", id="bad", instrument="T9"),
         sign("AAA", "signature", "1950-02-01", id="good")),
    case("signing a terminated instrument", "instrument-open", "instrument", [Termination(instrument="T1", date="1960", id="end")],
         sign("AAA", "accession", "1961-01-01", id="bad"),
         sign("AAA", "accession", "1960-06-01", id="good")),
    case("terminating twice", "instrument-open", "instrument", [Termination(instrument="T1", date="1960-01-01", id="end")],
         Termination(instrument="T1", date="1960-01-01", id="bad"),
         Termination(instrument="T2", date="1960-01-01", id="good")),
    case("opening twice", "open-once", "instrument", [],
         Opening(instrument="T1", title="Treaty", date="1951", id="bad"),
         Opening(instrument="T3", title="Treaty", date="1951", id="good")),
    case("signature after closing", "open-for-signature", "date", [],
         sign("AAA", "signature", "1951-01-01", id="bad"),
         sign("AAA", "signature", "1950-12-31", id="good")),
    case("accession after closing is fine", "open-for-signature", "date", [],
         sign("BBB", "signature", "1951-01-01", id="bad"),
         sign("BBB", "accession", "1951-01-01", id="good")),
    case("a second signature", "sign-once", "act", [sign("AAA", "signature", "1950-03-01", id="s1")],
         sign("AAA", "signature", "1950-04-01", id="bad"),
         sign("BBB", "signature", "1950-04-01", id="good")),
    case("ratification without signature", "signature-before-ratification", "act", [],
         sign("AAA", "ratification", "1950-03-01", id="bad"),
         [sign("AAA", "signature", "1950-03-01", id="s1"), sign("AAA", "ratification", "1950-03-01", id="good")]),
    case("acceptance without signature, accession without", "signature-before-ratification", "act", [],
         sign("AAA", "acceptance", "1950-03-01", id="bad"),
         sign("AAA", "accession", "1950-03-01", id="good")),
    case("approval without signature, succession without", "signature-before-ratification", "act", [],
         sign("AAA", "approval", "1950-03-01", id="bad"),
         sign("AAA", "succession", "1950-03-01", id="good")),
    case("a second ratification", "consent-once", "act", [sign("AAA", "signature", "1950-03-01", id="s1"), sign("AAA", "ratification", "1950-06-01", id="r1")],
         sign("AAA", "ratification", "1951-06-01", id="bad"),
         [sign("AAA", "denunciation", "1955-01-01", id="d1"), sign("AAA", "accession", "1956-01-01", id="good")]),
    case("denunciation while not bound", "leave-when-bound", "act", [sign("AAA", "signature", "1950-03-01", id="s1")],
         sign("AAA", "denunciation", "1951-06-01", id="bad"),
         [sign("AAA", "ratification", "1951-06-01", id="r1"), sign("AAA", "denunciation", "1951-06-01", id="good")]),
    case("entry into force of a rule-bound instrument", "derived-entry-into-force", "instrument", [],
         EntryIntoForce(instrument="T1", date="1951", id="bad"),
         EntryIntoForce(instrument="T2", date="1951", id="good")),
    case("entry into force twice", "in-force-once", "instrument", [EntryIntoForce(instrument="T2", date="1951", id="eif")],
         EntryIntoForce(instrument="T2", date="1952", id="bad"),
         [Opening(instrument="T3", title="Declaration", date="1951", id="t3"), EntryIntoForce(instrument="T3", date="1952", id="good")]),
    # -- resolutions -------------------------------------------------------------------------
    case("a second resolution with one symbol", "symbol-unique", "symbol", [Adoption(body="SC", symbol="S/RES/822 (1993)", title="Armenia-Azerbaijan", date="1993-04-30", id="r822")],
         Adoption(body="SC", symbol="S/RES/822 (1993)", title="again", date="1993-07-29", id="bad"),
         Adoption(body="GA", symbol="S/RES/822 (1993)", title="another body's symbol", date="1993-07-29", id="good")),
    # -- the record: backfill, retractions, corrections ---------------------------------------------
    case("backfill that breaks a later election", "elected-member-belongs", "member", SEATED,
         Withdrawal(org="UN", member="AAA", date="1950-06-01", id="bad"),
         Withdrawal(org="UN", member="AAA", date="1951-01-02", id="good"), blamed="e-aaa"),
    case("retraction that breaks a later election", "elected-member-belongs", "member", SEATED,
         Retraction(target="adm-AAA", reason="wrong", id="bad"),
         [Retraction(target="e-aaa", reason="wrong", id="good1"), Retraction(target="adm-AAA", reason="wrong", id="good")], blamed="e-aaa"),
    case("correction that breaks a later election", "elected-member-belongs", "member", SEATED,
         Correction(target="adm-AAA", replacement=Admission(org="UN", member="AAA", date="1955", original=True), reason="date", id="bad"),
         Correction(target="adm-AAA", replacement=Admission(org="UN", member="AAA", date="1950-12-31", original=True), reason="date", id="good"), blamed="e-aaa"),
    case("retraction of an unknown event", "target-exists", "target", [],
         Retraction(target="nothing", reason="typo", id="bad"),
         Retraction(target="adm-CCC", reason="typo", id="good")),
    case("retraction of a retracted event", "target-exists", "target", [Retraction(target="adm-CCC", reason="typo", id="r1")],
         Retraction(target="adm-CCC", reason="again", id="bad"),
         Correction(target="adm-BBB", replacement=Admission(org="UN", member="BBB", date="1946", original=True), reason="date", id="good")),
]


def _ledger(path: Path, setup: tuple[Event, ...]) -> Ledger:
    ledger = Ledger.open(path)
    ledger.append(list(BASE + setup))
    return ledger


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_refused(log_path: Path, c: Case) -> None:
    ledger = _ledger(log_path, c.setup)
    for e in c.bad[:-1]:
        ledger.append(e)
    before = log_path.read_bytes()
    head = ledger.head
    with pytest.raises(RuleViolation) as info:
        ledger.append(c.bad[-1])
    error = info.value
    blamed = c.blamed or c.bad[-1].id
    assert (error.rule, error.field, error.event) == (c.rule, c.field, blamed), str(error)
    message = str(error)
    assert blamed in message and repr(c.field) in message
    if c.blamed is not None:  # a recorded event breaks: the message also names the append
        assert error.cause == c.bad[-1].id and c.bad[-1].id in message
    assert log_path.read_bytes() == before
    assert ledger.head == head and Ledger.open(log_path).head == head


@pytest.mark.parametrize("c", CASES, ids=[c.name for c in CASES])
def test_boundary_accepted(log_path: Path, c: Case) -> None:
    ledger = _ledger(log_path, c.setup)
    n = len(ledger)
    batch = list(c.good)
    ledger.append(batch if len(batch) > 1 else batch[0])
    assert len(ledger) == n + len(batch)
    assert naive_violation(e for _, e in naive_effective(ledger.records)) is None
    assert Ledger.open(log_path).verify() == ledger.head


# -- rules that are checks of the event itself ---------------------------------------------------


def test_term_end_must_be_after_term_start() -> None:
    with pytest.raises(InvalidEvent) as info:
        term("AAA", "2012-01-01", "2012-01-01", id="e1")
    assert (info.value.field, info.value.event) == ("term_end", "e1")
    with pytest.raises(InvalidEvent):
        term("AAA", "2012-01-01", "2011-12-31", id="e1")
    assert term("AAA", "2012-01-01", "2012-01-02", id="e1").term_end == term("AAA", "2011-01-01", "2012-01-02", id="e2").term_end
    # "2012" to "2012-12-31": the end may be after the start, which is enough.
    term("AAA", "2012", "2012-12-31", id="e3")


def test_votes_cannot_exceed_votes_cast() -> None:
    with pytest.raises(InvalidEvent) as info:
        Election(body="SC", member="AZE", term_start="2012", term_end="2013", date="2011-10-24", votes=156, votes_cast=155)
    assert info.value.field == "votes"
    Election(body="SC", member="AZE", term_start="2012", term_end="2013", date="2011-10-24", votes=155, votes_cast=155)


def test_a_refused_batch_writes_nothing_even_when_its_first_events_are_valid(log_path: Path) -> None:
    ledger = _ledger(log_path, ())
    before = log_path.read_bytes()
    with pytest.raises(RuleViolation) as info:
        ledger.append([Admission(org="UN", member="DDD", date="1950", id="ok"), Admission(org="UN", member="AAA", date="1950", id="bad")])
    assert info.value.event == "bad"
    assert log_path.read_bytes() == before and len(ledger) == len(BASE)
    assert [r.id for r in ledger.events(entity="DDD")] == []


def test_uncertain_facts_are_given_the_benefit_of_the_doubt(log_path: Path) -> None:
    """Rules refuse only what is certainly wrong: admitted "in 1992", a state
    may not yet be a member on 2 March 1992, so a second admission dated that
    day is accepted, and so is an election that day."""
    ledger = _ledger(log_path, ())
    ledger.append(Admission(org="UN", member="AZE", date="1992", id="aze"))
    ledger.append(term("AZE", "1993-01-01", "1994-12-31", id="e-aze", date="1992-03-02"))
    ledger.append(Establishment(entity="ILO", name="International Labour Organization", date="1919-06-28", id="ilo"))
    ledger.append(Admission(org="ILO", member="AZE", date="1992", id="aze-ilo"))
    with pytest.raises(RuleViolation):
        ledger.append(Admission(org="UN", member="AZE", date="1993-01-01", id="again"))


# -- checking a whole log written by another program ------------------------------


def _write_unchecked(path: Path, events: list) -> None:
    """A log with a valid hash chain whose events were never checked."""
    from unledger.log import GENESIS, encode_line

    prev, lines = GENESIS, []
    for seq, event in enumerate(events, 1):
        line, prev = encode_line(seq, prev, "2026-11-24T00:00:00.000000Z", event)
        lines.append(line)
    path.write_bytes(b"".join(lines))


def test_check_passes_a_valid_log_and_names_the_first_event_that_breaks(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from unledger.cli import cli

    good = [
        Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"),
        Admission(org="UN", member="ARM", date="1992-03-02", id="arm"),
        Admission(org="UN", member="AZE", date="1992-03-02", id="aze"),
    ]
    path = tmp_path / "good.jsonl"
    _write_unchecked(path, good)
    assert Ledger.open(path).check() == 3
    assert CliRunner().invoke(cli, ["--log", str(path), "verify", "--rules"]).exit_code == 0

    # Written out of date order: the second admission of ARM folds first, so
    # the one dated 1992-03-02 is the one that breaks.
    bad = [*good, Admission(org="UN", member="ARM", date="1991", id="arm-again")]
    path = tmp_path / "bad.jsonl"
    _write_unchecked(path, bad)
    ledger = Ledger.open(path)  # opening checks the chain, not the rules
    with pytest.raises(RuleViolation) as info:
        ledger.check()
    assert info.value.event is not None and "arm" in info.value.event and "arm-again" not in info.value.event
    result = CliRunner().invoke(cli, ["--log", str(path), "verify", "--rules"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "arm" in result.output and len(result.output.strip().splitlines()) == 1
