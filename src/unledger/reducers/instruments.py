"""Reducers for instruments: opening, acts, explicit entry into force,
termination. Status and parties are derived at query time (see
:meth:`unledger.State.instrument`), never stored."""

from __future__ import annotations

import attrs

from ..events.instruments import EntryIntoForce, Opening, Signing, Termination
from ..state import Act, InstrumentInfo, World
from ._maps import append_in


def opening(world: World, e: Opening) -> World:
    info = InstrumentInfo(
        code=e.instrument,
        title=e.title,
        form=e.form,
        opened=e.date,
        rule=e.entry_into_force,
        closes=e.closes,
        via=e.id,
        open_for_signature=e.open_for_signature,
    )
    names = world.names.set(e.instrument, ((e.date, e.title),))
    return world.replace(instruments=world.instruments.set(e.instrument, info), names=names)


def signing(world: World, e: Signing) -> World:
    return world.replace(acts=append_in(world.acts, e.instrument, e.party, Act(e.act, e.date, e.id)))


def entry_into_force(world: World, e: EntryIntoForce) -> World:
    info = world.instruments[e.instrument]
    return world.replace(instruments=world.instruments.set(e.instrument, attrs.evolve(info, in_force=e.date)))


def termination(world: World, e: Termination) -> World:
    info = world.instruments[e.instrument]
    return world.replace(instruments=world.instruments.set(e.instrument, attrs.evolve(info, terminated=e.date)))


REDUCERS = {
    "opening": opening,
    "signing": signing,
    "entry_into_force": entry_into_force,
    "termination": termination,
}
