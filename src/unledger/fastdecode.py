"""Former home of the fast decoder and of verification, kept so that older
imports keep working: both now live in :mod:`unledger.log`
(:mod:`unledger.log.fast`, :mod:`unledger.log.verify`)."""

from __future__ import annotations

from .log.fast import decode_lines, trusted_event_from_dict, with_fields
from .log.line import GENESIS_BYTES
from .log.verify import PARALLEL_MIN_BYTES, _default_workers, _stretches, verify_bytes, verify_chain

__all__ = [
    "trusted_event_from_dict",
    "decode_lines",
    "verify_chain",
    "verify_bytes",
    "with_fields",
    "GENESIS_BYTES",
    "PARALLEL_MIN_BYTES",
    "_default_workers",
    "_stretches",
]
