"""Resolutions: adoption by a body.

The kind's reducer, rule check and footprint, and its :class:`KindSpec`.
"""

from __future__ import annotations

from typing import Any

from ..events.resolutions import Adoption
from ..world import EMPTY, World, new_resolution, with_resolutions
from ._checks import violation
from ._maps import set_in
from .spec import Footprint, KindSpec


def adoption(world: World, e: Adoption) -> World:
    resolution = new_resolution(
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
    return with_resolutions(world, set_in(world.resolutions, e.body, e.symbol, resolution))


# -- checks ----------------------------------------------------------------------


def check_adoption(world: World, e: Any) -> None:
    existing = world.resolutions.get(e.body, EMPTY).get(e.symbol)
    if existing is not None:
        raise violation(e, "symbol", "symbol-unique", f"{e.body} already adopted {e.symbol} on {existing.date}")


# -- footprints ------------------------------------------------------------------


def footprint_adoption(e: Any) -> Footprint:
    res = ("res", e.body, e.symbol)
    return (res,), (res,)


SPECS = (KindSpec(event=Adoption, reducer=adoption, check=check_adoption, footprint=footprint_adoption, maps=frozenset({"resolutions"})),)
