"""Data only: the values of a stored world as JSON, and back.

The snapshot cache (:mod:`unledger.cache`) stores each of a world's maps as
JSON whose values are rebuilt as strings, numbers, tuples, maps, dates and
instances of a fixed list of unledger's own state classes, and events of
unledger's own kinds (a roll call), each checked as a line of the log is;
nothing in it is ever run. :func:`encode` and :func:`decode` are that
mapping; :func:`packed` and :func:`unpacked` carry the cache's integer arrays.
"""

from __future__ import annotations

import base64
from array import array
from typing import Any, Final

import attrs
import immutables

from . import world as _world
from .codec import event_to_dict
from .dates import PartialDate, parse_date
from .events.base import Event
from .events.instruments import EntryRule
from .events.resolutions import Tally
from .log import trusted_event_from_dict

__all__ = ["Unstorable", "encode", "decode", "packed", "unpacked"]


#: The classes a stored world may hold: the attrs classes of
#: :mod:`unledger.world`, and the two event parts the world keeps.
_CLASSES: Final[dict[str, type]] = {
    cls.__name__: cls
    for cls in (
        *(v for v in vars(_world).values() if isinstance(v, type) and attrs.has(v) and v.__module__ == _world.__name__),
        Tally,
        EntryRule,
    )
}
_NAMES: Final = {cls: tuple(f.name for f in attrs.fields(cls)) for cls in _CLASSES.values()}


def _own_event(event: Event) -> bool:
    """Whether ``event`` is of one of unledger's own kinds (the only events a
    stored world may hold: a user's kind may build itself in ways the cache
    cannot know)."""
    return event.__class__.__module__.startswith("unledger.")


class Unstorable(Exception):
    """A value the cache cannot hold (a user's extension data, say)."""


def encode(value: Any) -> Any:
    """A JSON value for ``value``: scalars as they are, everything else a
    list opening with a tag (``t`` tuple, ``m`` map, ``d`` date, ``c`` class)."""
    cls = value.__class__
    if value is None or cls in (str, int, bool):
        return value
    if cls is tuple:
        return ["t", *map(encode, value)]
    if cls is immutables.Map:
        out: list[Any] = ["m"]
        for k, v in value.items():
            if k.__class__ not in (str, int):  # a roll call's number keys its body's map
                raise Unstorable(k)
            out.append(k)
            out.append(encode(v))
        return out
    if cls is PartialDate:
        return ["d", value.text]
    if isinstance(value, Event):
        if not _own_event(value):
            raise Unstorable(cls)
        return ["e", event_to_dict(value)]
    names = _NAMES.get(cls)
    if names is None:
        raise Unstorable(cls)
    return ["c", cls.__name__, *(encode(getattr(value, n)) for n in names)]


def decode(value: Any) -> Any:
    """The value :func:`encode` was given (``ValueError`` on anything else)."""
    if value.__class__ is not list:
        if value is None or value.__class__ in (str, int, bool):
            return value
        raise ValueError("not a cached value")
    tag = value[0]
    if tag == "t":
        return tuple(decode(v) for v in value[1:])
    if tag == "m":
        it = iter(value[1:])
        items = [(k, decode(v)) for k, v in zip(it, it, strict=True)]
        if not all(k.__class__ in (str, int) for k, _ in items):
            raise ValueError("not a map key")
        return immutables.Map(items)
    if tag == "d" and len(value) == 2 and value[1].__class__ is str:
        return parse_date(value[1])
    if tag == "e" and len(value) == 2 and value[1].__class__ is dict:
        # An event kept in the world (a roll call): checked as a line of the log is.
        event = trusted_event_from_dict(value[1])
        if not _own_event(event):
            raise ValueError("not an event of unledger's own kinds")
        return event
    if tag == "c":
        cls = _CLASSES[value[1]]
        names = _NAMES[cls]
        if len(value) != len(names) + 2:
            raise ValueError("wrong field count")
        return cls(**{n: decode(v) for n, v in zip(names, value[2:], strict=True)})
    raise ValueError("unknown tag")


def packed(a: array[int]) -> str:
    return base64.b64encode(a.tobytes()).decode("ascii")


def unpacked(text: str) -> array[int]:
    a = array("q")
    a.frombytes(base64.b64decode(text, validate=True))
    return a
