"""The append path of a :class:`~unledger.ledger.Ledger`, given its state explicitly.

:meth:`Ledger.append <unledger.ledger.Ledger.append>` checks its arguments
here, takes the locks, and calls these functions under them: which events of
a batch are already recorded (:func:`recorded_originals`), then how the fresh
ones change the record (:func:`plan`) and their one durable write
(:func:`write_batch`). The ledger then makes its memory agree with what was
written. Nothing here takes a lock or imports the ledger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .dates import next_timestamp
from .effective import Changes as _Changes
from .effective import Key
from .errors import DuplicateEventId, InvalidEvent, RuleViolation
from .events.base import Event, new_ids
from .events.meta import Correction, Retraction
from .ids import with_content_id_and_dict
from .log import Record, Storage, encode_batch, with_fields
from .timeline import Proposal, Timeline

__all__ = ["batch_of", "check_expected_seq", "settle_tail", "recorded_originals", "with_id", "plan", "write_batch"]

logger = logging.getLogger("unledger")


def batch_of(events: Event | Iterable[Event]) -> tuple[list[Event], dict[int, dict[str, Any]]]:
    """The events given to ``append`` as a list, each with its id, and the
    JSON dicts of those given their id here, by ``id()`` of the event (see
    :func:`~unledger.ids.with_content_id_and_dict`; :func:`write_batch` uses them)."""
    batch: list[Event] = [events] if isinstance(events, Event) else list(events)
    for index, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidEvent(f"expected an unledger event, got {type(event).__name__}", event=f"batch item {index + 1}")
    # An event without an id gets one from its content: appending it again is a no-op.
    out = []
    as_dicts = {}
    for event in batch:
        event, as_dict = with_content_id_and_dict(event)
        out.append(event)
        if as_dict is not None:
            as_dicts[id(event)] = as_dict
    return out, as_dicts


def check_expected_seq(expected_seq: int | None) -> None:
    if expected_seq is not None and (expected_seq.__class__ is not int or expected_seq < 0):
        raise InvalidEvent(f"expected_seq must be a whole number >= 0, got {expected_seq!r}", field="expected_seq")


def settle_tail(log: Storage, seq: int, head: str, catch_up: Callable[[], None], quarantined: list[Path]) -> Path | None:
    """Under the lock: what a crashed writer left after the head record
    (see :meth:`FileLog.settle_tail`); adopted lines are read in (``catch_up``),
    a quarantine file is added to ``quarantined``."""
    adopted, moved = log.settle_tail(seq, head)
    if adopted:
        logger.warning("unledger: %s: adopted lines written before a crash that its head record does not cover", log.path)
        catch_up()
    if moved is not None:
        quarantined.append(moved)
        logger.warning("unledger: moved a torn tail of %s into %s", log.path, moved)
    return moved


def recorded_originals(batch: list[Event], recorded: Callable[[str], Record | None]) -> list[Record | None]:
    """For each event of ``batch``, its record when the log already holds it
    with identical content (``recorded`` looks an id up), else ``None``."""
    originals: list[Record | None] = []
    seen: set[str] = set()
    for event in batch:
        if event.id is not None:
            if event.id in seen:
                raise InvalidEvent("this id (or this same event) appears twice in the batch", event=event.id, field="id")
            seen.add(event.id)
            existing = recorded(event.id)
            if existing is not None:
                # Compare as recorded: a correction's replacement was given the target's id.
                if existing.event != event and existing.event != with_id(event):
                    raise DuplicateEventId(
                        f"id {event.id} is already recorded at seq {existing.seq} with different content: give the changed event "
                        "another id, or record a correction of the recorded one",
                        event=event.id,
                        field="id",
                    )
                originals.append(existing)
                continue
        originals.append(None)
    return originals


def with_id(event: Event, fresh_ids: Iterator[str] | None = None) -> Event:
    # The event was validated when built and ids are valid by
    # construction here: copy it without validating it again.
    if event.id is None:
        assert fresh_ids is not None, "events without an id are given one only when appended"
        event = with_fields(event, id=next(fresh_ids))
    if isinstance(event, Correction) and event.replacement.id is None:
        event = with_fields(event, replacement=with_fields(event.replacement, id=event.target))
    return event


def next_recorded(records: list[Record]) -> str:
    return next_timestamp(records[-1].recorded if records else "")


def plan(
    fresh: list[Event], seq: int, current: dict[str, tuple[Key, Event]], by_id: dict[str, Record]
) -> tuple[list[tuple[Key, Event]], set[int], _Changes]:
    """Work out how ``fresh`` changes the record (``current``, the id -> entry
    map of a log of ``seq`` records indexed by ``by_id``): events to insert
    into the fold order, positions to remove, and the new id -> entry map."""
    # Changes on top of the current map, applied only once written: a
    # copy of the whole map would cost O(records) on every append.
    effective = _Changes(current)
    inserts: dict[str, tuple[Key, Event]] = {}
    removals: set[int] = set()
    for offset, event in enumerate(fresh):
        position = seq + offset + 1
        if isinstance(event, (Retraction, Correction)):
            target = effective.get(event.target)
            if target is None:
                if event.target in by_id or any(e.id == event.target for e in fresh):
                    reason = f"event {event.target} is not in the record (already retracted, or a retraction itself)"
                else:
                    reason = f"no event with id {event.target} in the log"
                raise RuleViolation(reason, event=event.label(), field="target", rule="target-exists")
            del effective[event.target]
            if event.target in inserts:
                del inserts[event.target]
            else:
                removals.add(target[0][1])
            if isinstance(event, Correction):
                replacement = event.replacement
                assert replacement.id is not None
                if replacement.id != event.target and (replacement.id in effective or replacement.id in by_id):
                    raise InvalidEvent(
                        f"replacement id {replacement.id} is already used", event=event.label(), field="replacement"
                    )
                entry = ((replacement.date.earliest_day, position), replacement)
                effective[replacement.id] = entry
                inserts[replacement.id] = entry
            continue
        assert event.id is not None
        if event.id in effective:
            raise DuplicateEventId("id already used by an event in the record", event=event.id, field="id")
        entry = ((event.date.earliest_day, position), event)
        effective[event.id] = entry
        inserts[event.id] = entry
    return list(inserts.values()), removals, effective


def write_batch(
    log: Storage,
    fresh: list[Event],
    seq: int,
    head: str,
    records: list[Record],
    by_id: dict[str, Record],
    effective: dict[str, tuple[Key, Event]],
    timeline: Timeline,
    as_dicts: Mapping[int, dict[str, Any]] | None = None,
) -> tuple[list[Record], Proposal, _Changes]:
    """Give ``fresh`` its ids and timestamp, check it against the rules, and
    write it to ``log`` (``seq`` records so far, the last one's hash ``head``)
    in one durable write (``as_dicts``: see :func:`batch_of`).
    Returns the new records, the timeline's proposal and the planned changes
    to ``effective``; the caller makes its memory agree with them."""
    ids = iter(new_ids(sum(1 for event in fresh if event.id is None)))
    fresh = [with_id(event, ids) for event in fresh]
    recorded = next_recorded(records)
    inserts, removals, changes = plan(fresh, seq, effective, by_id)
    cause = ", ".join(e.label() for e in fresh)
    proposal = timeline.propose(inserts, removals, cause=cause)

    first_seq = seq + 1
    encoded = encode_batch(first_seq, head, recorded, fresh, as_dicts)
    new_records = []
    prev = head
    for offset, (event, (_, digest)) in enumerate(zip(fresh, encoded, strict=True)):
        new_records.append(Record(first_seq + offset, recorded, event, digest, prev))
        prev = digest
    log.write(b"".join(line for line, _ in encoded))
    return new_records, proposal, changes
