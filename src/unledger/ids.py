"""Default event ids, derived from the event's content.

An event appended without an id is given :func:`content_id`: a hash of its
canonical encoding (the JSON line's event, without the id, keys sorted).
The same event always gets the same id, so appending it again (re-running a
script) returns the original record instead of writing it twice, and an
event that differs gets another id.
"""

from __future__ import annotations

import hashlib

import orjson

from .codec import event_to_dict
from .events.base import Event
from .log.fast import with_fields

__all__ = ["content_id", "with_content_id"]

#: Hex digits kept of the SHA-256 digest (128 bits, as long as a UUID).
ID_LENGTH = 32


def content_id(event: Event) -> str:
    """The id an event gets from its content: the first 32 hex digits of the
    SHA-256 of its canonical JSON without ``id`` (keys sorted)."""
    body = event_to_dict(event)
    body.pop("id", None)
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()[:ID_LENGTH]


def with_content_id(event: Event) -> Event:
    """``event`` itself when it has an id, else a copy with its :func:`content_id`."""
    if event.id is not None:
        return event
    return with_fields(event, id=content_id(event))
