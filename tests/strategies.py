"""Hypothesis strategies for unledger, and the naive oracle they are checked against.

``histories()`` draws a *valid* history: a plan of events in date order, built
against a small model of the world kept here, independently of unledger's
reducers (who exists, who belongs to which organization, who sits where and
for which term, which instruments are open and who is bound, which symbols
are taken). Every event of the plan satisfies the rules when the plan is
appended in order; shuffle ``history.events`` for other append orders. The
model is deliberately conservative where partial dates make a rule uncertain
(a term counts from the earliest day it may start to the latest day it may
end), so a plan event refused by unledger is a bug in unledger or in this
model, never noise.

Dates are partial (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``); with
``distinct=True`` no two events share an earliest day, so the fold order does
not depend on the append order (docs/concepts.md#backfill).

``refusals()`` draws a history and one event that breaks one rule, with the
error unledger must raise; ``malformed_dicts()`` draws JSON objects that are
not events. The oracle at the end folds from scratch with no index, cache or
checkpoint: ``naive_effective``, ``naive_world``, ``naive_violation``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from unledger import (
    Admission,
    Adoption,
    Cessation,
    Continuation,
    Correction,
    Coverage,
    Dissolution,
    Election,
    Enlargement,
    EntryIntoForce,
    EntryRule,
    Establishment,
    Event,
    Merger,
    Opening,
    Renaming,
    Representation,
    Retraction,
    Return,
    Separation,
    Signing,
    Statehood,
    Tally,
    Termination,
    Withdrawal,
)
from unledger.dates import PartialDate, parse_date
from unledger.errors import InvalidEvent, RuleViolation
from unledger.events.instruments import ACTS, FORMS
from unledger.events.registry import kind_class, kinds
from unledger.events.statuses import CLOSURES, STATUSES, Closure, MembershipStatus
from unledger.events.votes import ROLL_CALL_VOTES, RollCall
from unledger.log import Record
from unledger.reducers import fold
from unledger.rules import check, seat_limit_violation
from unledger.state import State, World

#: Every kind unledger ships, from the registry (user-defined kinds registered by tests are not here).
BUILTIN_KINDS = tuple(name for name, cls in kinds().items() if cls.__module__.startswith("unledger.events."))
#: The kinds a history holds (retractions and corrections are drawn by the tests that need them).
FACT_KINDS = tuple(name for name in BUILTIN_KINDS if not kind_class(name).meta)
MEMBERSHIP_KINDS = frozenset({"admission", "withdrawal", "return", "cessation", "merger", "separation", "dissolution", "continuation"})

# -- dates ------------------------------------------------------------------------

MIN_YEAR, MAX_YEAR = 1, 9999


def _iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


@st.composite
def date_texts(draw: Any, min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> str:
    """A valid partial date as its source would write it."""
    precision = draw(st.sampled_from(("year", "month", "day")))
    year = draw(st.integers(min_year, max_year))
    if precision == "year":
        return f"{year:04d}"
    month = draw(st.integers(1, 12))
    if precision == "month":
        return f"{year:04d}-{month:02d}"
    day = draw(st.integers(1, calendar.monthrange(year, month)[1]))
    return f"{year:04d}-{month:02d}-{day:02d}"


def partial_dates(min_year: int = MIN_YEAR, max_year: int = MAX_YEAR) -> st.SearchStrategy[PartialDate]:
    return date_texts(min_year, max_year).map(parse_date)


def _date_on_or_after(day: int, precision: str) -> PartialDate:
    """The first date of ``precision`` whose earliest day is >= ``day``."""
    d = dt.date.fromordinal(day)
    if precision == "day":
        return parse_date(d.isoformat())
    if precision == "month":
        if d.day != 1:
            d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return parse_date(f"{d.year:04d}-{d.month:02d}")
    if (d.month, d.day) != (1, 1):
        d = dt.date(d.year + 1, 1, 1)
    return parse_date(f"{d.year:04d}")


_PRECISIONS = st.sampled_from(("day", "day", "day", "month", "year"))


# -- small values ---------------------------------------------------------------------

#: Free text of every kind (no lone surrogates: JSON cannot carry them).
texts = st.text(max_size=30)
short_names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=12)
_CODE_FIRST = st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")).filter(lambda c: not c.isspace())
_CODE_REST = st.characters(blacklist_categories=("Cc", "Cs"))
#: Document symbols ("A/RES/46/230"): any text without control characters or a leading space.
symbols = st.builds(lambda a, b: a + b, _CODE_FIRST, st.text(alphabet=_CODE_REST, max_size=8))
#: Entity codes, as events.base.CODE_PATTERN allows them.
codes = st.from_regex(r"[A-Z][A-Z0-9-]{1,8}", fullmatch=True)
ids = st.builds(
    lambda a, b: a + b,
    st.sampled_from("ABCxyz0189"),
    st.text(alphabet="abcXYZ0129._:/()-", max_size=12),
)
#: Whole numbers JSON (and orjson) can carry exactly.
counts = st.one_of(st.integers(0, 500), st.just(2**63 - 1))


def _tally() -> st.SearchStrategy[Tally]:
    return st.builds(Tally, yes=counts, no=counts, abstain=counts, not_voting=st.none() | counts)


# -- the model a history is built against ---------------------------------------------------


@attrs.define
class MSpell:
    """Membership of one state in one organization, as the model sees it."""

    open: bool = True
    ended_how: str | None = None
    ended_to: str | None = None


@attrs.define
class MBody:
    org: str
    established: PartialDate
    seats: int | None
    permanent: set[str] = attrs.Factory(set)
    permanent_ever: set[str] = attrs.Factory(set)
    #: member -> [[first day it may run, last day it may run], ...]
    terms: dict[str, list[list[int]]] = attrs.Factory(dict)

    def coverage(self, lo: int, hi: int | None) -> int:
        """Most terms that may run on one day of [lo, hi] (hi None: forever)."""
        spans = [span for spans in self.terms.values() for span in spans]
        days = {lo} | {s for s, _ in spans if s >= lo and (hi is None or s <= hi)}
        return max((sum(1 for s, e in spans if s <= d <= e) for d in days), default=0)


@attrs.define
class MInstrument:
    rule: EntryRule
    closes: PartialDate | None
    open_for_signature: bool = True
    terminated: bool = False
    in_force: bool = False
    signed: set[str] = attrs.Factory(set)
    bound: set[str] = attrs.Factory(set)


@attrs.define
class Model:
    """What the history has made true so far (at its latest date)."""

    day: int
    orgs: dict[str, PartialDate] = attrs.Factory(dict)
    bodies: dict[str, MBody] = attrs.Factory(dict)
    alive: set[str] = attrs.Factory(set)
    #: States whose existence the record dates (statehood, merger, continuation).
    dated: set[str] = attrs.Factory(set)
    #: state -> (how it ended, into what)
    gone: dict[str, tuple[str, str | None]] = attrs.Factory(dict)
    members: dict[str, dict[str, MSpell]] = attrs.Factory(dict)
    instruments: dict[str, MInstrument] = attrs.Factory(dict)
    symbols: dict[str, int] = attrs.Factory(dict)
    serial: int = 0
    reserved: list[str] = attrs.Factory(list)

    def fresh(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial:02d}"

    def fresh_state(self) -> str:
        return self.reserved.pop(0) if self.reserved else self.fresh("N")

    def is_member(self, org: str, state: str) -> bool:
        spell = self.members.get(org, {}).get(state)
        return spell is not None and spell.open

    def open_orgs(self, state: str) -> list[str]:
        return [org for org, by_state in self.members.items() if state in by_state and by_state[state].open]

    def live_terms(self, state: str, day: int) -> list[tuple[str, list[int]]]:
        return [(code, span) for code, body in self.bodies.items() for span in body.terms.get(state, ()) if span[1] >= day]

    def permanent_anywhere(self, state: str) -> bool:
        return any(state in body.permanent for body in self.bodies.values())

    def close(self, state: str, how: str, to: str | None) -> None:
        for by_state in self.members.values():
            spell = by_state.get(state)
            if spell is not None and spell.open:
                by_state[state] = MSpell(False, how, to)

    def hand_over(self, old: str, new: str, date: PartialDate) -> None:
        """Terms and permanent seats of ``old`` go to ``new`` from ``date``
        (a continuation, or a merger into ``new``)."""
        for body in self.bodies.values():
            moved = []
            for span in body.terms.get(old, ()):
                if span[1] >= date.earliest_day:
                    moved.append([max(span[0], date.earliest_day), span[1]])
                    span[1] = max(span[0], min(span[1], date.latest_day - 1))
            if moved:
                body.terms.setdefault(new, []).extend(moved)
            if old in body.permanent:
                body.permanent.discard(old)
                body.permanent.add(new)
                body.permanent_ever.add(new)

    def end_state(self, state: str, how: str, to: str | None) -> None:
        self.alive.discard(state)
        self.gone[state] = (how, to)


@attrs.frozen
class History:
    """A valid plan: ``events`` in an order in which every append succeeds."""

    events: tuple[Event, ...]
    model: Model
    distinct: bool

    def kinds(self) -> set[str]:
        return {e.kind for e in self.events}

    @property
    def last_day(self) -> int:
        return max((e.date.latest_day for e in self.events), default=self.model.day)

    def days(self) -> list[int]:
        """Days worth asking about: every edge of every date in the history."""
        out = set()
        for e in self.events:
            for d in _dates_of(e):
                out.update((d.earliest_day - 1, d.earliest_day, d.latest_day, d.latest_day + 1))
        return sorted(out)


def _dates_of(e: Event) -> list[PartialDate]:
    out = [e.date]
    for name in ("term_start", "term_end", "closes"):
        value = getattr(e, name, None)
        if isinstance(value, PartialDate):
            out.append(value)
    return out


# -- one generator per kind: each returns an event valid on ``date``, or None ---------------

Gen = Any  # (draw, model, date, envelope) -> Event | None


def _establish_org(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if len(m.orgs) >= 3:
        return None
    code = m.fresh("ORG")
    m.orgs[code] = date
    m.members[code] = {}
    m.symbols[code] = 0
    return Establishment(entity=code, name=draw(short_names), **env)


def _establish_body(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if not m.orgs or len(m.bodies) >= 4:
        return None
    org = draw(st.sampled_from(sorted(m.orgs)))
    seats = draw(st.one_of(st.none(), st.integers(1, 4), st.integers(1, 4)))
    permanent = draw(st.lists(st.sampled_from(sorted(m.alive)), max_size=2, unique=True)) if m.alive else []
    code = m.fresh(f"{org}-B")
    m.bodies[code] = MBody(org, date, seats, set(permanent), set(permanent))
    m.symbols[code] = 0
    return Establishment(entity=code, name=draw(short_names), org=org, elected_seats=seats, permanent_members=permanent, **env)


def _enlargement(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if not m.bodies:
        return None
    code = draw(st.sampled_from(sorted(m.bodies)))
    body = m.bodies[code]
    needed = body.coverage(date.earliest_day, None)
    seats = draw(st.integers(max(needed, 0), needed + 3))
    body.seats = seats
    return Enlargement(body=code, elected_seats=seats, **env)


def _term(draw: Any, date: PartialDate) -> tuple[PartialDate, PartialDate]:
    start = _date_on_or_after(date.earliest_day + draw(st.integers(0, 200)), draw(st.sampled_from(("day", "day", "day", "month"))))
    length = draw(st.integers(180, 1100))
    end = _date_on_or_after(start.latest_day + length, draw(st.sampled_from(("day", "day", "day", "month", "year"))))
    return start, end


def _election(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    electable = sorted(code for code, body in m.bodies.items() if body.seats)
    if not electable:
        return None
    code = draw(st.sampled_from(electable))
    body = m.bodies[code]
    start, end = _term(draw, date)
    lo, hi = start.earliest_day, end.latest_day
    if body.coverage(lo, hi) + 1 > body.seats:  # type: ignore[operator]
        return None
    candidates = sorted(
        s
        for s in m.alive
        if m.is_member(body.org, s)
        and s not in body.permanent_ever
        and not any(a <= hi and lo <= b for a, b in body.terms.get(s, ()))
    )
    if not candidates:
        return None
    member = draw(st.sampled_from(candidates))
    body.terms.setdefault(member, []).append([lo, hi])
    votes = draw(st.none() | st.integers(0, 190))
    cast = None if votes is None else draw(st.none() | st.integers(votes, 193))
    return Election(body=code, member=member, term_start=start, term_end=end, votes=votes, votes_cast=cast, **env)


def _representation(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    pairs = sorted((org, s) for org, by in m.members.items() for s, spell in by.items() if spell.open and s in m.alive)
    if not pairs:
        return None
    org, member = draw(st.sampled_from(pairs))
    return Representation(org=org, member=member, government=draw(short_names), **env)


def _admission(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    pairs = []
    for org, established in m.orgs.items():
        may_be_original = date.earliest_day <= established.latest_day + 366
        if established.latest_day > date.earliest_day and not may_be_original:
            continue
        pairs += [(org, s) for s in m.alive if not m.is_member(org, s)]
    if not pairs:
        return None
    org, member = draw(st.sampled_from(sorted(pairs)))
    established = m.orgs[org]
    original = True if established.latest_day > date.earliest_day else draw(st.booleans()) and date.earliest_day <= established.latest_day + 366
    m.members[org][member] = MSpell()
    return Admission(
        org=org,
        member=member,
        original=original,
        name=draw(st.none() | short_names),
        recommended_by=draw(st.none() | st.just(f"S/RES/{m.serial}")),
        decided_by=draw(st.none() | st.just(f"A/RES/{m.serial}")),
        **env,
    )


def _leaving(kind: type[Event]) -> Gen:
    def gen(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
        pairs = sorted((org, s) for org, by in m.members.items() for s, spell in by.items() if spell.open and s in m.alive)
        if not pairs:
            return None
        org, member = draw(st.sampled_from(pairs))
        m.members[org][member] = MSpell(False, kind.kind, None)
        return kind(org=org, member=member, **env)

    return gen


def _return(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    pairs = sorted(
        (org, s)
        for org, by in m.members.items()
        for s, spell in by.items()
        if not spell.open and spell.ended_how in ("withdrawal", "cessation") and s in m.alive
    )
    if not pairs:
        return None
    org, member = draw(st.sampled_from(pairs))
    m.members[org][member] = MSpell()
    return Return(org=org, member=member, **env)


def _statehood(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    code = m.fresh_state()
    m.alive.add(code)
    m.dated.add(code)
    return Statehood(state=code, name=draw(short_names), **env)


def _renaming(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    known = sorted(m.alive | set(m.orgs) | set(m.bodies))
    if not known:
        return None
    return Renaming(entity=draw(st.sampled_from(known)), name=draw(short_names), **env)


def _merger(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    candidates = sorted(s for s in m.alive if not m.permanent_anywhere(s))
    if len(candidates) < 2:
        return None
    members = draw(st.lists(st.sampled_from(candidates), min_size=2, max_size=3, unique=True))
    if sum(1 for s in members if m.live_terms(s, date.earliest_day)) > 1:
        return None  # two sets of terms could overlap once joined
    into = draw(st.sampled_from(members)) if draw(st.booleans()) else m.fresh_state()
    for org, by_state in m.members.items():
        if any(s in by_state and by_state[s].open for s in members):
            for s in members:
                if s != into and s in by_state and by_state[s].open:
                    by_state[s] = MSpell(False, "merger", into)
            if not m.is_member(org, into):
                by_state[into] = MSpell()
    for s in members:
        if s != into:
            m.hand_over(s, into, date)
            m.end_state(s, "merger", into)
    if into not in members:
        m.alive.add(into)
        m.dated.add(into)
    return Merger(members=members, into=into, name=draw(st.none() | short_names), **env)


def _separation(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    pairs = sorted((s, to) for s, (how, to) in m.gone.items() if how == "merger" and to in m.alive)
    if not pairs:
        return None
    member, union = draw(st.sampled_from(pairs))
    del m.gone[member]
    m.alive.add(member)
    m.dated.add(member)
    for by_state in m.members.values():
        spell = by_state.get(member)
        if spell is not None and not spell.open and spell.ended_how == "merger" and spell.ended_to == union:
            by_state[member] = MSpell()
    return Separation(member=member, separated_from=union, name=draw(st.none() | short_names), **env)


def _dissolution(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if not m.alive:
        return None
    state = draw(st.sampled_from(sorted(m.alive)))
    successors = [m.fresh("N") for _ in range(draw(st.integers(0, 2)))]
    m.reserved.extend(successors)  # they may come to exist later, by statehood
    m.close(state, "dissolution", None)
    for body in m.bodies.values():
        body.permanent.discard(state)
    m.end_state(state, "dissolution", None)
    return Dissolution(state=state, successors=successors, **env)


def _continuation(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if not m.alive:
        return None
    old = draw(st.sampled_from(sorted(m.alive)))
    new = m.fresh_state()
    for org in m.open_orgs(old):
        m.members[org][old] = MSpell(False, "continuation", new)
        m.members[org][new] = MSpell()
    m.hand_over(old, new, date)
    m.end_state(old, "continuation", new)
    m.alive.add(new)
    m.dated.add(new)
    return Continuation(predecessor=old, successor=new, name=draw(st.none() | texts), **env)


def _opening(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if len(m.instruments) >= 3:
        return None
    which = draw(st.sampled_from(("deposits", "named_and_majority", "on_signature", "event")))
    if which == "deposits":
        rule = EntryRule(rule="deposits", count=draw(st.integers(1, 3)), days=draw(st.none() | st.integers(0, 90)))
    elif which == "named_and_majority":
        if not m.alive:
            return None
        rule = EntryRule(rule="named_and_majority", named=draw(st.lists(st.sampled_from(sorted(m.alive)), min_size=1, max_size=2, unique=True)))
    else:
        rule = EntryRule(rule=which)
    closes = None
    if draw(st.booleans()):
        closes = _date_on_or_after(date.latest_day + draw(st.integers(0, 1500)), draw(_PRECISIONS))
    signed_by_states = draw(st.sampled_from((True, True, True, False)))
    code = m.fresh("T")
    m.instruments[code] = MInstrument(rule, closes, open_for_signature=signed_by_states)
    constitutes = draw(st.none() | st.sampled_from(sorted(m.orgs))) if m.orgs else None
    return Opening(
        instrument=code, title=draw(texts), form=draw(st.sampled_from(FORMS)), entry_into_force=rule, closes=closes,
        open_for_signature=signed_by_states, constitutes=constitutes, **env,
    )


def _signing(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    options = []
    for code, inst in m.instruments.items():
        if inst.terminated:
            continue
        for party in m.alive:
            signable = inst.open_for_signature and (inst.closes is None or date.earliest_day <= inst.closes.latest_day)
            if party not in inst.signed and signable:
                options.append((code, party, "signature"))
            if party in inst.bound:
                options += [(code, party, "withdrawal"), (code, party, "denunciation")]
            else:
                options += [(code, party, "accession"), (code, party, "succession")]
                if party in inst.signed or not inst.open_for_signature:
                    options += [(code, party, a) for a in ("ratification", "ratification", "acceptance", "approval")]
    if not options:
        return None
    code, party, act = draw(st.sampled_from(sorted(options)))
    inst = m.instruments[code]
    if act == "signature":
        inst.signed.add(party)
    elif act in ("withdrawal", "denunciation"):
        inst.bound.discard(party)
    else:
        inst.bound.add(party)
    return Signing(instrument=code, party=party, act=act, **env)


def _entry_into_force(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    codes_ = sorted(c for c, i in m.instruments.items() if i.rule.rule == "event" and not i.in_force and not i.terminated)
    if not codes_:
        return None
    code = draw(st.sampled_from(codes_))
    m.instruments[code].in_force = True
    return EntryIntoForce(instrument=code, **env)


def _termination(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    codes_ = sorted(c for c, i in m.instruments.items() if not i.terminated)
    if not codes_:
        return None
    code = draw(st.sampled_from(codes_))
    m.instruments[code].terminated = True
    return Termination(instrument=code, **env)


SUBJECTS = ("peace", "refugees", "Disarmament", "admission", "budget")


def _adoption(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if not m.symbols:
        return None
    body = draw(st.sampled_from(sorted(m.symbols)))
    m.symbols[body] += 1
    org = m.bodies[body].org if body in m.bodies else body
    voters = sorted(s for s, spell in m.members.get(org, {}).items() if spell.open)
    how = draw(st.sampled_from(("tally", "without_vote", "unrecorded")))
    votes = None
    if voters and how == "tally" and draw(st.booleans()):
        votes = draw(st.dictionaries(st.sampled_from(voters), st.sampled_from(("yes", "no", "abstain", "absent")), max_size=4))
    return Adoption(
        body=body,
        symbol=f"{body}/RES/{m.symbols[body]}",
        title=draw(texts),
        meeting=draw(st.none() | st.just(f"{m.symbols[body]}th meeting")),
        tally=draw(_tally()) if how == "tally" else None,
        without_vote=how == "without_vote",
        votes=votes,
        subjects=draw(st.lists(st.sampled_from(SUBJECTS), max_size=2, unique=True)),
        concerns=draw(st.lists(st.sampled_from(sorted(m.alive | set(m.gone))), max_size=2, unique=True)) if m.alive else [],
        **env,
    )


def _coverage(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    choices = [(code, aspect) for code in sorted(m.orgs) for aspect in ("membership", "resolutions")]
    choices += [(code, aspect) for code in sorted(m.bodies) for aspect in ("seats", "resolutions")]
    choices += [(code, "parties") for code in sorted(m.instruments)]
    if not choices:
        return None
    entity, aspect = draw(st.sampled_from(choices))
    extent = draw(st.sampled_from(("complete", "partial")))
    return Coverage(entity=entity, aspect=aspect, extent=extent, statement=f"{extent} record of {entity}", **env)


# -- dataset kinds: roll calls, membership statuses, closures ---------------------------------

ROLL_CALL_SUBJECTS = ("me", "nu", "di", "co", "hr", "ec")
_FLAGS = st.none() | st.booleans()


def _roll_call(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    voters = sorted(m.alive)
    m.serial += 1
    rcid = m.serial
    return RollCall(
        body=draw(st.sampled_from(("UNGA", "GA-1"))),
        rcid=rcid,
        session=draw(st.none() | st.integers(1, 80)),
        symbol=draw(st.none() | st.just(f"R/{rcid}/1")),
        un_symbol=draw(st.none() | st.just(f"A/RES/{rcid}(I)")),
        title=draw(st.none() | texts),
        description=draw(st.none() | texts),
        amendment=draw(_FLAGS),
        paragraph=draw(_FLAGS),
        important=draw(_FLAGS),
        subjects=draw(st.lists(st.sampled_from(ROLL_CALL_SUBJECTS), max_size=2, unique=True)),
        votes=draw(st.dictionaries(st.sampled_from(voters), st.sampled_from(ROLL_CALL_VOTES), max_size=4)) if voters else {},
        **env,
    )


def _membership_status(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    if not m.alive:
        return None
    return MembershipStatus(
        org=draw(st.sampled_from(("COW-A", "COW-B"))), member=draw(st.sampled_from(sorted(m.alive))), status=draw(st.sampled_from(STATUSES)), **env
    )


def _closure(draw: Any, m: Model, date: PartialDate, env: dict[str, Any]) -> Event | None:
    return Closure(org=draw(st.sampled_from(("COW-A", "COW-B"))), how=draw(st.sampled_from(CLOSURES)), **env)


GENERATORS: dict[str, Gen] = {
    "establishment": None,  # split in two below
    "enlargement": _enlargement,
    "election": _election,
    "representation": _representation,
    "admission": _admission,
    "withdrawal": _leaving(Withdrawal),
    "cessation": _leaving(Cessation),
    "return": _return,
    "statehood": _statehood,
    "renaming": _renaming,
    "merger": _merger,
    "separation": _separation,
    "dissolution": _dissolution,
    "continuation": _continuation,
    "opening": _opening,
    "signing": _signing,
    "entry_into_force": _entry_into_force,
    "termination": _termination,
    "adoption": _adoption,
    "coverage": _coverage,
    "roll_call": _roll_call,
    "membership_status": _membership_status,
    "closure": _closure,
}
del GENERATORS["establishment"]
GENERATORS["establishment_org"] = _establish_org
GENERATORS["establishment_body"] = _establish_body
#: How often each step is tried; the common kinds of real records weigh most.
WEIGHTS = {
    "admission": 6,
    "election": 6,
    "signing": 6,
    "adoption": 3,
    "establishment_body": 2,
    "opening": 2,
    "withdrawal": 2,
    "return": 2,
    "entry_into_force": 4,
    "separation": 2,
}
_STEP_NAMES = tuple(name for name in GENERATORS for _ in range(WEIGHTS.get(name, 1)))


def _next_date(draw: Any, m: Model, distinct: bool) -> PartialDate:
    gap = draw(st.one_of(st.integers(1 if distinct else 0, 40), st.integers(1 if distinct else 0, 900)))
    return _date_on_or_after(m.day + gap, draw(_PRECISIONS))


@st.composite
def histories(
    draw: Any,
    *,
    min_events: int = 1,
    max_events: int = 40,
    distinct: bool = False,
    id_prefix: str = "ev",
    only: Iterable[str] | None = None,
) -> History:
    """A valid history of ``min_events`` to ``max_events`` events (plus a
    short founding prologue: an organization, a body, founding members).

    ``only`` limits the random steps to some generator names (see ``GENERATORS``).
    """
    start = draw(st.integers(1900, 1990))
    m = Model(day=dt.date(start, 1, 1).toordinal())
    m.alive.update(f"S{n:02d}" for n in range(1, draw(st.integers(3, 7)) + 1))
    events: list[Event] = []

    def add(event: Event | None) -> None:
        if event is not None:
            events.append(event)
            m.day = event.date.earliest_day

    def env(date: PartialDate) -> dict[str, Any]:
        return {
            "date": date,
            "id": f"{id_prefix}{len(events) + 1:03d}",
            "source": draw(st.none() | st.sampled_from(("UN doc", "Yearbook 1992", "«Annuaire»"))),
            "note": draw(st.none() | texts),
        }

    # Prologue: most real histories start with an organization, its first
    # members and a body; steps below may add more of each.
    date = _next_date(draw, m, distinct)
    add(_establish_org(draw, m, date, env(date)))
    for state in sorted(m.alive)[: draw(st.integers(0, 4))]:
        date = date if not distinct else _next_date(draw, m, True)
        org = next(iter(m.orgs))
        m.members[org][state] = MSpell()
        add(Admission(org=org, member=state, original=True, **env(date)))
    if draw(st.booleans()):
        date = _next_date(draw, m, distinct)
        add(_establish_body(draw, m, date, env(date)))

    names = tuple(only) if only is not None else _STEP_NAMES
    target = draw(st.integers(min_events, max_events))
    while len(events) < target:
        date = _next_date(draw, m, distinct)
        for _ in range(6):
            name = draw(st.sampled_from(names))
            event = GENERATORS[name](draw, m, date, env(date))
            if event is not None:
                add(event)
                break
        else:
            add(_statehood(draw, m, date, env(date)))
    return History(tuple(events), m, distinct)


# -- refusals: one rule broken --------------------------------------------------------


@attrs.frozen
class Refusal:
    """An append that must be refused: ``events`` (one event, or a batch)
    must raise ``error`` naming ``event`` (an id) and ``field``."""

    history: History
    events: tuple[Event, ...]
    error: type[Exception]
    rule: str | None
    field: str | None
    event: str | None


@st.composite
def refusals(draw: Any, *, distinct: bool = False, max_events: int = 30) -> Refusal:
    """A valid history and an append that breaks exactly one rule."""
    h = draw(histories(min_events=5, max_events=max_events, distinct=distinct))
    m = h.model
    after = _date_on_or_after(h.last_day + draw(st.integers(1, 400)), draw(_PRECISIONS))
    base = {"date": after, "id": "bad"}
    options: list[tuple[tuple[Event, ...], type[Exception], str | None, str | None]] = []

    def refuse(event: Event, rule: str | None, field: str | None, error: type[Exception] = RuleViolation) -> None:
        options.append(((event,), error, rule, field))

    # membership
    open_pairs = sorted((org, s) for org, by in m.members.items() for s, spell in by.items() if spell.open and s in m.alive)
    never = sorted((org, s) for org in m.orgs for s in m.alive if s not in m.members[org])
    if open_pairs:
        org, s = draw(st.sampled_from(open_pairs))
        refuse(Admission(org=org, member=s, **base), "no-readmission", "member")
        refuse(Return(org=org, member=s, **base), "return-after-leaving", "member")
    if never:
        org, s = draw(st.sampled_from(never))
        refuse(Withdrawal(org=org, member=s, **base), "withdraw-member", "member")
        refuse(Cessation(org=org, member=s, **base), "cease-member", "member")
        refuse(Representation(org=org, member=s, government="x", **base), "represent-member", "member")
    gone = sorted(m.gone)
    if gone and m.orgs:
        s = draw(st.sampled_from(gone))
        org = draw(st.sampled_from(sorted(m.orgs)))
        refuse(Admission(org=org, member=s, **base), "state-exists", "member")
        refuse(Dissolution(state=s, **base), "state-exists", "state")
        refuse(Continuation(predecessor=s, successor="ZZZ", **base), "state-exists", "predecessor")
    for _org, by_state in sorted(m.members.items()):
        both = sorted(s for s, spell in by_state.items() if spell.open and s in m.alive)
        if len(both) >= 2:
            old, new = draw(st.lists(st.sampled_from(both), min_size=2, max_size=2, unique=True))
            refuse(Continuation(predecessor=old, successor=new, **base), "continue-once", "successor")
            break
    dated_alive = sorted(m.dated & m.alive)
    if dated_alive:
        refuse(Statehood(state=draw(st.sampled_from(dated_alive)), name="again", **base), "statehood-once", "state")
    if m.alive:
        refuse(Separation(member=draw(st.sampled_from(sorted(m.alive))), separated_from="NOWHERE", **base), "separate-after-merger", "member")
    # bodies
    known = sorted(set(m.orgs) | set(m.bodies))
    if known:
        refuse(Establishment(entity=draw(st.sampled_from(known)), name="again", **base), "establish-once", "entity")
    refuse(Establishment(entity="NEW", name="orphan", org="NO-SUCH-ORG", **base), "body-of-known-org", "org")
    refuse(Enlargement(body="NO-SUCH-BODY", elected_seats=3, **base), "body-established", "body")
    if m.alive:
        term = {"term_start": after.following(), "term_end": after.following().following().following()}
        refuse(Election(body="NO-SUCH-BODY", member=sorted(m.alive)[0], **term, **base), "body-established", "body")
        for code, body in sorted(m.bodies.items()):
            outsiders = sorted(s for s in m.alive if not m.is_member(body.org, s))
            if outsiders:
                refuse(Election(body=code, member=draw(st.sampled_from(outsiders)), **term, **base), "elected-member-belongs", "member")
            perm = sorted(s for s in body.permanent if m.is_member(body.org, s))
            if perm:
                refuse(Election(body=code, member=perm[0], **term, **base), "permanent-not-elected", "member")
            for member, spans in sorted(body.terms.items()):
                if m.is_member(body.org, member) and member in m.alive and member not in body.permanent_ever:
                    # a term that certainly overlaps the member's last one
                    last = max(spans, key=lambda s: s[1])
                    if last[1] >= after.latest_day + 2:
                        start = parse_date(_iso(after.latest_day + 1))
                        end = parse_date(_iso(last[1] + 400))
                        refuse(Election(body=code, member=member, term_start=start, term_end=end, **base), "no-overlapping-terms", "term_start")
    # instruments
    refuse(Signing(instrument="NO-SUCH-TREATY", party="S01", act="signature", **base), "instrument-open", "instrument")
    for code, inst in sorted(m.instruments.items()):
        refuse(Opening(instrument=code, title="again", **base), "open-once", "instrument")
        if inst.terminated:
            refuse(Termination(instrument=code, **base), "instrument-open", "instrument")
            if m.alive:
                refuse(Signing(instrument=code, party=sorted(m.alive)[0], act="accession", **base), "instrument-open", "instrument")
            continue
        if inst.rule.rule != "event":
            refuse(EntryIntoForce(instrument=code, **base), "derived-entry-into-force", "instrument")
        elif inst.in_force:
            refuse(EntryIntoForce(instrument=code, **base), "in-force-once", "instrument")
        for party in sorted(m.alive):
            if party not in inst.signed and party not in inst.bound:
                if inst.open_for_signature:
                    refuse(Signing(instrument=code, party=party, act="ratification", **base), "signature-before-ratification", "act")
                else:
                    refuse(Signing(instrument=code, party=party, act="signature", **base), "open-for-signature", "act")
                refuse(Signing(instrument=code, party=party, act="denunciation", **base), "leave-when-bound", "act")
            if party in inst.signed:
                refuse(Signing(instrument=code, party=party, act="signature", **base), "sign-once", "act")
            if party in inst.bound:
                refuse(Signing(instrument=code, party=party, act="accession", **base), "consent-once", "act")
        for party in gone:
            refuse(Signing(instrument=code, party=party, act="accession", **base), "state-exists", "party")
        unsigned = sorted(p for p in m.alive if p not in inst.signed)
        if inst.open_for_signature and inst.closes is not None and inst.closes.latest_day < after.earliest_day and unsigned:
            refuse(Signing(instrument=code, party=unsigned[0], act="signature", **base), "open-for-signature", "date")
    # resolutions
    for e in h.events:
        if isinstance(e, Adoption):
            refuse(Adoption(body=e.body, symbol=e.symbol, title="again", **base), "symbol-unique", "symbol")
            break
    # meta and envelope
    refuse(Retraction(target="NO-SUCH-EVENT", reason="typo", id="bad"), "target-exists", "target")
    refuse(attrs.evolve(h.events[-1], note="other content"), None, "id", InvalidEvent)  # same id, other content
    choice = draw(st.sampled_from(options))
    events, error, rule, field = choice
    return Refusal(h, events, error, rule, field, events[-1].id)


# -- malformed JSON objects ------------------------------------------------------------------

_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.text(max_size=10))
json_values = st.recursive(
    _json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)

BAD_DATES = ("1992-02-30", "1992-13", "1992-00", "0000", "92", "1992-1-01", "", " 1992", "1992-02-29T00:00", "1900-02-29", "ninety")


@st.composite
def malformed_dicts(draw: Any, events: st.SearchStrategy[Event]) -> tuple[dict[str, Any], str | None]:
    """A JSON object that is not a valid event, and the field to blame (None
    when no one field is)."""
    from unledger.codec import event_to_dict

    obj = event_to_dict(draw(events))
    fields = [k for k in obj if k not in ("kind", "v")]
    how = draw(st.sampled_from(("drop", "unknown", "retype", "bad_date", "kind", "no_kind", "version")))
    if how == "drop":
        spec = attrs.fields_dict(kind_class(obj["kind"]))
        # only fields without a default (a roll call's symbol is optional; an adoption's is not)
        required = [
            k for k in ("date", "org", "member", "body", "instrument", "entity", "state", "symbol", "target")
            if k in obj and k in spec and spec[k].default is attrs.NOTHING
        ]
        if required:
            key = draw(st.sampled_from(required))
            del obj[key]
            return obj, key
        how = "unknown"
    if how == "unknown":
        key = draw(st.sampled_from(("colour", "Member", "dates", "seq2")))
        obj[key] = draw(_json_scalars)
        return obj, None
    if how == "retype":
        key = draw(st.sampled_from(fields))
        value = obj[key]
        wrong = draw(
            st.sampled_from(
                [v for v in (5, 2.5, True, None, [value], {"x": value}, "text") if type(v) is not type(value) and not (v is None and key in ("source", "note", "id"))]
            )
        )
        optional = key in ("source", "note", "id") or getattr(attrs.fields_dict(kind_class(obj["kind"])).get(key), "default", attrs.NOTHING) is None
        if (optional or key in ("name", "meeting", "recommended_by", "decided_by", "closes", "votes", "votes_cast", "tally", "elected_seats")) and wrong is None:
            wrong = 2.5
        obj[key] = wrong
        return obj, key
    if how == "bad_date":
        date_keys = [k for k in ("date", "term_start", "term_end", "closes") if k in obj]
        key = draw(st.sampled_from(date_keys))
        obj[key] = draw(st.sampled_from(BAD_DATES))
        return obj, key
    if how == "kind":
        obj["kind"] = draw(st.sampled_from(("admissions", "Admission", "", "treaty")))
        return obj, "kind"
    if how == "no_kind":
        del obj["kind"]
        return obj, "kind"
    obj["v"] = draw(st.sampled_from((0, -1, "1", 1.5, 99)))
    return obj, "v"


# -- arbitrary well-formed events of every kind (for the codec) -------------------------------


def _env() -> dict[str, Any]:
    return {
        "date": partial_dates(),
        "id": st.none() | ids,
        "source": st.none() | texts,
        "note": st.none() | texts,
    }


def _codes_list(min_size: int = 0, max_size: int = 3) -> st.SearchStrategy[list[str]]:
    return st.lists(codes, min_size=min_size, max_size=max_size, unique=True)


@st.composite
def _election_any(draw: Any) -> Election:
    start = draw(partial_dates(max_year=9000))
    end = _date_on_or_after(start.latest_day + draw(st.integers(1, 4000)), draw(_PRECISIONS))
    votes = draw(st.none() | counts)
    cast = None if votes is None else draw(st.none() | st.integers(votes, 2**63 - 1))
    return Election(body=draw(codes), member=draw(codes), term_start=start, term_end=end, votes=votes, votes_cast=cast, **{k: draw(v) for k, v in _env().items()})


@st.composite
def _establishment_any(draw: Any) -> Establishment:
    entity = draw(codes)
    org = draw(st.none() | codes.filter(lambda c: c != entity))
    seats = draw(st.none() | counts) if org else None
    permanent = draw(_codes_list()) if org else []
    return Establishment(entity=entity, name=draw(texts), org=org, elected_seats=seats, permanent_members=permanent, **{k: draw(v) for k, v in _env().items()})


@st.composite
def _opening_any(draw: Any) -> Opening:
    date = draw(partial_dates(max_year=9000))
    which = draw(st.sampled_from(("deposits", "named_and_majority", "on_signature", "event")))
    rule = EntryRule(
        rule=which,
        count=draw(st.integers(1, 200)) if which == "deposits" else draw(st.none() | st.integers(1, 5)),
        days=draw(st.none() | counts),
        named=draw(_codes_list(min_size=1)) if which == "named_and_majority" else draw(_codes_list()),
    )
    closes = draw(st.none() | st.integers(0, 3000).map(lambda n: _date_on_or_after(date.latest_day + n, "day")))
    env = {k: draw(v) for k, v in _env().items() if k != "date"}
    return Opening(
        instrument=draw(codes), title=draw(texts), form=draw(st.sampled_from(FORMS)), entry_into_force=rule, closes=closes,
        open_for_signature=draw(st.booleans()), constitutes=draw(st.none() | codes), date=date, **env,
    )


@st.composite
def _adoption_any(draw: Any) -> Adoption:
    without = draw(st.booleans())
    return Adoption(
        body=draw(codes),
        symbol=draw(symbols),
        title=draw(texts),
        meeting=draw(st.none() | texts),
        tally=None if without else draw(st.none() | _tally()),
        without_vote=without,
        votes=draw(st.none() | st.dictionaries(codes, st.sampled_from(("yes", "no", "abstain", "absent")), max_size=3)),
        subjects=draw(st.lists(st.text(min_size=1, max_size=20), max_size=3)),
        concerns=draw(_codes_list()),
        **{k: draw(v) for k, v in _env().items()},
    )


def _two_codes(cls: type[Event], a: str, b: str, **extra: st.SearchStrategy[Any]) -> st.SearchStrategy[Event]:
    return st.tuples(codes, codes).filter(lambda p: p[0] != p[1]).flatmap(
        lambda p: st.builds(cls, **{a: st.just(p[0]), b: st.just(p[1])}, **extra, **_env())
    )


_FACTS: dict[str, st.SearchStrategy[Event]] = {
    "admission": st.builds(
        Admission,
        org=codes,
        member=codes,
        original=st.booleans(),
        name=st.none() | texts,
        recommended_by=st.none() | symbols,
        decided_by=st.none() | symbols,
        **_env(),
    ),
    "withdrawal": st.builds(Withdrawal, org=codes, member=codes, **_env()),
    "return": st.builds(Return, org=codes, member=codes, **_env()),
    "cessation": st.builds(Cessation, org=codes, member=codes, **_env()),
    "establishment": _establishment_any(),
    "enlargement": st.builds(Enlargement, body=codes, elected_seats=counts, **_env()),
    "election": _election_any(),
    "representation": st.builds(Representation, org=codes, member=codes, government=texts, **_env()),
    "statehood": st.builds(Statehood, state=codes, name=texts, **_env()),
    "renaming": st.builds(Renaming, entity=codes, name=texts, **_env()),
    "merger": st.builds(Merger, members=_codes_list(2, 4), into=codes, name=st.none() | texts, **_env()),
    "separation": _two_codes(Separation, "member", "separated_from", name=st.none() | texts),
    "dissolution": st.builds(Dissolution, state=codes, successors=_codes_list(), **_env()),
    "continuation": _two_codes(Continuation, "predecessor", "successor", name=st.none() | texts),
    "opening": _opening_any(),
    "signing": st.builds(Signing, instrument=codes, party=codes, act=st.sampled_from(ACTS), **_env()),
    "entry_into_force": st.builds(EntryIntoForce, instrument=codes, **_env()),
    "termination": st.builds(Termination, instrument=codes, **_env()),
    "adoption": _adoption_any(),
    "coverage": st.builds(
        Coverage,
        entity=codes,
        aspect=st.sampled_from(("membership", "seats", "parties", "resolutions")),
        extent=st.sampled_from(("complete", "partial")),
        statement=texts,
        **_env(),
    ),
    "roll_call": st.builds(
        RollCall,
        body=codes,
        rcid=st.integers(1, 10_000),
        session=st.none() | st.integers(1, 80),
        symbol=st.none() | codes,
        un_symbol=st.none() | codes,
        title=st.none() | texts,
        description=st.none() | texts,
        amendment=_FLAGS,
        paragraph=_FLAGS,
        important=_FLAGS,
        subjects=st.lists(st.sampled_from(ROLL_CALL_SUBJECTS), max_size=3, unique=True),
        votes=st.dictionaries(codes, st.sampled_from(ROLL_CALL_VOTES), max_size=3),
        **_env(),
    ),
    "membership_status": st.builds(MembershipStatus, org=codes, member=codes, status=st.sampled_from(STATUSES), **_env()),
    "closure": st.builds(Closure, org=codes, how=st.sampled_from(CLOSURES), **_env()),
}
facts_any = st.one_of(*_FACTS.values())
_META = {
    "retraction": st.builds(Retraction, target=ids, reason=texts, **_env()),
    "correction": st.builds(Correction, target=ids, replacement=facts_any, reason=texts, **_env()),
}
#: A well-formed event of any built-in kind, with arbitrary field values.
EVENTS_BY_KIND: dict[str, st.SearchStrategy[Event]] = {**_FACTS, **_META}
any_events = st.one_of(*EVENTS_BY_KIND.values())


# -- the oracle: fold from scratch ---------------------------------------------------------------

Key = tuple[int, int]


def naive_effective(records: Iterable[Record]) -> list[tuple[Key, Event]]:
    """The events in the record after ``records`` (log order), sorted in fold
    order: retractions remove their target, a correction puts its
    replacement at the correction's seq (docs/concepts.md#corrections)."""
    current: dict[str, tuple[Key, Event]] = {}
    for r in records:
        e = r.event
        if isinstance(e, (Retraction, Correction)):
            current.pop(e.target, None)
            if isinstance(e, Correction):
                rep = e.replacement
                current[rep.id or e.target] = ((rep.date.earliest_day, r.seq), rep)
        else:
            current[e.id] = ((e.date.earliest_day, r.seq), e)  # type: ignore[index]
    return sorted(current.values(), key=lambda p: p[0])


def naive_world(records: Sequence[Record], day: int) -> World:
    """docs/concepts.md#the-fold by the letter: fold every event whose earliest day is <= day,
    in (earliest day, seq) order, from an empty world."""
    return fold(e for (d, _), e in naive_effective(records) if d <= day)


def on(day: int) -> dt.date:
    """The day with ordinal ``day``, as ``Ledger.state`` takes it (an ``int`` is a year)."""
    return dt.date.fromordinal(day)


def naive_state(records: Sequence[Record], day: int) -> State:
    return State(naive_world(records, day), day)


def naive_violation(events: Iterable[Event]) -> RuleViolation | None:
    """The first rule an event breaks when ``events`` (in fold order) are
    checked one by one from an empty world, or a body over its seats."""
    world = World()
    for e in events:
        try:
            check(world, e)
        except RuleViolation as exc:
            return exc
        world = fold([e], world)
    for body in world.bodies:
        if seat_limit_violation(world, body) is not None:
            return RuleViolation("over its seats", event=body, rule="elected-seats")
    return None


def records_of(events: Iterable[Event], start_seq: int = 1) -> list[Record]:
    """Stand-in records for events appended in this order (no file needed)."""
    return [Record(seq, "", e, "", "") for seq, e in enumerate(events, start_seq)]


def interesting_days(events: Iterable[Event]) -> list[int]:
    """Every edge of every date the events carry, and the day either side."""
    out = set()
    for e in events:
        for d in _dates_of(e):
            out.update((d.earliest_day - 1, d.earliest_day, d.latest_day, d.latest_day + 1))
    return sorted(out)
