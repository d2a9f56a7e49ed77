"""Write the state-year panel (:func:`unledger.research.panel`) as CSV or
Parquet, with the ledger's head hash, ``as_of`` and ``known_at`` in the
file's metadata (Parquet: the schema metadata; CSV, which has none: a
``FILE.meta.json`` beside it)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from .dates import now_timestamp, parse_timestamp
from .ledger import Ledger
from .research import panel

__all__ = ["write_panel", "panel_metadata"]


def panel_metadata(ledger: Ledger, last_year: int | None, known_at: Any) -> dict[str, str]:
    """The metadata of a panel: the head hash of the log it was read from,
    the last day it covers (``as_of``) and the record time (``known_at``)."""
    return {
        "unledger.head": ledger.head,
        "unledger.as_of": f"{last_year:04d}-12-31" if last_year is not None else "",
        "unledger.known_at": parse_timestamp(known_at) if known_at is not None else now_timestamp(),
        "unledger.codes": "1 full, 2 associate, 3 observer, 0 none, -9 unknown, -1 does not exist; empty: nothing recorded",
    }


def write_panel(
    ledger: Ledger, path: str | os.PathLike[str], *, fmt: str | None = None, start: int | None = None, end: int | None = None, known_at: Any = None
) -> int:
    """Write the panel to ``path`` (``fmt`` csv or parquet; default by the
    suffix); return the number of rows."""
    target = Path(path)
    kind = fmt or ("parquet" if target.suffix.lower() == ".parquet" else "csv")
    orgs, rows = panel(ledger, start=start, end=end, known_at=known_at)
    last = max((r["year"] for r in rows), default=None)
    meta = panel_metadata(ledger, last, known_at)
    columns = ["state", "year", *orgs]
    if kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        fields = [pa.field("state", pa.string()), pa.field("year", pa.int32())] + [pa.field(o, pa.int8()) for o in orgs]
        data = {c: [r.get(c) for r in rows] for c in columns}
        table = pa.table(data, schema=pa.schema(fields, metadata=meta))
        pq.write_table(table, target)
    else:
        with open(target, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            for r in rows:
                writer.writerow([r.get(c, "") for c in columns])
        Path(f"{target}.meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return len(rows)
