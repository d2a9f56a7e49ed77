"""The kind registry: JSON ``kind`` name -> event class, and upcasters.

A kind is registered once, with the :func:`kind` class decorator. Users define
their own kinds the same way, in their own code; :func:`unledger.register`
adds the reducer and rules on top (the reducers live in a higher layer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

import attrs

from ..errors import InvalidEvent
from .base import Event

__all__ = ["kind", "kind_class", "kinds", "register_upcaster", "upcast", "RESERVED_FIELDS"]

#: Keys the log's line format uses around the event; no kind may define them.
RESERVED_FIELDS: Final = frozenset({"kind", "v", "seq", "more", "prev", "recorded", "hash"})

E = TypeVar("E", bound=type[Event])

_KINDS: dict[str, type[Event]] = {}
_UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def kind(name: str, *, version: int = 1) -> Callable[[E], E]:
    """Class decorator: register ``cls`` as the event kind ``name``.

    Apply it on top of ``@attrs.frozen(kw_only=True)``::

        @kind("mission_opening")
        @attrs.frozen(kw_only=True)
        class MissionOpening(Event):
            org: str = code_field()
            state: str = code_field()
    """

    def register(cls: E) -> E:
        if not (isinstance(cls, type) and issubclass(cls, Event) and attrs.has(cast(type, cls))):
            raise TypeError(f"{cls!r} must be an attrs subclass of unledger.Event")
        clash = RESERVED_FIELDS.intersection(f.name for f in attrs.fields(cls))
        if clash:
            raise TypeError(f"kind {name!r} uses reserved field names {sorted(clash)}")
        existing = _KINDS.get(name)
        if existing is not None and existing.__qualname__ != cls.__qualname__:
            raise ValueError(f"kind {name!r} is already registered by {existing.__qualname__}")
        event_cls = cast("type[Event]", cls)
        event_cls.kind = name
        event_cls.version = version
        _KINDS[name] = event_cls
        return cls

    return register


def kind_class(name: Any) -> type[Event]:
    cls = _KINDS.get(name) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(sorted(_KINDS))
        raise InvalidEvent(f"unknown kind {name!r}; known kinds: {known}", field="kind")
    return cls


def kinds() -> dict[str, type[Event]]:
    """A copy of the registry: kind name -> class."""
    return dict(_KINDS)


def register_upcaster(kind_name: str, from_version: int) -> Callable[[Callable[[dict[str, Any]], dict[str, Any]]], Callable[[dict[str, Any]], dict[str, Any]]]:
    """Decorator: a function turning a version ``from_version`` dict of
    ``kind_name`` into a version ``from_version + 1`` dict."""

    def register(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
        _UPCASTERS[(kind_name, from_version)] = fn
        return fn

    return register


def upcast(kind_name: str, version: int, fields: dict[str, Any], target: int) -> dict[str, Any]:
    while version < target:
        step = _UPCASTERS.get((kind_name, version))
        if step is None:
            raise InvalidEvent(f"no upcaster from version {version} of kind {kind_name!r}", field="v")
        fields = step(fields)
        version += 1
    if version > target:
        raise InvalidEvent(
            f"version {version} of kind {kind_name!r} is newer than this unledger knows ({target}); upgrade unledger",
            field="v",
        )
    return fields
