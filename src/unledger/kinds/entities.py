"""The life of states: statehood, renaming, merger, separation, dissolution,
continuation. These touch every organization and body the state is part of,
so each reducer is written once here and shared.

Each kind's reducer, rule check and footprint, and its :class:`KindSpec`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import attrs

from ..dates import PartialDate
from ..events.entities import Continuation, Dissolution, Merger, Renaming, Separation, Statehood
from ..world import PermanentSeat, Spell, Term, World
from ._checks import day_of, must_exist, violation
from ._maps import get_in, insert_dated, set_in
from .membership import end_membership
from .spec import Footprint, KindSpec, Region


def _named(world: World, code: str, date: PartialDate, name: str | None) -> World:
    if name is None:
        return world
    return world.replace(names=world.names.set(code, insert_dated(world.names.get(code, ()), (date, name))))


def begin_existence(world: World, code: str, date: PartialDate, via: str | None) -> World:
    spells = world.existence.get(code, ()) + (Spell(start=date, since=date, how="statehood", via=via),)
    return world.replace(existence=world.existence.set(code, spells))


def end_existence(world: World, code: str, end: PartialDate, how: str, to: str | None, via: str | None) -> World:
    spells = world.existence.get(code)
    if not spells:
        spells = (Spell(start=None, since=None, how="recorded", via=None),)
    last = spells[-1]
    if last.end is None:
        spells = spells[:-1] + (attrs.evolve(last, end=end, end_how=how, end_to=to),)
    return world.replace(existence=world.existence.set(code, spells))


def _open_spell(world: World, org: str, member: str) -> Spell | None:
    spells = get_in(world.members, org, member)
    return spells[-1] if spells and spells[-1].end is None else None


def _end_all_memberships(world: World, code: str, end: PartialDate, how: str, to: str | None) -> World:
    for org in list(world.members.keys()):
        if _open_spell(world, org, code) is not None:
            world = end_membership(world, org, code, end, how, to)
    return world


def _cut_terms(world: World, code: str, end: PartialDate) -> tuple[World, list[tuple[str, Term]]]:
    """End ``code``'s running and future terms at ``end``; return them."""
    cut: list[tuple[str, Term]] = []
    terms_map = world.terms
    for body, by_member in world.terms.items():
        terms = by_member.get(code)
        if not terms:
            continue
        changed = False
        new_terms = []
        for term in terms:
            if term.last_day() >= end.earliest_day and term.cut is None:
                cut.append((body, term))
                term = attrs.evolve(term, cut=end)
                changed = True
            new_terms.append(term)
        if changed:
            terms_map = set_in(terms_map, body, code, tuple(new_terms))
    return world.replace(terms=terms_map), cut


def _take_over_terms(world: World, code: str, date: PartialDate, terms: list[tuple[str, Term]], how: str) -> World:
    terms_map = world.terms
    for body, term in terms:
        # The new holder sits from the later of the term's start and the
        # handover, with the uncertainty of both: a term starting 1 January
        # 1901 taken over "in 1901" is not certainly the successor's on 1 January.
        if term.start.earliest_day >= date.latest_day:
            start = term.start
        else:
            start = PartialDate.span(max(term.start.earliest_day, date.earliest_day), max(term.start.latest_day, date.latest_day))
        taken = Term(elected=term.elected, start=start, end=term.end, via=term.via, how=how)
        terms_map = set_in(terms_map, body, code, get_in(terms_map, body, code) + (taken,))
    return world.replace(terms=terms_map)


def _move_permanent_seats(world: World, old: str, new: str | None, date: PartialDate, via: str | None) -> World:
    bodies = world.bodies
    for code, info in world.bodies.items():
        seats = info.permanent
        if not any(s.member == old and s.end is None for s in seats):
            continue
        updated = tuple(attrs.evolve(s, end=date) if s.member == old and s.end is None else s for s in seats)
        if new is not None:
            updated += (PermanentSeat(new, date, via=via),)
        bodies = bodies.set(code, attrs.evolve(info, permanent=updated))
    return world.replace(bodies=bodies)


def statehood(world: World, e: Statehood) -> World:
    return _named(begin_existence(world, e.state, e.date, e.id), e.state, e.date, e.name)


def renaming(world: World, e: Renaming) -> World:
    return _named(world, e.entity, e.date, e.name)


def merger(world: World, e: Merger) -> World:
    gone = [m for m in e.members if m != e.into]
    if e.into not in e.members and e.into not in world.existence:
        world = begin_existence(world, e.into, e.date, e.id)
    for org in list(world.members.keys()):
        spells = [s for m in e.members if (s := _open_spell(world, org, m)) is not None]
        if not spells:
            continue
        since = min((s.since for s in spells if s.since is not None), key=lambda d: d.earliest_day, default=e.date)
        for member in gone:
            if _open_spell(world, org, member) is not None:
                world = end_membership(world, org, member, e.date, "merger", e.into)
        kept = _open_spell(world, org, e.into)
        members = get_in(world.members, org, e.into)
        if kept is None:
            members = members + (Spell(start=e.date, since=since, how="merger", via=e.id),)
        elif kept.since is not None and since.earliest_day < kept.since.earliest_day:
            members = members[:-1] + (attrs.evolve(kept, since=since),)
        world = world.replace(members=set_in(world.members, org, e.into, members))
    for member in gone:
        world, terms = _cut_terms(world, member, e.date)
        world = _take_over_terms(world, e.into, e.date, terms, "merger")
        world = _move_permanent_seats(world, member, e.into, e.date, e.id)
        world = end_existence(world, member, e.date, "merger", e.into, e.id)
    return _named(world, e.into, e.date, e.name)


def separation(world: World, e: Separation) -> World:
    world = begin_existence(world, e.member, e.date, e.id)
    members_map = world.members
    for org, by_member in world.members.items():
        spells = by_member.get(e.member)
        if not spells:
            continue
        last = spells[-1]
        if last.end is not None and last.end_how == "merger" and last.end_to == e.separated_from:
            restored = Spell(start=e.date, since=last.since, how=last.how, via=e.id)
            members_map = set_in(members_map, org, e.member, spells + (restored,))
    return _named(world.replace(members=members_map), e.member, e.date, e.name)


def dissolution(world: World, e: Dissolution) -> World:
    # The date is the last day the state existed, so the first day gone is
    # one day later, with the same uncertainty: "1992" ends between
    # 2 January 1992 and 1 January 1993 (not during 1993).
    end = e.date.shift_days(1)
    world = _end_all_memberships(world, e.state, end, "dissolution", None)
    world, _ = _cut_terms(world, e.state, end)
    world = _move_permanent_seats(world, e.state, None, end, e.id)
    return end_existence(world, e.state, end, "dissolution", None, e.id)


def continuation(world: World, e: Continuation) -> World:
    old, new = e.predecessor, e.successor
    if new not in world.existence:
        world = begin_existence(world, new, e.date, e.id)
    for org in list(world.members.keys()):
        spell = _open_spell(world, org, old)
        if spell is None:
            continue
        world = end_membership(world, org, old, e.date, "continuation", new)
        continued = Spell(start=e.date, since=spell.since, how="continuation", via=e.id)
        world = world.replace(members=set_in(world.members, org, new, get_in(world.members, org, new) + (continued,)))
    world, terms = _cut_terms(world, old, e.date)
    world = _take_over_terms(world, new, e.date, terms, "continuation")
    world = _move_permanent_seats(world, old, new, e.date, e.id)
    governments = world.governments
    for org, by_member in world.governments.items():
        if old in by_member and new not in by_member:
            governments = governments.set(org, by_member.set(new, by_member[old]))
    world = world.replace(governments=governments)
    world = end_existence(world, old, e.date, "continuation", new, e.id)
    return _named(world, new, e.date, e.name)


# -- checks ----------------------------------------------------------------------


def check_statehood(world: World, e: Any) -> None:
    spells = world.existence.get(e.state)
    if spells and spells[-1].holds(day_of(e)) is True:
        raise violation(e, "state", "statehood-once", f"{e.state} already exists")


def check_merger(world: World, e: Any) -> None:
    for member in e.members:
        must_exist(world, e, member, "members")


def check_separation(world: World, e: Any) -> None:
    spells = world.existence.get(e.member, ())
    if not spells or spells[-1].end_how != "merger" or spells[-1].end_to != e.separated_from:
        raise violation(
            e, "member", "separate-after-merger", f"{e.member} did not merge into {e.separated_from}, so it cannot separate from it"
        )
    must_exist(world, e, e.separated_from, "separated_from")


def check_dissolution(world: World, e: Any) -> None:
    must_exist(world, e, e.state, "state")


def check_continuation(world: World, e: Any) -> None:
    must_exist(world, e, e.predecessor, "predecessor")
    day = day_of(e)
    for org in world.members.keys():
        if world.membership(org, e.predecessor, day)[1] is not None and world.membership(org, e.successor, day)[1] is True:
            raise violation(
                e, "successor", "continue-once", f"{e.successor} is already a member of {org}; it cannot also continue {e.predecessor}'s membership"
            )


# -- footprints ------------------------------------------------------------------


#: What a change of states may rewrite: every map that holds a state's code.
SUCCESSION_MAPS: Final = frozenset({"bodies", "existence", "members", "terms", "governments", "names"})


def footprint_statehood(e: Any) -> Footprint:
    return (("exist", e.state),), (("exist", e.state), ("names", e.state))


def footprint_renaming(e: Any) -> Footprint:
    names = ("names", e.entity)
    return (names,), (names,)


def _succession(codes: Iterable[str], *, names: Iterable[str] = (), governments: bool = False) -> Footprint:
    regions: list[Region] = [("bodies",)]
    for code in codes:
        regions += [("exist", code), ("mem*", code), ("terms*", code)]
        if governments:
            regions.append(("gov*", code))
    writes = regions + [("names", code) for code in names]
    return tuple(regions), tuple(writes)


def footprint_merger(e: Any) -> Footprint:
    return _succession(dict.fromkeys(e.members + (e.into,)), names=(e.into,))


def footprint_separation(e: Any) -> Footprint:
    return _succession((e.member, e.separated_from), names=(e.member,))


def footprint_dissolution(e: Any) -> Footprint:
    return _succession((e.state,))


def footprint_continuation(e: Any) -> Footprint:
    return _succession((e.predecessor, e.successor), names=(e.successor,), governments=True)


SPECS = (
    KindSpec(event=Statehood, reducer=statehood, check=check_statehood, footprint=footprint_statehood, maps=frozenset({"existence", "names"})),
    KindSpec(event=Renaming, reducer=renaming, footprint=footprint_renaming, maps=frozenset({"names"})),
    KindSpec(event=Merger, reducer=merger, check=check_merger, footprint=footprint_merger, always_candidate=True, maps=SUCCESSION_MAPS),
    KindSpec(event=Separation, reducer=separation, check=check_separation, footprint=footprint_separation, always_candidate=True, maps=SUCCESSION_MAPS),
    KindSpec(event=Dissolution, reducer=dissolution, check=check_dissolution, footprint=footprint_dissolution, always_candidate=True, maps=SUCCESSION_MAPS),
    KindSpec(event=Continuation, reducer=continuation, check=check_continuation, footprint=footprint_continuation, always_candidate=True, maps=SUCCESSION_MAPS),
)
