"""unledger: the history of states and international organizations as an
append-only log of dated events, folded into the state on any day.

    >>> from unledger import Ledger, Admission
    >>> ledger = Ledger.memory()
    >>> _ = ledger.append(Admission(org="UN", member="AZE", date="1992-03-02"))
    >>> [m.member for m in ledger.state(as_of="1992").members("UN")]
    ['AZE']
"""

from __future__ import annotations

from typing import Any

from . import fields as fields
from ._version import __version__ as __version__
from .answers import InstrumentStatus, Membership, MemberStatus, Party, Seat
from .dates import Certainty, DateLike, PartialDate, parse_date
from .errors import (
    CheckpointError,
    ClockError,
    ConcurrencyError,
    DuplicateEventId,
    IntegrityError,
    InvalidEvent,
    LockTimeout,
    PartialCoverage,
    ProofError,
    ReadOnlyLedger,
    RuleViolation,
    StorageError,
    UnknownEntity,
    UnledgerError,
)
from .events import (
    Admission,
    Adoption,
    Cessation,
    Continuation,
    Correction,
    Coverage,
    Dissolution,
    Election,
    Enlargement,
    EntryIntoForce,
    EntryRule,
    Establishment,
    Event,
    Merger,
    Opening,
    Renaming,
    Representation,
    Retraction,
    Return,
    Separation,
    Signing,
    Statehood,
    Tally,
    Termination,
    Withdrawal,
    kind,
    register_upcaster,
)
from .kinds import KindSpec
from .ledger import Change, Diff, Ledger
from .log import Record
from .state import State
from .world import CoverageInfo, World

__all__ = [
    "Admission",
    "Adoption",
    "Certainty",
    "Cessation",
    "Change",
    "CheckpointError",
    "ConcurrencyError",
    "Continuation",
    "Correction",
    "Coverage",
    "CoverageInfo",
    "DateLike",
    "Diff",
    "Dissolution",
    "DuplicateEventId",
    "Election",
    "Enlargement",
    "EntryIntoForce",
    "EntryRule",
    "Establishment",
    "Event",
    "InstrumentStatus",
    "IntegrityError",
    "InvalidEvent",
    "KindSpec",
    "Ledger",
    "LockTimeout",
    "MemberStatus",
    "Membership",
    "Merger",
    "Opening",
    "PartialDate",
    "Party",
    "ProofError",
    "PartialCoverage",
    "ReadOnlyLedger",
    "Record",
    "Renaming",
    "Representation",
    "Retraction",
    "Return",
    "RuleViolation",
    "Seat",
    "Separation",
    "Signing",
    "State",
    "Statehood",
    "StorageError",
    "ClockError",
    "Tally",
    "Termination",
    "UnknownEntity",
    "UnledgerError",
    "Withdrawal",
    "World",
    "kind",
    "parse_date",
    "register",
    "register_upcaster",
]


def register(event_class: type[Event], reducer: Any, check: Any = None, footprint: Any = None) -> KindSpec:
    """Teach unledger a kind defined in your own code; returns its spec.

    ``event_class`` must already carry ``@unledger.kind("name")``;
    ``reducer(world, event) -> world`` must be pure (keep your data in
    ``world.extra``); ``check(world, event)`` may raise
    :class:`RuleViolation`. ``footprint(event) -> (reads, writes)`` names the
    regions of a world the check and reducer read and write (see
    :mod:`unledger.footprints`; ``("extra", key)`` is your data); without one,
    a backfill re-checks every later event, which is always correct.
    """
    from .kinds import KindSpec, add

    if not event_class.kind:
        raise TypeError(f"{event_class.__name__} has no kind: decorate it with @unledger.kind('name') first")
    spec = KindSpec(event=event_class, reducer=reducer, footprint=footprint, always_candidate=True, **({} if check is None else {"check": check}))
    return add(spec)
