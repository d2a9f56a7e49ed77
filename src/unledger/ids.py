"""Default event ids, derived from the event's content.

An event appended without an id is given :func:`content_id`: a hash of its
canonical encoding (the JSON line's event, without the id, keys sorted).
The same event always gets the same id, so appending it again (re-running a
script) returns the original record instead of writing it twice, and an
event that differs gets another id.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from .codec import event_to_dict
from .events.base import Event
from .log.fast import with_fields

__all__ = ["content_id", "with_content_id", "with_content_id_and_dict"]

#: Hex digits kept of the SHA-256 digest (128 bits, as long as a UUID).
ID_LENGTH = 32


def content_id(event: Event) -> str:
    """The id an event gets from its content: the first 32 hex digits of the
    SHA-256 of its canonical JSON without ``id`` (keys sorted)."""
    return _id_of(_without_id(event))


def with_content_id(event: Event) -> Event:
    """``event`` itself when it has an id, else a copy with its :func:`content_id`."""
    return with_content_id_and_dict(event)[0]


def with_content_id_and_dict(event: Event) -> tuple[Event, dict[str, Any] | None]:
    """:func:`with_content_id`, and for an event given its id here, the
    copy's :func:`~unledger.codec.event_to_dict` (built from the dict the id
    was computed from, so an append does not build it twice); else ``None``."""
    if event.id is not None:
        return event, None
    body = _without_id(event)
    event_id = _id_of(body)
    out = {"kind": body.pop("kind")}
    if "v" in body:
        out["v"] = body.pop("v")
    out["id"] = event_id
    out.update(body)
    return with_fields(event, id=event_id), out


def _without_id(event: Event) -> dict[str, Any]:
    body = event_to_dict(event)
    body.pop("id", None)
    return body


def _id_of(body: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()[:ID_LENGTH]
