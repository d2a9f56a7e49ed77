"""Shared machinery for the reliability tests and scripts/crash_soak.py.

Writers run in forked processes (cheap: unledger is already imported) and
report what they do through a pipe, one short line per step, so the parent
knows which appends returned even when it kills the writer mid-way:

    ready <seq>            the writer opened the log
    try <batch>            about to append the batch
    ack <batch> <seq> <n>  append returned; the batch's n records start at <seq>
    conflict <batch>       ConcurrencyError (the batch must not be in the log)
    quarantine <path>      the writer moved a torn tail aside
    error <text>           anything unexpected (the test fails)

Event ids encode their batch: ``<writer>-<batch>-<size>-<index>``, so anyone
holding the log can tell whether a batch is whole without the transcript.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import re
import select
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

from unledger import ConcurrencyError, Establishment, Event, Ledger, Renaming
from unledger.log import FileLog

# -- events ---------------------------------------------------------------------


def batch_events(writer: str, batch: int, size: int) -> list[Event]:
    """``size`` events that no rule refuses whatever came before them
    (renamings, and establishments of organizations with made-up codes),
    with ids that name their batch."""
    out: list[Event] = []
    code = re.sub(r"[^A-Z0-9]", "", writer.upper())
    for k in range(size):
        eid = f"{writer}-{batch}-{size}-{k}"
        if k % 2:
            # Hyphens keep codes apart: writer k22's batch 31 is not writer k223's batch 11.
            out.append(Establishment(entity=f"X{code}-{batch}-{k}", name=f"organization {batch}.{k}", date="1999-05", id=eid))
        else:
            out.append(Renaming(entity=f"E{code}", name=f"name {batch}.{k}" + "x" * (k * 7 % 50), date="2001", id=eid))
    return out


def batch_of(event_id: str) -> tuple[str, int]:
    """(batch key, batch size) of an id made by :func:`batch_events`."""
    writer, batch, size, _ = event_id.rsplit("-", 3)
    return f"{writer}-{batch}", int(size)


def incomplete_batches(ids: list[str]) -> dict[str, tuple[int, int]]:
    """Batches of which only some events are present: key -> (present, size)."""
    seen = Counter(batch_of(i)[0] for i in ids)
    sizes = {batch_of(i)[0]: batch_of(i)[1] for i in ids}
    return {key: (n, sizes[key]) for key, n in seen.items() if n != sizes[key]}


# -- forked children ------------------------------------------------------------


@attrs.define
class Child:
    pid: int
    fd: int
    buffer: bytearray = attrs.field(factory=bytearray)
    status: int | None = None

    def drain(self, timeout: float = 0.0, *, first: bool = False) -> None:
        """Read what the child reports for ``timeout`` seconds (or, with
        ``first``, until something arrives), so its pipe never fills up."""
        deadline = time.monotonic() + timeout
        while True:
            left = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], left)
            if not ready:
                return
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return
            self.buffer += chunk
            if first:
                return

    def wait_for(self, word: bytes, limit: float = 60.0) -> None:
        """Block until the child reported a line starting with ``word``
        (``limit`` only guards against a hang; nothing asserts on time)."""
        deadline = time.monotonic() + limit
        while not any(line.startswith(word) for line in self.buffer.split(b"\n")):
            if time.monotonic() > deadline:
                raise AssertionError(f"child {self.pid} never reported {word!r}: {bytes(self.buffer)[-500:]!r}")
            self.drain(0.05, first=True)

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.reap()

    def reap(self) -> int:
        if self.status is None:
            _, status = os.waitpid(self.pid, 0)
            self.status = status
        self.drain()
        os.close(self.fd)
        return self.status

    def lines(self) -> list[str]:
        return [line.decode() for line in bytes(self.buffer).split(b"\n") if line]


def fork_child(body: Callable[[Callable[[str], None]], None]) -> Child:
    """Run ``body(report)`` in a forked process; ``report(line)`` sends a line
    to the parent. The child leaves with ``os._exit`` so it never runs the
    parent's atexit handlers or pytest's teardown."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        code = 0

        def report(line: str) -> None:
            os.write(write_fd, line.encode() + b"\n")

        try:
            body(report)
        except BaseException:
            code = 1
            try:
                report("error " + traceback.format_exc().replace("\n", " | "))
            except BaseException:
                pass
        os._exit(code)
    os.close(write_fd)
    return Child(pid, read_fd)


def tear_next_write(rng: random.Random) -> None:
    """Make this process's next log write stop part-way and SIGKILL itself,
    as a crash in the middle of ``write`` would (Linux does complete part of
    a large write when a fatal signal arrives)."""

    def torn(self: FileLog, data: bytes) -> None:
        fd = self._require_lock()
        cut = rng.randrange(1, len(data)) if len(data) > 1 else 0
        os.write(fd, data[:cut])
        os.kill(os.getpid(), signal.SIGKILL)

    FileLog.write = torn  # type: ignore[method-assign]


def writer(
    path: Path,
    name: str,
    *,
    seed: int,
    appends: int | None = None,
    max_batch: int = 8,
    tear_at: int | None = None,
    expected_share: float = 0.25,
    stale_expected: bool = False,
    lock_timeout: float = 30.0,
) -> Callable[[Callable[[str], None]], None]:
    """The body of a writer process: appends single events and batches (some
    with ``expected_seq``) until ``appends`` are done or it is killed.

    ``tear_at``: the append (0-based) whose write is torn part-way.
    ``stale_expected``: pass the seq this writer last saw, not a fresh one,
    so that other writers make it fail with ConcurrencyError; on a conflict
    the writer refreshes and retries, as an optimistic client does.
    """

    def body(report: Callable[[str], None]) -> None:
        rng = random.Random(seed)
        ledger = Ledger.open(path, lock_timeout=lock_timeout)
        report(f"ready {ledger.seq}")
        n = 0
        while appends is None or n < appends:
            size = 1 if rng.random() < 0.4 else rng.randint(2, max_batch)
            batch = batch_events(name, n, size)
            use_expected = rng.random() < expected_share
            if tear_at is not None and n == tear_at:
                tear_next_write(rng)
            report(f"try {name}-{n}")
            while True:
                expected = ledger.seq if use_expected else None
                if use_expected and not stale_expected:
                    ledger.refresh()
                    expected = ledger.seq
                before = len(ledger.quarantined)
                try:
                    records = ledger.append(batch[0] if size == 1 else batch, expected_seq=expected)
                except ConcurrencyError:
                    report(f"conflict {name}-{n}")
                    ledger.refresh()
                    continue
                break
            first = records.seq if not isinstance(records, list) else records[0].seq
            # Quarantines first: a parent that kills the writer once it reads
            # "ack" (crash_round's third kind of round) has then read them too.
            for moved in ledger.quarantined[before:]:
                report(f"quarantine {moved}")
            report(f"ack {name}-{n} {first} {size}")
            n += 1
        report("done")

    return body


def threaded_writer(
    path: Path, name: str, *, seed: int, threads: int, max_batch: int = 8, lock_timeout: float = 60.0
) -> Callable[[Callable[[str], None]], None]:
    """The body of a writer process whose ``threads`` threads append through
    one shared :class:`Ledger` until the process is killed. Each thread
    reports ``ack`` only once its append returned."""

    def body(report: Callable[[str], None]) -> None:
        import threading

        ledger = Ledger.open(path, lock_timeout=lock_timeout)
        failures: list[str] = []

        def run(k: int) -> None:
            rng = random.Random(seed * 1000 + k)
            who = f"{name}t{k}"
            n = 0
            try:
                while True:
                    size = 1 if rng.random() < 0.4 else rng.randint(2, max_batch)
                    batch = batch_events(who, n, size)
                    report(f"try {who}-{n}")
                    before = len(ledger.quarantined)
                    records = ledger.append(batch[0] if size == 1 else batch)
                    first = records.seq if not isinstance(records, list) else records[0].seq
                    for moved in ledger.quarantined[before:]:
                        report(f"quarantine {moved}")
                    report(f"ack {who}-{n} {first} {size}")
                    n += 1
            except BaseException:  # reported; the parent fails the run
                failures.append(traceback.format_exc().replace("\n", " | "))
                report("error " + failures[-1])

        workers = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(threads)]
        for t in workers:
            t.start()
        report("ready")
        for t in workers:
            t.join()

    return body


def thread_crash_round(directory: Path, kills: int, *, seed: int, threads: int = 4, max_delay: float = 0.05) -> dict[str, int]:
    """Kill ``kills`` processes, each appending from ``threads`` threads
    through one shared ledger, at random moments; after each kill the log
    is checked as :class:`LogWatch` does (nothing acknowledged lost, batches
    whole, the chain and head record sound) and a fresh append works."""
    rng = random.Random(seed)
    stats: Counter[str] = Counter()
    watch = LogWatch(directory / f"threads-{seed}.jsonl")
    for i in range(kills):
        child = fork_child(threaded_writer(watch.path, f"w{i}", seed=rng.randrange(1 << 30), threads=threads))
        child.wait_for(b"ready")
        child.drain(rng.uniform(0, max_delay))
        child.kill()
        transcript = Transcript.parse(child.lines())
        assert not transcript.errors, transcript.errors
        stats["kills"] += 1
        stats["threads"] += threads
        stats["acked_batches"] += len(transcript.acked)
        stats["acked_events"] += sum(size for _, size in transcript.acked.values())
        stats["killed_mid_append"] += len(transcript.tried) > len(transcript.acked)
        watch.acked.update(transcript.acked)
        ledger = watch.look(repair=(i % 2 == 1))
        record = ledger.append(batch_events(f"p{i}", 0, 1)[0])
        watch.acked[f"p{i}-0"] = (record.seq, 1)
        watch.look()
    stats["events_in_log"] = len(Ledger.open(watch.path))
    stats["tails_quarantined"] = watch.tails_quarantined
    return dict(stats)


# -- random damage ---------------------------------------------------------------------

from hypothesis import strategies as st  # noqa: E402

def forged_next(lines: list[bytes], recorded: bytes) -> bytes:
    """A line continuing the chain with a recomputed hash: what anyone with
    sha256 can append."""
    from unledger.log.line import GENESIS, hash_of

    prev = hash_of(lines[-1]) if lines else GENESIS.encode()
    start = b'{"prev":"%s","seq":%d,"recorded":"%s",' % (prev, len(lines) + 1, recorded)
    body = b'"kind":"admission","id":"forged","date":"1999","org":"UN","member":"FORGED"'
    digest = hashlib.sha256(start + body + b"}").hexdigest().encode()
    return start + body + b',"hash":"' + digest + b'"}\n'


DAMAGE = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 10**6), st.integers(0, 255)),
    st.tuples(st.just("delete"), st.integers(0, 10**6)),
    st.tuples(st.just("swap"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.integers(0, 10**6)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    st.tuples(st.just("forge")),
)


def damage_log(data: bytes, damage: tuple[Any, ...]) -> bytes:
    """``data`` (a log's bytes) with one ``damage`` drawn from :data:`DAMAGE`."""
    lines = data.split(b"\n")[:-1]
    what = damage[0]
    if not lines and what in ("delete", "swap", "insert"):
        return data
    if what == "edit":
        at = damage[1] % len(data)
        new = damage[2] if damage[2] != data[at] else (damage[2] + 1) % 256
        return data[:at] + bytes([new]) + data[at + 1 :]
    if what == "delete":
        del lines[damage[1] % len(lines)]
    elif what == "swap":
        i, j = damage[1] % len(lines), damage[2] % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    elif what == "insert":
        lines.insert(damage[2] % (len(lines) + 1), lines[damage[1] % len(lines)])
    elif what == "truncate":
        return data[: damage[1] % len(data)]
    else:
        last = lines[-1] if lines else b""
        at = last.find(b'"recorded":"')
        recorded = last[at + 12 : at + 39] if at >= 0 else b"2026-01-01T00:00:00.000000Z"
        return data + forged_next(lines, recorded)
    return b"".join(line + b"\n" for line in lines)



def damaged_open(sizes: list[int], damages: list[tuple[Any, ...]], drop_head: bool) -> str:
    """Write a log of batches of ``sizes``, damage it, maybe drop its head
    record, open it: ``"refused"`` (a typed error) or ``"served"`` (exactly
    an undamaged prefix the head record allows; asserted here)."""
    import tempfile

    from unledger import UnledgerError

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "log.jsonl"
        writer = Ledger.open(path)
        ends = []
        for n, size in enumerate(sizes):
            writer.append(batch_events("r", n, size))
            ends.append(len(writer))
        original = list(writer.records)
        damaged = path.read_bytes()
        for damage in damages:
            if damaged:
                damaged = damage_log(damaged, damage)
        path.write_bytes(damaged)
        if drop_head:
            path.with_name(path.name + ".head").unlink()
        try:
            served = list(Ledger.open(path, readonly=True).records)
        except UnledgerError:
            return "refused"
        if drop_head:
            assert len(served) in [0, *ends], (len(served), ends)
        else:
            assert len(served) == len(original), (len(served), len(original))
        assert served == original[: len(served)], "an edited or foreign value was served"
        return "served"


@attrs.define
class Transcript:
    """What a writer reported."""

    tried: list[str] = attrs.field(factory=list)
    acked: dict[str, tuple[int, int]] = attrs.field(factory=dict)  # batch -> (first seq, size)
    conflicts: list[str] = attrs.field(factory=list)
    quarantined: list[str] = attrs.field(factory=list)
    errors: list[str] = attrs.field(factory=list)
    ready: bool = False
    done: bool = False

    @classmethod
    def parse(cls, lines: list[str]) -> Transcript:
        t = cls()
        for line in lines:
            word, _, rest = line.partition(" ")
            if word == "ready":
                t.ready = True
            elif word == "try":
                t.tried.append(rest)
            elif word == "ack":
                batch, seq, size = rest.split()
                t.acked[batch] = (int(seq), int(size))
            elif word == "conflict":
                t.conflicts.append(rest)
            elif word == "quarantine":
                t.quarantined.append(rest)
            elif word == "error":
                t.errors.append(rest)
            elif word == "done":
                t.done = True
        return t


# -- checking a log ---------------------------------------------------------------


def good_prefix(data: bytes, lines: int) -> int:
    """Bytes taken by the first ``lines`` lines of ``data``."""
    end = 0
    for _ in range(lines):
        end = data.index(b"\n", end) + 1
    return end


def head_record_path(path: Path) -> Path:
    """The head record beside the log at ``path``."""
    return path.with_name(path.name + ".head")


def write_head_record(path: Path, data: bytes) -> None:
    """Give the log at ``path`` the head record a writer leaves after
    acknowledging exactly the whole lines of ``data`` (a crash state)."""
    from unledger.log.head import Head, head_slot
    from unledger.log.line import GENESIS, hash_of

    lines = data.split(b"\n")[:-1]
    head = Head(len(lines), len(data), hash_of(lines[-1]).decode() if lines else GENESIS)
    head_record_path(path).write_bytes(head_slot(head) * 2)


def quarantine_files(path: Path) -> dict[Path, bytes]:
    return {q: q.read_bytes() for q in sorted(path.parent.glob(path.name + ".quarantine-*"))}


@attrs.define
class LogWatch:
    """Follows one log across kills and checks, at each look, everything
    DESIGN §7 promises: acknowledged events kept, exactly once, seqs 1..N,
    batches whole, the chain sound, and bytes never lost (a tail that left
    the log is in a quarantine file, byte for byte)."""

    path: Path
    acked: dict[str, tuple[int, int]] = attrs.field(factory=dict)  # batch -> (first seq, size)
    last_bytes: bytes = b""
    last_good: int = 0
    quarantines: dict[Path, bytes] = attrs.field(factory=dict)
    looks: int = 0
    tails_quarantined: int = 0

    def look(self, *, repair: bool = False) -> Ledger:
        self.looks += 1
        ledger = Ledger.open(self.path)
        records = ledger.records
        ids = [r.id for r in records]
        assert [r.seq for r in records] == list(range(1, len(records) + 1)), "seqs are not 1..N"
        assert len(set(ids)) == len(ids), "an event is in the log twice"
        present = {r.id: r.seq for r in records}
        for batch, (first, size) in self.acked.items():
            for k in range(size):
                assert present.get(f"{batch}-{size}-{k}") == first + k, f"acknowledged event {batch}-{size}-{k} lost or moved"
        assert not incomplete_batches(ids), f"half a batch is in the log: {incomplete_batches(ids)}"
        assert ledger.verify() == ledger.head

        data = self.path.read_bytes()
        good = good_prefix(data, len(records))
        # Bytes never vanish: what the last look saw is still in the log, or
        # its unfinished tail sits whole in a new quarantine file.
        assert data[: self.last_good] == self.last_bytes[: self.last_good], "complete lines changed"
        now_q = quarantine_files(self.path)
        assert set(self.quarantines) <= set(now_q), "a quarantine file disappeared"
        # Between two looks only one writer ran, and only its first append can
        # have met a tail: the tail the last look saw, and nothing else.
        # (Finished batches at the start of that tail, written by an append
        # killed between its log fsync and its head record, are adopted: they
        # stay in the log, and only the rest goes.)
        new_q = [content for q, content in now_q.items() if q not in self.quarantines]
        old_tail = self.last_bytes[self.last_good :]
        if new_q:
            assert old_tail and len(new_q) == 1 and old_tail.endswith(new_q[0]), "a quarantine file holds something other than the torn tail"
            adopted = old_tail[: len(old_tail) - len(new_q[0])]
            assert data[self.last_good : self.last_good + len(adopted)] == adopted, "adopted lines changed"
            self.tails_quarantined += 1
        elif old_tail:
            assert data.startswith(self.last_bytes), "a torn tail left the log without reaching a quarantine file"
        self.quarantines = now_q
        if repair and len(data) > good:
            moved = ledger.repair()
            good = good_prefix(data, len(ledger.records))  # after adopting finished batches
            assert (moved.read_bytes() if moved is not None else b"") == data[good:]
            assert self.path.read_bytes() == data[:good]
            assert ledger.verify() == ledger.head
            self.tails_quarantined += 1
            self.quarantines = quarantine_files(self.path)
            data = data[:good]
        self.last_bytes, self.last_good = data, good
        return ledger


def crash_round(
    directory: Path,
    kills: int,
    *,
    seed: int,
    max_delay: float = 0.02,
    tear_share: float = 0.3,
    logs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Kill ``kills`` writers at random moments; check the log after each.

    Four kinds of round take turns, so that what the run claims to test
    happens whatever the machine's speed (nothing below depends on timing):

    0. a writer killed at random; then the parent appends (the next append works);
    1. a writer killed at random; then the parent runs ``repair()``;
    2. a writer that tears its very first write and kills itself: a torn
       tail is certainly left behind;
    3. a writer that first completes one append (and so meets that torn
       tail and moves it into quarantine), then is killed at random.

    Writers of rounds 0 and 1 also tear a write of their own now and then.
    Returns the figures of the run.
    """
    rng = random.Random(seed)
    stats = Counter()
    per_log = -(-kills // logs)
    watch: LogWatch | None = None
    for i in range(kills):
        if i % per_log == 0:
            path = directory / f"crash-{seed}-{i // per_log}.jsonl"
            watch = LogWatch(path)
        assert watch is not None
        mode = i % 4
        tear_at = 0 if mode == 2 else rng.randrange(0, 6) if mode < 2 and rng.random() < tear_share else None
        child = fork_child(
            writer(watch.path, f"k{i}", seed=rng.randrange(1 << 30), max_batch=rng.choice((4, 12, 40)), tear_at=tear_at)
        )
        child.wait_for(b"ready")
        if mode == 3:
            child.wait_for(b"ack")
        if mode == 2:
            child.reap()  # it kills itself in the middle of its first write
        else:
            child.drain(rng.uniform(0, max_delay))
            child.kill()
        transcript = Transcript.parse(child.lines())
        assert not transcript.errors, transcript.errors
        stats["kills"] += 1
        stats["torn_writes"] += tear_at is not None and bool(transcript.tried) and len(transcript.tried) > tear_at and transcript.tried[tear_at] not in transcript.acked
        stats["killed_mid_append"] += bool(transcript.tried) and transcript.tried[-1] not in transcript.acked
        stats["acked_batches"] += len(transcript.acked)
        stats["acked_events"] += sum(size for _, size in transcript.acked.values())
        stats["writer_quarantines"] += len(transcript.quarantined)
        watch.acked.update(transcript.acked)
        ledger = watch.look(repair=(mode == 1))
        if mode == 0:  # the next append works, from a fresh process view
            record = ledger.append(batch_events(f"p{i}", 0, 1)[0])
            watch.acked[f"p{i}-0"] = (record.seq, 1)
            watch.look()
        if progress is not None:
            progress(i + 1)
        if (i + 1) % per_log == 0 or i + 1 == kills:
            stats["events_in_logs"] += len(Ledger.open(watch.path))
            stats["tails_quarantined"] += watch.tails_quarantined
    return dict(stats)


# -- concurrency ------------------------------------------------------------------


def concurrent_run(
    path: Path, *, writers: int, appends: int, seed: int, readers: int = 1, lock_timeout: float = 60.0
) -> dict[str, Any]:
    """``writers`` processes append ``appends`` times each into one log while
    ``readers`` processes keep re-reading it; returns transcripts and what
    the readers saw."""
    rng = random.Random(seed)
    children = [
        fork_child(
            writer(
                path,
                f"w{n}",
                seed=rng.randrange(1 << 30),
                appends=appends,
                expected_share=0.3,
                stale_expected=n % 2 == 0,
                lock_timeout=lock_timeout,
            )
        )
        for n in range(writers)
    ]
    watchers = [fork_child(reader(path)) for _ in range(readers)]
    for child in children:
        child.wait_for(b"done", limit=600)
    transcripts = []
    for child in children:
        status = child.reap()
        transcripts.append(Transcript.parse(child.lines()))
        assert status == 0, transcripts[-1].errors
    for w in watchers:
        os.kill(w.pid, signal.SIGTERM)
    seen = []
    for w in watchers:
        w.reap()
        seen.append(w.lines())
    return {"transcripts": transcripts, "readers": seen}


def check_concurrent_log(path: Path, result: dict[str, Any]) -> dict[str, int]:
    """Everything acknowledged is in the log once, in order; nothing else is."""
    ledger = Ledger.open(path)
    records = ledger.records
    ids = [r.id for r in records]
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert len(set(ids)) == len(ids), "an event was written twice"
    assert not incomplete_batches(ids)
    assert ledger.verify() == ledger.head
    by_id = {r.id: r for r in records}
    acked = conflicts = 0
    for t in result["transcripts"]:
        assert not t.errors, t.errors
        assert t.done
        for batch, (first, size) in t.acked.items():
            for k in range(size):
                assert by_id[f"{batch}-{size}-{k}"].seq == first + k
            acked += size
        conflicts += len(t.conflicts)
    # Every event in the log was acknowledged to exactly one writer: a
    # ConcurrencyError wrote nothing (its batch went in once, on the retry).
    assert acked == len(records)
    assert sum(len(t.acked) for t in result["transcripts"]) == len({batch_of(i)[0] for i in ids})
    for lines in result["readers"]:
        assert not [line for line in lines if line.startswith("error")], lines
        assert any(line.startswith("views") for line in lines)
    return {"events": len(records), "conflicts": conflicts}


def reader(path: Path) -> Callable[[Callable[[str], None]], None]:
    """A reader that never locks: re-reads the log as fast as it can and
    reports every view that breaks a promise (half a batch, a seq gap)."""

    def body(report: Callable[[str], None]) -> None:
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        ledger = Ledger.open(path)
        views = seen = 0
        counts: Counter[str] = Counter()
        while not stop:
            ledger.refresh()
            records = ledger.records
            views += 1
            for r in records[seen:]:
                counts[batch_of(r.id)[0]] += 1
            if any(r.seq != n for n, r in enumerate(records[seen:], seen + 1)):
                report("error seq gap visible")
            half = [r.id for r in records[seen:] if counts[batch_of(r.id)[0]] != batch_of(r.id)[1]]
            if half:
                report(f"error half a batch visible: {half[:3]}")
            seen = len(records)
            time.sleep(0.001)  # leave the writers some CPU on small machines
        report(f"views {views} {len(ledger)}")

    return body


# -- faults -------------------------------------------------------------------------


class FaultyOS:
    """Stands in for the ``os`` module inside ``unledger.log``: every call
    goes to the real one except those overridden."""

    def __init__(self, **overrides: Callable[..., Any]) -> None:
        self.__dict__.update(overrides)

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


def enospc(*_: Any) -> Any:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@contextmanager
def tmpfs(mountpoint: Path, size: str = "64k") -> Iterator[bool]:
    """A small tmpfs at ``mountpoint`` if this process may mount one (root in
    a container usually may); yields whether it is mounted."""
    import subprocess

    mountpoint.mkdir(parents=True, exist_ok=True)
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)], capture_output=True).returncode == 0
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


# -- hostile input ------------------------------------------------------------------

#: Valid events (as JSON objects) that no rule refuses on an empty ledger, in this order;
#: every hostile input starts from one of them and breaks it in one way.
#: ``fields`` says what each field is, so a mutation knows what is wrong.
BASES: list[tuple[dict[str, Any], dict[str, str]]] = [
    (
        {"kind": "establishment", "id": "h-est", "date": "1945-10-24", "entity": "UNX", "name": "United Nations X", "source": "s"},
        {"date": "date", "entity": "code", "name": "text", "source": "optional text", "id": "id"},
    ),
    # the organization established just above
    (
        {"kind": "admission", "id": "h-adm", "date": "1992-03-02", "org": "UNX", "member": "AZE", "original": True},
        {"date": "date", "org": "code", "member": "code", "original": "flag", "id": "id"},
    ),
    ({"kind": "renaming", "id": "h-ren", "date": "2018-04", "entity": "SWZ", "name": "Eswatini"}, {"date": "date", "entity": "code", "name": "text", "id": "id"}),
    ({"kind": "statehood", "id": "h-sta", "date": "1991", "state": "XKX", "name": "Kosovo", "note": "n"}, {"date": "date", "state": "code", "name": "text", "note": "optional text", "id": "id"}),
]

_WRONG: dict[str, list[Any]] = {
    "date": [1992, 19.92, True, None, [], ["1992"], {"year": 1992}],
    "code": [5, -1, 2.5, True, None, [], ["UN"], {"code": "UN"}],
    "text": [5, 2.5, False, None, [], ["x"], {"text": "x"}],
    "optional text": [5, 2.5, True, [], ["x"], {"t": 1}],
    "flag": [0, 1, "true", "false", None, [], 1.0],
    "count": [-1, 2.5, "10", True, [], {"n": 10}],
    "id": [5, True, [], {"id": "x"}, "", " x", "a b", "-x", "x" * 129, "é", "x\ny"],
}
_BAD_DATES = [
    "1992-02-30", "1900-02-29", "1992-13", "1992-00", "1992-04-31", "1992-06-00", "0000", "92", "1992-1-01",
    "", " 1992", "1992 ", "1992-02-29T00:00", "ninety", "1992/03/02", "+1992", "-0044", "10000", "1992-W05",
    "\u0661\u0669\u0669\u0662", "1992-03-05/1992-03-02", "1992/1992", "1992~", "199X",
]
_BAD_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80"]
RESERVED = ["seq", "prev", "hash", "recorded", "more"]


@attrs.frozen(repr=False)
class Hostile:
    """A malformed input, what is wrong with it, and what its error must say."""

    category: str
    data: bytes
    field: str | None = None  # the field the error must name
    says: tuple[str, ...] = ()  # words one of which the message must contain

    def __repr__(self) -> str:
        shown = self.data if len(self.data) <= 300 else self.data[:300] + b"...(%d bytes)" % len(self.data)
        return f"Hostile({self.category!r}, {shown!r}, field={self.field!r}, says={self.says!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis shows a failing example
        printer.text(repr(self))


def _dumps(obj: Any) -> bytes:
    import json

    return json.dumps(obj, ensure_ascii=False).encode()


def hostile_inputs() -> Any:
    """A hypothesis strategy of :class:`Hostile` inputs, every category of
    issue 8 point 4 and a few more."""
    from hypothesis import strategies as st

    from unledger.events.registry import kinds

    base = st.sampled_from(BASES)
    known = set(kinds())

    @st.composite
    def wrong_type(draw: Any) -> Hostile:
        obj, fields = draw(base)
        name = draw(st.sampled_from(sorted(fields)))
        obj = dict(obj, **{name: draw(st.sampled_from(_WRONG[fields[name]]))})
        return Hostile("wrong type", _dumps(obj), name)

    @st.composite
    def missing(draw: Any) -> Hostile:
        obj, fields = draw(base)
        name = draw(st.sampled_from(["kind"] + [f for f, t in fields.items() if t in ("date", "code", "text")]))
        obj = {k: v for k, v in obj.items() if k != name}
        return Hostile("missing field", _dumps(obj), None, (name,))

    @st.composite
    def unknown(draw: Any) -> Hostile:
        obj, fields = draw(base)
        name = draw(
            st.sampled_from(RESERVED + ["\x1b[2J", "\n", "x" * 100_000])
            | st.text(min_size=1, max_size=20).filter(lambda k: k not in obj and k not in ("id", "source", "note", "v"))
        )
        obj = dict(obj, **{name: draw(st.sampled_from([1, "x", None, [], {}]))})
        return Hostile("unknown field", _dumps(obj), None, ("extra", "unknown"))

    @st.composite
    def bad_date(draw: Any) -> Hostile:
        import calendar

        obj, _ = draw(base)
        year = draw(st.integers(1, 9999))
        month = draw(st.integers(1, 12))
        days = calendar.monthrange(year, month)[1]
        generated = st.sampled_from(
            [f"{year:04d}-{month:02d}-{days + 1:02d}", f"{year:04d}-{draw(st.integers(13, 99)):02d}", f"{year:04d}-{month:02d}-00", f"{year:04d}-00-01"]
        )
        text = draw(st.sampled_from(_BAD_DATES) | generated)
        return Hostile("impossible date", _dumps(dict(obj, date=text)), "date")

    @st.composite
    def bad_kind(draw: Any) -> Hostile:
        obj, _ = draw(base)
        kind = draw(st.text(max_size=30).filter(lambda k: k not in known) | st.sampled_from([5, None, True, ["admission"], {"k": 1}, "Admission", "admissions"]))
        return Hostile("unknown kind", _dumps(dict(obj, kind=kind)), "kind")

    @st.composite
    def huge(draw: Any) -> Hostile:
        from unledger.events.base import MAX_TEXT

        obj, fields = draw(base)
        name = draw(st.sampled_from([f for f, t in fields.items() if t in ("code", "text", "optional text", "id")]))
        limit = {"code": 200, "id": 128}.get(fields[name], MAX_TEXT)
        size = draw(st.sampled_from([limit + 1, limit + 2, 2 * limit, 50 * MAX_TEXT]))
        char = draw(st.sampled_from(["a", "é", "\u4e2d", "\U0001f600"]))
        return Hostile("huge string", _dumps(dict(obj, **{name: char * size})), name)

    @st.composite
    def deep(draw: Any) -> Hostile:
        obj, fields = draw(base)
        depth = draw(st.integers(33, 5000))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        inner = opener * depth + "1" + closer * depth if opener != "[" else opener * depth + closer * depth
        where = draw(st.sampled_from(["value", "top"]))
        if where == "top":
            return Hostile("deep nesting", inner.encode(), None, ("nested",))
        name = draw(st.sampled_from(sorted(fields)))
        text = _dumps(dict(obj, **{name: "@@"})).replace(b'"@@"', inner.encode())
        return Hostile("deep nesting", text, None, ("nested",))

    @st.composite
    def bad_utf8(draw: Any) -> Hostile:
        obj, fields = draw(base)
        name = draw(st.sampled_from([f for f, t in fields.items() if t in ("code", "text", "optional text")]))
        junk = draw(st.sampled_from(_BAD_UTF8))
        text = _dumps(dict(obj, **{name: "@@"})).replace(b"@@", b"A" + junk + b"B")
        return Hostile("invalid UTF-8", text, None, ("UTF-8",))

    @st.composite
    def not_a_number(draw: Any) -> Hostile:
        obj, fields = draw(base)
        name = draw(st.sampled_from(sorted(fields)))
        token = draw(st.sampled_from(["NaN", "Infinity", "-Infinity"]))
        text = _dumps(dict(obj, **{name: "@@"})).replace(b'"@@"', token.encode())
        return Hostile("NaN or infinity", text, None, (token.lstrip("-"),))

    @st.composite
    def duplicate(draw: Any) -> Hostile:
        obj, fields = draw(base)
        name = draw(st.sampled_from(sorted(obj)))
        again = draw(st.sampled_from([obj[name], "other", 5]))
        text = _dumps(obj)[:-1] + b", " + _dumps(name) + b": " + _dumps(again) + b"}"
        return Hostile("duplicate key", text, None, ("twice",))

    @st.composite
    def bom(draw: Any) -> Hostile:
        obj, _ = draw(base)
        return Hostile("byte-order mark", b"\xef\xbb\xbf" + _dumps(obj), None, ("byte-order mark",))

    @st.composite
    def empty(draw: Any) -> Hostile:
        obj, _ = draw(base)
        blank = draw(st.sampled_from(["", " ", "\t", "\r"]))
        data = draw(
            st.sampled_from(
                [
                    b"",
                    b"\n",
                    b"   ",
                    b"\n\n",
                    _dumps(obj) + b"\n" + blank.encode() + b"\n" + _dumps(dict(obj, id="h-other")),
                    blank.encode() + b"\n" + _dumps(obj),
                ]
            )
        )
        return Hostile("empty line", data, None, ("empty", "no events"))

    @st.composite
    def not_an_object(draw: Any) -> Hostile:
        value = draw(st.sampled_from([5, "admission", None, True, 2.5, [1], [[]], ["x", {}]]))
        return Hostile("not an object", _dumps(value), None, ("object",))

    @st.composite
    def broken_json(draw: Any) -> Hostile:
        obj, _ = draw(base)
        text = _dumps(obj)
        how = draw(st.sampled_from(["cut", "tail", "quote", "comma"]))
        if how == "cut":
            text = text[: draw(st.integers(1, len(text) - 1))]
        elif how == "tail":
            text = text + draw(st.sampled_from([b" x", b"}", b",", b"{}", b"//c"]))
        elif how == "quote":
            text = text.replace(b'"', b"'", 2)
        else:
            text = text[:-1] + b",}"
        return Hostile("broken JSON", text, None, ("JSON",))

    return st.one_of(
        wrong_type(), missing(), unknown(), bad_date(), bad_kind(), huge(), deep(), bad_utf8(),
        not_a_number(), duplicate(), bom(), empty(), not_an_object(), broken_json(),
    )


CATEGORIES = (
    "wrong type", "missing field", "unknown field", "impossible date", "unknown kind", "huge string", "deep nesting",
    "invalid UTF-8", "NaN or infinity", "duplicate key", "byte-order mark", "empty line", "not an object", "broken JSON",
)


def feed(ledger: Ledger, data: bytes) -> list[Any]:
    """What ``unledger append`` does with a file: parse strictly, build the
    events, append them as one batch."""
    from unledger.codec import event_from_dict, parse_json_objects

    objs = parse_json_objects(data, name="input")
    events = [event_from_dict(obj, position=f"input line {n}") for n, obj in enumerate(objs, 1)]
    return ledger.append(events)


def check_refused(hostile: Hostile, error: BaseException) -> None:
    """The error is typed and says what is wrong, in a message of sane size."""
    from unledger import InvalidEvent

    message = str(error)
    assert isinstance(error, InvalidEvent), f"{hostile.category}: {type(error).__name__}: {message[:300]}"
    assert message and len(message) < 2000, f"{hostile.category}: message of {len(message)} characters"
    if hostile.field is not None:
        assert error.field == hostile.field or f"'{hostile.field}'" in message or hostile.field in message, (hostile, message)
    if hostile.says:
        assert any(word.lower() in message.lower() for word in hostile.says), (hostile.category, message)
