"""Import Erik Voeten's UN General Assembly roll-call votes (as packaged in
the R package ``unvotes``) into a ledger.

Reads a user's copy of ``un_roll_calls.csv``, ``un_roll_call_issues.csv``
and ``un_votes.csv`` and appends one :class:`~unledger.events.votes.RollCall`
per roll call: each state's vote (yes, no, abstain), the date, the session,
the symbol as the dataset writes it and the UN's symbol where it can be
derived, the amendment, paragraph and important-vote flags, and the issue
codes as subjects.

States are coded by ISO alpha-2 in the data, read through the crosswalk
(Namibia's ``NA`` is a code, not a missing value); the states the data give
no code (the Yemen Arab Republic, the Federal Republic of Germany, Zanzibar)
are matched by name. ``RU`` before 25 December 1991 is the Soviet Union
(``SUN``) and ``YU`` is Yugoslavia (``YUG``) to 31 October 2000, Serbia and
Montenegro (``SCG``) to 2 June 2006 and Serbia (``SRB``) after, as in the
ledger's own UN records.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Final

import immutables

from .. import crosswalk
from ..dates import parse_date
from ..events.votes import ROLL_CALL_VOTES, RollCall
from ..ledger import Ledger
from ._files import dataset_file, read_rows
from .checks import check_votes_against_un
from .releases import append_release, reference_ledger
from .report import DatasetError, ImportResult

__all__ = ["import_unga_votes", "unga_events", "un_symbol", "ISSUES", "issue_code", "DATASET", "BODY", "PREFIX"]

DATASET: Final = "UNGA votes"
BODY: Final = "UNGA"
PREFIX: Final = "unga:"
CALLS_FILE: Final = "un_roll_calls.csv"
ISSUES_FILE: Final = "un_roll_call_issues.csv"
VOTES_FILE: Final = "un_votes.csv"
#: The dataset's issue codes and their names.
ISSUES: Final = {
    "me": "Palestinian conflict",
    "nu": "Nuclear weapons and nuclear material",
    "di": "Arms control and disarmament",
    "co": "Colonialism",
    "hr": "Human rights",
    "ec": "Economic development",
}
#: Alpha-2 codes that name different ledger states over time: (last day, code), ...
PERIODS: Final = {
    "RU": (("1991-12-24", "SUN"), ("9999-12-31", "RUS")),
    "YU": (("2000-10-31", "YUG"), ("2006-06-02", "SCG"), ("9999-12-31", "SRB")),
}
_SYMBOL: Final = re.compile(r"R/([0-9]+)/([0-9]+)")
_ROMAN: Final = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def un_symbol(symbol: str) -> str | None:
    """The UN's symbol of a resolution the dataset writes ``R/1/66``:
    ``A/RES/66(I)`` up to the 30th session, ``A/RES/31/6`` from the 31st.
    Symbols already in the UN's form are kept; others (lettered parts,
    special sessions) are not derived."""
    if symbol.startswith("A/RES/"):
        return symbol
    m = _SYMBOL.fullmatch(symbol)
    if m is None:
        return None
    session, number = int(m.group(1)), int(m.group(2))
    if session < 1:
        return None
    return f"A/RES/{number}({_roman(session)})" if session <= 30 else f"A/RES/{session}/{number}"


def issue_code(text: str) -> str:
    """An issue code (``me``) from its code or its name, any case."""
    key = text.strip().lower()
    if key in ISSUES:
        return key
    for code, name in ISSUES.items():
        if name.lower() == key:
            return code
    raise DatasetError(f"unknown issue {text!r}; known: {', '.join(f'{c} ({n})' for c, n in ISSUES.items())}")


def _flag(text: str) -> bool | None:
    text = text.strip()
    if text in ("", "NA"):
        return None
    if text in ("1", "1.0"):
        return True
    if text in ("0", "0.0"):
        return False
    raise ValueError(text)


def _voter(alpha2: str, name: str, date: str, path: object, line: int) -> str:
    if alpha2:
        periods = PERIODS.get(alpha2)
        if periods is not None:
            return next(code for last, code in periods if date <= last)
        code = crosswalk.aliases().get(alpha2)
        if code is not None:
            return code
    code = crosswalk.code_for_name(name)
    if code is None:
        raise DatasetError(f"{path} row {line}: state {name!r} (code {alpha2!r}) is not in unledger's crosswalk")
    return code


_Call = tuple[int, list[str], dict[str, int]]


def _read_calls(calls_path: Path) -> tuple[dict[int, _Call], dict[int, str]]:
    """Each roll call's row of ``un_roll_calls.csv`` (line, cells, column
    index) and its date as written, by rcid."""
    calls: dict[int, _Call] = {}
    dates: dict[int, str] = {}
    for line, row, ix in read_rows(calls_path, ("rcid", "session", "importantvote", "date", "unres", "amend", "para", "short", "descr")):
        try:
            rcid = int(row[ix["rcid"]])
        except ValueError:
            raise DatasetError(f"{calls_path} row {line}: rcid {row[ix['rcid']]!r} is not a number") from None
        if rcid in calls:
            raise DatasetError(f"{calls_path} row {line}: rcid {rcid} appears twice (first at row {calls[rcid][0]})")
        calls[rcid] = (line, row, ix)
        dates[rcid] = row[ix["date"]]
    return calls, dates


def _read_issues(issues_path: Path) -> tuple[dict[int, list[str]], dict[int, list[int]]]:
    """Each roll call's issue codes (each once, in file order) and the lines
    of ``un_roll_call_issues.csv`` they were read from, by rcid."""
    subjects: dict[int, list[str]] = {}
    issue_lines: dict[int, list[int]] = {}
    for line, row, ix in read_rows(issues_path, ("rcid", "short_name")):
        rcid = int(row[ix["rcid"]])
        code = row[ix["short_name"]].strip()
        if code not in ISSUES:
            raise DatasetError(f"{issues_path} row {line}: issue code {code!r} is not one of {', '.join(ISSUES)}")
        if code not in subjects.setdefault(rcid, []):
            subjects[rcid].append(code)
        issue_lines.setdefault(rcid, []).append(line)
    return subjects, issue_lines


def _read_votes(votes_path: Path, dates: dict[int, str]) -> tuple[dict[int, dict[str, str]], dict[int, tuple[int, int]]]:
    """Each roll call's votes by state code and the first and last rows of
    ``un_votes.csv`` they were read from, by rcid (``dates``: each roll
    call's date as written, by rcid)."""
    votes: dict[int, dict[str, str]] = {}
    vote_rows: dict[int, tuple[int, int]] = {}
    voter_cache: dict[tuple[str, str, str], str] = {}
    allowed = frozenset(ROLL_CALL_VOTES)
    rcid, cast, date, first = -1, {}, "", 0
    for line, row, _ in read_rows(votes_path, ("rcid", "country", "country_code", "vote")):
        if row[0] != str(rcid):
            if rcid >= 0:
                vote_rows[rcid] = (first, line - 1) if rcid not in vote_rows else (vote_rows[rcid][0], line - 1)
            rcid = int(row[0])
            found = dates.get(rcid)
            if found is None:
                raise DatasetError(f"{votes_path} row {line}: rcid {rcid} is not a roll call of {CALLS_FILE}")
            date, cast, first = found, votes.setdefault(rcid, {}), line
        key = (row[2], row[1], date)
        state = voter_cache.get(key)
        if state is None:
            state = voter_cache[key] = _voter(row[2], row[1], date, votes_path, line)
        vote = row[3]
        if vote not in allowed:
            raise DatasetError(f"{votes_path} row {line}: vote {vote!r} is not one of {', '.join(ROLL_CALL_VOTES)}")
        if state in cast:
            raise DatasetError(f"{votes_path} row {line}: a second vote of {state} in roll call {rcid}")
        cast[state] = vote
        last = line
    if rcid >= 0:
        vote_rows[rcid] = (first, last) if rcid not in vote_rows else (vote_rows[rcid][0], last)
    return votes, vote_rows


def _where(rcid: int, line: int, vote_rows: dict[int, tuple[int, int]], issue_lines: dict[int, list[int]]) -> str:
    """The rows of the three files roll call ``rcid`` (at ``line`` of
    ``un_roll_calls.csv``) was read from."""
    where = f"{CALLS_FILE} row {line}"
    if rcid in vote_rows:
        a, b = vote_rows[rcid]
        where += f"; {VOTES_FILE} rows {a}-{b}"
    if rcid in issue_lines:
        where += f"; {ISSUES_FILE} row{'s' if len(issue_lines[rcid]) > 1 else ''} {', '.join(map(str, issue_lines[rcid]))}"
    return where


def _roll_call(rcid: int, row: list[str], ix: dict[str, int], subjects: list[str], votes: dict[str, str], source: str) -> RollCall:
    """The roll call of ``un_roll_calls.csv`` cells ``row`` (column index
    ``ix``) with its issue codes ``subjects`` and ``votes``; ValueError
    when a cell does not parse."""
    symbol = row[ix["unres"]].strip() or None
    return RollCall(
        body=BODY,
        rcid=rcid,
        date=parse_date(row[ix["date"]]),
        session=int(row[ix["session"]]) if row[ix["session"]].strip() else None,
        symbol=symbol,
        un_symbol=un_symbol(symbol) if symbol else None,
        title=row[ix["short"]].strip() or None,
        description=row[ix["descr"]].strip() or None,
        amendment=_flag(row[ix["amend"]]),
        paragraph=_flag(row[ix["para"]]),
        important=_flag(row[ix["importantvote"]]),
        subjects=tuple(subjects),
        votes=immutables.Map(votes),
        id=f"{PREFIX}rc:{rcid}",
        source=source,
    )


def unga_events(directory: str | os.PathLike[str], *, version: str = "0.3.0") -> tuple[list[RollCall], dict[int, tuple[int, int]]]:
    """The roll calls of a copy of the votes data, in date order, and the
    rows of ``un_votes.csv`` each one's votes were read from."""
    calls_path = dataset_file(directory, CALLS_FILE, DATASET)
    issues_path = dataset_file(directory, ISSUES_FILE, DATASET)
    votes_path = dataset_file(directory, VOTES_FILE, DATASET)
    cite = f"UN General Assembly roll calls (Voeten 2013, hdl:1902.1/12379; R package unvotes {version})"
    calls, dates = _read_calls(calls_path)
    subjects, issue_lines = _read_issues(issues_path)
    votes, vote_rows = _read_votes(votes_path, dates)
    out: list[RollCall] = []
    for rcid, (line, row, ix) in calls.items():
        source = f"{cite}, {_where(rcid, line, vote_rows, issue_lines)}"
        try:
            event = _roll_call(rcid, row, ix, subjects.get(rcid, []), votes.get(rcid, {}), source)
        except ValueError as exc:
            raise DatasetError(f"{calls_path} row {line}: {exc}") from None
        out.append(event)
    out.sort(key=lambda e: (e.date.earliest_day, e.rcid))
    return out, vote_rows


def import_unga_votes(
    ledger: Ledger,
    directory: str | os.PathLike[str],
    *,
    version: str = "0.3.0",
    strict: bool = False,
    report: str | os.PathLike[str] | None = None,
    reference: Ledger | None = None,
) -> ImportResult:
    """Append the roll calls of the votes files in ``directory`` to ``ledger``.

    Idempotent; a newer release appends corrections and retractions. Votes
    by states that are not UN members that day by the ledger's records
    (``reference``; default the ledger itself if it records UN members, else
    the bundled records) are conflicts, written to ``report`` if given;
    ``strict`` refuses the import if there are any.
    """
    started = time.perf_counter()
    events, lines = unga_events(directory, version=version)
    conflicts = check_votes_against_un(events, reference_ledger(ledger, reference), version=version, lines=lines)
    return append_release(
        ledger, list(events), conflicts, dataset=DATASET, version=version, prefix=PREFIX, kinds=("roll_call",),
        strict=strict, report=report, started=started,
    )
