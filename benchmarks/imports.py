"""Imports in any order, and the admissions-only workload.

A researcher appends a state-year dataset or a treaty-status table by source
file, not by date: each batch spans decades. This module builds a history of
``N`` admissions (``N`` distinct (organization, state) pairs, dates spread
over 1945-2025; every order of it is valid) and times appending it in date
order and in a random order, in batches of 1,000, each in a fresh process
with the same ledger file layout, so that the two are compared side by side.

    python -m benchmarks.imports 50k            # both orders, one run
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
STATES = 300
BATCH = 1000
FIRST_DAY = 710_032  # 1945-01-01
LAST_DAY = 739_616   # 2025-12-31
#: Backfilled admissions a probe appends (each to an organization of its own).
BACKFILLS = 31


def admissions(n: int, seed: int = 14) -> list[dict[str, Any]]:
    """``n`` admissions of distinct (organization, state) pairs, as keyword
    arguments of :class:`unledger.Admission`, in date order (ties by org,
    member)."""
    import datetime as dt

    rng = random.Random(seed)
    orgs = (n + STATES - 1) // STATES
    pairs = [(f"O{o:05d}", f"S{s:03d}") for o in range(orgs) for s in range(STATES)][:n]
    out = []
    for org, member in pairs:
        day = rng.randint(FIRST_DAY, LAST_DAY)
        out.append({"org": org, "member": member, "date": dt.date.fromordinal(day).isoformat()})
    out.sort(key=lambda d: (d["date"], d["org"], d["member"]))
    return out


def establishments(rows: list[dict[str, Any]]) -> list[Any]:
    """The establishment of every organization ``rows`` admit to, and of the
    organizations ``X0000``.. the backfill probes admit to, dated 1945-01-01
    (an admission needs its organization established first)."""
    from unledger import Establishment

    orgs = sorted({r["org"] for r in rows}) + [f"X{i:04d}" for i in range(BACKFILLS)]
    return [Establishment(entity=org, name=f"Organization {org}", date="1945-01-01") for org in orgs]


def import_in_batches(path: Path, rows: list[dict[str, Any]], batch: int = BATCH) -> dict[str, Any]:
    """Append ``rows`` to a new ledger at ``path`` in batches, after one
    batch establishing their organizations; seconds in all and per batch
    (the establishments not counted), and the CPU seconds of this process
    (less sensitive than wall time to other work on a shared machine)."""
    from unledger import Admission, Ledger

    if path.exists():
        path.unlink()
    ledger = Ledger.open(path)
    ledger.append(establishments(rows))
    per_batch = []
    c0 = time.process_time()
    t0 = time.perf_counter()
    for i in range(0, len(rows), batch):
        events = [Admission(**row) for row in rows[i : i + batch]]
        t1 = time.perf_counter()
        ledger.append(events)
        per_batch.append(time.perf_counter() - t1)
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    ledger.close()
    return {"total": total, "cpu": cpu, "per_batch": per_batch}


def probe(n: int, order: str, seed: int = 14, keep: str | None = None) -> dict[str, Any]:
    """In this process: build the history and import it in ``order``
    (``"date"`` or ``"random"``); then the state on the last day must be
    the same in both orders (its member count is returned). ``keep``: move
    the imported log there before the backfills (the admissions workload
    of the open rows)."""
    rows = admissions(n, seed)
    if order == "random":
        random.Random(seed + 1).shuffle(rows)
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"import-{order}-{n}.jsonl"
    result = import_in_batches(path, rows)
    from unledger import Ledger

    ledger = Ledger.open(path, readonly=True)
    world = ledger.world("2025-12-31")
    result["members"] = sum(len(m) for m in world.members.values())
    del ledger, world
    if keep is not None:
        import shutil

        shutil.copyfile(path, keep)
    # one backfilled append into the imported ledger: median of 21
    from unledger import Admission

    extra = admissions(21, seed + 7)
    work = Ledger.open(path)
    times = []
    for i, row in enumerate(extra):
        event = Admission(org=f"X{i:04d}", member=row["member"], date=row["date"][:4] + "-06-15")
        t0 = time.perf_counter()
        work.append(event)
        times.append(time.perf_counter() - t0)
    times.sort()
    result["backfill_median"] = times[len(times) // 2]
    work.close()
    path.unlink()
    return result


def _fresh(code: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter; its last line of output is JSON."""
    out = subprocess.run([sys.executable, "-c", f"import json, sys; sys.path.insert(0, {str(HERE.parent)!r})\n" + code],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run_probe(n: int, order: str, keep: Path | None = None) -> dict[str, Any]:
    keep_text = repr(str(keep)) if keep is not None else "None"
    return _fresh(f"from benchmarks.imports import probe; print(json.dumps(probe({n}, {order!r}, keep={keep_text})))")


def admissions_log(n: int) -> Path:
    """The admissions-only log of ``n`` events (imported in date order once)."""
    from .run import label

    path = DATA / f"admissions-{label(n)}.jsonl"
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr, flush=True)
        run_probe(n, "date", keep=path)
    return path


def fair_open(path: Path, what: str, org: str, body: str, day: str = "2025-12-31") -> dict[str, Any]:
    """A cold open to the first answer in a fresh process: ``"floor"`` (read +
    ``orjson.loads`` + sort + plain-dict fold, collector off) or
    ``"unledger"`` (``Ledger.open`` + members and seats on ``day``); with the
    resident memory after it."""
    if what == "floor":
        body_code = f"""
import gc
gc.disable()
from benchmarks.floor import floor_open, floor_answer
t0 = time.perf_counter()
s = floor_open({str(path)!r})
floor_answer(s, {org!r}, {body!r})
"""
    else:
        body_code = f"""
from unledger import Ledger
t0 = time.perf_counter()
ledger = Ledger.open({str(path)!r}, readonly=True)
state = ledger.state({day!r})
for ask, code in ((state.members, {org!r}), (state.seats, {body!r})):
    try:
        ask(code)
    except LookupError:
        pass
"""
    code = f"""
import time, psutil
base = psutil.Process().memory_info().rss
{body_code}
t = time.perf_counter() - t0
print(json.dumps({{"seconds": t, "rss": psutil.Process().memory_info().rss - base}}))
"""
    return _fresh(code)


def backfill_probe(path: Path, count: int = 31) -> dict[str, Any]:
    """In a fresh process, on a copy of ``path``: open, answer once, then
    ``count`` appends of one admission dated 1970 each (into the past of
    the whole log). The first ones are checked by the incremental check;
    the ``BULK_AFTER_BACKFILLS``-th builds the region index, and later
    ones are checked on it."""
    work = path.with_name(path.stem + "-backfill.jsonl")
    code = f"""
import shutil, time
shutil.copyfile({str(path)!r}, {str(work)!r})
from unledger import Admission, Ledger
ledger = Ledger.open({str(work)!r})
ledger.state("2025-12-31")
times = []
for i in range({count}):
    event = Admission(org=f"X{{i:04d}}", member="S{{:03d}}".format(i % 300), date="1970-06-15")
    t0 = time.perf_counter()
    ledger.append(event)
    times.append(time.perf_counter() - t0)
import os
bare = []
with open({str(work)!r} + ".bare", "ab") as f:
    for i in range({count}):
        t0 = time.perf_counter()
        f.write(b'{{"a line of about the same length as an admission, for the bare write and fsync": 1}}\\n')
        f.flush()
        os.fsync(f.fileno())
        bare.append(time.perf_counter() - t0)
os.unlink({str(work)!r} + ".bare")
print(json.dumps({{"times": times, "bare": bare}}))
"""
    try:
        return _fresh(code)
    finally:
        work.unlink(missing_ok=True)


def engine_rows(import_sizes: list[int], admission_sizes: list[int], reps: int) -> dict[str, dict[str, list[float]]]:
    """Samples of the import rows (date order vs random order, each a fresh
    process) and of the fair open rows on the admissions-only logs, taken
    round-robin: every row of one repetition before the next."""
    from .run import label

    samples: dict[str, dict[str, list[float]]] = {}
    logs = {n: admissions_log(n) for n in admission_sizes}
    for rep in range(reps):
        print(f"  engine rows, rep {rep + 1}/{reps}", file=sys.stderr, flush=True)
        for n in import_sizes:
            row = samples.setdefault(f"import {label(n)}", {})
            d = run_probe(n, "date")
            r = run_probe(n, "random")
            assert d["members"] == r["members"] == n, "both orders must give the same world"
            row.setdefault("date order", []).append(d["total"])
            row.setdefault("random order", []).append(r["total"])
            row.setdefault("date order, CPU", []).append(d["cpu"])
            row.setdefault("random order, CPU", []).append(r["cpu"])
            row.setdefault("random: last batch / first batch", []).append(
                (sum(r["per_batch"][-5:]) / 5) / (sum(r["per_batch"][:5]) / 5))
            row.setdefault("backfill into it (median of 21)", []).append(r["backfill_median"])
        for n, path in logs.items():
            row = samples.setdefault(f"admissions {label(n)}", {})
            f = fair_open(path, "floor", "O00000", "none")
            u = fair_open(path, "unledger", "O00000", "none")
            row.setdefault("fair floor (gc off, fresh process)", []).append(f["seconds"])
            row.setdefault("unledger cold open + first answer (fresh process)", []).append(u["seconds"])
            row.setdefault("unledger RSS per event (B)", []).append(u["rss"] / n)
            probe_out = backfill_probe(path)
            times = probe_out["times"]
            row.setdefault("bare write+flush+fsync of one line, median", []).append(sorted(probe_out["bare"])[len(times) // 2])
            row.setdefault("backfill: first one (incremental check)", []).append(times[0])
            row.setdefault("backfill: the one that builds the region index", []).append(max(times))
            row.setdefault("backfill: median of 31 (index built by the 9th)", []).append(sorted(times)[len(times) // 2])
    return samples


def engine_table(samples: dict[str, dict[str, list[float]]]) -> tuple[str, dict[str, Any]]:
    """Medians and same-repetition ratios, with the targets."""
    import statistics

    def ratio(a: list[float], b: list[float]) -> float:
        return statistics.median(x / y for x, y in zip(a, b, strict=True))

    lines = ["### Imports in any order and opens of the admissions-only log", "",
             "| workload | measurement | median | ratio (same rep) | target | met |", "|---|---|---:|---:|---|---|"]
    verdicts: dict[str, Any] = {}
    for name, row in samples.items():
        for what, xs in row.items():
            med = statistics.median(xs)
            text, target, met = "", "", ""
            if what == "random order":
                r = ratio(xs, row["date order"])
                text, target, met = f"{r:.2f}x date order", "<= 1.5x", "yes" if r <= 1.5 else "**no**"
                verdicts[f"{name} random/date"] = {"ratio": r, "met": r <= 1.5}
            elif what == "random order, CPU":
                text = f"{ratio(xs, row['date order, CPU']):.2f}x date order"
            elif what.startswith("unledger cold open"):
                r = ratio(xs, row["fair floor (gc off, fresh process)"])
                text, target, met = f"{r:.2f}x fair floor", "<= 1.5x", "yes" if r <= 1.5 else "**no**"
                verdicts[f"{name} open/fair floor"] = {"ratio": r, "met": r <= 1.5}
            elif what.startswith("backfill into") or what.startswith("backfill: median"):
                target, met = "<= 2 ms", "yes" if med <= 0.002 else "**no**"
                verdicts[f"{name} backfill"] = {"median": med, "met": med <= 0.002}
            elif what.startswith("unledger RSS"):
                target, met = "<= 512 B", "yes" if med <= 512 else "**no**"
                verdicts[f"{name} rss"] = {"median": med, "met": med <= 512}
            shown = f"{med:.0f}" if "RSS" in what else (f"{med:.2f}x" if "/" in what else _fmt(med))
            lines.append(f"| {name} | {what} | {shown} | {text} | {target} | {met} |")
    return "\n".join(lines), verdicts


def _fmt(x: float) -> str:
    return f"{x:.3f} s" if x >= 1 else f"{x * 1e3:.2f} ms"


def main(argv: list[str] | None = None) -> int:
    import argparse

    from .run import parse_size

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--imports", default="50k", help="sizes of the random-order import rows")
    parser.add_argument("--admissions", default="200k", help="sizes of the admissions-only open rows ('' for none)")
    parser.add_argument("--reps", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [parse_size(s) for s in args.imports.split(",") if s]
    opens = [parse_size(s) for s in args.admissions.split(",") if s]
    table, _ = engine_table(engine_rows(sizes, opens, args.reps))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
