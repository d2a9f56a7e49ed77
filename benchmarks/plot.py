"""Plot import, open and query time against N from benchmark results.

    python -m benchmarks.plot [results.json ...]   # default: every file in benchmarks/results/

For each size the latest run that measured it wins. Writes
``docs/images/performance.png``.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "docs" / "images" / "performance.png"

OPEN_SERIES = [
    ("unledger: cold open + first answer, fresh process", "unledger cold open, fresh process", "o-"),
    ("fair floor: gc off, fresh process", "fair floor (orjson + dict fold, gc off, fresh process)", "s--"),
    ("unledger: cold open (no cache) + first answer", "unledger cold open, in the harness", "o:"),
    ("unledger: reopen with valid cache + first answer", "unledger reopen, cache", "^-"),
    ("duckdb: cold query on the file", "DuckDB cold query", "d:"),
]
QUERY_SERIES = [
    ("unledger: as-of query (median of random)", "unledger as-of query", "o-"),
    ("unledger: as-of world only (index + replay, no answer)", "unledger, index + replay only", "v-"),
    ("duckdb: warm query on a loaded table", "DuckDB warm query", "d:"),
    ("unledger: query right after the backfill", "unledger, right after a backfill", "^-"),
]


#: Rows of the random-order import (``engine`` samples "import <size>").
IMPORT_SERIES = [
    ("date order", "appended in date order", "o-"),
    ("random order", "appended in random order", "s-"),
]


def load_imports(paths: list[Path]) -> dict[int, dict[str, float]]:
    """Median import times by N, from the ``engine`` samples named
    ``import <size>`` (the latest run that measured a size wins)."""
    from .run import parse_size

    by_n: dict[int, tuple[str, dict[str, float]]] = {}
    for path in paths:
        data = json.loads(path.read_text())
        for name, rows in data.get("engine", {}).get("samples", {}).items():
            if not name.startswith("import "):
                continue
            n = parse_size(name.split()[1])
            medians = {row: statistics.median(xs) for row, xs in rows.items() if xs}
            previous = by_n.get(n)
            if previous is None or previous[0] <= data["started"]:
                by_n[n] = (data["started"], medians)
    return {n: m for n, (_, m) in sorted(by_n.items())}


def load(paths: list[Path]) -> dict[int, dict[str, float]]:
    by_n: dict[int, tuple[str, dict[str, float]]] = {}
    for path in paths:
        data = json.loads(path.read_text())
        for size in data["sizes"]:
            medians = {name: statistics.median(xs) for name, xs in size["samples"].items() if xs}
            previous = by_n.get(size["n"])
            if previous is None or previous[0] <= data["started"]:
                by_n[size["n"]] = (data["started"], medians)
    return {n: m for n, (_, m) in sorted(by_n.items())}


def plot(by_n: dict[int, dict[str, float]], out: Path = OUT, imports: dict[int, dict[str, float]] | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (first, left, right) = plt.subplots(1, 3, figsize=(15, 4.2))
    for ax, data, series, title, unit, scale in (
        (first, imports or {}, IMPORT_SERIES, "Import, batches of 1,000 admissions", "seconds", 1.0),
        (left, by_n, OPEN_SERIES, "Open, to the first answer", "seconds", 1.0),
        (right, by_n, QUERY_SERIES, "One as-of question (members + seats)", "milliseconds", 1e3),
    ):
        for key, label, style in series:
            points = [(n, data[n][key] * scale) for n in data if key in data[n]]
            if points:
                ax.plot([p[0] for p in points], [p[1] for p in points], style, label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("events in the log (N)")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or sorted((HERE / "results").glob("*.json"))
    if not paths:
        print("no results: run python -m benchmarks first", file=sys.stderr)
        return 1
    by_n: Any = load(paths)
    print(f"wrote {plot(by_n, imports=load_imports(paths))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
