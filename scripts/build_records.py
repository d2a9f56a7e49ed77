"""Build the bundled log ``events/records.jsonl`` from ``events/sources/``.

The sources are the human-edited research files, one JSON event per line.
This script appends them through unledger's own API as one batch in date
order, so every rule is checked exactly as for any user's append and the
result is a normal hash-chained log. Events of the same day are appended in
dependency order (an organization is established before anyone joins it, a
state is admitted before its government is seated), because same-day events
fold in append order. It refuses to overwrite an existing
non-empty log unless ``--rebuild`` is given: once published, the records
change only by appending corrections.

    python scripts/build_records.py --rebuild
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from unledger import Ledger
from unledger.codec import event_from_dict, parse_json_objects

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "events" / "sources"
#: Append order: what later files depend on comes first.
ORDER = ("un_membership.jsonl", "un_charter.jsonl", "security_council.jsonl", "seeds.jsonl")
#: Same-day append order by kind; kinds not listed come last.
SAME_DAY = {
    kind: rank
    for rank, kind in enumerate(
        ("establishment", "enlargement", "statehood", "opening", "admission", "continuation", "merger", "separation")
    )
}


def load(name: str) -> list:
    path = SOURCES / name
    objects = parse_json_objects(path.read_bytes(), name=name)
    events = [event_from_dict(obj, position=f"{name} line {n}") for n, obj in enumerate(objects, 1)]
    return events


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "events" / "records.jsonl")
    parser.add_argument("--rebuild", action="store_true", help="replace an existing log")
    args = parser.parse_args(argv)
    if args.out.exists() and args.out.stat().st_size and not args.rebuild:
        print(f"{args.out} exists; append corrections instead, or pass --rebuild", file=sys.stderr)
        return 1
    tmp = args.out.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    ledger = Ledger.open(tmp)
    events = []
    for name in ORDER:
        if not (SOURCES / name).exists():
            print(f"skipping missing {name}", file=sys.stderr)
            continue
        loaded = load(name)
        print(f"{name}: {len(loaded)} events", file=sys.stderr)
        events += loaded
    events.sort(key=lambda e: (e.date.earliest_day, SAME_DAY.get(e.kind, len(SAME_DAY))))
    ledger.append(events)
    head = ledger.verify()
    tmp.replace(args.out)
    print(f"{args.out}: {len(ledger)} events, head {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
