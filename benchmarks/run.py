"""unledger against its floors and peers, side by side, in one process.

    python -m benchmarks                      # 100k and 1M
    python -m benchmarks --sizes 100k,1m,3m --reps 5

For each size N the harness uses (and generates once, if missing)
``benchmarks/data/ledger-<N>.jsonl``, then runs every measurement of one
repetition before the next repetition (round-robin), so that a slow moment of
the machine hits unledger and its references alike. It prints a table of
medians and of *same-repetition ratios* (unledger / reference, measured in
the same round, then the median of those), and writes everything to
``benchmarks/results/<UTC time>.json``. See ``benchmarks/README.md`` for what
each row means.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from unledger import Admission, Adoption, Ledger, Signing
from unledger.codec import event_to_dict
from unledger.dates import day_to_iso, parse_date

from .floor import first_day, floor_answer, floor_open
from .generate import DEFAULT_SEED, write_ledger
from .imports import engine_rows, engine_table, fair_open

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS = HERE / "results"
TODAY = "2025-12-31"


def parse_size(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * mult)


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k"


def ledger_path(n: int) -> Path:
    return DATA / f"ledger-{label(n)}.jsonl"


def ensure_ledger(n: int, seed: int) -> Path:
    path = ledger_path(n)
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr, flush=True)
        tmp = path.with_suffix(".tmp")
        write_ledger(tmp, n, seed, verbose=True)
        tmp.rename(path)
    return path


# -- the same question for everyone -----------------------------------------------

MEMBERSHIP_SQL = """
WITH {cte} ev AS (
  SELECT kind, member, seq,
         CAST(CASE length(date) WHEN 4 THEN date || '-01-01' WHEN 7 THEN date || '-01' ELSE date END AS DATE) AS d
  FROM src WHERE org = $org AND kind IN ('admission', 'withdrawal', 'return', 'cessation')
), ranked AS (
  SELECT member, kind, row_number() OVER (PARTITION BY member ORDER BY d DESC, seq DESC) AS r
  FROM ev WHERE d <= CAST($day AS DATE)
)
SELECT 'member' AS what, member FROM ranked WHERE r = 1 AND kind IN ('admission', 'return')
UNION ALL
SELECT 'seat', unnest(permanent_members) FROM src WHERE kind = 'establishment' AND entity = $body
UNION ALL
SELECT 'seat', member FROM src
WHERE kind = 'election' AND body = $body
  AND CAST(CASE length(date) WHEN 4 THEN date || '-01-01' WHEN 7 THEN date || '-01' ELSE date END AS DATE) <= CAST($day AS DATE)
  AND CAST(term_end AS DATE) >= CAST($day AS DATE)
"""

COLUMNS = (
    "{'kind':'VARCHAR','id':'VARCHAR','seq':'BIGINT','date':'VARCHAR','org':'VARCHAR','member':'VARCHAR',"
    "'body':'VARCHAR','term_end':'VARCHAR','entity':'VARCHAR','permanent_members':'VARCHAR[]'}"
)


def duckdb_source(path: Path) -> str:
    return f"read_ndjson('{path}', columns={COLUMNS})"


def duckdb_sql(path: Path | None) -> str:
    """The question in SQL, on the file (cold) or on the loaded table ``src``."""
    cte = "" if path is None else f"src AS MATERIALIZED (SELECT * FROM {duckdb_source(path)}),"
    return MEMBERSHIP_SQL.format(cte=cte)


def pick_questions(ledger: Ledger, rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """``(day, org, body)`` triples: random days, organizations that have
    members then, and bodies of them that have seats."""
    world = ledger.world(TODAY)
    bodies = [code for code, info in world.bodies.items() if info.org is not None and code in world.terms]
    out = []
    while len(out) < count:
        body = rng.choice(bodies)
        org = world.bodies[body].org
        day = rng.randint(parse_date("1960").earliest_day, parse_date(TODAY).latest_day)
        out.append((day_to_iso(day), org, body))
    return out


def unledger_answer(ledger: Ledger, day: str, org: str, body: str) -> tuple[list[str], list[str]]:
    state = ledger.state(day)
    try:
        members = [m.member for m in state.members(org)]
    except LookupError:
        members = []
    try:
        seats = [s.member for s in state.seats(body)]
    except LookupError:
        seats = []
    return members, seats


# -- measurements ---------------------------------------------------------------------


class Bench:
    """Runs named measurements round-robin and keeps every sample."""

    def __init__(self, reps: int) -> None:
        self.reps = reps
        self.samples: dict[str, list[float]] = {}
        self.per: dict[str, str] = {}

    def add(self, name: str, seconds: float) -> None:
        self.samples.setdefault(name, []).append(seconds)

    def median(self, name: str) -> float | None:
        xs = self.samples.get(name)
        return statistics.median(xs) if xs else None

    def ratio(self, name: str, ref: str) -> float | None:
        a, b = self.samples.get(name, []), self.samples.get(ref, [])
        pairs = [x / y for x, y in zip(a, b) if y > 0]
        return statistics.median(pairs) if pairs else None


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def fsync_loop(path: Path, lines: list[bytes], batch: int) -> float:
    """Write ``lines`` with write + flush + fsync, ``batch`` lines per fsync."""
    with open(path, "ab") as f:
        fd = f.fileno()
        t0 = time.perf_counter()
        for i in range(0, len(lines), batch):
            f.write(b"".join(lines[i : i + batch]))
            f.flush()
            os.fsync(fd)
        return time.perf_counter() - t0


def encode_floor(batches: list[list[Any]]) -> float:
    """Per event: ``orjson.dumps`` of a prepared dict and ``sha256`` of the
    bytes, no validation, no fold, no write. Any append path that writes a
    hash-chained JSON line pays at least this."""
    dicts = [{"prev": "0" * 64, "seq": i, "recorded": TODAY, "kind": e.kind, "id": e.id or "x" * 32,
              "date": e.date.text, "body": e.body, "symbol": e.symbol, "title": e.title, "without_vote": True}
             for i, e in enumerate(event for batch in batches for event in batch)]
    dumps, sha = orjson.dumps, hashlib.sha256
    t0 = time.perf_counter()
    for d in dicts:
        sha(dumps(d)).hexdigest()
    return (time.perf_counter() - t0) / len(dicts)


def serialise_floor(path: Path, records: list[Any], batch: int) -> float:
    """Per event: the same events' lines as dicts (envelope and event, ready
    for ``orjson``), serialised with ``orjson.dumps``, written ``batch`` at a
    time with one ``fsync`` each: what any writer of JSON lines pays, without
    hashing, validation or fold."""
    dicts = [{"prev": r.prev, "seq": r.seq, "recorded": r.recorded, **event_to_dict(r.event), "hash": r.hash} for r in records]
    dumps = orjson.dumps
    with open(path, "ab") as f:
        fd = f.fileno()
        t0 = time.perf_counter()
        for i in range(0, len(dicts), batch):
            f.write(b"".join([dumps(d) + b"\n" for d in dicts[i : i + batch]]))
            f.flush()
            os.fsync(fd)
        return (time.perf_counter() - t0) / len(dicts)


def hash_floor(path: Path) -> float:
    t0 = time.perf_counter()
    data = path.read_bytes()
    sha = hashlib.sha256
    for line in data.split(b"\n"):
        sha(line).digest()
    return time.perf_counter() - t0


def run_probe(code: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; its last line of output is JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def rss_probe(path: Path, cache: bool) -> dict[str, float]:
    """Open ``path`` in a fresh process; RSS after open + first answer, and peak."""
    code = f"""
import json, resource, psutil, sys
from unledger import Ledger
base = psutil.Process().memory_info().rss
ledger = Ledger.open({str(path)!r}, readonly=True{", cache=True" if cache else ""})
ledger.state({TODAY!r}).count
rss = psutil.Process().memory_info().rss
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"base": base, "rss": rss, "peak": peak, "events": len(ledger)}}))
"""
    return run_probe(code)


def verify_probe(path: Path) -> dict[str, float]:
    """In a fresh process (no other threads, as in a user's script or the
    CLI): the hash floor, ``verify()`` and ``verify(workers=1)`` on an open
    ledger, in that order, twice; the second round is kept. In a process
    that has just opened a large ledger, the first pass of anything over
    the whole file (the floor included) is about 50% slower: the memory it
    needs is new to the process."""
    code = f"""
import json, sys
from pathlib import Path
from unledger import Ledger
from unledger.log import FileLog
from unledger.log.verify import verify_storage
sys.path.insert(0, {str(HERE.parent)!r})
from benchmarks.run import hash_floor, timed
ledger = Ledger.open({str(path)!r}, readonly=True)
for _round in range(2):  # the first round warms the allocator (its first pass over the file costs ~50% more): not kept
    floor = hash_floor(Path({str(path)!r}))
    t, _ = timed(ledger.verify)
    t1, _ = timed(lambda: ledger.verify(workers=1))
    cold, _ = timed(lambda: verify_storage(FileLog({str(path)!r}, readonly=True)))
print(json.dumps({{"floor": floor, "verify": t, "verify_1": t1, "verify_cold": cold}}))
"""
    return run_probe(code)


_SUBJECT: Any = None


def _subject_class() -> Any:
    """The aggregate class (defined once: eventsourcing registers it by name)."""
    global _SUBJECT
    if _SUBJECT is None:
        from uuid import NAMESPACE_URL, uuid5

        from eventsourcing.domain import Aggregate, event

        class Subject(Aggregate):
            @event("Opened")
            def __init__(self, code: str) -> None:
                self.code = code
                self.facts: list[dict[str, Any]] = []

            @staticmethod
            def create_id(code: str) -> Any:
                return uuid5(NAMESPACE_URL, code)

            @event("Fact")
            def record(self, fact: dict[str, Any]) -> None:
                self.facts.append(fact)

        _SUBJECT = Subject
    return _SUBJECT


def eventsourcing_replay(path: Path) -> tuple[float, float]:
    """Save the log's events in an eventsourcing application (one aggregate
    per organization, body, instrument or state, POPO storage) and replay
    every aggregate. Returns (save seconds, replay seconds)."""
    from eventsourcing.application import Application

    Subject = _subject_class()
    app = Application()
    subjects: dict[str, Subject] = {}
    t0 = time.perf_counter()
    for line in path.read_bytes().split(b"\n"):
        if not line:
            continue
        obj = orjson.loads(line)
        code = obj.get("org") or obj.get("body") or obj.get("instrument") or obj.get("entity") or obj.get("state") or obj["kind"]
        agg = subjects.get(code)
        if agg is None:
            agg = subjects[code] = Subject(code)
        agg.record({k: v for k, v in obj.items() if k not in ("prev", "hash")})
    app.save(*subjects.values())
    save = time.perf_counter() - t0
    t0 = time.perf_counter()
    total = 0
    for code in subjects:
        total += len(app.repository.get(Subject.create_id(code)).facts)
    replay = time.perf_counter() - t0
    return save, replay


def run_size(n: int, reps: int, seed: int, queries: int, with_es: bool) -> dict[str, Any]:
    import duckdb

    path = ensure_ledger(n, seed)
    size = path.stat().st_size
    events = sum(1 for _ in open(path, "rb"))
    print(f"\n== {label(n)}: {path} ({events:,} events, {size / 2**20:.1f} MiB)", file=sys.stderr, flush=True)
    rng = random.Random(seed)
    bench = Bench(reps)
    # A work copy for the appends (the generated file stays untouched).
    work = DATA / f"work-{label(n)}.jsonl"
    shutil.copyfile(path, work)
    # A head record left beside the copies by an earlier run would name lines
    # the fresh copies do not hold (refused as removed lines).
    for stale in (Path(str(path) + ".cache"), Path(str(work) + ".cache"), Path(str(work) + ".head"),
                  DATA / f"scratch-{label(n)}.jsonl.head"):
        if stale.exists():
            stale.unlink()
    # The bare loops append to a copy of the same log, as unledger does: an
    # fsync after appending to a 400 MB file costs about 50% more here than
    # to a new, empty file (more metadata to write back), and that cost
    # belongs to the disk, not to unledger.
    scratch = DATA / f"scratch-{label(n)}.jsonl"
    shutil.copyfile(path, scratch)

    probe = Ledger.open(path, readonly=True)
    questions = pick_questions(probe, rng, queries)
    world = probe.world(TODAY)
    cutoff = parse_date("1971").earliest_day
    old_orgs = sorted(o for o in world.members if o in world.bodies and world.bodies[o].established.latest_day < cutoff)
    del probe, world
    gc.collect()

    con_warm = duckdb.connect()
    load_s, _ = timed(lambda: con_warm.execute(f"CREATE TABLE src AS SELECT * FROM {duckdb_source(path)}"))
    extra: dict[str, Any] = {"events": events, "bytes": size, "duckdb_table_load_s": load_s, "duckdb_threads": con_warm.execute("select current_setting('threads')").fetchone()[0]}

    # DuckDB and unledger must answer the same question alike.
    ledger = Ledger.open(path, readonly=True)
    same_members = same_seats = 0
    for day, org, body in questions[:50]:
        rows = con_warm.execute(duckdb_sql(None), {"org": org, "body": body, "day": day}).fetchall()
        db_members = sorted(m for w, m in rows if w == "member")
        db_seats = sorted(m for w, m in rows if w == "seat")
        mine_members, mine_seats = unledger_answer(ledger, day, org, body)
        same_members += db_members == sorted(mine_members)
        same_seats += db_seats == sorted(mine_seats)
    extra["duckdb_same_members_of_50"] = same_members
    extra["duckdb_same_seats_of_50"] = same_seats
    del ledger
    gc.collect()

    has_cache = "cache" in Ledger.open.__code__.co_varnames
    with open(path, "rb") as f:
        head_bytes = f.read(16 * 2**20)  # enough for the 10,000 lines the bare loops write
    lines = head_bytes.split(b"\n")[:-1]
    append_lines = lines[:200]
    batch_lines = lines[: 10 * 1000]
    serial = [0]

    def fresh_events(count: int, prefix: str) -> list[Any]:
        serial[0] += 1
        return [
            Adoption(body="O000B000", symbol=f"BENCH/{prefix}/{serial[0]}/{i}", title="Benchmark resolution",
                     date="2025-12-31", without_vote=True)
            for i in range(count)
        ]

    for rep in range(reps):
        print(f"  rep {rep + 1}/{reps}", file=sys.stderr, flush=True)
        # -- cold open to the first answer, against the floor
        gc.collect()
        t, s = timed(lambda: floor_open(str(path)))
        q = questions[0]
        t2, _ = timed(lambda: floor_answer(s, q[1], q[2]))
        bench.add("floor: read+parse+sort+fold dicts", t + t2)
        del s
        gc.collect()
        gc.disable()
        t, s = timed(lambda: floor_open(str(path)))
        gc.enable()
        bench.add("floor, gc off", t)
        del s
        gc.collect()
        # The fair floor: the same floor with the collector off, and both
        # sides in a fresh process (nothing else on the heap).
        bench.add("fair floor: gc off, fresh process", fair_open(path, "floor", q[1], q[2])["seconds"])
        fresh = fair_open(path, "unledger", q[1], q[2])
        bench.add("unledger: cold open + first answer, fresh process", fresh["seconds"])
        extra.setdefault("rss_fresh_open_bytes", []).append(fresh["rss"])
        t, ledger = timed(lambda: Ledger.open(path, readonly=True))
        t2, _ = timed(lambda: unledger_answer(ledger, TODAY, q[1], q[2]))
        bench.add("unledger: cold open (no cache) + first answer", t + t2)
        bench.add("unledger: open (read+decode) only", t)

        # -- as-of queries after open
        per_query = []
        answer_lengths = []
        for day, org, body in questions:
            t, answer = timed(lambda: unledger_answer(ledger, day, org, body))
            per_query.append(t)
            answer_lengths.append(len(answer[0]) + len(answer[1]))
        bench.add("unledger: as-of query (median of random)", statistics.median(per_query))
        bench.add("unledger: as-of query p90", sorted(per_query)[int(0.9 * len(per_query))])
        extra["mean_answer_length"] = statistics.mean(answer_lengths)
        # The same days without building an answer: the index and the replay alone.
        per_world = []
        for day, _org, _body in questions:
            t, _ = timed(lambda: ledger.world(day))
            per_world.append(t)
        bench.add("unledger: as-of world only (index + replay, no answer)", statistics.median(per_world))
        del ledger
        gc.collect()

        # -- DuckDB: cold (read the file for the query), warm (loaded table)
        day, org, body = questions[rep % len(questions)]

        def duck_cold() -> Any:
            con = duckdb.connect()
            rows = con.execute(duckdb_sql(path), {"org": org, "body": body, "day": day}).fetchall()
            con.close()
            return rows

        t, _ = timed(duck_cold)
        bench.add("duckdb: cold query on the file", t)
        warm = []
        warm_sql = duckdb_sql(None)
        for day, org, body in questions[: min(50, len(questions))]:
            t, _ = timed(lambda: con_warm.execute(warm_sql, {"org": org, "body": body, "day": day}).fetchall())
            warm.append(t)
        bench.add("duckdb: warm query on a loaded table", statistics.median(warm))

        # -- reopen with a snapshot cache
        if has_cache:
            if rep == 0:
                # A read-only open never writes, so the cache is written by a
                # writable open (which folds to the head and snapshots it).
                Ledger.open(path, cache=True).close()
                gc.collect()
            t, ledger = timed(lambda: Ledger.open(path, readonly=True, cache=True))
            t2, _ = timed(lambda: unledger_answer(ledger, TODAY, q[1], q[2]))
            bench.add("unledger: reopen with valid cache + first answer", t + t2)
            del ledger
            gc.collect()

        # -- appends: one durable event at a time, and batches of 1,000
        ledger = Ledger.open(work)
        ledger.state(TODAY)
        singles = fresh_events(100, "one")
        t0 = time.perf_counter()
        for event in singles:
            ledger.append(event)
        bench.add("unledger: one durable append (per event)", (time.perf_counter() - t0) / len(singles))
        bench.add("bare: write+flush+fsync (per line)", fsync_loop(scratch, append_lines[: len(singles)], 1) / len(singles))
        batches = [fresh_events(1000, "batch") for _ in range(5)]
        t0 = time.perf_counter()
        for batch in batches:
            ledger.append(batch)
        bench.add("unledger: batch of 1,000 (per event)", (time.perf_counter() - t0) / 5000)
        bench.add("floor: serialise (orjson) + write + fsync, batches of 1,000 (per event)",
                  serialise_floor(scratch, list(ledger.records[-5000:]), 1000))
        bench.add("bare: batches of 1,000 + fsync (per line)", fsync_loop(scratch, batch_lines[:5000], 1000) / 5000)
        bench.add("floor: orjson.dumps + sha256 of one event (per event)", encode_floor(batches))

        # -- a backfilled event, then a query after its date
        world = ledger.world(TODAY)
        org = old_orgs[rep % len(old_orgs)]
        # A state that belongs elsewhere (so later events concern it) but
        # never joined this organization; in a saturated world (3M), a
        # state code the record has never seen.
        outsider = next((s for s in sorted({m for ms in world.members.values() for m in ms})
                         if s not in world.members[org] and s not in world.existence), f"X{rep:02d}")
        t, _ = timed(lambda: ledger.append(Admission(org=org, member=outsider, date="1971-06-15")))
        bench.add("unledger: backfilled append (one event, 1971)", t)
        t, answer = timed(lambda: unledger_answer(ledger, "1990-01-01", org, "O000B000"))
        bench.add("unledger: query right after the backfill", t)
        assert outsider in answer[0], "the backfilled member must be in the answer"
        back = Adoption(body="O000B000", symbol=f"BENCH/back/{rep}", title="Backfilled", date="1966-03", without_vote=True)
        t, _ = timed(lambda: ledger.append(back))
        bench.add("unledger: backfilled append (resolution, 1966)", t)
        t, _ = timed(lambda: unledger_answer(ledger, "1980-01-01", org, "O000B000"))
        bench.add("unledger: query right after (resolution)", t)
        del ledger, world
        gc.collect()

        # -- verification, in a fresh process: this one runs DuckDB's threads,
        # and verify() checks in one process when other threads run.
        probe = verify_probe(path)
        bench.add("unledger: verify()", probe["verify"])
        bench.add("unledger: verify(workers=1)", probe["verify_1"])
        bench.add("unledger: verify, every line decoded (as `unledger verify`)", probe["verify_cold"])
        bench.add("floor: sha256 over each line", probe["floor"])

        # -- eventsourcing (where it can hold the events)
        if with_es:
            save, replay = eventsourcing_replay(path)
            bench.add("eventsourcing: replay all aggregates (POPO)", replay)
            extra.setdefault("eventsourcing_save_s", []).append(save)
            gc.collect()

    for f in (work, scratch, Path(str(work) + ".cache"), Path(str(work) + ".head")):
        if f.exists():
            f.unlink()
    rss = rss_probe(path, cache=False)
    extra["rss_after_open_bytes"] = rss["rss"]
    extra["rss_peak_bytes"] = rss["peak"]
    extra["rss_base_bytes"] = rss["base"]
    extra["rss_per_event_bytes"] = (rss["rss"] - rss["base"]) / events
    extra["peak_per_event_bytes"] = (rss["peak"] - rss["base"]) / events
    return {"n": n, "label": label(n), "samples": bench.samples, "extra": extra}


# -- report -----------------------------------------------------------------------------

ROWS = [
    # name, reference for the ratio, target text, target test
    ("floor: read+parse+sort+fold dicts", None, "", None),
    ("floor, gc off", None, "", None),
    ("unledger: open (read+decode) only", None, "", None),
    ("unledger: cold open (no cache) + first answer", "floor: read+parse+sort+fold dicts", "", None),
    ("fair floor: gc off, fresh process", None, "", None),
    ("unledger: cold open + first answer, fresh process", "fair floor: gc off, fresh process", "<= 1.5x fair floor", lambda r, m: r <= 1.5),
    ("unledger: reopen with valid cache + first answer", "unledger: cold open (no cache) + first answer", "<= 0.2x cold open", lambda r, m: r <= 0.2),
    ("duckdb: cold query on the file", None, "", None),
    ("unledger: as-of query (median of random)", "duckdb: warm query on a loaded table", "<= 1 ms and <= 0.1x DuckDB warm", lambda r, m: r <= 0.1 and m <= 0.001),
    ("unledger: as-of query p90", None, "", None),
    ("unledger: as-of world only (index + replay, no answer)", None, "", None),
    ("duckdb: warm query on a loaded table", None, "", None),
    ("unledger: backfilled append (one event, 1971)", None, "", None),
    ("unledger: query right after the backfill", None, "<= 10 ms", lambda r, m: m <= 0.010),
    ("unledger: backfilled append (resolution, 1966)", None, "", None),
    ("unledger: query right after (resolution)", None, "<= 10 ms", lambda r, m: m <= 0.010),
    ("unledger: one durable append (per event)", "bare: write+flush+fsync (per line)", "throughput >= 0.8x bare", lambda r, m: r <= 1 / 0.8),
    ("bare: write+flush+fsync (per line)", None, "", None),
    ("floor: orjson.dumps + sha256 of one event (per event)", None, "", None),
    ("unledger: batch of 1,000 (per event)", "floor: serialise (orjson) + write + fsync, batches of 1,000 (per event)",
     "throughput >= 0.25x serialise+write+fsync", lambda r, m: r <= 4.0),
    ("floor: serialise (orjson) + write + fsync, batches of 1,000 (per event)", None, "", None),
    ("bare: batches of 1,000 + fsync (per line)", None, "", None),
    ("unledger: verify()", "floor: sha256 over each line", "<= 1.5x hash floor", lambda r, m: r <= 1.5),
    ("unledger: verify(workers=1)", "floor: sha256 over each line", "", None),
    ("unledger: verify, every line decoded (as `unledger verify`)", "floor: sha256 over each line", "", None),
    ("floor: sha256 over each line", None, "", None),
    ("eventsourcing: replay all aggregates (POPO)", None, "", None),
]


def fmt_s(x: float | None) -> str:
    if x is None:
        return ""
    if x >= 1:
        return f"{x:.3f} s"
    if x >= 1e-3:
        return f"{x * 1e3:.2f} ms"
    return f"{x * 1e6:.1f} us"


def report(result: dict[str, Any], reps: int) -> tuple[str, dict[str, Any]]:
    samples = result["samples"]
    bench = Bench(reps)
    bench.samples = samples
    lines = [
        f"### {result['label']} ({result['extra']['events']:,} events, {result['extra']['bytes'] / 2**20:.1f} MiB), {reps} reps",
        "",
        "| measurement | median | min | max | ratio (same rep) | target | met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    verdicts: dict[str, Any] = {}
    for name, ref, target, test in ROWS:
        if name not in samples:
            continue
        med = bench.median(name)
        ratio = bench.ratio(name, ref) if ref else None
        met = ""
        if test is not None and med is not None:
            ok = test(ratio if ratio is not None else 0.0, med)
            met = "yes" if ok else "**no**"
            verdicts[name] = {"target": target, "median": med, "ratio": ratio, "met": ok}
        xs = samples[name]
        ratio_text = f"{ratio:.2f}x {ref.split(':')[0]}" if ratio is not None else ""
        lines.append(f"| {name} | {fmt_s(med)} | {fmt_s(min(xs))} | {fmt_s(max(xs))} | {ratio_text} | {target} | {met} |")
    e = result["extra"]
    cold = bench.median("unledger: cold open (no cache) + first answer")
    duck = bench.median("duckdb: cold query on the file")
    if "unledger: reopen with valid cache + first answer" in samples and duck:
        reopen = bench.median("unledger: reopen with valid cache + first answer")
        ok = reopen is not None and reopen <= duck
        verdicts["reopen vs duckdb cold"] = {"target": "<= DuckDB cold", "median": reopen, "ratio": (reopen or 0) / duck, "met": ok}
        lines.append(f"| reopen with cache / DuckDB cold | | | | {(reopen or 0) / duck:.2f}x | <= 1x | {'yes' if ok else '**no**'} |")
    per_event = e["rss_per_event_bytes"]
    verdicts["rss"] = {"target": "<= 512 B/event", "median": per_event, "met": per_event <= 512}
    lines += [
        "",
        f"RSS after open + first answer: {e['rss_after_open_bytes'] / 2**20:.0f} MiB "
        f"({per_event:.0f} B/event above the {e['rss_base_bytes'] / 2**20:.0f} MiB interpreter; target <= 512: "
        f"{'met' if per_event <= 512 else '**missed**'}); peak RSS {e['rss_peak_bytes'] / 2**20:.0f} MiB "
        f"({e['peak_per_event_bytes']:.0f} B/event).",
        f"DuckDB ({e['duckdb_threads']} threads) loaded the table in {e['duckdb_table_load_s']:.2f} s; its answers matched "
        f"unledger's on {e['duckdb_same_members_of_50']}/50 member lists and {e['duckdb_same_seats_of_50']}/50 seat lists "
        "(the SQL ignores state succession and partial-date certainty).",
    ]
    if cold:
        lines.append(f"Cold open per event: {cold / e['events'] * 1e6:.2f} us.")
    if "mean_answer_length" in e:
        lines.append(f"Mean answer length (members + seats): {e['mean_answer_length']:.1f}.")
    return "\n".join(lines), verdicts


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    import duckdb
    import immutables

    info["versions"] = {"duckdb": duckdb.__version__, "orjson": orjson.__version__, "immutables": immutables.__version__}
    try:
        import eventsourcing

        info["versions"]["eventsourcing"] = getattr(eventsourcing, "__version__", "?")
    except ImportError:
        pass
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1m")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--es-max", type=parse_size, default=parse_size("100k"), help="largest N eventsourcing replays")
    parser.add_argument("--imports", default="50k", help="sizes of the random-order import rows ('' for none)")
    parser.add_argument("--admissions", default="200k", help="sizes of the admissions-only open rows ('' for none)")
    parser.add_argument("--quick", action="store_true", help="100k, one repetition, 50 queries, imports 20k, admissions 100k")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.reps, args.queries, args.es_max = "100k", 1, 50, 0
        args.imports, args.admissions = "20k", "100k"
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    results = []
    partial = RESULTS / f"partial-{started.replace(':', '').replace('-', '')}.json"
    for n in sizes:
        results.append(run_size(n, args.reps, args.seed, args.queries, with_es=n <= args.es_max))
        gc.collect()
        RESULTS.mkdir(parents=True, exist_ok=True)  # keep what is measured if a later size fails
        partial.write_text(json.dumps({"started": started, "reps": args.reps, "sizes": results}, default=str))
    imports = [parse_size(s) for s in args.imports.split(",") if s]
    admissions = [parse_size(s) for s in args.admissions.split(",") if s]
    engine = engine_rows(imports, admissions, args.reps) if imports or admissions else {}
    out: dict[str, Any] = {"started": started, "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                           "machine": machine(), "reps": args.reps, "sizes": []}
    text = [f"unledger benchmarks, {started}; machine: {json.dumps(out['machine'])}", ""]
    for result in results:
        table, verdicts = report(result, args.reps)
        text += [table, ""]
        out["sizes"].append({**result, "verdicts": verdicts})
    if engine:
        table, verdicts = engine_table(engine)
        text += [table, ""]
        out["engine"] = {"samples": engine, "verdicts": verdicts}
    load = os.getloadavg()
    out["load_at_finish"] = load
    text.append(f"Load average at finish (1/5/15 min): {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} CPUs.")
    if len(results) > 1:
        first, last = results[0], results[-1]
        def per(result: dict[str, Any], name: str) -> float:
            return statistics.median(result["samples"][name])
        cold_growth = (per(last, "unledger: cold open (no cache) + first answer") / last["extra"]["events"]) / (
            per(first, "unledger: cold open (no cache) + first answer") / first["extra"]["events"])
        query_growth = per(last, "unledger: as-of query (median of random)") / per(first, "unledger: as-of query (median of random)")
        world_name = "unledger: as-of world only (index + replay, no answer)"
        world_growth = per(last, world_name) / per(first, world_name)
        answer_growth = last["extra"]["mean_answer_length"] / first["extra"]["mean_answer_length"]
        out["growth"] = {"cold_open_per_event": cold_growth, "query": query_growth, "world_only": world_growth,
                         "answer_length": answer_growth, "from": first["label"], "to": last["label"]}
        text.append(f"Growth {first['label']} -> {last['label']}: cold open per event x{cold_growth:.2f} (target <= 1.3), "
                    f"query time x{query_growth:.2f} (target <= 2); the same days without an answer (index + replay) "
                    f"x{world_growth:.2f}, while answers grew x{answer_growth:.2f} longer.")
    report_text = "\n".join(text)
    print(report_text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.replace(":", "").replace("-", "")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(out, indent=1, default=str))
    (RESULTS / f"{stamp}.md").write_text(report_text + "\n")
    (RESULTS / "latest.md").write_text(report_text + "\n")
    partial.unlink()
    print(f"\nwrote {RESULTS / (stamp + '.json')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
