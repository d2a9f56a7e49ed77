"""Reducer for resolution adoptions."""

from __future__ import annotations

from ..events.resolutions import Adoption
from ..state import Resolution, World
from ._maps import set_in


def adoption(world: World, e: Adoption) -> World:
    resolution = Resolution(
        body=e.body,
        symbol=e.symbol,
        title=e.title,
        date=e.date,
        meeting=e.meeting,
        tally=e.tally,
        without_vote=e.without_vote,
        votes=e.votes,
        subjects=e.subjects,
        concerns=e.concerns,
        id=e.id,
    )
    return world.replace(resolutions=set_in(world.resolutions, e.body, e.symbol, resolution))


REDUCERS = {"adoption": adoption}
