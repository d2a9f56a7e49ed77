"""Arrow tables: stable columns, partial dates as text plus earliest/latest
days, and a round trip through Parquet and DuckDB."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from test_cli import DEMO, make_log

from unledger import Ledger, arrow
from unledger.cli import cli


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger.open(make_log(tmp_path / "demo.jsonl"))


def test_columns_are_the_documented_ones(ledger: Ledger) -> None:
    table = arrow.members(ledger.state("1993-05-15"), "UN")
    expected = []
    for name, kind in arrow.COLUMNS["members"]:
        expected += [name, f"{name}_earliest", f"{name}_latest"] if kind == "date" else [name]
    assert table.column_names == expected
    assert table.schema.field("since_earliest").type == pa.date32()
    assert table.schema.field("certain").type == pa.bool_()
    # The documentation lists every column of every table.
    page = (Path(__file__).parent.parent / "docs" / "reference" / "arrow.md").read_text()
    for name, _ in (c for cols in arrow.COLUMNS.values() for c in cols):
        assert f"`{name}`" in page, name


def test_partial_dates_keep_their_interval(ledger: Ledger) -> None:
    rows = arrow.members(ledger.state("1993-05-15"), "UN").to_pylist()
    eri = next(r for r in rows if r["member"] == "ERI")
    assert (eri["since"], eri["since_earliest"], eri["since_latest"], eri["certain"]) == (
        "1993-05", dt.date(1993, 5, 1), dt.date(1993, 5, 31), False
    )


def test_every_table_builds(ledger: Ledger) -> None:
    state = ledger.state("2012-06-30")
    assert arrow.seats(state, "UNSC").num_rows == 6
    assert arrow.parties(state, "TREATY").column("since").to_pylist() == ["2001-07-01", "2001-07-01"]
    res = arrow.resolutions(state, "UNGA")
    assert res.column("concerns").to_pylist() == [["AZE"]] and res.schema.field("concerns").type == pa.list_(pa.string())
    events = arrow.events(ledger)
    assert events.num_rows == len(DEMO)
    assert events.schema.field("recorded").type == pa.timestamp("us", tz="UTC")
    assert events.column("seq").to_pylist() == list(range(1, len(DEMO) + 1))
    empty = arrow.to_table("members", [])
    assert empty.num_rows == 0 and empty.schema == arrow.members(state, "UN").schema


def test_parquet_export_round_trips_through_duckdb(ledger: Ledger, tmp_path: Path) -> None:
    out = tmp_path / "members.parquet"
    result = CliRunner().invoke(cli, ["--log", str(ledger.path), "export", "members", "UN", "--as-of", "1993-05-15", "--format", "parquet", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(out).equals(arrow.members(ledger.state("1993-05-15"), "UN"))
    con = duckdb.connect()
    rows = con.execute(
        f"SELECT member, since, since_latest, certain FROM read_parquet('{out}') WHERE NOT certain OR member = 'AZE' ORDER BY member"
    ).fetchall()
    assert rows == [("AZE", "1992-03-02", dt.date(1992, 3, 2), True), ("ERI", "1993-05", dt.date(1993, 5, 31), False)]
    events = tmp_path / "events.parquet"
    CliRunner().invoke(cli, ["--log", str(ledger.path), "export", "events", "--format", "parquet", "-o", str(events)])
    kinds = dict(con.execute(f"SELECT kind, count(*) FROM '{events}' GROUP BY kind").fetchall())
    assert kinds["admission"] == sum(1 for e in DEMO if e["kind"] == "admission")
    # The event column is the JSON object `unledger append` reads back.
    first = con.execute(f"SELECT event FROM '{events}' WHERE seq = 1").fetchone()[0]
    assert first.startswith('{"kind":"establishment","id":"est-UN"')


def test_without_pyarrow_export_says_how_to_install(ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    result = CliRunner().invoke(cli, ["--log", str(ledger.path), "export", "events", "--format", "parquet", "-o", str(tmp_path / "e.parquet")])
    assert result.exit_code == 1
    assert result.stderr.strip() == "unledger: error: Arrow tables need pyarrow: pip install pyarrow (or pip install '.[arrow]' in a checkout of unledger)"
    # CSV needs no pyarrow.
    assert CliRunner().invoke(cli, ["--log", str(ledger.path), "export", "events"]).exit_code == 0
