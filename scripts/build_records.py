"""Release the research in ``events/sources/`` into ``events/records.jsonl``.

The sources are the human-edited research files, one JSON event per line. The
log is what was released from them: once a line is released it is never
rewritten. This script compares the sources with the events in the record
(corrections and retractions applied) and appends, through unledger's own
API and so under every rule, one batch holding

- each event of the sources that the record does not hold yet;
- a ``correction`` for each event whose content changed in the sources;
- a ``retraction`` for each event that is no longer in the sources.

The batch gets its own record time, so ``known_at`` before it still answers
what the earlier release said. Running the script again appends nothing
(the comparison finds no difference), and the same sources and log always
give the same batch (ids included; only the record time differs).

Events of the same day are appended in dependency order (an organization is
established before anyone joins it, a state is admitted before its
government is seated), because same-day events fold in append order.

Each release adds a line ``size head recorded`` to ``events/releases.txt``:
the log's first ``size`` lines end in the line whose hash is ``head``. Before
appending, the script checks that every earlier release is still the start of
the log, and refuses to touch a log that was rewritten.

    python scripts/build_records.py            # append a release (or nothing)
    python scripts/build_records.py --check    # say what a release would append
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

import attrs

from unledger import Correction, Ledger, Retraction, UnledgerError
from unledger.codec import event_from_dict, parse_json_objects
from unledger.events.base import Event

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "events" / "sources"
#: Source files in append order for events of the same day and kind.
ORDER = ("un_membership.jsonl", "un_charter.jsonl", "security_council.jsonl", "seeds.jsonl", "coverage.jsonl")
#: Same-day append order by kind; kinds not listed come last.
SAME_DAY = {
    kind: rank
    for rank, kind in enumerate(
        ("opening", "establishment", "enlargement", "statehood", "admission", "continuation", "merger", "separation")
    )
}


class ReleaseError(Exception):
    """The sources or the log cannot be released (a message for the user)."""


def load_sources(sources: Path = SOURCES) -> list[Event]:
    """Every event of the source files, in :data:`ORDER`, each with an id."""
    events: list[Event] = []
    seen: dict[str, str] = {}
    for name in ORDER:
        path = sources / name
        if not path.exists():
            continue
        objects = parse_json_objects(path.read_bytes(), name=name)
        for n, obj in enumerate(objects, 1):
            where = f"{name} line {n}"
            event = event_from_dict(obj, position=where)
            if event.id is None:
                raise ReleaseError(f"{where}: every source event needs an id (a released event is corrected by its id)")
            if event.id in seen:
                raise ReleaseError(f"{where}: id {event.id} is already used at {seen[event.id]}")
            seen[event.id] = where
            events.append(event)
    return events


def _fold_key(event: Event) -> tuple[int, int]:
    return (event.date.earliest_day, SAME_DAY.get(event.kind, len(SAME_DAY)))


def _new_key(event: Event, position: int) -> tuple[int, ...]:
    """Batch order of a new event (or a correction to another day): after the
    re-issued events of its day, by kind, then in source order."""
    day, rank = _fold_key(event)
    return (day, 1, rank, position)


def _changed_fields(old: Event, new: Event) -> list[str]:
    if type(old) is not type(new):
        return ["kind"]
    return [f.name for f in attrs.fields(type(new)) if getattr(old, f.name) != getattr(new, f.name)]


def plan(ledger: Ledger, sources: Iterable[Event]) -> list[Event]:
    """The batch that brings ``ledger``'s record in line with ``sources``:
    retractions first, then corrections and new events in fold order.

    A correction's replacement folds after every event already recorded for
    its day, so the events that followed the corrected one on that day are
    re-issued after it, unchanged, in their order (a correction with the same
    content): an admission that followed its organization's establishment on
    the same day still follows it.
    """
    effective = sorted(ledger.events(), key=lambda r: (r.event.date.earliest_day, r.seq))
    recorded = {r.id: r.event for r in effective}
    ever = {r.id for r in ledger.records}
    corrections_of: dict[str, int] = {}
    for record in ledger.records:
        if isinstance(record.event, (Correction, Retraction)):
            corrections_of[record.event.target] = corrections_of.get(record.event.target, 0) + 1
    wanted = {e.id: e for e in sources}
    position = {event_id: n for n, event_id in enumerate(wanted)}

    def correction(event_id: str, event: Event, reason: str) -> Correction:
        n = corrections_of.get(event_id, 0) + 1
        return Correction(id=f"{event_id}.c{n}", target=event_id, replacement=event, reason=reason, date=event.date)

    facts: list[tuple[tuple[int, ...], Event]] = []
    for event_id, event in wanted.items():
        assert event_id is not None
        if event_id not in recorded:
            if event_id in ever:
                raise ReleaseError(
                    f"{event_id} was retracted from the record; a retracted id is not reused: give the event a new id"
                )
            facts.append((_new_key(event, position[event_id]), event))
    # Corrections, day by day in fold order.
    changed = {i for i, e in wanted.items() if i in recorded and recorded[i] != e}
    for index, record in enumerate(effective):
        event_id = record.id
        if event_id not in changed:
            continue
        new = wanted[event_id]
        fields = ", ".join(_changed_fields(record.event, new))
        if new.date.earliest_day != record.event.date.earliest_day:
            facts.append((_new_key(new, position[event_id]), correction(event_id, new, f"records release: the sources changed {fields}")))
            continue
        facts.append(((new.date.earliest_day, 0, index), correction(event_id, new, f"records release: the sources changed {fields}")))
    # Same-day followers of a correction kept in place, re-issued after it.
    first_in_day: dict[int, int] = {}
    for key, _ in facts:
        if key[1] == 0:
            first_in_day[key[0]] = min(first_in_day.get(key[0], key[2]), key[2])
    for index, record in enumerate(effective):
        day = record.event.date.earliest_day
        if day in first_in_day and index > first_in_day[day] and record.id not in changed and record.id in wanted:
            reason = "records release: re-issued unchanged, to keep its place after a correction of the same day"
            facts.append(((day, 0, index), correction(record.id, record.event, reason)))
    retractions: list[Event] = []
    for event_id in sorted(recorded.keys() - wanted.keys()):
        n = corrections_of.get(event_id, 0) + 1
        retractions.append(
            Retraction(
                id=f"{event_id}.r{n}",
                target=event_id,
                reason="records release: the event is no longer in the sources",
                date=recorded[event_id].date,
            )
        )
    facts.sort(key=lambda item: item[0])
    return retractions + [event for _, event in facts]


def read_releases(path: Path) -> list[tuple[int, str, str]]:
    """``(size, head, recorded)`` per release, oldest first."""
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit():
            raise ReleaseError(f"{path.name} line {n}: expected 'size head recorded', got {line!r}")
        out.append((int(parts[0]), parts[1], parts[2]))
    return out


def check_releases(ledger: Ledger, releases: list[tuple[int, str, str]]) -> None:
    """Refuse a log whose released lines were rewritten."""
    records = ledger.records
    for size, head, recorded in releases:
        if size > len(records):
            raise ReleaseError(f"the release of {recorded} had {size} lines; the log has only {len(records)}")
        if records[size - 1].hash != head:
            raise ReleaseError(
                f"line {size} of the log no longer has the hash of the release of {recorded} ({head}): a released line was rewritten"
            )


RELEASES_HEADER = (
    "# One line per release of events/records.jsonl: size head recorded.\n"
    "# The log's first `size` lines end in the line whose hash is `head`; they are never rewritten.\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "events" / "records.jsonl")
    parser.add_argument("--releases", type=Path, default=None, help="default: releases.txt beside --out")
    parser.add_argument("--sources", type=Path, default=SOURCES)
    parser.add_argument("--check", action="store_true", help="print what a release would append; write nothing")
    args = parser.parse_args(argv)
    releases_path = args.releases or args.out.with_name("releases.txt")
    try:
        events = load_sources(args.sources)
        ledger = Ledger.open(args.out)
        ledger.verify()
        releases = read_releases(releases_path)
        check_releases(ledger, releases)
        if not releases and len(ledger) and not args.check:
            # The log as found is the first release.
            releases = [(len(ledger), ledger.head, ledger.records[-1].recorded)]
            releases_path.write_text(RELEASES_HEADER + "{} {} {}\n".format(*releases[0]), encoding="utf-8")
        batch = plan(ledger, events)
        if args.check or not batch:
            for event in batch:
                print(f"{event.kind} {event.id}")
            print(f"{args.out}: {len(batch)} events to append", file=sys.stderr)
            return 0
        records = ledger.append(batch)
        head = ledger.verify()
    except (ReleaseError, UnledgerError) as exc:
        # A rule the new sources break (say a correction that moves an event
        # after the ones that need it): nothing was written.
        print(f"build_records: {exc}", file=sys.stderr)
        return 1
    with releases_path.open("a", encoding="utf-8") as f:
        if not releases:
            f.write(RELEASES_HEADER)
        f.write(f"{len(ledger)} {head} {records[-1].recorded}\n")
    kinds: dict[str, int] = {}
    for event in batch:
        kinds[event.kind] = kinds.get(event.kind, 0) + 1
    print(f"{args.out}: appended {len(batch)} events ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); {len(ledger)} lines, head {head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
