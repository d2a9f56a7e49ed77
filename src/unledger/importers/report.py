"""What an import did, and the conflicts it found between a dataset and the
ledger's records (a table with both sources)."""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path
from typing import Final

import attrs

from ..errors import UnledgerError

__all__ = ["Conflict", "ImportResult", "ImportRefused", "DatasetError", "write_report", "REPORT_FIELDS"]

REPORT_FIELDS: Final = (
    "check",
    "state",
    "org",
    "date",
    "dataset_says",
    "ledger_says",
    "dataset_source",
    "ledger_source",
)


@attrs.frozen
class Conflict:
    """One disagreement: what the dataset says and what the ledger's records
    say about ``state`` in ``org`` on ``date``, each with its source."""

    check: str
    state: str
    org: str
    date: str
    dataset_says: str
    ledger_says: str
    dataset_source: str
    ledger_source: str


@attrs.frozen
class ImportResult:
    """What one import appended: new events, corrections and retractions
    (a newer release), how many events were already recorded as they are,
    the conflicts found, and how long it took."""

    dataset: str
    version: str
    events: int
    appended: int
    corrections: int
    retractions: int
    unchanged: int
    seconds: float
    conflicts: tuple[Conflict, ...] = ()
    report: Path | None = None

    def summary(self) -> dict[str, object]:
        """The figures, and the conflicts counted by check."""
        return {
            "dataset": self.dataset,
            "version": self.version,
            "events": self.events,
            "appended": self.appended,
            "corrections": self.corrections,
            "retractions": self.retractions,
            "unchanged": self.unchanged,
            "seconds": round(self.seconds, 2),
            "conflicts": dict(Counter(c.check for c in self.conflicts)),
            "report": str(self.report) if self.report is not None else None,
        }


class DatasetError(UnledgerError):
    """A dataset file that cannot be read as that dataset: missing, or a
    row, a column or a value it should not have (the message names which)."""


class ImportRefused(UnledgerError):
    """``strict`` import refused: the dataset contradicts the ledger's records."""

    def __init__(self, dataset: str, conflicts: tuple[Conflict, ...], report: Path | None) -> None:
        self.conflicts = conflicts
        self.report = report
        counts = ", ".join(f"{n} {check}" for check, n in sorted(Counter(c.check for c in conflicts).items()))
        where = f"; the report is {report}" if report is not None else ""
        super().__init__(f"import of {dataset} refused (strict): {len(conflicts)} conflicts with the ledger's records ({counts}){where}; nothing was appended")


def write_report(path: str | os.PathLike[str], conflicts: tuple[Conflict, ...]) -> Path:
    """Write the conflicts as CSV (one row each, both sources)."""
    out = Path(path)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(REPORT_FIELDS)
        for c in conflicts:
            writer.writerow([getattr(c, name) for name in REPORT_FIELDS])
    return out
