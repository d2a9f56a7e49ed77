"""What unledger does with each kind: one :class:`KindSpec` per kind.

The built-in kinds' specs live in one module per family, next to each other:
the reducer, the rule check and the footprint of a kind are read together.
Importing this package registers them; :func:`unledger.register` adds a
user's kind the same way.
"""

from __future__ import annotations

from . import bodies, coverage, entities, instruments, membership, resolutions, statuses, votes
from .spec import (
    ALWAYS_CANDIDATES,
    CHECKS,
    FOOTPRINTS,
    MAPS,
    READS_BODIES,
    REDUCERS,
    SEAT_KINDS,
    SPECS,
    Check,
    KindSpec,
    Reducer,
    add,
    spec_of,
)

__all__ = [
    "ALWAYS_CANDIDATES",
    "BUILTIN",
    "CHECKS",
    "FOOTPRINTS",
    "MAPS",
    "READS_BODIES",
    "REDUCERS",
    "SEAT_KINDS",
    "SPECS",
    "Check",
    "KindSpec",
    "Reducer",
    "add",
    "spec_of",
]

#: The built-in specs, family by family.
BUILTIN: tuple[KindSpec, ...] = (
    membership.SPECS
    + bodies.SPECS
    + entities.SPECS
    + instruments.SPECS
    + resolutions.SPECS
    + coverage.SPECS
    + statuses.SPECS
    + votes.SPECS
)
for _spec in BUILTIN:
    add(_spec)
