"""Import the Correlates of War IGO data (version 3) into a ledger.

Reads a user's copy of ``igo_year_formatv3.csv`` (organizations: founding
year, end) and ``state_year_formatv3.csv`` (one row per state and year, one
column per organization) and appends:

- an :class:`~unledger.events.bodies.Establishment` per organization, in its
  founding year (``sdate``), its code the COW ``ioname`` in capitals;
- a :class:`~unledger.events.statuses.Closure` where the data say it ended
  (``deaddate``): dissolved, replaced or integrated;
- a :class:`~unledger.events.statuses.MembershipStatus` for each change of a
  state's standing: ``1`` full, ``2`` associate, ``3`` observer, ``0`` none,
  ``-9`` unknown, ``-1`` nonexistent. A change is dated to the year it first
  appears; before 1965, for organizations whose dates COW gives only
  "within 5 years", it is dated by the interval from the earliest year it can
  have happened (``1951/1955``). A state missing from the data for some years
  (occupied, merged) is ``nonexistent`` from the first year it is missing.

Statuses are recorded from a state's first membership (or unknown): years
of "not a member" before it say nothing the ledger needs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from .. import crosswalk
from ..dates import parse_date
from ..events.base import Event
from ..events.bodies import Establishment
from ..events.statuses import Closure, MembershipStatus
from ..ledger import Ledger
from ._files import dataset_file, read_rows
from .checks import check_cow_against_un
from .releases import append_release, reference_ledger
from .report import DatasetError, ImportResult

__all__ = ["import_cow_igo", "cow_events", "DATASET", "STATE_FILE", "IGO_FILE", "STATUS_OF", "PREFIX"]

DATASET: Final = "COW IGO"
STATE_FILE: Final = "state_year_formatv3.csv"
IGO_FILE: Final = "igo_year_formatv3.csv"
PREFIX: Final = "cow-igo:"
#: COW status code -> ledger status.
STATUS_OF: Final = {"1": "full", "2": "associate", "3": "observer", "0": "none", "-9": "unknown", "-1": "nonexistent"}
_CODE: Final = {"1": 1, "2": 2, "3": 3, "0": 0, "-9": 9, "-1": 255}
_NAME: Final = {1: "full", 2: "associate", 3: "observer", 0: "none", 9: "unknown", 255: "nonexistent"}
#: How COW says an organization's pre-1965 dates are exact only to within
#: five years (some organizations say so on some rows only: that is enough).
_APPROXIMATE: Final = "Within 5 years"
#: Codes that start a record of a state's standing (before them: nothing to say).
_STARTS: Final = frozenset({1, 2, 3, 9})
_KINDS: Final = ("establishment", "closure", "membership_status")


class _Org:
    __slots__ = ("code", "column", "name", "sdate", "deaddate", "how", "approximate", "line", "end_line")

    def __init__(self, code: str, column: str, name: str, sdate: int | None, deaddate: int | None, how: str | None, approximate: bool, line: int) -> None:
        self.code, self.column, self.name = code, column, name
        self.sdate, self.deaddate, self.how = sdate, deaddate, how
        self.approximate, self.line, self.end_line = approximate, line, line


def _year(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def _read_orgs(path: Path) -> dict[str, _Org]:
    orgs: dict[str, _Org] = {}
    accuracies: dict[str, set[str]] = {}
    required = ("ioname", "orgname", "year", "sdate", "deaddate", "dead", "integrated", "replaced", "longorgname")
    for line, row, ix in read_rows(path, required):
        ioname = row[ix["ioname"]]
        org = orgs.get(ioname)
        accuracy = row[ix["accuracyofpre1965membershipdates"]].strip() if "accuracyofpre1965membershipdates" in ix else ""
        if org is None:
            org = orgs[ioname] = _Org(
                code=ioname.upper(),
                column=ioname.lower(),
                name=(row[ix["longorgname"]] or row[ix["orgname"]] or ioname).strip(),
                sdate=_year(row[ix["sdate"]]),
                deaddate=None,
                how=None,
                approximate=False,
                line=line,
            )
        accuracies.setdefault(ioname, set()).add(accuracy)
        if row[ix["dead"]] == "1":  # the row of the year it ended
            org.deaddate = _year(row[ix["deaddate"]]) or int(row[ix["year"]])
            org.how = "integrated" if row[ix["integrated"]] == "1" else "replaced" if row[ix["replaced"]] == "1" else "dissolved"
            org.end_line = line
    for ioname, said in accuracies.items():
        # "within 5 years" on any row, or no row saying how exact: approximate
        orgs[ioname].approximate = _APPROXIMATE in said or not (said - {""})
    return orgs


def cow_events(directory: str | os.PathLike[str], *, version: str = "3.0") -> list[Event]:
    """The events a copy of the COW IGO data implies, in date order."""
    return _read(directory, version)[0]


def _read(directory: str | os.PathLike[str], version: str) -> tuple[list[Event], dict[str, dict[int, tuple[int, int]]]]:
    """The events, and each state's UN column: code -> year -> (COW code, row)."""
    igo_path = dataset_file(directory, IGO_FILE, DATASET)
    state_path = dataset_file(directory, STATE_FILE, DATASET)
    orgs = _read_orgs(igo_path)
    cite = f"Correlates of War IGO data v{version} (Pevehouse et al. 2020)"
    events: list[Event] = []
    for org in orgs.values():
        if org.sdate is not None:
            events.append(
                Establishment(
                    entity=org.code, name=org.name, date=parse_date(f"{org.sdate:04d}"), id=f"{PREFIX}{org.code}",
                    source=f"{cite}, {IGO_FILE} row {org.line} (sdate)",
                )
            )
        if org.deaddate is not None and org.how is not None:
            events.append(
                Closure(
                    org=org.code, how=org.how, date=parse_date(f"{org.deaddate:04d}"), id=f"{PREFIX}{org.code}:end",
                    source=f"{cite}, {IGO_FILE} row {org.end_line} (deaddate, {org.how})",
                )
            )
    # Rows as compact bytes (one per organization column), by ledger code and year.
    by_code: dict[str, dict[int, tuple[bytes, int]]] = {}
    columns: list[_Org] = []
    last_year = 0
    code = _CODE
    for line, row, ix in read_rows(state_path, ("ccode", "year")):
        if not columns:
            by_column = {o.column: o for o in orgs.values()}
            names = list(ix)[3:]
            unknown = [n for n in names if n not in by_column]
            if unknown:
                raise DatasetError(f"{state_path}: columns {', '.join(unknown[:5])} are not organizations of {IGO_FILE}")
            columns = [by_column[n] for n in names]
        year = int(row[1])
        last_year = max(last_year, year)
        state = crosswalk.code_for_cow(int(row[0]), year)
        if state is None:
            raise DatasetError(f"{state_path} row {line}: COW state number {row[0]} is not in unledger's crosswalk")
        try:
            cells = bytes([code[v] for v in row[3:]])
        except KeyError as exc:
            raise DatasetError(f"{state_path} row {line}: status {exc.args[0]!r} is not a COW status code (1, 2, 3, 0, -9, -1)") from None
        by_code.setdefault(state, {})[year] = (cells, line)
    un: dict[str, dict[int, tuple[int, int]]] = {}
    un_index = next((i for i, o in enumerate(columns) if o.code == "UN"), None)
    for state, years in by_code.items():
        events.extend(_status_changes(state, years, columns, last_year, cite))
        if un_index is not None:
            un[state] = {year: (cells[un_index], line) for year, (cells, line) in years.items()}
    events.sort(key=lambda e: (e.date.earliest_day, e.date.latest_day))
    return events, un


def _status_changes(state: str, years: dict[int, tuple[bytes, int]], columns: list[_Org], last_year: int, cite: str) -> Iterable[Event]:
    current = [0] * len(columns)  # 0 none, as if before the record starts
    started = [False] * len(columns)
    changed = [0] * len(columns)  # the year each column last changed
    previous: bytes | None = None
    previous_year: int | None = None
    run_start = min(years)  # the first year of the current run of rows
    for year in sorted(years):
        cells, line = years[year]
        if previous_year is not None and year != previous_year + 1:
            yield from _vanish(state, columns, current, started, previous_year + 1, f"no row for this state in {previous_year + 1}-{year - 1}", cite)
            previous, run_start = None, year
        if cells == previous:
            previous_year = year
            continue
        for i, value in enumerate(cells):
            if value == current[i] and (started[i] or value not in _STARTS):
                continue
            if not started[i]:
                if value not in _STARTS:
                    current[i] = value
                    continue
                started[i] = True
            current[i] = value
            org = columns[i]
            date = f"{year:04d}"
            ended = value == 255 and org.deaddate is not None and year >= org.deaddate  # dated by its deaddate
            if year < 1965 and org.approximate and not ended:
                # no earlier than five years back, the founding, the state's
                # (re)appearance or the column's last change
                earliest = max(year - 4, org.sdate or 0, run_start, changed[i] + 1)
                if earliest < year:
                    date = f"{earliest:04d}/{year:04d}"
            changed[i] = year
            yield MembershipStatus(
                org=org.code, member=state, status=_NAME[value], date=parse_date(date), id=f"{PREFIX}{org.code}:{state}:{year}",
                source=f"{cite}, {STATE_FILE} row {line} ({org.column})",
            )
        previous, previous_year = cells, year
    if previous_year is not None and previous_year < last_year:
        yield from _vanish(state, columns, current, started, previous_year + 1, f"no row for this state from {previous_year + 1}", cite)


def _vanish(state: str, columns: list[_Org], current: list[int], started: list[bool], year: int, why: str, cite: str) -> Iterable[Event]:
    for i, org in enumerate(columns):
        if started[i] and current[i] not in (0, 255):
            current[i] = 255
            yield MembershipStatus(
                org=org.code, member=state, status="nonexistent", date=parse_date(f"{year:04d}"), id=f"{PREFIX}{org.code}:{state}:{year}",
                source=f"{cite}, {STATE_FILE}: {why}",
            )


def import_cow_igo(
    ledger: Ledger,
    directory: str | os.PathLike[str],
    *,
    version: str = "3.0",
    strict: bool = False,
    report: str | os.PathLike[str] | None = None,
    reference: Ledger | None = None,
) -> ImportResult:
    """Append what the COW IGO files in ``directory`` imply to ``ledger``.

    Idempotent: the same files appended again add nothing; a newer release
    adds corrections and retractions for the rows it changed or removed.
    Memberships of the UN that contradict the ledger's own UN records
    (``reference``; default the ledger itself if it records UN members, else
    the bundled records) are listed as conflicts, written to ``report`` (a
    CSV file) if given; ``strict`` refuses the import if there are any.
    """
    started = time.perf_counter()
    events, un = _read(directory, version)
    conflicts = check_cow_against_un(un, reference_ledger(ledger, reference), version=version)
    bodies = ledger.world().bodies
    events = [e for e in events if not (isinstance(e, Establishment) and _established_elsewhere(bodies, e))]
    return append_release(
        ledger, events, conflicts, dataset=DATASET, version=version, prefix=PREFIX, kinds=_KINDS,
        strict=strict, report=report, started=started,
    )


def _established_elsewhere(bodies: Any, e: Establishment) -> bool:
    """Whether the ledger records ``e``'s organization from another source
    (the bundled UN): its own record stands, COW's is not appended."""
    info = bodies.get(e.entity)
    return info is not None and not (info.via or "").startswith(PREFIX)

