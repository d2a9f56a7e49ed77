"""Immutable state: what the fold builds, and the questions it answers.

:class:`World` is the folded data: a handful of persistent maps
(``immutables.Map``, a hash array mapped trie in C) so that each event makes a
new world sharing almost everything with the old one. Equal worlds compare
equal, whichever route (fold from scratch, checkpoint, cache) built them.

:class:`State` is a world seen on one day: the ledger's answer to "what was
true on D?". The same world answers for any day on or after the last event it
holds, so a checkpoint can serve many days. Every fact a query returns says
whether it is ``certain`` on that day (docs/concepts.md#partial-dates-and-certainty).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import attrs
import immutables

from .basis import Basis
from .dates import PartialDate, day_to_iso, first_day, to_day
from .errors import UnknownEntity
from .events.instruments import BINDING_ACTS, LEAVING_ACTS, EntryRule
from .events.resolutions import Tally

__all__ = [
    "World",
    "State",
    "Spell",
    "Term",
    "PermanentSeat",
    "BodyInfo",
    "InstrumentInfo",
    "Act",
    "Resolution",
    "Membership",
    "Seat",
    "Party",
    "InstrumentStatus",
    "EMPTY",
]

EMPTY: Final[immutables.Map[Any, Any]] = immutables.Map()


@attrs.frozen
class Spell:
    """A stretch of time something holds: a membership, or a state's existence.

    ``end`` is the first day it no longer holds (``None``: still holds).
    ``since`` is the date the organization counts the membership from, which
    survives withdrawals and returns, continuations and mergers.
    """

    start: PartialDate | None
    since: PartialDate | None
    how: str
    via: str | None
    end: PartialDate | None = None
    end_how: str | None = None
    end_to: str | None = None

    def holds(self, day: int) -> bool | None:
        """``True`` certain, ``False`` uncertain, ``None`` does not hold on ``day``."""
        certain = True
        start = self.start
        if start is not None:
            if day < start.earliest_day:
                return None
            certain = start.latest_day <= day
        end = self.end
        if end is not None:
            if end.latest_day <= day:
                return None
            if end.earliest_day <= day:
                certain = False
        return certain


@attrs.frozen
class Term:
    """An elected term on a body; ``end`` is inclusive, ``cut`` (if any) is
    the first day it no longer runs (an early end)."""

    elected: PartialDate
    start: PartialDate
    end: PartialDate
    via: str | None
    cut: PartialDate | None = None
    how: str = "elected"

    def seated(self, day: int) -> bool | None:
        start, end = self.start, self.end
        if day < start.earliest_day or day > end.latest_day:
            return None
        # Certain only if the election is certain too (a seat is never more
        # certain than the vote that gave it).
        certain = start.latest_day <= day and day <= end.earliest_day and self.elected.latest_day <= day
        cut = self.cut
        if cut is not None:
            if cut.latest_day <= day:
                return None
            if cut.earliest_day <= day:
                certain = False
        return certain

    def last_day(self) -> int:
        """Latest day the term may run."""
        if self.cut is not None:
            return min(self.end.latest_day, self.cut.latest_day - 1)
        return self.end.latest_day


@attrs.frozen
class PermanentSeat:
    member: str
    start: PartialDate
    end: PartialDate | None = None
    via: str | None = None

    def holds(self, day: int) -> bool | None:
        return Spell(self.start, self.start, "permanent", self.via, self.end).holds(day)


@attrs.frozen
class BodyInfo:
    """An organization or a body (a body has an ``org``)."""

    code: str
    org: str | None
    established: PartialDate
    seats: tuple[tuple[PartialDate, int | None], ...] = ()
    permanent: tuple[PermanentSeat, ...] = ()
    via: str | None = None

    def elected_seats(self, day: int) -> int | None:
        count: int | None = None
        for start, n in self.seats:
            if start.earliest_day <= day:
                count = n
        return count


@attrs.frozen
class InstrumentInfo:
    code: str
    title: str
    form: str
    opened: PartialDate
    rule: EntryRule
    closes: PartialDate | None = None
    in_force: PartialDate | None = None  # only for rule "event"
    terminated: PartialDate | None = None
    via: str | None = None
    open_for_signature: bool = True


@attrs.frozen
class Act:
    act: str
    date: PartialDate
    via: str | None


@attrs.frozen
class Resolution:
    body: str
    symbol: str
    title: str
    date: PartialDate
    meeting: str | None
    tally: Tally | None
    without_vote: bool
    votes: immutables.Map[str, str] | None
    subjects: tuple[str, ...]
    concerns: tuple[str, ...]
    id: str | None


_WORLD_FIELDS: Final = (
    "names",
    "existence",
    "bodies",
    "members",
    "governments",
    "terms",
    "instruments",
    "acts",
    "resolutions",
    "extra",
)


class World:
    """The folded data. Immutable; ``replace`` returns a new world that shares
    every untouched map with this one.

    - ``names``: code -> ((date, name), ...) in date order
    - ``existence``: code -> (Spell, ...) for states the record says began or ended
    - ``bodies``: code -> BodyInfo, organizations and their bodies
    - ``members``: org -> member -> (Spell, ...)
    - ``governments``: org -> member -> ((date, government), ...)
    - ``terms``: body -> member -> (Term, ...)
    - ``instruments``: code -> InstrumentInfo
    - ``acts``: instrument -> party -> (Act, ...)
    - ``resolutions``: body -> symbol -> Resolution
    - ``extra``: free slot for kinds defined outside unledger
    """

    __slots__ = _WORLD_FIELDS

    names: immutables.Map[str, tuple[tuple[PartialDate, str], ...]]
    existence: immutables.Map[str, tuple[Spell, ...]]
    bodies: immutables.Map[str, BodyInfo]
    members: immutables.Map[str, immutables.Map[str, tuple[Spell, ...]]]
    governments: immutables.Map[str, immutables.Map[str, tuple[tuple[PartialDate, str], ...]]]
    terms: immutables.Map[str, immutables.Map[str, tuple[Term, ...]]]
    instruments: immutables.Map[str, InstrumentInfo]
    acts: immutables.Map[str, immutables.Map[str, tuple[Act, ...]]]
    resolutions: immutables.Map[str, immutables.Map[str, Resolution]]
    extra: immutables.Map[str, Any]

    def __init__(self, **fields: Any) -> None:
        for name in _WORLD_FIELDS:
            object.__setattr__(self, name, fields.get(name, EMPTY))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("World is immutable; use replace()")

    def replace(self, **changes: Any) -> World:  # replaced below by _make_replace()
        new = object.__new__(World)
        for name in _WORLD_FIELDS:
            object.__setattr__(new, name, changes[name] if name in changes else getattr(self, name))
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, World):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in _WORLD_FIELDS)

    def __hash__(self) -> int:
        return hash(tuple(getattr(self, n) for n in _WORLD_FIELDS))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(getattr(self, n))}" for n in _WORLD_FIELDS)
        return f"World({sizes})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_world, (tuple(getattr(self, n) for n in _WORLD_FIELDS),))

    # -- helpers for reducers: one idea each --------------------------------

    def exists_status(self, code: str, day: int) -> bool | None:
        """Whether ``code`` exists on ``day``: True certain, False uncertain,
        None certainly not. States the record never saw begin or end exist."""
        spells = self.existence.get(code)
        if spells is None:
            return True
        for spell in reversed(spells):
            status = spell.holds(day)
            if status is not None:
                return status
        return None

    def membership(self, org: str, member: str, day: int) -> tuple[Spell | None, bool | None]:
        """The spell of ``member`` in ``org`` that holds on ``day``, and its certainty."""
        spells = self.members.get(org, EMPTY).get(member)
        if spells:
            for spell in reversed(spells):
                status = spell.holds(day)
                if status is not None:
                    return spell, status
        return None, None


def _make_replace() -> Any:
    """``World.replace`` as straight-line code over the slot descriptors.

    Every event of a fold makes a new world, so this is the hottest function
    of a cold open: the generic loop above costs about 1.2 us a call, this
    about 0.5 us. Same behaviour: unknown names are ignored, as before.
    """
    args = ", ".join(f"{name}=_KEEP" for name in _WORLD_FIELDS)
    body = [f"def replace(self, {args}, **_ignored):", "    new = _new(World)"]
    namespace: dict[str, Any] = {"_KEEP": object(), "_new": object.__new__, "World": World}
    for name in _WORLD_FIELDS:
        namespace[f"_set_{name}"] = World.__dict__[name].__set__
        body.append(f"    _set_{name}(new, self.{name} if {name} is _KEEP else {name})")
    body.append("    return new")
    exec("\n".join(body), namespace)  # noqa: S102 - built from the field names above
    replace = namespace["replace"]
    replace.__doc__ = "A new world with ``changes`` applied; every other map is shared."
    return replace


World.replace = _make_replace()  # type: ignore[method-assign]


def _rebuild_world(values: tuple[Any, ...]) -> World:
    return World(**dict(zip(_WORLD_FIELDS, values, strict=True)))


# -- answers ----------------------------------------------------------------


@attrs.frozen
class Membership:
    """``member`` belongs to ``org``: counted from ``since``; ``how`` is one
    of original, admitted, continuation, merger (or restored); ``start`` is
    when this stretch began and ``end`` when it ended (history only)."""

    org: str
    member: str
    since: PartialDate | None
    how: str
    start: PartialDate | None
    certain: bool
    name: str | None = None
    end: PartialDate | None = None
    end_how: str | None = None
    id: str | None = None


@attrs.frozen
class Seat:
    """``member`` on ``body``: ``kind`` permanent or elected; ``status``
    seated, or elected (not yet seated)."""

    body: str
    member: str
    kind: str
    status: str
    certain: bool
    since: PartialDate | None = None
    term_start: PartialDate | None = None
    term_end: PartialDate | None = None
    elected: PartialDate | None = None
    name: str | None = None
    id: str | None = None


@attrs.frozen
class Party:
    """``party``'s standing towards an instrument on the day asked."""

    instrument: str
    party: str
    signed: PartialDate | None
    consented: PartialDate | None
    act: str | None
    bound_from: PartialDate | None
    bound: bool
    certain: bool
    left: PartialDate | None = None
    id: str | None = None


@attrs.frozen
class InstrumentStatus:
    instrument: str
    title: str
    form: str
    status: str  # "open", "not yet in force", "in force", "terminated"
    certain: bool
    opened: PartialDate
    in_force_from: PartialDate | None
    terminated: PartialDate | None
    signatories: tuple[str, ...]
    parties: tuple[str, ...]


class State:
    """The ledger's answer on one day: a :class:`World` seen on ``day``.

    Create it with :meth:`unledger.Ledger.state`. Answers list certain and
    uncertain facts alike; each carries ``certain`` so callers can tell them
    apart (an uncertain fact is never reported as certain).
    """

    __slots__ = ("world", "day", "basis")

    def __init__(self, world: World, day: int) -> None:
        self.world = world
        self.day = day
        #: Which version of the log this answer was computed from (set by
        #: the ledger; not part of equality): see :mod:`unledger.basis`.
        self.basis: Basis | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, State):
            return NotImplemented
        return self.day == other.day and self.world == other.world

    def __hash__(self) -> int:
        return hash((self.day, self.world))

    def __repr__(self) -> str:
        return f"State(as_of={self.as_of!r}, {self.world!r})"

    @property
    def as_of(self) -> str:
        return day_to_iso(self.day)

    # -- names -------------------------------------------------------------

    def name(self, code: str) -> str | None:
        """``code``'s name on this day; before its first dated name, the first
        name known; ``None`` if the record names it nowhere."""
        names = self.world.names.get(code)
        if not names:
            return None
        # Names are kept in order of their earliest day (the reducers insert
        # them so): the last one begun by this day is the first found from
        # the end. Every member listed asks for its name: a hot path.
        day = self.day
        for date, name in reversed(names):
            if date.earliest_day <= day:
                return name
        return names[0][1]

    def names(self, code: str) -> tuple[tuple[PartialDate, str], ...]:
        """Every dated name of ``code`` the record holds up to this day."""
        return tuple(n for n in self.world.names.get(code, ()) if n[0].earliest_day <= self.day)

    def exists(self, code: str) -> bool | None:
        """True if ``code`` certainly exists on this day, False if it may not,
        None if it certainly does not."""
        return self.world.exists_status(code, self.day)

    # -- organizations and membership --------------------------------------

    def organizations(self) -> tuple[str, ...]:
        known = set(self.world.members.keys())
        known.update(code for code, info in self.world.bodies.items() if info.org is None)
        return tuple(sorted(known))

    def _require_org(self, org: str) -> None:
        if org not in self.world.members and org not in self.world.bodies:
            raise UnknownEntity("organization", org)

    def members(self, org: str) -> tuple[Membership, ...]:
        """Members of ``org`` on this day, sorted by code."""
        self._require_org(org)
        day = self.day
        out = []
        name = self.name
        # Positional construction, members in code order: this builds one
        # object per member on every query, the hot path of an as-of question.
        for member, spells in sorted(self.world.members.get(org, EMPTY).items()):
            for spell in reversed(spells):
                status = spell.holds(day)
                if status is not None:
                    out.append(Membership(org, member, spell.since, spell.how, spell.start, status, name(member), None, None, spell.via))
                    break
        return tuple(out)

    def count(self, org: str, *, certain_only: bool = False) -> int:
        """How many members ``org`` has on this day."""
        return sum(1 for m in self.members(org) if m.certain or not certain_only)

    def is_member(self, org: str, member: str) -> bool | None:
        """True certain, False uncertain, None not a member."""
        return self.world.membership(org, member, self.day)[1]

    def membership_history(self, entity: str) -> tuple[Membership, ...]:
        """Every stretch of membership of ``entity`` in any organization that
        began by this day, in date order; ``certain`` tells whether it holds
        (certainly) on this day."""
        day = self.day
        out = []
        for org, by_member in self.world.members.items():
            for spell in by_member.get(entity, ()):
                if spell.start is not None and spell.start.earliest_day > day:
                    continue
                status = spell.holds(day)
                end = spell.end if spell.end is not None and spell.end.earliest_day <= day else None
                out.append(
                    self._membership(org, entity, spell, bool(status), end=end, end_how=spell.end_how if end else None)
                )
        out.sort(key=lambda m: (m.start.earliest_day if m.start else 0, m.org))
        return tuple(out)

    def memberships(self, entity: str) -> tuple[Membership, ...]:
        """The organizations ``entity`` belongs to on this day."""
        day = self.day
        out = []
        for org in self.world.members.keys():
            spell, status = self.world.membership(org, entity, day)
            if spell is not None and status is not None:
                out.append(self._membership(org, entity, spell, status))
        out.sort(key=lambda m: m.org)
        return tuple(out)

    def _membership(self, org: str, member: str, spell: Spell, certain: bool, **kw: Any) -> Membership:
        return Membership(
            org=org,
            member=member,
            since=spell.since,
            how=spell.how,
            start=spell.start,
            certain=certain,
            name=self.name(member),
            id=spell.via,
            **kw,
        )

    def government(self, org: str, member: str) -> str | None:
        """Who represents ``member`` in ``org`` on this day, if recorded."""
        current = None
        for date, government in self.world.governments.get(org, EMPTY).get(member, ()):
            if date.earliest_day <= self.day:
                current = government
        return current

    # -- bodies and seats ----------------------------------------------------

    def body(self, code: str) -> BodyInfo:
        info = self.world.bodies.get(code)
        if info is None:
            raise UnknownEntity("body", code)
        return info

    def elected_seats(self, body: str) -> int | None:
        return self.body(body).elected_seats(self.day)

    def seats(self, body: str) -> tuple[Seat, ...]:
        """Who sits on ``body`` on this day: permanent members, then elected
        members (seated, or elected and not yet seated), by code."""
        if body not in self.world.bodies and body not in self.world.terms:
            raise UnknownEntity("body", body)
        day = self.day
        out = []
        info = self.world.bodies.get(body)
        if info is not None:
            for permanent in info.permanent:
                status = permanent.holds(day)
                if status is not None:
                    out.append(
                        Seat(body, permanent.member, "permanent", "seated", status, since=permanent.start,
                             name=self.name(permanent.member), id=permanent.via)
                    )
        elected: list[Seat] = []
        for member, terms in self.world.terms.get(body, EMPTY).items():
            for term in terms:
                seat = self._seat(body, member, term, day)
                if seat is not None:
                    elected.append(seat)
        out.sort(key=lambda s: s.member)
        elected.sort(key=lambda s: (s.status != "seated", s.member))
        return tuple(out) + tuple(elected)

    def _seat(self, body: str, member: str, term: Term, day: int) -> Seat | None:
        status = term.seated(day)
        if status is not None:
            label = "seated"
        elif term.elected.earliest_day <= day < term.start.earliest_day and (term.cut is None or day < term.cut.earliest_day):
            label, status = "elected", term.elected.latest_day <= day
        else:
            return None
        return Seat(
            body,
            member,
            "elected",
            label,
            status,
            since=term.start,
            term_start=term.start,
            term_end=term.end,
            elected=term.elected,
            name=self.name(member),
            id=term.via,
        )

    def seated(self, body: str) -> tuple[Seat, ...]:
        """Only the members actually seated on this day."""
        return tuple(s for s in self.seats(body) if s.status == "seated")

    def bodies_of(self, entity: str) -> tuple[Seat, ...]:
        """Every body ``entity`` sits on (or is elected to) on this day."""
        day = self.day
        out: list[Seat] = []
        for code, info in self.world.bodies.items():
            for permanent in info.permanent:
                status = permanent.holds(day)
                if permanent.member == entity and status is not None:
                    out.append(
                        Seat(code, entity, "permanent", "seated", status, since=permanent.start, name=self.name(entity), id=permanent.via)
                    )
        for body, by_member in self.world.terms.items():
            for term in by_member.get(entity, ()):
                seat = self._seat(body, entity, term, day)
                if seat is not None:
                    out.append(seat)
        out.sort(key=lambda s: s.body)
        return tuple(out)

    def terms(self, body: str, member: str | None = None) -> tuple[Seat, ...]:
        """Every term on ``body`` recorded by this day (optionally of one member),
        in term order, whether or not it runs on this day."""
        out = []
        for code, terms in self.world.terms.get(body, EMPTY).items():
            if member is not None and code != member:
                continue
            for term in terms:
                status = term.seated(self.day)
                label = "seated" if status is not None else ("elected" if self.day < term.start.earliest_day else "ended")
                out.append(
                    Seat(body, code, "elected", label, bool(status) if status is not None else term.end.latest_day < self.day,
                         since=term.start, term_start=term.start, term_end=term.end, elected=term.elected, name=self.name(code), id=term.via)
                )
        out.sort(key=lambda s: (s.term_start.earliest_day if s.term_start else 0, s.member))
        return tuple(out)

    # -- instruments -----------------------------------------------------------

    def instruments(self) -> tuple[str, ...]:
        return tuple(sorted(self.world.instruments.keys()))

    def instrument(self, code: str) -> InstrumentStatus:
        """The instrument's status on this day, derived from its rule."""
        info = self.world.instruments.get(code)
        if info is None:
            raise UnknownEntity("instrument", code)
        parties = self.parties(code, include_pending=True)
        eif = self._entry_into_force(info)
        day = self.day
        certain = True
        if info.terminated is not None and info.terminated.earliest_day <= day:
            status, certain = "terminated", info.terminated.latest_day <= day
        elif eif is not None and eif.earliest_day <= day:
            status, certain = "in force", eif.latest_day <= day
        elif info.closes is not None and info.closes.latest_day < day:
            status = "not yet in force"
        else:
            status = "open"
        return InstrumentStatus(
            instrument=code,
            title=info.title,
            form=info.form,
            status=status,
            certain=certain,
            opened=info.opened,
            in_force_from=eif if eif is not None and eif.earliest_day <= day else None,
            terminated=info.terminated if info.terminated is not None and info.terminated.earliest_day <= day else None,
            signatories=tuple(p.party for p in parties if p.signed is not None),
            parties=tuple(p.party for p in parties if p.bound),
        )

    def signatories(self, code: str) -> tuple[Party, ...]:
        return tuple(p for p in self.parties(code, include_pending=True) if p.signed is not None)

    def parties(self, code: str, *, include_pending: bool = False) -> tuple[Party, ...]:
        """Parties bound by the instrument on this day, with the day each is
        bound from; ``include_pending`` adds signatories and parties whose
        consent does not bind them yet."""
        info = self.world.instruments.get(code)
        if info is None:
            raise UnknownEntity("instrument", code)
        eif = self._entry_into_force(info)
        day = self.day
        days = info.rule.days or 0
        out = []
        for party, acts in self.world.acts.get(code, EMPTY).items():
            signed = consented = left = None
            act_name = None
            via = None
            for act in acts:
                if act.act == "signature" and signed is None:
                    signed = act.date
                    via = via or act.via
                elif act.act in BINDING_ACTS and (consented is None or left is not None):
                    # a first consent, or a new one after leaving (the rules allow it)
                    consented, act_name, via, left = act.date, act.act, act.via, None
                elif act.act in LEAVING_ACTS and consented is not None:
                    left = act.date
            bound_from = None
            if info.rule.rule == "on_signature":
                bound_from = signed if consented is None else _earlier(signed, consented)
                act_name = act_name or "signature"
            elif consented is not None:
                own = consented.shift_days(days) if info.rule.rule == "deposits" else consented
                bound_from = own if eif is None else _later(eif, own)
                if eif is None:
                    bound_from = None
            elif info.rule.rule == "event" and eif is not None and signed is not None and not self._has_binding_acts(code):
                bound_from, act_name = _later(eif, signed), "signature"
            bound = False
            certain = False
            if bound_from is not None and bound_from.earliest_day <= day:
                bound = True
                certain = bound_from.latest_day <= day
                if left is not None and left.earliest_day <= day:
                    if left.latest_day <= day:
                        bound = False
                    certain = False
            if info.terminated is not None and info.terminated.latest_day <= day:
                bound = False
            if bound or include_pending:
                out.append(Party(code, party, signed, consented, act_name, bound_from, bound, certain, left=left, id=via))
        out.sort(key=lambda p: p.party)
        return tuple(out)

    def _has_binding_acts(self, code: str) -> bool:
        return any(a.act in BINDING_ACTS for acts in self.world.acts.get(code, EMPTY).values() for a in acts)

    def _entry_into_force(self, info: InstrumentInfo) -> PartialDate | None:
        rule = info.rule
        acts = self.world.acts.get(info.code, EMPTY)
        if rule.rule == "event":
            return info.in_force
        if rule.rule == "on_signature":
            firsts = [a.date for party_acts in acts.values() for a in party_acts if a.act == "signature"]
            return min(firsts, key=lambda d: d.earliest_day) if firsts else None
        deposits = _first_deposits(acts)
        if rule.rule == "deposits":
            assert rule.count is not None
            if len(deposits) < rule.count:
                return None
            k = rule.count - 1
            kth_lo = sorted(d.earliest_day for d in deposits.values())[k]
            kth_hi = sorted(d.latest_day for d in deposits.values())[k]
            return PartialDate.span(kth_lo + (rule.days or 0), kth_hi + (rule.days or 0))
        # named_and_majority
        signatures = {p: a.date for p, party_acts in acts.items() for a in party_acts if a.act == "signature"}
        lo = _named_majority_day(rule.named, deposits, signatures, lambda d: d.earliest_day)
        hi = _named_majority_day(rule.named, deposits, signatures, lambda d: d.latest_day)
        if lo is None or hi is None:
            return None
        return PartialDate.span(lo, max(lo, hi))

    # -- resolutions -----------------------------------------------------------

    def resolutions(
        self,
        body: str | None = None,
        *,
        start: Any = None,
        end: Any = None,
        concerning: str | None = None,
        subject: str | None = None,
    ) -> tuple[Resolution, ...]:
        """Resolutions adopted by this day, filtered by body, a date range
        (partial dates allowed: ``start="1993"``), an entity they concern and
        a subject; in date order."""
        lo = None if start is None else first_day(start)
        hi = None if end is None else to_day(end)
        if body is not None and body not in self.world.resolutions and body not in self.world.bodies:
            raise UnknownEntity("body", body)
        sources: Iterable[immutables.Map[str, Resolution]] = (
            [self.world.resolutions.get(body, EMPTY)] if body is not None else self.world.resolutions.values()
        )
        out = []
        for by_symbol in sources:
            for res in by_symbol.values():
                if res.date.earliest_day > self.day:
                    continue
                if lo is not None and res.date.latest_day < lo:
                    continue
                if hi is not None and res.date.earliest_day > hi:
                    continue
                if concerning is not None and concerning not in res.concerns:
                    continue
                if subject is not None and subject.lower() not in (s.lower() for s in res.subjects):
                    continue
                out.append(res)
        out.sort(key=lambda r: (r.date.earliest_day, r.body, r.symbol))
        return tuple(out)

    def extra(self, key: str, default: Any = None) -> Any:
        """Data kept by a kind defined outside unledger (see :func:`unledger.register`)."""
        return self.world.extra.get(key, default)


def _first_deposits(acts: immutables.Map[str, tuple[Act, ...]]) -> dict[str, PartialDate]:
    out = {}
    for party, party_acts in acts.items():
        for act in party_acts:
            if act.act in BINDING_ACTS:
                out[party] = act.date
                break
    return out


def _named_majority_day(named: tuple[str, ...], deposits: dict[str, PartialDate], signatures: dict[str, PartialDate], day_of: Any) -> int | None:
    if any(n not in deposits for n in named):
        return None
    named_set = set(named)
    for candidate in sorted({day_of(d) for d in deposits.values()}):
        if any(day_of(deposits[n]) > candidate for n in named):
            continue
        others_signed = sum(1 for p, d in signatures.items() if p not in named_set and day_of(d) <= candidate)
        others_deposited = sum(1 for p, d in deposits.items() if p not in named_set and day_of(d) <= candidate)
        if others_deposited * 2 > others_signed:
            return candidate
    return None


def _later(a: PartialDate, b: PartialDate) -> PartialDate:
    if a.earliest_day == b.earliest_day and a.latest_day == b.latest_day:
        return a
    return PartialDate.span(max(a.earliest_day, b.earliest_day), max(a.latest_day, b.latest_day))


def _earlier(a: PartialDate | None, b: PartialDate) -> PartialDate:
    if a is None:
        return b
    if a.earliest_day <= b.earliest_day and a.latest_day <= b.latest_day:
        return a
    return PartialDate.span(min(a.earliest_day, b.earliest_day), min(a.latest_day, b.latest_day))
