"""Footprints: every built-in kind has one; a kind unledger does not know has none."""

from __future__ import annotations

from unledger import Adoption
from unledger.footprints import _FOOTPRINTS, footprint
from unledger.reducers import REDUCERS


def test_every_built_in_kind_has_a_footprint() -> None:
    # A kind without one would only ever be refolded; this catches a new
    # kind added without teaching unledger.footprints about it.
    assert set(REDUCERS) <= set(_FOOTPRINTS)


def test_footprint_of_user_kinds_is_unknown() -> None:
    assert footprint(Adoption(body="BX", symbol="S", title="t", date="1990", without_vote=True)) is not None

    class Fake:
        kind = "no-such-kind"

    assert footprint(Fake()) is None
