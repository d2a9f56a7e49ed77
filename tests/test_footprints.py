"""Footprints: every built-in kind has one; a kind unledger does not know has
none; patching a world region by region gives the world the values came from."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import History, histories

from unledger import Adoption, Event
from unledger.footprints import _FOOTPRINTS, extract, footprint, patch
from unledger.reducers import REDUCERS
from unledger.world import World


def test_every_built_in_kind_has_a_footprint() -> None:
    # A kind without one would only ever be refolded; this catches a new
    # kind added without teaching unledger.footprints about it.
    assert set(REDUCERS) <= set(_FOOTPRINTS)


def test_footprint_of_user_kinds_is_unknown() -> None:
    assert footprint(Adoption(body="BX", symbol="S", title="t", date="1990", without_vote=True)) is not None

    class Fake:
        kind = "no-such-kind"

    assert footprint(Fake()) is None


def _regions_of(world: World) -> list[tuple[str, ...]]:
    """Every one- and two-level region ``world`` holds a value for."""
    out: list[tuple[str, ...]] = []
    for tag, field in (("names", "names"), ("exist", "existence"), ("inst", "instruments")):
        out += [(tag, code) for code in getattr(world, field)]
    for tag, field in (("mem", "members"), ("gov", "governments"), ("terms", "terms"), ("acts", "acts"), ("res", "resolutions")):
        out += [(tag, outer, inner) for outer, entries in getattr(world, field).items() for inner in entries]
    return out


@settings(max_examples=80, deadline=None)
@given(histories(max_events=40), st.data())
def test_patching_every_region_with_another_world_s_values_gives_that_world(history: History, data: st.DataObject) -> None:
    """Many entries of one inner map at once, some of them emptied, as when
    a head takes many bulk changes in one patch."""
    cut = data.draw(st.integers(0, len(history.events)))
    early = fold_events(history.events[:cut])
    late = fold_events(history.events)
    for start, target in ((late, early), (early, late)):
        regions = list(dict.fromkeys(_regions_of(start) + _regions_of(target)))
        order = data.draw(st.permutations(regions))
        patched = patch(start, [(region, extract(target, region)) for region in order])
        for field in ("names", "existence", "instruments", "members", "governments", "terms", "acts", "resolutions"):
            assert getattr(patched, field) == getattr(target, field), field


def fold_events(events: Sequence[Event]) -> World:
    world = World()
    for event in events:
        world = REDUCERS[event.kind](world, event)
    return world
