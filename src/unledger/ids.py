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

from .events.base import Event
from .log.encode import to_dict_with_id
from .log.fast import copy_with_id

__all__ = ["content_id", "with_content_id", "with_content_id_and_dict"]

_sha256 = hashlib.sha256
_dumps = orjson.dumps
_SORTED = orjson.OPT_SORT_KEYS
#: Hex digits kept of the SHA-256 digest (128 bits, as long as a UUID).
ID_LENGTH = 32


def content_id(event: Event) -> str:
    """The id an event gets from its content: the first 32 hex digits of the
    SHA-256 of its canonical JSON without ``id`` (keys sorted)."""
    return _id_of(to_dict_with_id(event, None))


def with_content_id(event: Event) -> Event:
    """``event`` itself when it has an id, else a copy with its :func:`content_id`."""
    return with_content_id_and_dict(event)[0]


def with_content_id_and_dict(event: Event) -> tuple[Event, dict[str, Any] | None]:
    """:func:`with_content_id`, and for an event given its id here, the
    copy's :func:`~unledger.codec.event_to_dict` (so an append does not
    build it again); else ``None``. Both dicts come from the generated
    encoder (:mod:`unledger.log.encode`)."""
    if event.id is not None:
        return event, None
    body = to_dict_with_id(event, None)
    event_id = _id_of(body)
    # kind (and v) keep their places; id goes right after them, then the rest.
    out = {"kind": body["kind"], "v": body["v"], "id": event_id} if "v" in body else {"kind": body["kind"], "id": event_id}
    out.update(body)
    return copy_with_id(event, event_id), out


def _id_of(body: dict[str, Any]) -> str:
    return _sha256(_dumps(body, option=_SORTED)).hexdigest()[:ID_LENGTH]
