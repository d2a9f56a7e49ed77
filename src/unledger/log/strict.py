"""The strict decoder: a stored line to a :class:`~unledger.log.line.Record`
through the codec (``cattrs`` and every validator), as user input is read.

Used for what the fast decoder (:mod:`unledger.log.fast`) cannot build
itself, and to name what is wrong with a line it refused.
"""

from __future__ import annotations

from typing import Any

from ..codec import event_from_dict
from ..errors import IntegrityError, InvalidEvent
from ..events.base import Event
from .line import Record, check_line, hash_of, parse_line, prev_of

__all__ = ["decode_line", "strict_event"]


def strict_event(obj: dict[str, Any], number: int, path: str | None = None) -> Event:
    """The event of a parsed line through the codec; a refusal becomes an
    :class:`IntegrityError` naming the line."""
    try:
        return event_from_dict(obj, position=f"line {number}")
    except InvalidEvent as exc:
        raise IntegrityError(f"holds an event this unledger cannot read: {exc}", line=number, path=path) from None


def decode_line(line: bytes, number: int, *, path: str | None = None, prev: str | None = None) -> Record:
    """Parse one stored line into a :class:`Record`: its frame and hash are
    checked (against ``prev`` when given), then its content, strictly."""
    expected_prev = prev if prev is not None else prev_of(line).decode("ascii", "replace")
    reason = check_line(line, expected_prev, number)
    if reason is not None:
        raise IntegrityError(reason, line=number, path=path)
    obj, recorded = parse_line(line, number, path)
    event = strict_event(obj, number, path)
    return Record(number, recorded, event, hash_of(line).decode("ascii"), expected_prev)
