#!/usr/bin/env python
"""The long reliability run behind docs/guarantees.md (issue 8).

It does at length what tests/test_reliability_*.py do on every push:

1. **crashes**: writer processes killed with SIGKILL at random moments
   (a share of them tear their own write part-way first); after every kill
   the log is opened and checked: no acknowledged event lost or moved, every
   event once, seqs 1..N, no half batch, the chain verifies, every byte that
   left the log sits in a quarantine file, and the next append works;
2. **damage**: random logs with random damage (an edited byte, a deleted,
   swapped or inserted line, a cut at any byte, a line appended with a
   recomputed hash; with or without the head record): opening raises a
   typed error or serves exactly an undamaged prefix the head record allows;
3. **threads**: processes each running several threads that append
   through one shared ``Ledger``, killed with SIGKILL at random moments; the
   same checks after every kill (nothing acknowledged lost, batches whole);
4. **concurrency**: many writer processes appending at once (single events,
   batches, optimistic ``expected_seq``) while readers re-read without a lock;
5. **hostile input**: generated malformed inputs through the codec and
   ``Ledger.append``, and a share through ``unledger append`` (in-process);
6. **torn writes for real**: how often this machine's kernel cuts a big
   ``write()`` part-way when SIGKILL arrives (why point 1 injects torn writes).

Usage::

    python scripts/crash_soak.py                      # the documented run (about 5 minutes on 2 cores)
    python scripts/crash_soak.py --kills 200 --hostile 2000 --appends 200   # a quick one
    python scripts/crash_soak.py --json soak.json     # also write the figures as JSON

Exit code 0 when every check held; the first broken promise stops the run
with a traceback naming it.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

import helpers_reliability as h  # noqa: E402

from unledger import Ledger  # noqa: E402


def crashes(directory: Path, kills: int, seed: int) -> dict[str, int]:
    started = time.monotonic()

    def progress(done: int) -> None:
        if done % 100 == 0:
            print(f"  {done} kills ({time.monotonic() - started:.0f} s)", flush=True)

    return h.crash_round(directory, kills, seed=seed, logs=max(1, kills // 25), max_delay=0.03, progress=progress)


def threaded(directory: Path, kills: int, threads: int, seed: int) -> dict[str, int]:
    return h.thread_crash_round(directory, kills, seed=seed, threads=threads)


def damage(examples: int, seed: int) -> dict[str, Any]:
    """Random logs with random damage (the property of
    tests/test_reliability_damage.py, at length)."""
    from hypothesis import HealthCheck, assume, given, settings
    from hypothesis import strategies as st

    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()

    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        sizes=st.lists(st.integers(1, 4), min_size=1, max_size=6),
        damages=st.lists(h.DAMAGE, min_size=1, max_size=3),
        drop_head=st.booleans(),
    )
    def run(sizes: list[int], damages: list[tuple[Any, ...]], drop_head: bool) -> None:
        assume(not (drop_head and any(d[0] == "forge" for d in damages)))
        outcomes[h.damaged_open(sizes, damages, drop_head)] += 1
        kinds.update(d[0] for d in damages)

    random.seed(seed)
    run()
    return {"logs": sum(outcomes.values()), **dict(outcomes), "damages": dict(sorted(kinds.items()))}


def concurrency(directory: Path, writers: int, appends: int, seed: int) -> dict[str, int]:
    path = directory / "concurrent.jsonl"
    # The lock is not fair (writers poll for it), so under sustained contention
    # one writer may wait long: give them minutes, not the default 10 s.
    result = h.concurrent_run(path, writers=writers, appends=appends, seed=seed, readers=2, lock_timeout=900)
    figures = h.check_concurrent_log(path, result)
    views = sum(int(line.split()[1]) for lines in result["readers"] for line in lines if line.startswith("views"))
    return {"writers": writers, "events": figures["events"], "conflicts_retried": figures["conflicts"], "reader_views": views}


def hostile(directory: Path, examples: int, cli_share: int, seed: int) -> dict[str, Any]:
    from hypothesis import HealthCheck, given, settings

    path = directory / "hostile.jsonl"
    ledger = Ledger.open(path)
    ledger.append(h.batch_events("base", 0, 3))
    before = path.read_bytes()
    tried: Counter[str] = Counter()
    through_cli = 0
    runner = None
    if cli_share:
        from click.testing import CliRunner

        from unledger.cli import cli

        runner = CliRunner()

    @settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hostile=h.hostile_inputs())
    def run(hostile: h.Hostile) -> None:
        nonlocal through_cli
        tried[hostile.category] += 1
        try:
            h.feed(ledger, hostile.data)
        except Exception as exc:  # noqa: BLE001 - check_refused checks the type
            h.check_refused(hostile, exc)
        else:
            raise AssertionError(f"accepted: {hostile!r}")
        if runner is not None and sum(tried.values()) % cli_share == 0:
            result = runner.invoke(cli, ["--log", str(path), "append", "-"], input=hostile.data, catch_exceptions=False)
            assert result.exit_code == 1 and result.stderr.startswith("unledger: error: "), (hostile, result.stderr)
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr[:500]
            through_cli += 1
        now = path.read_bytes()
        assert now == before, f"the log changed ({len(before)} -> {len(now)} bytes, now ends {now[-300:]!r}) after {hostile!r}"

    random.seed(seed)
    run()
    assert path.read_bytes() == before and Ledger.open(path).verify() == ledger.head
    return {"tried": sum(tried.values()), "through_cli": through_cli, "by_category": dict(sorted(tried.items()))}


def torn_writes(directory: Path, trials: int = 10) -> dict[str, int]:
    """Kill a process in the middle of one 64 MiB write() and see how much
    of it the file got."""
    chunk = b"x" * (64 << 20)
    cut = 0
    for n in range(trials):
        path = directory / f"big{n}"

        def body(report: Any, path: Path = path) -> None:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            report("ready")
            os.write(fd, chunk)

        child = h.fork_child(body)
        child.wait_for(b"ready")
        time.sleep(0.002 + n * 0.001)
        child.kill()
        size = path.stat().st_size
        cut += 0 < size < len(chunk)
        path.unlink()
    return {"trials": trials, "cut_part_way": cut}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=1200)
    parser.add_argument("--thread-kills", type=int, default=300, help="kills of processes running appending threads")
    parser.add_argument("--threads", type=int, default=4, help="appending threads per killed process")
    parser.add_argument("--damaged", type=int, default=3000, help="randomly damaged logs to open")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--appends", type=int, default=500, help="appends per concurrent writer")
    parser.add_argument("--hostile", type=int, default=30000, help="malformed inputs to try")
    parser.add_argument("--cli-every", type=int, default=10, help="send every n-th malformed input through `unledger append` too (0: never)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep the logs (their directory is printed)")
    args = parser.parse_args()
    logging.getLogger("unledger").setLevel(logging.ERROR)

    directory = Path(tempfile.mkdtemp(prefix="unledger-soak-"))
    figures: dict[str, Any] = {
        "seed": args.seed,
        "machine": f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    started = time.monotonic()
    try:
        print(f"crashes: {args.kills} kills", flush=True)
        figures["crashes"] = crashes(directory, args.kills, args.seed)
        print(f"  {figures['crashes']}", flush=True)
        print(f"threads: {args.thread_kills} kills of {args.threads} threads each", flush=True)
        figures["threads"] = threaded(directory, args.thread_kills, args.threads, args.seed)
        print(f"  {figures['threads']}", flush=True)
        print(f"damage: {args.damaged} randomly damaged logs", flush=True)
        figures["damage"] = damage(args.damaged, args.seed)
        print(f"  {figures['damage']}", flush=True)
        print(f"concurrency: {args.writers} writers x {args.appends} appends", flush=True)
        figures["concurrency"] = concurrency(directory, args.writers, args.appends, args.seed)
        print(f"  {figures['concurrency']}", flush=True)
        print(f"hostile input: {args.hostile} examples", flush=True)
        figures["hostile"] = hostile(directory, args.hostile, args.cli_every, args.seed)
        print(f"  {figures['hostile']}", flush=True)
        figures["torn_writes"] = torn_writes(directory)
        print(f"torn writes: {figures['torn_writes']}", flush=True)
    finally:
        if args.keep:
            print(f"logs kept in {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)
    figures["seconds"] = round(time.monotonic() - started)
    figures["nothing_lost"] = True  # every check above raised if anything was
    print(json.dumps(figures, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
