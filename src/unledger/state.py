"""The queries: a :class:`State` is a world seen on one day.

:class:`State` is the ledger's answer to "what was true on D?". The same
world (:mod:`unledger.world`) answers for any day on or after the last event
it holds, so a checkpoint can serve many days. Every fact a query returns
(:mod:`unledger.answers`) says whether it is ``certain`` on that day
(docs/concepts.md#partial-dates-and-certainty).
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any

import immutables

from .answers import InstrumentStatus, Membership, MemberStatus, Party, Seat
from .basis import Basis
from .dates import DateLike, PartialDate, day_to_iso, first_day, to_day
from .errors import UnknownEntity
from .events.instruments import BINDING_ACTS
from .in_force import entry_into_force, status_on
from .lineage import Link, code_on, lineage
from .parties import parties_on
from .world import (
    EMPTY,
    Act,
    BodyInfo,
    CoverageInfo,
    InstrumentInfo,
    PermanentSeat,
    Resolution,
    Spell,
    Term,
    World,
    dated_on,
    fast_constructor,
    name_on,
)

# The world's records and the answers are re-exported: ``unledger.state`` was
# their home before the split.
__all__ = ["State", "World", "EMPTY", "Spell", "Term", "PermanentSeat", "BodyInfo", "CoverageInfo", "InstrumentInfo", "Act", "Resolution"]
__all__ += ["Membership", "Seat", "Party", "InstrumentStatus"]

# Answer rows are built positionally (attrs' frozen ``__init__`` costs more
# than the rest of a row), and a map's items sorted by their unique keys alone.
_membership_row, _seat_row = fast_constructor(Membership), fast_constructor(Seat)
_by_key = itemgetter(0)


class State:
    """The ledger's answer on one day: a :class:`World` seen on ``day``.

    Create it with :meth:`unledger.Ledger.state`. Answers list certain and
    uncertain facts alike; each carries ``certain`` so callers can tell them
    apart (an uncertain fact is never reported as certain).
    """

    __slots__ = ("world", "day", "basis", "links")

    def __init__(self, world: World, day: int, links: tuple[Link, ...] = ()) -> None:
        self.world = world
        self.day = day
        #: The record's continuations, from its whole timeline (not only up to
        #: ``day``): what :meth:`resolve` and :meth:`codes` follow.
        self.links = links
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
        name known; ``None`` if the record names it nowhere. ``code`` may be
        any of a state's codes (see :meth:`code`)."""
        found = self._name(code)
        if found is None and (other := self.code(code)) != code:
            return self._name(other)
        return found

    def _name(self, code: str) -> str | None:
        """The name of one of the record's own codes: what every answer row
        asks for, so it never looks further (see :meth:`name`)."""
        return name_on(self.world.names.get(code), self.day)

    def names(self, code: str) -> tuple[tuple[PartialDate, str], ...]:
        """Every dated name of ``code`` the record holds up to this day."""
        return tuple(n for n in self.world.names.get(self.code(code), ()) if n[0].earliest_day <= self.day)

    def code(self, code: str) -> str:
        """The record's own code for ``code``: ``code`` itself when the record
        knows it; otherwise the code the record knows for the same state
        under another of its codes (ISO 3166 alpha-2 or alpha-3, COW number
        or letters, any case, or a name: :mod:`unledger.crosswalk`), so
        ``code("RU")``, ``code("365")`` and ``code("rus")`` are ``"RUS"``
        where the record codes Russia ``RUS``. A code known nowhere comes
        back unchanged, for the query to answer as for any unknown code."""
        if self._knows(code):
            return code
        from . import crosswalk  # its table loads only when a query needs it

        other = crosswalk.resolve(code)
        return other if other != code and self._knows(other) else code

    def _knows(self, code: str) -> bool:
        world = self.world
        return (
            code in world.names
            or code in world.existence
            or code in world.members
            or code in world.bodies
            or code in world.instruments
            or any(code in by_member for by_member in world.members.values())
            or any(code in by_member for by_member in world.terms.values())
            or any(code in (old, new) for old, new, _ in self.links)
        )

    def resolve(self, code: str) -> str:
        """The code under which ``code``'s state is a member on this day: one
        member, one history (docs/concepts.md). ``resolve("SRB")`` in 2003
        is ``"SCG"`` (Serbia and Montenegro, continued by Serbia in 2006).
        ``code`` may be any of the state's codes (see :meth:`code`)."""
        return code_on(self.links, self.code(code), self.day)

    def codes(self, code: str) -> tuple[str, ...]:
        """Every code ``code``'s state has had, linked by continuations, oldest first."""
        return lineage(self.links, self.code(code))

    def exists(self, code: str) -> bool | None:
        """True if ``code`` certainly exists on this day, False if it may not,
        None if it certainly does not."""
        return self.world.exists_status(self.code(code), self.day)

    # -- what the record covers ----------------------------------------------

    def coverage(self, code: str, aspect: str | None = None) -> tuple[CoverageInfo, ...]:
        """What the record declares it covers of ``code`` (an organization, a
        body or an instrument) on this day: the latest declaration begun by
        this day for each aspect (only ``aspect`` if given). Empty when
        nothing is declared, which says nothing either way."""
        info: BodyInfo | InstrumentInfo | None = self.world.bodies.get(code) or self.world.instruments.get(code)
        latest: dict[str, CoverageInfo] = {}
        for item in info.coverage if info is not None else ():
            if item.since.earliest_day <= self.day and (aspect is None or item.aspect == aspect):
                latest[item.aspect] = item
        return tuple(latest[a] for a in sorted(latest))

    def partly_covered(self, code: str, aspect: str | None = None) -> tuple[CoverageInfo, ...]:
        """The declarations of :meth:`coverage` that say the record is partial."""
        return tuple(c for c in self.coverage(code, aspect) if not c.complete)

    # -- organizations and membership --------------------------------------

    def organizations(self) -> tuple[str, ...]:
        known = set(self.world.members.keys())
        known.update(code for code, info in self.world.bodies.items() if info.org is None)
        return tuple(sorted(known))

    def _require_org(self, org: str) -> None:
        if not self.is_organization(org):
            raise UnknownEntity("organization", org)

    # -- what the record knows of (whatever the day) ---------------------------

    def is_organization(self, code: str) -> bool:
        """Whether the record knows ``code`` as an organization or body."""
        return code in self.world.members or code in self.world.bodies

    def is_body(self, code: str) -> bool:
        """Whether ``code``'s establishment is recorded."""
        return code in self.world.bodies

    def is_instrument(self, code: str) -> bool:
        """Whether ``code``'s opening is recorded."""
        return code in self.world.instruments

    def body_codes(self) -> tuple[str, ...]:
        """Every established body, and every body with recorded terms."""
        return tuple(sorted(set(self.world.bodies.keys()) | set(self.world.terms.keys())))

    def seat_bodies(self) -> tuple[str, ...]:
        """Every body with elected terms or permanent seats."""
        return tuple(sorted(set(self.world.terms.keys()) | {c for c, i in self.world.bodies.items() if i.permanent}))

    def resolution_bodies(self) -> tuple[str, ...]:
        """Every body with adopted resolutions."""
        return tuple(sorted(self.world.resolutions.keys()))

    def named(self) -> tuple[str, ...]:
        """Every code the record gives a name."""
        return tuple(sorted(self.world.names.keys()))

    def membership_spells(self, org: str) -> tuple[Spell, ...]:
        """Every stretch of membership of every member of ``org``, whatever its dates."""
        return tuple(spell for spells in self.world.members.get(org, EMPTY).values() for spell in spells)

    def permanent_seats_of(self, entity: str) -> tuple[tuple[str, PermanentSeat], ...]:
        """``(body, seat)`` for every permanent seat ``entity`` ever held."""
        entity = self.code(entity)
        return tuple((code, seat) for code, info in self.world.bodies.items() for seat in info.permanent if seat.member == entity)

    def terms_of(self, entity: str) -> tuple[tuple[str, Term], ...]:
        """``(body, term)`` for every elected term of ``entity`` recorded."""
        entity = self.code(entity)
        return tuple((code, term) for code, by_member in self.world.terms.items() for term in by_member.get(entity, ()))

    def members(self, org: str) -> tuple[Membership, ...]:
        """Members of ``org`` on this day, sorted by code."""
        self._require_org(org)
        day = self.day
        names = self.world.names.get
        row = _membership_row
        out = []
        # One row per member on every query: the hot path of an as-of
        # question, so its lookups are bound once (the same row as
        # ``_membership`` builds).
        for member, spells in sorted(self.world.members.get(org, EMPTY).items(), key=_by_key):
            for spell in reversed(spells):
                status = spell.holds(day)
                if status is not None:
                    out.append(row(org, member, spell.since, spell.how, spell.start, status, name_on(names(member), day), None, None, spell.via))
                    break
        return tuple(out)

    def count(self, org: str, *, certain_only: bool = False) -> int:
        """How many members ``org`` has on this day."""
        return sum(1 for m in self.members(org) if m.certain or not certain_only)

    def is_member(self, org: str, member: str) -> MemberStatus:
        """Whether ``member`` belongs to ``org`` on this day:
        ``MemberStatus.MEMBER`` (certainly), ``UNCERTAIN`` (the source's
        date does not settle it on this day) or ``NOT_MEMBER``. The answer
        has no truth value (``if state.is_member(...)`` raises
        :class:`TypeError`): compare it with ``is``. ``member`` may be any
        code of the state's line (see :meth:`resolve`)."""
        return MemberStatus.of(self.world.membership(org, self.resolve(member), self.day)[1])

    def membership_history(self, entity: str) -> tuple[Membership, ...]:
        """Every stretch of membership of ``entity`` in any organization that
        began by this day, in date order; ``certain`` tells whether it holds
        (certainly) on this day. The history is the state's under every code
        of its line (:meth:`codes`): the USSR's, then the Russian Federation's."""
        day = self.day
        out = []
        for org, by_member in self.world.members.items():
            for code in self.codes(entity):
                for spell in by_member.get(code, ()):
                    if spell.start is not None and spell.start.earliest_day > day:
                        continue
                    status = spell.holds(day)
                    end = spell.end if spell.end is not None and spell.end.earliest_day <= day else None
                    out.append(self._membership(org, code, spell, bool(status), end=end, end_how=spell.end_how if end else None))
        out.sort(key=lambda m: (m.start.earliest_day if m.start else 0, m.org))
        return tuple(out)

    def memberships(self, entity: str) -> tuple[Membership, ...]:
        """The organizations ``entity`` (any code of its line) belongs to on this day."""
        day = self.day
        entity = self.resolve(entity)
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
            name=self._name(member),
            id=spell.via,
            **kw,
        )

    def government(self, org: str, member: str) -> str | None:
        """Who represents ``member`` in ``org`` on this day, if recorded."""
        return dated_on(self.world.governments.get(org, EMPTY).get(self.code(member), ()), self.day)

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
        members (seated, or elected and not yet seated), by code; each with
        the government that represents it in the body's organization, where
        the record names one."""
        world = self.world
        if body not in world.bodies and body not in world.terms:
            raise UnknownEntity("body", body)
        day = self.day
        info = world.bodies.get(body)
        org = info.org if info is not None else None
        governments = world.governments.get(org, EMPTY) if org is not None else EMPTY
        names = world.names.get
        out = []
        if info is not None:
            for permanent in info.permanent:
                status = permanent.holds(day)
                if status is not None:
                    member = permanent.member
                    # A permanent member may be known only by another of its
                    # codes: the public lookup follows it (a handful of rows).
                    government = self.government(org, member) if governments and org is not None else None
                    out.append(
                        _seat_row(body, member, "permanent", "seated", status, permanent.start, None, None, None,
                                  name_on(names(member), day), permanent.via, government)
                    )
        elected: list[Seat] = []
        for member, terms in world.terms.get(body, EMPTY).items():
            for term in terms:
                # Most terms of a long history are over or not yet voted on
                # this day: skip them before building anything (a necessary
                # condition of _seat's, so the answer is the same).
                if day > term.end.latest_day or (day < term.start.earliest_day and day < term.elected.earliest_day):
                    continue
                # An elected member is one of the record's own codes (it has
                # terms): its government is read directly.
                government = dated_on(governments.get(member, ()), day) if governments else None
                seat = self._seat(body, member, term, day, government)
                if seat is not None:
                    elected.append(seat)
        out.sort(key=lambda s: s.member)
        elected.sort(key=lambda s: (s.status != "seated", s.member))
        return tuple(out) + tuple(elected)

    def _seat(self, body: str, member: str, term: Term, day: int, government: str | None = None) -> Seat | None:
        status = term.seated(day)
        if status is not None:
            label = "seated"
        elif term.elected.earliest_day <= day < term.start.earliest_day and (term.cut is None or day < term.cut.earliest_day):
            label, status = "elected", term.elected.latest_day <= day
        else:
            return None
        return _seat_row(
            body, member, "elected", label, status, term.start, term.start, term.end, term.elected,
            name_on(self.world.names.get(member), day), term.via, government,
        )

    def seated(self, body: str) -> tuple[Seat, ...]:
        """Only the members actually seated on this day."""
        return tuple(s for s in self.seats(body) if s.status == "seated")

    def bodies_of(self, entity: str) -> tuple[Seat, ...]:
        """Every body ``entity`` (any code of its line) sits on (or is elected to) on this day."""
        day = self.day
        entity = self.resolve(entity)
        out: list[Seat] = []
        for code, info in self.world.bodies.items():
            for permanent in info.permanent:
                status = permanent.holds(day)
                if permanent.member == entity and status is not None:
                    out.append(
                        Seat(code, entity, "permanent", "seated", status, since=permanent.start, name=self._name(entity), id=permanent.via)
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
        member = self.code(member) if member is not None else None
        for code, terms in self.world.terms.get(body, EMPTY).items():
            if member is not None and code != member:
                continue
            for term in terms:
                status = term.seated(self.day)
                label = "seated" if status is not None else ("elected" if self.day < term.start.earliest_day else "ended")
                out.append(
                    Seat(body, code, "elected", label, bool(status) if status is not None else term.end.latest_day < self.day,
                         since=term.start, term_start=term.start, term_end=term.end, elected=term.elected, name=self._name(code), id=term.via)
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
        eif, day = self._entry_into_force(info), self.day
        status, certain = status_on(info, eif, day)
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
        consent does not bind them yet (and former parties). Parties follow
        states: see :mod:`unledger.parties`."""
        info = self.world.instruments.get(code)
        if info is None:
            raise UnknownEntity("instrument", code)
        eif = self._entry_into_force(info)
        has_binding_acts = info.rule.rule == "event" and self._has_binding_acts(code)
        return parties_on(self.world, self.day, info, eif, include_pending=include_pending, has_binding_acts=has_binding_acts)

    def _has_binding_acts(self, code: str) -> bool:
        return any(a.act in BINDING_ACTS for acts in self.world.acts.get(code, EMPTY).values() for a in acts)

    def _entry_into_force(self, info: InstrumentInfo) -> PartialDate | None:
        return entry_into_force(self.world, info)

    # -- resolutions -----------------------------------------------------------

    def resolutions(
        self,
        body: str | None = None,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
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
