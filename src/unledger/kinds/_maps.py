"""Small helpers for updating nested persistent maps without mutation."""

from __future__ import annotations

from typing import Any, TypeVar

import immutables

from ..world import EMPTY

T = TypeVar("T")


def set_in(outer: immutables.Map[Any, Any], key: Any, inner_key: Any, value: Any) -> immutables.Map[Any, Any]:
    """``outer[key][inner_key] = value``, returning a new outer map."""
    return outer.set(key, outer.get(key, EMPTY).set(inner_key, value))


def get_in(outer: immutables.Map[Any, Any], key: Any, inner_key: Any, default: Any = ()) -> Any:
    return outer.get(key, EMPTY).get(inner_key, default)


def append_in(outer: immutables.Map[Any, Any], key: Any, inner_key: Any, item: Any) -> immutables.Map[Any, Any]:
    """Add ``item`` to the tuple at ``outer[key][inner_key]``."""
    inner = outer.get(key, EMPTY)
    return outer.set(key, inner.set(inner_key, inner.get(inner_key, ()) + (item,)))


def insert_dated(items: tuple[Any, ...], item: Any) -> tuple[Any, ...]:
    """Insert ``(date, value)`` into a tuple kept in date order (stable)."""
    day = item[0].earliest_day
    index = len(items)
    while index > 0 and items[index - 1][0].earliest_day > day:
        index -= 1
    return items[:index] + (item,) + items[index:]
