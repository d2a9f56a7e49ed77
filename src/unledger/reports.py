"""Reports over the ledger's states: what changed between two days
(:func:`diff`) and how an organization grew (:func:`member_counts`).

Each takes what it reads as arguments (states, a timeline), never a ledger:
:class:`~unledger.ledger.Ledger` picks the states for the days and the
knowledge time asked and calls these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import attrs

from .dates import PartialDate, as_year, day_to_iso, parse_date, this_year
from .errors import InvalidEvent, PartialCoverage, UnknownEntity, UnledgerError
from .state import State
from .world import EMPTY, World

__all__ = ["Change", "Diff", "diff", "date_of_change", "member_counts"]


@attrs.frozen
class Change:
    """One line of a :class:`Diff`: what changed for ``entity`` in ``where``,
    and on which ``date`` (as precise as the record; ``None`` if it does not say)."""

    what: str
    where: str
    entity: str
    detail: str | None = None
    date: PartialDate | None = None


@attrs.frozen
class Diff:
    """What changed between two days (``start`` exclusive, ``end`` inclusive)."""

    start: str
    end: str
    joined: tuple[Change, ...] = ()
    left: tuple[Change, ...] = ()
    seated: tuple[Change, ...] = ()
    unseated: tuple[Change, ...] = ()
    signed: tuple[Change, ...] = ()
    bound: tuple[Change, ...] = ()
    in_force: tuple[Change, ...] = ()
    adopted: tuple[Change, ...] = ()
    #: A member represented by another government (China, 25 October 1971),
    #: in its organization and on the bodies where it sits.
    represented: tuple[Change, ...] = ()

    def changes(self) -> tuple[Change, ...]:
        return (
            self.joined + self.left + self.seated + self.unseated + self.represented + self.signed + self.bound + self.in_force + self.adopted
        )


def diff(a: State, b: State, *, org: str | None = None) -> Diff:
    """What changed after ``a``'s day up to ``b``'s: members who joined or
    left, seats taken or given up, changes of representation, signatures,
    parties bound, instruments in force, resolutions adopted, each with the
    date it happened (:func:`date_of_change`). ``org`` limits it to one
    organization and its bodies. A range that ends before it starts is
    refused (:class:`~unledger.errors.InvalidEvent`)."""
    if b.day < a.day:
        raise InvalidEvent(f"the range ends ({b.as_of}) before it starts ({a.as_of})", field="d2")
    joined, left = _membership_changes(a, b, org)
    seated, unseated = _seat_changes(a, b, org)
    signed, bound, in_force = _instrument_changes(a, b) if org is None else ((), (), ())
    groups = (joined, left, seated, unseated, signed, bound, in_force, _adopted(a, b, org), _represented(a, b, org))
    dated = (tuple(attrs.evolve(c, date=date_of_change(c.what, c.where, c.entity, a, b)) for c in group) for group in groups)
    return Diff(a.as_of, b.as_of, *dated)


def date_of_change(what: str, where: str, entity: str, before: State, after: State) -> PartialDate | None:
    """When ``entity`` ``what`` (joined, left, seated, unseated, represented,
    signed, bound, in force, adopted) ``where``, between the days of ``before`` and
    ``after``, as the worlds on either side tell: a membership's start or
    end, a term's start or the day after it (or its early end), a signature,
    the day a party is bound, an entry into force, an adoption, a change of
    representation. As precise
    as the record; ``None`` if it does not say."""
    lo, hi = before.day, after.day
    if what == "joined":
        spell = after.world.membership(where, entity, hi)[0]
        return spell.start if spell is not None else None
    if what == "left":
        for spell in after.world.members.get(where, EMPTY).get(entity, ()):
            if spell.end is not None and lo < spell.end.latest_day and spell.end.earliest_day <= hi:
                return spell.end
        return None
    if what == "seated":
        return next((s.term_start or s.since for s in after.seats(where) if s.member == entity), None)
    if what == "unseated":
        return _unseated_on(where, entity, lo, hi, after)
    if what in ("signed", "bound"):
        party = next((p for p in after.parties(where, include_pending=True) if p.party == entity), None)
        if party is None:
            return None
        return party.signed if what == "signed" else party.bound_from
    if what == "in force":
        return after.instrument(where).in_force_from
    if what == "adopted":
        resolution = after.world.resolutions.get(where, EMPTY).get(entity)
        return resolution.date if resolution is not None else None
    if what == "represented":
        org = where if where in after.world.governments else _org_of(after, where)
        dates = [d for d, _ in after.world.governments.get(org or "", EMPTY).get(entity, ()) if lo < d.earliest_day <= hi]
        return dates[-1] if dates else None
    return None


def _unseated_on(body: str, member: str, lo: int, hi: int, after: State) -> PartialDate | None:
    info = after.world.bodies.get(body)
    if info is not None:
        for permanent in info.permanent:
            if permanent.member == member and permanent.end is not None and lo < permanent.end.latest_day <= hi + 1:
                return permanent.end
    for term in after.world.terms.get(body, EMPTY).get(member, ()):
        if term.cut is not None and lo < term.cut.latest_day and term.cut.earliest_day <= hi:
            return term.cut
        if lo <= term.end.latest_day < hi:
            return term.end.following()
    return None


Changes = tuple[Change, ...]


def _gained_and_lost(what: tuple[str, str], where: str, before: set[str], after: set[str]) -> tuple[Changes, Changes]:
    gained = tuple(Change(what[0], where, m) for m in sorted(after - before))
    lost = tuple(Change(what[1], where, m) for m in sorted(before - after))
    return gained, lost


def _membership_changes(a: State, b: State, org: str | None) -> tuple[Changes, Changes]:
    joined: Changes = ()
    left: Changes = ()
    for code in sorted(set(a.organizations()) | set(b.organizations())):
        if org is not None and code != org:
            continue
        before = {m.member for m in a.members(code)} if a.is_organization(code) else set()
        after = {m.member for m in b.members(code)}
        gained, lost = _gained_and_lost(("joined", "left"), code, before, after)
        joined, left = joined + gained, left + lost
    return joined, left


def _seat_changes(a: State, b: State, org: str | None) -> tuple[Changes, Changes]:
    seated: Changes = ()
    unseated: Changes = ()
    for body in b.seat_bodies():
        if org is not None and _org_of(b, body) != org:
            continue
        before = {s.member for s in _safe_seated(a, body)}
        after = {s.member for s in _safe_seated(b, body)}
        gained, lost = _gained_and_lost(("seated", "unseated"), body, before, after)
        seated, unseated = seated + gained, unseated + lost
    return seated, unseated


def _represented(a: State, b: State, org: str | None) -> Changes:
    """A member represented by another government: in its organization, and
    on every body of that organization where it sits on ``b``'s day."""
    out: list[Change] = []
    for code in sorted(b.world.governments.keys()):
        if org is not None and code != org:
            continue
        for member in sorted(b.world.governments[code].keys()):
            was, now = a.government(code, member), b.government(code, member)
            if now is None or now == was:
                continue
            detail = now if was is None else f"{now} (was {was})"
            out.append(Change("represented", code, member, detail))
            out += [Change("represented", s.body, member, detail) for s in b.bodies_of(member) if s.status == "seated" and _org_of(b, s.body) == code]
    return tuple(out)


def _instrument_changes(a: State, b: State) -> tuple[Changes, Changes, Changes]:
    signed: list[Change] = []
    bound: list[Change] = []
    in_force: list[Change] = []
    for code in b.instruments():
        known = a.is_instrument(code)
        signed += _gained_and_lost(("signed", ""), code, _parties(a.signatories, code, known), _parties(b.signatories, code, True))[0]
        bound += _gained_and_lost(("bound", ""), code, _parties(a.parties, code, known), _parties(b.parties, code, True))[0]
        was = a.instrument(code).status if known else None
        if b.instrument(code).status == "in force" and was != "in force":
            in_force.append(Change("in force", code, code, str(b.instrument(code).in_force_from)))
    return tuple(signed), tuple(bound), tuple(in_force)


def _parties(query: Callable[[str], tuple[Any, ...]], code: str, known: bool) -> set[str]:
    return {p.party for p in query(code)} if known else set()


def _adopted(a: State, b: State, org: str | None) -> Changes:
    out = []
    for res in b.resolutions(start=day_to_iso(a.day + 1)) if b.day > a.day else ():
        if org is not None and res.body != org and _org_of(b, res.body) != org:
            continue
        out.append(Change("adopted", res.body, res.symbol, res.title))
    return tuple(out)


def _org_of(state: State, body: str) -> str | None:
    return state.body(body).org if state.is_body(body) else None


def _safe_seated(state: State, body: str) -> tuple[Any, ...]:
    try:
        return state.seated(body)
    except UnledgerError:
        return ()


class _Folded(Protocol):
    """What :func:`member_counts` reads of a timeline."""

    @property
    def events(self) -> Any: ...

    def world_at(self, day: int) -> World: ...


def member_counts(timeline: _Folded, org: str, start: Any = None, end: Any = None, *, allow_partial: bool = False) -> list[tuple[int, int]]:
    """``(year, members at the end of that year)`` for each year in range
    (default: from the organization's first event in ``timeline`` to this
    year); ``start`` and ``end`` are years or dates.

    If the record declares ``org``'s membership partial in any of these
    years (a ``coverage`` event), the counts would count what was recorded,
    not what was true: :class:`~unledger.errors.PartialCoverage` is raised
    unless ``allow_partial`` is true."""
    first = next((e.date for e in timeline.events if org in e.entities()), None)
    if first is None:
        raise UnknownEntity("organization", org)
    y0 = as_year(start) if start is not None else first.earliest.year
    y1 = as_year(end) if end is not None else this_year()
    out = []
    for year in range(y0, y1 + 1):
        day = parse_date(f"{year:04d}").latest_day
        state = State(timeline.world_at(day), day)
        partial = state.partly_covered(org, "membership")
        if partial and not allow_partial:
            raise PartialCoverage(org, "membership", partial[0].statement)
        out.append((year, state.count(org) if state.is_organization(org) else 0))
    return out
