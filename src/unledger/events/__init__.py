"""Event kinds: the envelope, one module per family of kinds, the registry."""

from .base import Event
from .bodies import Election, Enlargement, Establishment, Representation
from .coverage import ASPECTS, EXTENTS, Coverage
from .entities import Continuation, Dissolution, Merger, Renaming, Separation, Statehood
from .instruments import ACTS, BINDING_ACTS, EntryIntoForce, EntryRule, Opening, Signing, Termination
from .membership import Admission, Cessation, Return, Withdrawal
from .meta import Correction, Retraction
from .registry import kind, kind_class, kinds, register_upcaster
from .resolutions import Adoption, Tally
from .statuses import Closure, MembershipStatus
from .votes import RollCall

__all__ = [
    "ACTS",
    "ASPECTS",
    "EXTENTS",
    "BINDING_ACTS",
    "Admission",
    "Adoption",
    "Cessation",
    "Closure",
    "Continuation",
    "Correction",
    "Coverage",
    "Dissolution",
    "Election",
    "Enlargement",
    "EntryIntoForce",
    "EntryRule",
    "Establishment",
    "Event",
    "MembershipStatus",
    "Merger",
    "Opening",
    "Renaming",
    "Representation",
    "Retraction",
    "Return",
    "RollCall",
    "Separation",
    "Signing",
    "Statehood",
    "Tally",
    "Termination",
    "Withdrawal",
    "kind",
    "kind_class",
    "kinds",
    "register_upcaster",
]
