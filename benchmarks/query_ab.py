"""Two versions of unledger answering the same as-of questions, side by side.

    python -m benchmarks.query_ab LOG --base ../main/src --new src --queries 200 --rounds 5

Each version runs in its own worker process (``PYTHONPATH`` set to its source
tree, ``PYTHONHASHSEED=0`` so that both pick the same questions), opens
``LOG`` once (read-only; the two opens run one after the other, timed), then
the driver asks the workers in turn, round after round (alternating who goes
first), to answer every question with :func:`benchmarks.run.unledger_answer`,
each question timed on its own. It prints the cold open, the memory after
open per event, the median and p90 of a question for each version and their
ratios (new / base, the median of the per-round ratios), and checks that both
versions gave the same answers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def worker(log: str, queries: int, seed: int) -> None:
    """Open ``log``, then answer the questions each time the driver asks."""
    import gc
    import random
    import time

    import psutil

    from benchmarks.run import pick_questions, unledger_answer
    from unledger import Ledger

    before = psutil.Process().memory_info().rss
    started = time.perf_counter()
    ledger = Ledger.open(log, readonly=True)
    opened = time.perf_counter() - started
    rss = psutil.Process().memory_info().rss - before
    questions = pick_questions(ledger, random.Random(seed), queries)
    digest = hashlib.sha256(repr(questions).encode())
    for question in questions:
        digest.update(repr(unledger_answer(ledger, *question)).encode())
    print(json.dumps({"open": opened, "rss": rss, "events": len(ledger), "digest": digest.hexdigest()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        gc.collect()
        times = []
        for question in questions:
            t0 = time.perf_counter()
            unledger_answer(ledger, *question)
            times.append(time.perf_counter() - t0)
        print(json.dumps(times), flush=True)


def _start(src: str, log: str, queries: int, seed: int) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(src).resolve()), str(HERE.parent)]), PYTHONHASHSEED="0")
    cmd = [sys.executable, "-m", "benchmarks.query_ab", log, "--worker", "--queries", str(queries), "--seed", str(seed)]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def _ask(proc: subprocess.Popen[str]) -> list[float]:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("run\n")
    proc.stdin.flush()
    return list(json.loads(proc.stdout.readline()))


def _p90(xs: list[float]) -> float:
    return sorted(xs)[int(0.9 * len(xs))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log")
    ap.add_argument("--base", help="source tree of the base version (holds unledger/)")
    ap.add_argument("--new", help="source tree of the new version")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.log, args.queries, args.seed)
        return
    if not args.base or not args.new:
        ap.error("--base and --new are required")
    sides = {}
    for name, src in (("base", args.base), ("new", args.new)):
        sides[name] = _start(src, args.log, args.queries, args.seed)
    samples: dict[str, list[float]] = {"base": [], "new": []}
    ratios = []
    for r in range(args.rounds):
        order = ("base", "new") if r % 2 == 0 else ("new", "base")
        got = {name: _ask(sides[name][0]) for name in order}
        for name, times in got.items():
            samples[name] += times
        ratios.append(statistics.median(got["new"]) / statistics.median(got["base"]))
    for proc, _ in sides.values():
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    info = {name: side[1] for name, side in sides.items()}
    print(f"log: {args.log} ({info['base']['events']:,} events), {args.queries} questions x {args.rounds} rounds")
    for name in ("base", "new"):
        xs = samples[name]
        print(
            f"{name:5} open {info[name]['open']:.2f} s, rss after open {info[name]['rss'] / info[name]['events']:,.0f} B/event, "
            f"query median {statistics.median(xs) * 1e3:.3f} ms, p90 {_p90(xs) * 1e3:.3f} ms"
        )
    print(f"new/base: query median x{statistics.median(ratios):.3f} (per round: {', '.join(f'{r:.3f}' for r in ratios)}), "
          f"open x{info['new']['open'] / info['base']['open']:.3f}, rss x{info['new']['rss'] / info['base']['rss']:.3f}")
    same = info["base"]["digest"] == info["new"]["digest"]
    print("answers: " + ("identical" if same else "DIFFERENT"))
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
