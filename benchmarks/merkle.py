"""What checkpoints and proofs cost on a large log (docs/performance.md).

    python -m benchmarks.merkle              # 1M lines
    python -m benchmarks.merkle --lines 100000

Generates N real log lines in this process (hash-chained admissions with a
source note, written by ``unledger.log.encode_batch`` in batches of 1,000,
about 330 bytes a line), then measures, best of ``--reps``:

- the floors: one SHA-256 per line (what ``verify()`` must do at least)
  and the whole chain check (``verify_lines`` in one process, and
  ``verify_bytes`` as ``verify()`` runs it, in forked stretches);
- building the Merkle tree over the lines (a leaf hash per line and about
  one node hash per line), and the tree's memory;
- a root, an inclusion proof and a consistency proof from the built tree,
  and checking each (medians over random leaves and sizes).

Prints one Markdown table and the ratios; writes nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time
from collections.abc import Callable

from unledger import Admission
from unledger.fastdecode import verify_bytes
from unledger.log import GENESIS, encode_batch, verify_lines
from unledger.merkle import Tree, leaf_hash, verify_consistency, verify_inclusion

SOURCE = "synthetic: benchmarks/merkle.py; an admission as the generator writes it, with a source note of typical length"


def make_lines(n: int) -> list[bytes]:
    lines: list[bytes] = []
    prev = GENESIS
    for start in range(0, n, 1000):
        events = [
            Admission(org=f"ORG{i % 250:03d}", member=f"S{i % 300:03d}", date=f"{1945 + i % 80}-0{1 + i % 9}", id=f"adm-{i}", source=SOURCE)
            for i in range(start, min(n, start + 1000))
        ]
        batch = encode_batch(start + 1, prev, "2026-12-06T12:00:00.000000Z", events)
        lines.extend(line[:-1] for line, _ in batch)
        prev = batch[-1][1]
    return lines


def best(reps: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def median_us(fn: Callable[[int], object], args: list[int]) -> float:
    times = []
    for a in args:
        t0 = time.perf_counter()
        fn(a)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Cost of the Merkle tree, roots and proofs.")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--proofs", type=int, default=1000)
    args = parser.parse_args(argv)
    n = args.lines

    t0 = time.perf_counter()
    lines = make_lines(n)
    made = time.perf_counter() - t0
    mean = sum(map(len, lines)) / n
    print(f"{n:,} lines of {mean:.0f} bytes on average, made in {made:.1f} s")

    sha = hashlib.sha256
    data = b"".join(line + b"\n" for line in lines)
    # Interleaved: each repetition times every step once, and ratios are
    # taken within a repetition (the machine may be shared).
    runs: dict[str, list[float]] = {"floor": [], "chain": [], "chain_parallel": [], "build": []}
    steps: dict[str, Callable[[], object]] = {
        "floor": lambda: [sha(line).digest() for line in lines],
        "chain": lambda: verify_lines(lines),
        "chain_parallel": lambda: verify_bytes(data),
        "build": lambda: Tree(lines),
    }
    for _ in range(args.reps):
        for name, step in steps.items():
            runs[name].append(best(1, step))
    med = {name: statistics.median(times) for name, times in runs.items()}

    def ratio(a: str, b: str) -> float:
        return statistics.median(x / y for x, y in zip(runs[a], runs[b], strict=True))

    floor, chain, chain_parallel, build = med["floor"], med["chain"], med["chain_parallel"], med["build"]
    tree = Tree(lines)
    memory = sum(len(level) for level in tree._levels)

    rng = random.Random(20261206)
    indexes = [rng.randrange(n) for _ in range(args.proofs)]
    sizes = [rng.randrange(1, n + 1) for _ in range(args.proofs)]
    root = tree.root()
    root_us = median_us(lambda size: tree.root(size), sizes)
    proofs = {i: tree.inclusion_proof(i) for i in indexes}
    prove_us = median_us(lambda i: tree.inclusion_proof(i), indexes)
    check_us = median_us(lambda i: verify_inclusion(i, n, leaf_hash(lines[i]), proofs[i], root), indexes)
    olds = {s: tree.consistency_proof(s) for s in sizes}
    roots = {s: tree.root(s) for s in sizes}
    consistency_us = median_us(lambda s: tree.consistency_proof(s), sizes)
    check_consistency_us = median_us(lambda s: verify_consistency(s, n, roots[s], root, olds[s]), sizes)
    length = statistics.median(len(p) for p in proofs.values())

    print()
    print(f"| measurement (median of {args.reps}) | time | ratio (median within a repetition) |")
    print("|---|---:|---:|")
    print(f"| floor: one SHA-256 per line | {floor:.3f} s | 1.00x |")
    print(f"| hash chain check in one process (`verify_lines`) | {chain:.3f} s | {ratio('chain', 'floor'):.2f}x floor |")
    print(f"| hash chain check as `verify()` does it (`verify_bytes`) | {chain_parallel:.3f} s | {ratio('chain_parallel', 'floor'):.2f}x floor |")
    print(
        f"| Merkle tree of every line (leaves + nodes) | {build:.3f} s | {ratio('build', 'floor'):.2f}x floor, "
        f"{ratio('build', 'chain'):.2f}x the one-process chain check |"
    )
    firsts = [a + b for a, b in zip(runs["chain_parallel"], runs["build"], strict=True)]
    first = statistics.median(firsts)
    first_ratio = statistics.median(f / c for f, c in zip(firsts, runs["chain_parallel"], strict=True))
    print(f"| a ledger's first checkpoint (`verify_bytes` + tree) | {first:.3f} s | {first_ratio:.2f}x `verify()` alone |")
    print(f"| tree memory | {memory / 2**20:.1f} MiB | {memory / n:.0f} bytes per line |")
    print(f"| root of a random size, from the tree | {root_us:.1f} us | |")
    print(f"| inclusion proof, from the tree (median; {length:.0f} hashes) | {prove_us:.1f} us | |")
    print(f"| checking an inclusion proof | {check_us:.1f} us | |")
    print(f"| consistency proof, random old size to {n:,} | {consistency_us:.1f} us | |")
    print(f"| checking a consistency proof | {check_consistency_us:.1f} us | |")


if __name__ == "__main__":
    main()
