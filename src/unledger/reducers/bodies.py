"""Reducers for establishment, enlargement, election and representation."""

from __future__ import annotations

import attrs

from ..events.bodies import Election, Enlargement, Establishment, Representation
from ..state import BodyInfo, PermanentSeat, Term, World
from ._maps import append_in, get_in, insert_dated, set_in


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
    term = Term(elected=e.date, start=e.term_start, end=e.term_end, via=e.id)
    return world.replace(terms=append_in(world.terms, e.body, e.member, term))


def representation(world: World, e: Representation) -> World:
    history = insert_dated(get_in(world.governments, e.org, e.member), (e.date, e.government))
    return world.replace(governments=set_in(world.governments, e.org, e.member, history))


REDUCERS = {
    "establishment": establishment,
    "enlargement": enlargement,
    "election": election,
    "representation": representation,
}
