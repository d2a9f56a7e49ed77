"""Reading the log a snapshot cache stood in for (see :mod:`unledger.cache`).

A :class:`~unledger.ledger.Ledger` reopened from a snapshot cache answers
``state()`` from the snapshot and reads its log only when something needs the
records: the attributes that need them are :class:`Loaded`, and
:func:`load_snapshot` reads them in. Nothing here takes a lock or imports the
ledger.
"""

from __future__ import annotations

from typing import Any

from ._gc import bulk
from .effective import index_records
from .log import GENESIS, decode_lines
from .timeline import Timeline

__all__ = ["Loaded", "load_snapshot"]


class Loaded:
    """An attribute of a :class:`Ledger` that needs the log read: reading it
    on a ledger reopened from a snapshot cache loads the log first."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if obj._lazy is not None:
            obj._load()
        return obj.__dict__[self.name]

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


def load_snapshot(lazy: Any, path: str | None, loaded: dict[str, Any]) -> None:
    """Read the log ``lazy`` (a snapshot cache, closed here) stood in for into
    ``loaded`` (a ledger's ``__dict__``): its records, the records by id, the
    id -> entry map and the timeline."""
    lazy.close()
    data = lazy.data  # the bytes the cache was checked against at open
    lines = data[:-1].split(b"\n") if data else []
    with bulk(len(lines)):
        records = decode_lines(lines, 1, GENESIS, path=path)
        loaded["_records"] = records
        loaded["_by_id"], loaded["_effective"] = index_records(records)
        loaded["_timeline"] = Timeline(loaded["_effective"].values())
