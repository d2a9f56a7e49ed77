"""The garbage-collector policy for bulk loads.

Everything a ledger holds is immutable and acyclic: events, records, the
persistent maps of the fold. Reference counting frees all of it; the cyclic
collector never finds garbage there, yet CPython runs it again and again while
a large load allocates millions of tracked objects, re-traversing a heap that
only grows. At a million events that costs more than the fold itself
(see ``docs/performance.md``).

So a bulk load (opening a log, folding many events) pauses the collector and,
when it allocated a lot, moves what survived into the permanent generation
with :func:`gc.freeze`, so later collections do not traverse it either.
Objects that become garbage later are still freed by reference counting;
only a reference cycle among frozen objects would stay until
:func:`gc.unfreeze`. The collector is re-enabled afterwards, exactly as it
was; nothing is changed when the caller had disabled it.

Set :data:`FREEZE_AFTER` to ``None`` to never freeze.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["bulk", "appended", "FREEZE_AFTER", "FREEZE_APPENDS", "BULK_EVENTS"]

#: Freeze survivors after a bulk load of at least this many events.
FREEZE_AFTER: int | None = 50_000
#: Folds of at least this many events are bulk loads.
BULK_EVENTS = 20_000

_depth = 0
_since_freeze = 0


@contextmanager
def bulk(events: int) -> Iterator[None]:
    """Pause the cyclic collector around a load of ``events`` events.

    Re-entrant: only the outermost call changes the collector's state.
    """
    global _depth
    if _depth or events < BULK_EVENTS or not gc.isenabled():
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    _depth += 1
    gc.disable()
    try:
        yield
    finally:
        _depth -= 1
        try:
            if FREEZE_AFTER is not None and events >= FREEZE_AFTER:
                gc.freeze()
        finally:
            gc.enable()


#: Freeze survivors after this many appended events (a freeze costs O(1)).
FREEZE_APPENDS: int | None = 10_000


def appended(events: int) -> None:
    """Count events a ledger took in by appends; after :data:`FREEZE_APPENDS`
    of them, freeze what survived, as after a bulk load. An import of many
    batches otherwise has the collector traverse the whole, growing heap
    again and again (about two thirds of a 300k-event import's time)."""
    global _since_freeze
    _since_freeze += events
    if FREEZE_APPENDS is not None and _since_freeze >= FREEZE_APPENDS and gc.isenabled():
        _since_freeze = 0
        gc.freeze()
