"""The :class:`Ledger` facade: open a log, append events, ask about any day.

Reading order: :meth:`Ledger.open` reads every complete line of the log into
:class:`~unledger.log.Record` objects and builds the :class:`Timeline` of the
events in the record (retractions and corrections applied). Appends go
through the lock (docs/concepts.md#durability), are checked against the rules on their own
dates and for every later event (docs/concepts.md#backfill, #corrections), and are written in one durable
write. Queries fold the timeline up to the day asked (docs/concepts.md#the-fold).
"""

from __future__ import annotations

import bisect
import logging
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from . import reports
from ._gc import appended, bulk
from .appending import batch_of, check_expected_seq, recorded_originals, settle_tail, write_batch
from .basis import Basis
from .dates import END_OF_TIME, DateLike, parse_timestamp, to_day
from .effective import Key, in_effect, index_records, select
from .effective import effective_map as _effective_map
from .errors import ConcurrencyError, InvalidEvent, ReadOnlyLedger
from .events.base import Event
from .lean import append_at_head
from .lineage import Link, links_of
from .loading import Loaded as _Loaded
from .loading import load_snapshot
from .log import GENESIS, FileLog, MemoryLog, Record, Storage, decode_lines
from .log.head import check_head
from .log.verify import check_held_back, verify_storage
from .reports import Change, Diff
from .state import State, World
from .timeline import Timeline

if TYPE_CHECKING:
    from .checkpoint import Checkpoint

__all__ = ["Ledger", "Diff", "Change"]

logger = logging.getLogger("unledger")


class Ledger:
    """A bitemporal record of dated events, backed by an append-only log.

    Open one with :meth:`open` (a file), :meth:`memory` (no file) or
    :meth:`bundled` (the records shipped with unledger, read-only).

    A ledger may be shared by threads: appends are serialised inside the
    process by a lock of its own (and across processes by the file lock),
    and a query sees another thread's batch whole or not at all.
    """

    #: Set when reopened from a snapshot cache and not read yet (unledger.cache).
    _lazy: Any = None
    # Reading any of these loads the log first when the ledger is still lazy.
    _records: list[Record] = _Loaded()  # type: ignore[assignment]
    _by_id: dict[str, Record] = _Loaded()  # type: ignore[assignment]
    _effective: dict[str, tuple[Key, Event]] = _Loaded()  # type: ignore[assignment]
    _timeline: Timeline = _Loaded()  # type: ignore[assignment]

    def __init__(self, log: Storage, *, readonly: bool = False) -> None:
        self._log = log
        #: Serialises appends, repairs and catching up between the threads of
        #: this process (the file lock serialises processes), and lets a
        #: query see only whole batches.
        self._lock = threading.RLock()
        self.readonly = readonly or log.readonly
        self._records: list[Record] = []
        self._by_id: dict[str, Record] = {}
        self._effective: dict[str, tuple[Key, Event]] = {}
        self._timeline = Timeline()
        self._past: tuple[str, Timeline] | None = None
        #: Leading records this ledger decoded from the log itself (see verify()).
        self._decoded = 0
        #: Quarantine files this ledger created for torn tails it found.
        self.quarantined: list[Path] = []
        self._catch_up(initial=True)

    # -- opening -----------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, readonly: bool = False, lock_timeout: float = 10.0, cache: bool = False
    ) -> Ledger:
        """Open the log at ``path``, creating an empty one if it is missing
        (unless ``readonly``).

        ``cache=True`` uses the snapshot cache beside the log (``<path>.cache``,
        see :mod:`unledger.cache`) when it verifies and is bound to the log's
        bytes, so that a large log is not decoded or folded again to answer
        ``state()``; otherwise the log is read as usual and, unless
        ``readonly``, the cache rewritten. The cache holds data only.
        """
        log = FileLog(path, readonly=readonly, lock_timeout=lock_timeout)
        if not cache:
            return cls(log, readonly=readonly)
        from .cache import load_cache, write_cache

        lazy = load_cache(path, log)
        if lazy is not None:
            ledger = cls.__new__(cls)
            ledger._lazy = lazy
            log.skip_to(lazy.size, lazy.records, lazy.head)  # lines after the snapshot are read as usual
            ledger.__init__(log, readonly=readonly)  # type: ignore[misc]
            if ledger._lazy is None and not ledger.readonly:  # the log grew since: snapshot it again
                ledger.state(None)
                write_cache(ledger)
            return ledger
        ledger = cls(log, readonly=readonly)
        if not ledger.readonly:
            ledger.state(None)  # fold to the head: the snapshot holds its worlds
            write_cache(ledger)
        return ledger

    def _load(self) -> None:
        """Read the log a snapshot cache stood in for (see :meth:`open`)."""
        with self._lock:
            if self._lazy is not None:
                self._load_locked()

    def _load_locked(self) -> None:
        lazy, self._lazy = self._lazy, None
        load_snapshot(lazy, str(self.path) if self.path else None, self.__dict__)

    @classmethod
    def for_repair(cls, path: str | os.PathLike[str], *, lock_timeout: float = 10.0) -> Ledger:
        """Open the log at ``path`` to :meth:`repair` it: like :meth:`open`,
        except that complete lines of an unfinished batch at the end of a log
        without head record are held back instead of refused (repairing
        moves them aside). Every line it serves is checked as usual."""
        log = FileLog(path, lock_timeout=lock_timeout)
        with log.repairing():
            return cls(log)

    @classmethod
    def memory(cls) -> Ledger:
        """A ledger with no file: same format, chain and rules, kept in memory."""
        return cls(MemoryLog())

    @classmethod
    def bundled(cls) -> Ledger:
        """The records shipped with unledger (``events/``), read-only."""
        from .records import bundled_path

        return cls.open(bundled_path(), readonly=True)

    @property
    def path(self) -> Path | None:
        return self._log.path

    def __repr__(self) -> str:
        where = str(self.path) if self.path else "memory"
        return f"<Ledger {where}: {self.seq} records, head {self.head[:12]}>"

    def __len__(self) -> int:
        return self.seq

    def close(self) -> None:
        """Release the file descriptor kept open for appends. The ledger
        stays usable: the next append opens the file again."""
        self._log.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading the log --------------------------------------------------------

    def _catch_up(self, *, initial: bool = False) -> None:
        """Read lines other writers appended since we last looked."""
        with self._lock:
            self._catch_up_locked(initial)

    def _catch_up_locked(self, initial: bool) -> None:
        lines = self._log.read_new()
        path = str(self.path) if self.path else None
        if lines:
            before = len(self._records)
            self._read_lines(lines, initial, path)
            if self._decoded == before:
                self._decoded = len(self._records)
        check_head(self._log.acknowledged(), self.seq, self.head, path)
        if not self._log.repairing_now:
            check_held_back(self._log.pending, self.seq, self.head, path)

    def _read_lines(self, lines: list[bytes], initial: bool, path: str | None) -> None:
        # Lines whose hash chain checks out take the fast decode path
        # (unledger.log.fast); the collector is paused for a bulk load.
        with bulk(len(lines)):
            new_records = decode_lines(lines, len(self._records) + 1, self.head, path=path)
            if initial and not self._records:
                self._records = new_records
                self._by_id, self._effective = index_records(new_records)
                self._timeline = Timeline(self._effective.values())
                return
            # Another process appended: apply its records as they are (they were
            # checked by their writer) and rebuild the fold order.
            for record in new_records:
                self._records.append(record)
                self._by_id[record.id] = record
            self._effective = _effective_map(self._records)
            self._timeline = Timeline(self._effective.values())
            self._past = None

    def refresh(self) -> None:
        """Pick up events appended by other processes since the last read."""
        self._catch_up()

    @property
    def head(self) -> str:
        """The last line's hash: names this version of the log."""
        if self._lazy is not None:
            return self._lazy.head  # type: ignore[no-any-return]
        return self._records[-1].hash if self._records else GENESIS

    @property
    def seq(self) -> int:
        """The seq of the last record (0 when empty)."""
        if self._lazy is not None:
            return self._lazy.records  # type: ignore[no-any-return]
        return len(self._records)

    @property
    def records(self) -> Sequence[Record]:
        """Every record in log order (a read-only view)."""
        return tuple(self._records)

    def record(self, event_id: str) -> Record:
        try:
            return self._by_id[event_id]
        except KeyError:
            raise InvalidEvent(f"no event with id {event_id!r} in the log", field="id") from None

    def verify(self, *, workers: int | None = None, checkpoint: Checkpoint | None = None) -> str:
        """Recompute the hash chain of the whole log; return the head hash.

        Every line is checked as opening the log checks it (its place in the
        chain, its hash, its JSON, its event), and the log against its head
        record (see ``docs/guarantees.md``); lines this ledger decoded itself
        are not decoded again while their hashes show the same bytes. Raises
        :class:`~unledger.errors.IntegrityError` naming the first line that
        was edited, inserted, deleted or moved, and
        :class:`~unledger.errors.ClockError` when the last line was recorded
        in this machine's future (beyond the tolerance). A large log is checked
        by up to ``workers`` processes on Linux (default: one per idle CPU
        this process may use, at most 4, and only when it runs no other thread);
        ``workers=1`` checks it in this process alone. See
        :func:`unledger.log.verify.verify_bytes`.

        ``checkpoint`` (a :class:`~unledger.checkpoint.Checkpoint` whose
        signature you checked, e.g. with
        :func:`~unledger.checkpoint.open_checkpoint`) also requires the log
        to extend it: its first ``checkpoint.size`` lines must have the
        checkpoint's Merkle root. The ``IntegrityError`` says whether the log
        was truncated or rewritten (see ``docs/checkpoints.md``).
        """
        if workers is not None and (workers.__class__ is not int or workers < 1):
            raise InvalidEvent(f"workers must be a whole number >= 1, got {workers!r}", field="workers")
        with self._lock:
            decoded = (self._decoded, self._records[self._decoded - 1].hash) if self._decoded and self._lazy is None else None
        head, _, _ = verify_storage(self._log, workers=workers, decoded=decoded)
        if checkpoint is not None:
            from .proofs import check_extends

            path = str(self.path) if self.path else None
            check_extends(self._log.all_bytes().split(b"\n")[:-1], checkpoint, path=path)
        return head

    def check(self) -> int:
        """Check every event of the record against the rules again, in fold
        order, as if the whole record were appended at once; return how many
        events were checked.

        Appends are checked as they are made, so a log written by unledger
        passes. Use this on a log written by another program (or by a bulk
        writer that skipped :meth:`append`), or after changing the rules.
        Raises :class:`~unledger.errors.RuleViolation` naming the first
        event, in fold order, that breaks a rule.
        """
        with self._lock:
            timeline = self._timeline
            entries = list(zip(timeline.keys, timeline.events, strict=True))
        Timeline().propose(entries, set(), cause="the check of the whole record")
        return len(entries)

    def repair(self) -> Path | None:
        """Move a torn tail (a partial last line left by a crashed writer, or
        the first lines of a batch whose write was cut) into a quarantine
        file beside the log. Never deletes data, and never moves a line the
        head record acknowledges. On a log without a head record, this is
        the explicit act that moves complete lines of an unfinished batch
        aside (an ordinary open refuses to guess). Returns the quarantine
        file's path, or ``None`` when the log was clean."""
        if self.readonly:
            raise ReadOnlyLedger("this ledger is read-only")
        with self._lock, self._log.locked():
            with self._log.repairing():
                self._catch_up()
                return settle_tail(self._log, self.seq, self.head, self._catch_up, self.quarantined)

    # -- appending -------------------------------------------------------------

    @overload
    def append(self, events: Event, *, expected_seq: int | None = None) -> Record: ...

    @overload
    def append(self, events: Iterable[Event], *, expected_seq: int | None = None) -> list[Record]: ...

    def append(self, events: Event | Iterable[Event], *, expected_seq: int | None = None) -> Record | list[Record]:
        """Append one event or a batch, all or nothing; return what was recorded.

        Each event is checked against the rules on its own date, and every
        later event is re-checked with it in place. An event whose id is
        already recorded with identical content is not written again: its
        original record is returned (a retry is safe). ``expected_seq`` is the
        seq of the last record the caller saw; if the log has moved on,
        :class:`~unledger.errors.ConcurrencyError` is raised.
        """
        single = isinstance(events, Event)
        batch, as_dicts = batch_of(events)
        check_expected_seq(expected_seq)
        if self.readonly:
            raise ReadOnlyLedger("this ledger is read-only (the bundled records are); open your own log to append")
        with self._lock, self._log.locked():
            if single and self._lazy is None and self._log.quiet(self.seq, self.head):  # the common append: unledger.lean
                d, event = self.__dict__, batch[0]
                record = append_at_head(self._log, d["_records"], d["_by_id"], d["_effective"], d["_timeline"], event, as_dicts.get(id(event)), expected_seq)
                if record is not None:
                    self._past = None
                    appended(1)
                    return record
            self._catch_up()
            settle_tail(self._log, self.seq, self.head, self._catch_up, self.quarantined)
            results = self._append_locked(batch, expected_seq, as_dicts)
        return results[0] if single else results

    def _append_locked(self, batch: list[Event], expected_seq: int | None, as_dicts: dict[int, Any]) -> list[Record]:
        originals = recorded_originals(batch, self._by_id.get)
        fresh = [event for event, original in zip(batch, originals, strict=True) if original is None]
        if not fresh:
            return [r for r in originals if r is not None]
        if expected_seq is not None and expected_seq != self.seq:
            raise ConcurrencyError(expected_seq, self.seq)

        new_records, proposal, effective = write_batch(
            self._log, fresh, self.seq, self.head, self._records, self._by_id, self._effective, self._timeline, as_dicts
        )
        # On disk: now make memory agree.
        self._timeline.commit(proposal)
        self._effective = effective.apply()
        for record in new_records:
            self._records.append(record)
            self._by_id[record.id] = record
        self._past = None
        appended(len(new_records))
        it = iter(new_records)
        return [original if original is not None else next(it) for original in originals]

    # -- asking --------------------------------------------------------------------

    def state(self, as_of: DateLike | None = None, known_at: DateLike | None = None) -> State:
        """What was true on ``as_of`` (default today), as the ledger knew it
        at ``known_at`` (default now).

        ``as_of`` may be a partial date (``"1992"`` means 31 December 1992),
        a :class:`datetime.date` or ``None``; ``known_at`` a timezone-aware
        datetime, an ISO timestamp or a date (the end of that day, UTC).
        """
        day = to_day(as_of)
        with self._lock:  # an append in another thread changes the timeline in place
            if known_at is None and self._lazy is not None:
                lazy = self._lazy  # reopened from a snapshot cache
                state = State(lazy.world_at(day), day, self._links(lazy))
            else:
                timeline = self._timeline_for(known_at)
                state = State(timeline.world_at(day), day, self._links(timeline))
            state.basis = self._basis(known_at)
        return state

    def _basis(self, known_at: Any) -> Basis:
        """The version of the log an answer ``known_at`` is computed from:
        the lines recorded by then (a prefix: ``recorded`` never decreases)."""
        from .proofs import basis_of

        if known_at is None or not self._records:
            return basis_of(self, self.seq, self.head)
        size = bisect.bisect_right(self._records, parse_timestamp(known_at), key=_recorded)
        return basis_of(self, size, self._records[size - 1].hash if size else GENESIS)

    def _links(self, source: Any) -> tuple[Link, ...]:
        """The record's continuations (one member, one history), read off the
        world at the end of time and kept until the record changes."""
        cached = self.__dict__.get("_links_cache")
        stamp = (id(source), self._records[-1].seq if self._lazy is None and self._records else -1)
        if cached is not None and cached[0] == stamp:
            return cached[1]  # type: ignore[no-any-return]
        links = links_of(source.world_at(to_day(END_OF_TIME)).existence)
        self.__dict__["_links_cache"] = (stamp, links)
        return links

    def world(self, as_of: DateLike | None = None, known_at: DateLike | None = None) -> World:
        return self.state(as_of, known_at).world

    def _timeline_for(self, known_at: DateLike | None) -> Timeline:
        if known_at is None:
            return self._timeline
        moment = parse_timestamp(known_at)
        if self._records and moment >= self._records[-1].recorded:
            return self._timeline
        if self._past is not None and self._past[0] == moment:
            return self._past[1]
        known = [r for r in self._records if r.recorded <= moment]
        timeline = Timeline(_effective_map(known).values())
        self._past = (moment, timeline)
        return timeline

    def events(
        self,
        *,
        kind: str | Iterable[str] | None = None,
        entity: str | None = None,
        start: DateLike | None = None,
        end: DateLike | None = None,
        known_at: DateLike | None = None,
        include_retracted: bool = False,
    ) -> Iterator[Record]:
        """Recorded events in log order, filtered.

        - ``kind``: a kind name or several;
        - ``entity``: events concerning this code (as member, party, body...);
        - ``start`` / ``end``: events whose date may fall in that range
          (partial dates allowed, both inclusive);
        - ``known_at``: only what was recorded by then;
        - ``include_retracted``: also yield retracted events and the
          retraction and correction records themselves. Otherwise a corrected
          event is yielded in its corrected form, as of its correction's record.
        """
        with self._lock:  # a snapshot: appends from other threads do not show halfway
            records, effective = self._records, self._effective
            if known_at is not None:  # what was recorded then, and in effect after it
                moment = parse_timestamp(known_at)
                records = [r for r in records if r.recorded <= moment]
                effective = _effective_map(records)
            records = in_effect(records, effective) if not include_retracted else list(records)
        kinds = {kind} if isinstance(kind, str) else (set(kind) if kind is not None else None)
        if entity is not None:  # any of a state's codes (see State.code)
            entity = self.state(END_OF_TIME, known_at).code(entity)
        return select(records, kinds=kinds, entity=entity, start=start, end=end)

    def timeline(self, entity: str, *, known_at: DateLike | None = None) -> list[Event]:
        """Every event in the record concerning ``entity``, in date order
        (resolutions that concern it included); for a state, under every code
        of its line (one member, one history: ``SRB`` includes Serbia and
        Montenegro's ``SCG`` events)."""
        with self._lock:
            line = self._timeline_for(known_at)
            codes = set(self.state("9999", known_at).codes(entity))
            if len(codes) == 1:
                (code,) = codes
                return [e for e in line.events if code in e.entities()]
            return [e for e in line.events if not codes.isdisjoint(e.entities())]

    def member_counts(
        self,
        org: str,
        start: DateLike | None = None,
        end: DateLike | None = None,
        *,
        known_at: DateLike | None = None,
        allow_partial: bool = False,
    ) -> list[tuple[int, int]]:
        """``(year, members at the end of that year)`` for each year in range
        (default: from the organization's first event to this year); a
        partly covered organization raises
        :class:`~unledger.errors.PartialCoverage` unless ``allow_partial``;
        see :func:`unledger.reports.member_counts`."""
        with self._lock:
            return reports.member_counts(self._timeline_for(known_at), org, start, end, allow_partial=allow_partial)

    def diff(self, d1: DateLike, d2: DateLike, *, org: str | None = None, known_at: DateLike | None = None) -> Diff:
        """What changed after day ``d1`` up to day ``d2``: members who joined or
        left, seats taken or given up, signatures, parties bound, instruments
        in force, resolutions adopted, each with the date it happened.
        ``org`` limits it to one organization and its bodies. A range that
        ends before it starts is refused (:class:`~unledger.errors.InvalidEvent`);
        see :func:`unledger.reports.diff`."""
        return reports.diff(self.state(d1, known_at), self.state(d2, known_at), org=org)


def _recorded(record: Record) -> str:
    return record.recorded
