"""Import the full COW IGO and UN votes files from ../shared/datasets/ and
check answers against figures computed independently from the raw CSV with
a few lines of ``csv`` code (in each test, next to the assertion):

- roll calls and votes: the row counts of un_roll_calls.csv and un_votes.csv;
- the USA's votes in 2019 (count and yes), and Namibia's (code ``NA``);
- how often the USA and Israel voted alike in 2000;
- Taiwan's votes (rows with code TW), all before 25 October 1971;
- UN and NATO full members at the end of 1960, from the un and nato columns;
- every panel cell of the USA and France against state_year_formatv3.csv.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from unledger import Ledger, research
from unledger.importers.cow import import_cow_igo
from unledger.importers.report import ImportResult
from unledger.importers.unga import import_unga_votes

# ../shared/datasets from the project root; UNLEDGER_DATASETS names another
# copy (a git worktree elsewhere than beside shared/).
ROOT = Path(os.environ.get("UNLEDGER_DATASETS") or Path(__file__).resolve().parent.parent.parent / "shared" / "datasets")
COW = ROOT / "cow-igo-v3"
VOTES = ROOT / "unga-votes"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ledger, ImportResult, ImportResult]:
    log = tmp_path_factory.mktemp("full") / "datasets.jsonl"
    ledger = Ledger.open(log)
    cow = import_cow_igo(ledger, COW)
    votes = import_unga_votes(ledger, VOTES)
    return Ledger.open(log, readonly=True), cow, votes


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


@pytest.fixture(scope="module")
def raw_votes() -> dict[str, Any]:
    """The figures the tests check, from one pass over the raw vote rows."""
    dates = {r["rcid"]: r["date"] for r in _rows(VOTES / "un_roll_calls.csv")}
    out: dict[str, Any] = {"calls": len(dates), "votes": 0, "us2019": [], "namibia": 0, "taiwan": [], "usa2000": {}, "isr2000": {}}
    for r in _rows(VOTES / "un_votes.csv"):
        out["votes"] += 1
        date, code = dates[r["rcid"]], r["country_code"]
        if code == "US" and date.startswith("2019"):
            out["us2019"].append(r["vote"])
        elif code == "NA":
            out["namibia"] += 1
        elif code == "TW":
            out["taiwan"].append(date)
        if date.startswith("2000") and code in ("US", "IL"):
            out["usa2000" if code == "US" else "isr2000"][r["rcid"]] = r["vote"]
    return out


def test_every_roll_call_and_vote_is_imported(imported: tuple[Ledger, ImportResult, ImportResult], raw_votes: dict[str, Any]) -> None:
    ledger, _, votes = imported
    calls = research.roll_calls(ledger)
    assert len(calls) == votes.appended == raw_votes["calls"]
    assert sum(len(c.votes) for c in calls) == raw_votes["votes"]


def test_votes_of_the_usa_namibia_and_taiwan(imported: tuple[Ledger, ImportResult, ImportResult], raw_votes: dict[str, Any]) -> None:
    ledger, _, votes = imported
    us2019 = raw_votes["us2019"]
    mine = research.votes(ledger, "USA", start="2019", end="2019")
    assert len(mine) == len(us2019) and sum(v.vote == "yes" for v in mine) == us2019.count("yes")
    assert len(research.votes(ledger, "NA")) == raw_votes["namibia"] > 2000
    taiwan = raw_votes["taiwan"]
    assert max(taiwan) < "1971-10-25"
    conflict = next(c for c in votes.conflicts if c.state == "TWN")
    assert conflict.dataset_says == f"voted in {len(taiwan)} roll calls"


def test_agreement_of_the_usa_and_israel_in_2000(imported: tuple[Ledger, ImportResult, ImportResult], raw_votes: dict[str, Any]) -> None:
    ledger, _, _ = imported
    usa, isr = raw_votes["usa2000"], raw_votes["isr2000"]
    both = [k for k in usa if k in isr]
    (row,) = research.agreement(ledger, "USA", "ISR", start="2000", end="2000")
    assert (row.votes, row.agreed) == (len(both), sum(usa[k] == isr[k] for k in both))


def test_members_of_the_un_and_nato_at_the_end_of_1960(imported: tuple[Ledger, ImportResult, ImportResult]) -> None:
    ledger, cow, _ = imported
    un = nato = 0
    for r in _rows(COW / "state_year_formatv3.csv"):
        if r["year"] == "1960":
            un += r["un"] == "1"
            nato += r["nato"] == "1"
    assert research.status_counts(ledger, "UN", 1960, 1960)[0].full == un
    assert research.status_counts(ledger, "NATO", 1960, 1960)[0].full == nato == 15
    assert cow.appended == cow.events > 60_000


def test_panel_cells_match_the_raw_rows(imported: tuple[Ledger, ImportResult, ImportResult]) -> None:
    ledger, _, _ = imported
    orgs, rows = research.panel(ledger)
    panel = {(r["state"], r["year"]): r for r in rows}
    checked = 0
    for raw in _rows(COW / "state_year_formatv3.csv"):
        code = {"2": "USA", "220": "FRA"}.get(raw["ccode"])
        if code is None:
            continue
        cells = panel.get((code, int(raw["year"])), {})  # a year of only 0 and -1 has no row
        for org in orgs:
            value, got = raw[org.lower()], cells.get(org)
            if value in ("1", "2", "3", "-9"):
                assert got == int(value), (code, raw["year"], org)
            elif value == "0":
                assert got in (None, 0), (code, raw["year"], org)
            else:
                assert got in (None, -1), (code, raw["year"], org)
            checked += 1
    assert checked > 200_000
