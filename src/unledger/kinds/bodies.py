"""Organs and organizations: establishment, enlargement, election, representation.

Each kind's reducer, rule check and footprint, and its :class:`KindSpec`.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..dates import PartialDate
from ..events.bodies import Election, Enlargement, Establishment, Representation
from ..world import EMPTY, BodyInfo, PermanentSeat, World, new_term, with_terms
from ._checks import day_of, must_be_known_body, must_be_member, must_exist, violation
from ._maps import append_in, get_in, insert_dated, set_in
from .spec import Footprint, KindSpec, Region


def establishment(world: World, e: Establishment) -> World:
    info = BodyInfo(
        code=e.entity,
        org=e.org,
        established=e.date,
        seats=((e.date, e.elected_seats),) if e.elected_seats is not None else (),
        permanent=tuple(PermanentSeat(m, e.date, via=e.id) for m in e.permanent_members),
        via=e.id,
    )
    names = world.names.set(e.entity, insert_dated(world.names.get(e.entity, ()), (e.date, e.name)))
    return world.replace(bodies=world.bodies.set(e.entity, info), names=names)


def enlargement(world: World, e: Enlargement) -> World:
    info = world.bodies[e.body]
    seats = insert_dated(info.seats, (e.date, e.elected_seats))
    return world.replace(bodies=world.bodies.set(e.body, attrs.evolve(info, seats=seats)))


def election(world: World, e: Election) -> World:
    term = new_term(e.date, e.term_start, e.term_end, e.id)
    return with_terms(world, append_in(world.terms, e.body, e.member, term))


def representation(world: World, e: Representation) -> World:
    history = insert_dated(get_in(world.governments, e.org, e.member), (e.date, e.government))
    return world.replace(governments=set_in(world.governments, e.org, e.member, history))


# -- checks ----------------------------------------------------------------------


def check_establishment(world: World, e: Any) -> None:
    if e.entity in world.bodies:
        raise violation(e, "entity", "establish-once", f"{e.entity} is already established ({world.bodies[e.entity].established})")
    if e.org is not None:
        parent = world.bodies.get(e.org)
        if parent is None and e.org not in world.members:
            raise violation(e, "org", "body-of-known-org", f"{e.org} is not established; record it first")
    # Admissions before the establishment are refused by check_admission
    # (a founding member's too, unless dated as coarsely as the founding).


def check_enlargement(world: World, e: Any) -> None:
    must_be_known_body(world, e, e.body)


def _overlaps(a_start: PartialDate, a_end_day: int, b_start: PartialDate, b_end_day: int) -> bool:
    return a_start.latest_day <= b_end_day and b_start.latest_day <= a_end_day


def check_election(world: World, e: Any) -> None:
    info = must_be_known_body(world, e, e.body)
    day = day_of(e)
    must_exist(world, e, e.member, "member")
    if info.org is not None and world.membership(info.org, e.member, day)[1] is None:
        raise violation(
            e, "member", "elected-member-belongs", f"{e.member} is not a member of {info.org} on {e.date}, so cannot sit on {e.body}"
        )
    for seat in info.permanent:
        if seat.member == e.member and seat.holds(e.term_start.earliest_day) is not None:
            raise violation(e, "member", "permanent-not-elected", f"{e.member} is a permanent member of {e.body}")
    new_end = e.term_end.earliest_day
    for term in world.terms.get(e.body, EMPTY).get(e.member, ()):
        if _overlaps(e.term_start, new_end, term.start, min(term.end.earliest_day, term.last_day())):
            raise violation(
                e, "term_start", "no-overlapping-terms", f"{e.member} already has a term on {e.body} from {term.start} to {term.end}"
            )


def check_representation(world: World, e: Any) -> None:
    must_be_member(world, e, "represent-member")


# -- footprints ------------------------------------------------------------------


def footprint_establishment(e: Any) -> Footprint:
    # ("orgkey", entity): the check refuses members admitted before the establishment.
    reads: tuple[Region, ...] = (("bodies",), ("orgkey", e.entity)) + ((("orgkey", e.org),) if e.org is not None else ())
    return reads, (("bodies",), ("names", e.entity))


def footprint_enlargement(e: Any) -> Footprint:
    return (("bodies",),), (("bodies",),)


def footprint_election(e: Any) -> Footprint:
    terms = ("terms", e.body, e.member)
    return (("bodies",), ("exist", e.member), ("mem*", e.member), terms), (terms,)


def footprint_representation(e: Any) -> Footprint:
    gov = ("gov", e.org, e.member)
    return (("mem", e.org, e.member), gov), (gov,)


SPECS = (
    KindSpec(event=Establishment, reducer=establishment, check=check_establishment, footprint=footprint_establishment, reads_bodies=True, maps=frozenset({"bodies", "names"})),
    KindSpec(event=Enlargement, reducer=enlargement, check=check_enlargement, footprint=footprint_enlargement, reads_bodies=True, seats=True, maps=frozenset({"bodies"})),
    KindSpec(event=Election, reducer=election, check=check_election, footprint=footprint_election, reads_bodies=True, seats=True, maps=frozenset({"terms"})),
    KindSpec(event=Representation, reducer=representation, check=check_representation, footprint=footprint_representation, maps=frozenset({"governments"})),
)
