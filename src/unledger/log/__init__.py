"""The append-only log: one home for its format, its decoders, its checks
and its storage.

- :mod:`~unledger.log.line`: the line format, the only code that slices a
  line (named accessors), the one envelope stripper, encoding;
- :mod:`~unledger.log.strict` and :mod:`~unledger.log.fast`: the strict and
  the fast decoder, side by side (same events, same refusals);
- :mod:`~unledger.log.verify`: the whole log checked as every read checks it;
- :mod:`~unledger.log.head`: the head record written with each append;
- :mod:`~unledger.log.storage` and :mod:`~unledger.log.filelog`:
  :class:`MemoryLog` and :class:`FileLog` behind one protocol;
- :mod:`~unledger.log.codegen`: the one code generator.
"""

from __future__ import annotations

from .fast import decode_lines, trusted_event_from_dict, with_fields
from .filelog import FileLog
from .head import Head
from .line import GENESIS, GENESIS_BYTES, Record, check_line, encode_batch, encode_line, whole_batches
from .storage import MemoryLog, Storage
from .strict import decode_line
from .verify import verify_bytes, verify_chain, verify_lines

__all__ = [
    "GENESIS",
    "GENESIS_BYTES",
    "Record",
    "Head",
    "encode_line",
    "encode_batch",
    "decode_line",
    "decode_lines",
    "trusted_event_from_dict",
    "with_fields",
    "check_line",
    "verify_lines",
    "verify_chain",
    "verify_bytes",
    "whole_batches",
    "Storage",
    "FileLog",
    "MemoryLog",
]
