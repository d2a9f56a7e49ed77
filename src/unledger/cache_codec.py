"""Data only: the values of a stored world as JSON, and back.

The snapshot cache (:mod:`unledger.cache`) stores each of a world's maps as
JSON whose values are rebuilt as strings, numbers, tuples, maps, dates and
instances of a fixed list of unledger's own state classes, and events of
unledger's own kinds (a roll call), each checked as a line of the log is;
nothing in it is ever run. :func:`encode` and :func:`decode` are that
mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import attrs
import immutables
import orjson

from . import world as _world
from .codec import event_to_dict
from .dates import PartialDate, parse_date
from .errors import IntegrityError, UnledgerError
from .events.base import Event
from .events.instruments import EntryRule
from .events.resolutions import Tally
from .log import trusted_event_from_dict
from .log.codegen import compile_function

__all__ = ["Unstorable", "encode", "decode", "encode_map", "StoredMap"]


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

#: How a class's field is stored, from its declared type: a date (or none)
#: as its text, a scalar (or none) as it is, anything else as a tagged value.
#: Most values of a stored world are fields of these classes, so most need
#: no tag to read back.
_DATE, _SCALAR, _ANY = "date", "scalar", "any"
_KIND_OF_TYPE: Final = {
    "PartialDate": _DATE,
    "PartialDate | None": _DATE,
    **{t: _SCALAR for t in ("str", "str | None", "int", "int | None", "bool")},
}
_SCHEMAS: Final = {
    cls: tuple((f.name, _KIND_OF_TYPE.get(str(f.type), _ANY)) for f in attrs.fields(cls)) for cls in _CLASSES.values()
}


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
    schema = _SCHEMAS.get(cls)
    if schema is None:
        raise Unstorable(cls)
    return ["c", cls.__name__, *(_encode_field(getattr(value, n), kind) for n, kind in schema)]


def _encode_field(value: Any, kind: str) -> Any:
    """A class's field: a date field as its bare text, a scalar field as it
    is (both checked), anything else tagged."""
    if kind == _ANY:
        return encode(value)
    if value is None or (kind == _SCALAR and value.__class__ in (str, int, bool)):
        return value
    if kind == _DATE and isinstance(value, PartialDate) and value.__class__ is PartialDate:
        return value.text
    raise Unstorable(value.__class__)


def decode(value: Any) -> Any:
    """The value :func:`encode` was given (``ValueError`` on anything else)."""
    return _decode(value, {})


def _decode(value: Any, dates: dict[str, PartialDate]) -> Any:
    """:func:`decode`, with the dates of this value parsed once each (a
    stored map repeats a few hundred dates across thousands of records)."""
    cls = value.__class__
    if cls is not list:
        if cls is str or cls is int or value is None or cls is bool:
            return value
        raise ValueError("not a cached value")
    tag = value[0]
    if tag == "c":
        return _CLASS_DECODERS[value[1]](value, dates)
    if tag == "d" and len(value) == 2 and value[1].__class__ is str:
        text = value[1]
        date = dates.get(text)
        if date is None:
            date = dates[text] = parse_date(text)
        return date
    if tag == "m":
        keys = value[1::2]
        if len(value) % 2 != 1 or not all(k.__class__ is str or k.__class__ is int for k in keys):
            raise ValueError("not a map")
        return immutables.Map(zip(keys, [_decode(v, dates) for v in value[2::2]], strict=True))
    if tag == "t":
        return tuple([_decode(v, dates) for v in value[1:]])
    if tag == "e" and len(value) == 2 and value[1].__class__ is dict:
        # An event kept in the world (a roll call): checked as a line of the log is.
        event = trusted_event_from_dict(value[1])
        if not _own_event(event):
            raise ValueError("not an event of unledger's own kinds")
        return event
    raise ValueError("unknown tag")


def _new_date(text: Any, dates: dict[str, PartialDate]) -> PartialDate:
    if text.__class__ is not str:
        raise ValueError("not a date")
    date = dates[text] = parse_date(text)
    return date


def _class_decoder(cls: type) -> Callable[[list[Any], dict[str, PartialDate]], Any]:
    """A decoder of ``["c", name, field, ...]`` for ``cls``, generated from
    its schema: each field read back inline by its kind, then the class
    built from them (positionally)."""
    schema = _SCHEMAS[cls]
    names = [f"f{i}" for i in range(len(schema))]
    lines = [
        "def decode_class(value, dates):",
        f"    if len(value) != {len(schema) + 2}:",
        "        raise ValueError('wrong field count')",
        f"    _, _, {', '.join(names)}, = value",
    ]
    for name, (_, kind) in zip(names, schema, strict=True):
        if kind == _DATE:
            lines += [
                f"    if {name} is not None:",
                f"        {name} = (dates.get({name}) if {name}.__class__ is str else None) or new_date({name}, dates)",
            ]
        elif kind == _SCALAR:
            lines += [
                f"    if {name} is not None and {name}.__class__ is not str and {name}.__class__ is not int and {name}.__class__ is not bool:",
                "        raise ValueError('not a scalar')",
            ]
        else:
            lines.append(f"    {name} = decode({name}, dates)")
    lines.append(f"    return make({', '.join(names)})")
    namespace = {"make": _maker(cls), "new_date": _new_date, "decode": _decode}
    return compile_function("decode_class", "\n".join(lines) + "\n", namespace)


def _maker(cls: type) -> Callable[..., Any]:
    """A constructor of ``cls`` from its fields in order: the fold's own
    fast one where ``cls`` runs no validator, else ``cls`` by keyword (its
    validators run)."""
    try:
        return _world.fast_constructor(cls)
    except TypeError:
        names = _NAMES[cls]
        return lambda *values: cls(**dict(zip(names, values, strict=True)))


class _Decoders(dict[str, Callable[[list[Any], dict[str, PartialDate]], Any]]):
    """Class name -> its decoder, generated when a class is first read (a
    reopen that reads three maps compiles three or four, not ten)."""

    def __missing__(self, name: str) -> Callable[[list[Any], dict[str, PartialDate]], Any]:
        decoder = self[name] = _class_decoder(_CLASSES[name])  # a KeyError for a name of no class
        return decoder


_CLASS_DECODERS: Final = _Decoders()


# -- a map stored a key at a time ------------------------------------------------------


def encode_map(value: immutables.Map[Any, Any]) -> bytes:
    """A world's map as bytes that :class:`StoredMap` reads a key at a time:
    a JSON list ``[key, length, ...]``, a newline, then each key's value as
    JSON (:func:`encode`), one after another."""
    if value.__class__ is not immutables.Map:
        raise Unstorable(value.__class__)
    index: list[Any] = []
    parts: list[bytes] = []
    for key, item in value.items():
        if key.__class__ not in (str, int):
            raise Unstorable(key)
        part = orjson.dumps(encode(item))
        index += (key, len(part))
        parts.append(part)
    return orjson.dumps(index) + b"\n" + b"".join(parts)


class StoredMap(Mapping[Any, Any]):
    """A world's map read from the snapshot cache a key at a time: a lookup
    (``m[key]``, ``m.get(key)``, ``key in m``, ``len(m)``) decodes that key's
    value only, so that ``members("UN")`` reads one organization's members
    instead of every organization's. Anything else (iterating, comparing,
    ``set``, ``mutate`` ...) builds the whole ``immutables.Map`` once and
    answers from it, so the map behaves as the folded one does."""

    __slots__ = ("_at", "_data", "_start", "_values", "_map")

    def __init__(self, data: bytes) -> None:
        newline = data.index(b"\n")
        index = orjson.loads(data[:newline])
        keys, lengths = index[0::2], index[1::2]
        if len(index) % 2 or not all(k.__class__ is str or k.__class__ is int for k in keys):
            raise ValueError("not a stored map")
        at: dict[Any, tuple[int, int]] = {}
        offset = newline + 1
        for key, length in zip(keys, lengths, strict=True):
            if length.__class__ is not int or length < 0 or key in at:
                raise ValueError("not a stored map")
            at[key] = (offset, length)
            offset += length
        if offset != len(data):
            raise ValueError("not a stored map")
        self._at = at
        self._data = data
        self._values: dict[Any, Any] = {}
        self._map: immutables.Map[Any, Any] | None = None

    def __getitem__(self, key: Any) -> Any:
        if self._map is not None:
            return self._map[key]
        try:
            return self._values[key]
        except KeyError:
            offset, length = self._at[key]  # a KeyError when the map has no such key
        try:
            value = decode(orjson.loads(self._data[offset : offset + length]))
        except (ValueError, KeyError, TypeError, UnledgerError):
            # The bytes passed their HMAC, so only a cache written with the
            # user's own key can get here.
            raise IntegrityError(f"the snapshot cache holds a damaged value under {key!r}") from None
        self._values[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def __len__(self) -> int:
        return len(self._at)

    def whole(self) -> immutables.Map[Any, Any]:
        """The map as the fold builds it (decoded once, then kept)."""
        if self._map is None:
            self._map = immutables.Map((key, self[key]) for key in self._at)
            self._values = {}
        return self._map

    def __iter__(self) -> Iterator[Any]:
        return iter(self.whole())

    def __eq__(self, other: object) -> bool:
        return self.whole() == (other.whole() if isinstance(other, StoredMap) else other)

    def __hash__(self) -> int:
        return hash(self.whole())

    def __repr__(self) -> str:
        return repr(self.whole())

    def __reduce__(self) -> tuple[Any, ...]:
        return self.whole().__reduce__()

    def set(self, key: Any, value: Any) -> immutables.Map[Any, Any]:
        return self.whole().set(key, value)

    def delete(self, key: Any) -> immutables.Map[Any, Any]:
        return self.whole().delete(key)

    def update(self, *args: Any, **kwargs: Any) -> immutables.Map[Any, Any]:
        return self.whole().update(*args, **kwargs)

    def mutate(self) -> Any:
        return self.whole().mutate()
