"""Import the two public datasets and time the imports and the questions
asked of them; prints figures (no pass/fail).

    python -m benchmarks.datasets                  # ../shared/datasets from the project root
    python -m benchmarks.datasets /path/to/datasets --reps 9

Each import goes into a fresh log in a temporary directory: the first import
(read, compare, append in date order in one batch), the same import again
(idempotent: appends nothing), a cold open of the log, a fold to the head,
then the median of ``--reps`` runs of each query.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from unledger import Ledger, research
from unledger.importers.cow import import_cow_igo
from unledger.importers.unga import import_unga_votes

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _median_ms(fn: Callable[[], Any], reps: int) -> float:
    return statistics.median(_timed(fn)[0] for _ in range(reps)) * 1000


def run(root: Path, reps: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        imports: list[tuple[str, Callable[[Ledger], Any], Path]] = [
            ("cow-igo", lambda ledger: import_cow_igo(ledger, root / "cow-igo-v3"), Path(tmp) / "cow.jsonl"),
            ("unga-votes", lambda ledger: import_unga_votes(ledger, root / "unga-votes"), Path(tmp) / "votes.jsonl"),
        ]
        print("| import | events | first import (s) | re-import (s) | log (MB) | cold open (s) | fold to head (s) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, fn, log in imports:
            ledger = Ledger.open(log)
            first, result = _timed(lambda: fn(ledger))  # noqa: B023
            again, second = _timed(lambda: fn(ledger))  # noqa: B023
            assert second.appended == 0 and second.corrections == 0
            opened, fresh = _timed(lambda: Ledger.open(log, readonly=True))  # noqa: B023
            folded, _ = _timed(lambda: fresh.world())  # noqa: B023
            size = log.stat().st_size / 1e6
            print(f"| {name} | {result.appended:,} | {first:.1f} | {again:.1f} | {size:.1f} | {opened:.2f} | {folded:.2f} |")
        cow = Ledger.open(Path(tmp) / "cow.jsonl", readonly=True)
        votes = Ledger.open(Path(tmp) / "votes.jsonl", readonly=True)
        cow.world(), votes.world()  # fold once, as a long-running process would have
        queries: list[tuple[str, Callable[[], Any]]] = [
            ("votes USA (all 74 sessions)", lambda: research.votes(votes, "USA")),
            ("votes USA --from 2000 --issue me", lambda: research.votes(votes, "USA", start="2000", issue="me")),
            ("agreement USA ISR (per year)", lambda: research.agreement(votes, "USA", "ISR")),
            ("agreement USA (against all, per year)", lambda: research.agreement(votes, "USA")),
            ("standing FRA --as-of 1960", lambda: research.standing(cow, "FRA", "1960")),
            ("status-counts UN (1945-2014)", lambda: research.status_counts(cow, "UN")),
            ("panel (state-year, 534 IGOs)", lambda: research.panel(cow)),
        ]
        print()
        print(f"| query | median of {reps} (ms) |")
        print("|---|---:|")
        for label, query in queries:
            print(f"| {label} | {_median_ms(query, reps):.1f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT, help="the directory holding cow-igo-v3/ and unga-votes/")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    run(args.root, args.reps)


if __name__ == "__main__":
    main()
