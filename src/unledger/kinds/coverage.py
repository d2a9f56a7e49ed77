"""What the record covers: the ``coverage`` kind, kept on the entry of the
organization, body or instrument it is about.

Its reducer, rule check and footprint, and its :class:`KindSpec`.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..events.coverage import Coverage
from ..world import CoverageInfo, World
from ._checks import day_of, must_be_known_body, violation
from ._maps import insert_dated
from .spec import Footprint, KindSpec, Region


def coverage(world: World, e: Coverage) -> World:
    item = CoverageInfo(e.entity, e.aspect, e.extent, e.date, e.statement, e.id)
    if e.aspect == "parties":
        inst = world.instruments[e.entity]
        dated = insert_dated(tuple((c.since, c) for c in inst.coverage), (e.date, item))
        return world.replace(instruments=world.instruments.set(e.entity, attrs.evolve(inst, coverage=tuple(c for _, c in dated))))
    info = world.bodies[e.entity]
    dated = insert_dated(tuple((c.since, c) for c in info.coverage), (e.date, item))
    return world.replace(bodies=world.bodies.set(e.entity, attrs.evolve(info, coverage=tuple(c for _, c in dated))))


def check_coverage(world: World, e: Any) -> None:
    if e.aspect == "parties":
        info = world.instruments.get(e.entity)
        if info is None:
            raise violation(e, "entity", "coverage-entity", f"{e.entity} has not been opened; 'parties' is declared for an instrument")
        if info.opened.earliest_day > day_of(e):
            raise violation(e, "entity", "coverage-entity", f"{e.entity} is opened only on {info.opened}")
        return
    must_be_known_body(world, e, e.entity, "entity")


def footprint_coverage(e: Any) -> Footprint:
    # Kept on the body's or the instrument's entry.
    regions: tuple[Region, ...] = (("inst", e.entity),) if e.aspect == "parties" else (("bodies",),)
    return regions, regions


SPECS = (KindSpec(event=Coverage, reducer=coverage, check=check_coverage, footprint=footprint_coverage, reads_bodies=True),)
