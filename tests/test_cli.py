"""The `unledger` command line end to end: every command, every output
format, and bad input (each refused with one clear line, the right exit code
and the log left byte-for-byte unchanged)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from unledger import Ledger
from unledger.cli import cli
from unledger.codec import event_from_dict

DEMO = [
    {"kind": "establishment", "id": "est-UN", "date": "1945-10-24", "entity": "UN", "name": "United Nations"},
    {"kind": "establishment", "id": "est-UNGA", "date": "1945-10-24", "entity": "UNGA", "name": "General Assembly", "org": "UN"},
    {
        "kind": "establishment",
        "id": "est-UNSC",
        "date": "1945-10-24",
        "entity": "UNSC",
        "name": "Security Council",
        "org": "UN",
        "elected_seats": 6,
        "permanent_members": ["CHN", "FRA", "SUN", "GBR", "USA"],
    },
    *[
        {"kind": "admission", "id": f"adm-{c}", "date": "1945-10-24", "org": "UN", "member": c, "original": True}
        for c in ("CHN", "FRA", "GBR", "SUN", "USA")
    ],
    {"kind": "statehood", "id": "st-AZE", "date": "1991-08-30", "state": "AZE", "name": "Azerbaijan"},
    {"kind": "continuation", "id": "cont-RUS", "date": "1991-12-24", "predecessor": "SUN", "successor": "RUS"},
    {"kind": "admission", "id": "adm-AZE", "date": "1992-03-02", "org": "UN", "member": "AZE"},
    {"kind": "admission", "id": "adm-KAZ", "date": "1992-03-02", "org": "UN", "member": "KAZ"},
    # A date known only to the month: uncertain during May 1993.
    {"kind": "admission", "id": "adm-ERI", "date": "1993-05", "org": "UN", "member": "ERI"},
    {
        "kind": "adoption",
        "id": "res-46-230",
        "date": "1992-03-02",
        "body": "UNGA",
        "symbol": "A/RES/46/230",
        "title": "Admission of the Republic of Azerbaijan to membership in the United Nations",
        "without_vote": True,
        "concerns": ["AZE"],
        "subjects": ["admission"],
    },
    {"kind": "opening", "id": "open-T", "date": "2000-01-10", "instrument": "TREATY", "title": "A test treaty",
     "entry_into_force": {"rule": "deposits", "count": 2, "days": 30}},
    {"kind": "signing", "id": "sig-AZE", "date": "2000-02-01", "instrument": "TREATY", "party": "AZE", "act": "signature"},
    {"kind": "signing", "id": "rat-AZE", "date": "2001-03-01", "instrument": "TREATY", "party": "AZE", "act": "ratification"},
    {"kind": "signing", "id": "acc-KAZ", "date": "2001-06-01", "instrument": "TREATY", "party": "KAZ", "act": "accession"},
    {"kind": "election", "id": "elec-AZE", "date": "2011-10-24", "body": "UNSC", "member": "AZE",
     "term_start": "2012-01-01", "term_end": "2013-12-31"},
]


def make_log(path: Path, objects: list[dict] = DEMO) -> Path:
    Ledger.open(path).append([event_from_dict(o) for o in objects])
    return path


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return make_log(tmp_path / "demo.jsonl")


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def one_line_error(result, *needles: str) -> str:
    """The refusal is a single line on stderr, no traceback."""
    err = result.stderr.strip()
    assert "Traceback" not in result.output
    assert len(err.splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


# -- questions -----------------------------------------------------------------------------


def test_members_table_json_csv(log: Path) -> None:
    table = run("--log", str(log), "members", "UN", "--as-of", "1992-03-02")
    assert table.exit_code == 0, table.output
    assert "UN (United Nations) on 1992-03-02: 7 members" in table.stdout
    assert "AZE" in table.stdout and "Azerbaijan" in table.stdout and "RUS" in table.stdout and "SUN" not in table.stdout

    as_json = json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1992-03-02").stdout)
    aze = next(r for r in as_json if r["member"] == "AZE")
    assert aze == {**aze, "id": "adm-AZE", "since": "1992-03-02", "certain": True, "name": "Azerbaijan"}
    # Russia continues the USSR's membership, counted from 1945.
    assert next(r for r in as_json if r["member"] == "RUS")["since"] == "1945-10-24"

    # --csv after the command name works as well as before it.
    rows = list(csv.DictReader(io.StringIO(run("--log", str(log), "members", "UN", "--as-of", "1990", "--csv").stdout)))
    assert {r["member"] for r in rows} == {"CHN", "FRA", "GBR", "SUN", "USA"}
    assert set(rows[0]) >= {"id", "since", "certain"}


def test_uncertain_facts_are_marked_in_every_format(log: Path) -> None:
    table = run("--log", str(log), "members", "UN", "--as-of", "1993-05-15").stdout
    eri = next(line for line in table.splitlines() if line.startswith("ERI"))
    assert "1993-05?" in eri and eri.rstrip().endswith("no")
    assert "? the source gives only the month or year" in table
    rows = json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1993-05-15").stdout)
    assert next(r for r in rows if r["member"] == "ERI")["certain"] is False
    assert all(r["certain"] for r in rows if r["member"] != "ERI")
    rows = list(csv.DictReader(io.StringIO(run("--log", str(log), "--csv", "members", "UN", "--as-of", "1993-05-15").stdout)))
    assert next(r for r in rows if r["member"] == "ERI")["certain"] == "false"
    # Once May 1993 is over, the fact is certain.
    later = json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1993-06").stdout)
    assert next(r for r in later if r["member"] == "ERI")["certain"] is True


def test_seats_with_terms(log: Path) -> None:
    rows = json.loads(run("--log", str(log), "--json", "seats", "UNSC", "--as-of", "2012-06-30").stdout)
    by_member = {r["member"]: r for r in rows}
    assert by_member["AZE"]["term_start"] == "2012-01-01" and by_member["AZE"]["term_end"] == "2013-12-31"
    assert by_member["AZE"]["status"] == "seated" and by_member["AZE"]["id"] == "elec-AZE"
    assert by_member["RUS"]["kind"] == "permanent" and "SUN" not in by_member
    # Elected in October 2011, not seated until January.
    before = run("--log", str(log), "seats", "UNSC", "--as-of", "2011-11-01").stdout
    assert next(line for line in before.splitlines() if line.startswith("AZE")).split()[2:4] == ["elected", "elected"]
    table = run("--log", str(log), "seats", "UNSC", "--as-of", "2012-06-30").stdout
    assert "UNSC on 2012-06-30 (6 elected seats)" in table


def test_parties_resolutions_timeline_diff_count(log: Path) -> None:
    parties = json.loads(run("--log", str(log), "--json", "parties", "TREATY", "--as-of", "2002").stdout)
    # Two deposits + 30 days: in force 2001-07-01; Azerbaijan bound from then.
    assert [(p["party"], p["since"]) for p in parties] == [("AZE", "2001-07-01"), ("KAZ", "2001-07-01")]
    assert "in force since 2001-07-01" in run("--log", str(log), "parties", "TREATY", "--as-of", "2002").stdout
    pending = json.loads(run("--log", str(log), "--json", "parties", "TREATY", "--as-of", "2000-12-31", "--all").stdout)
    assert [(p["party"], p["bound"]) for p in pending] == [("AZE", False)]

    res = json.loads(run("--log", str(log), "--json", "resolutions", "--body", "UNGA", "--concerning", "AZE", "--from", "1992").stdout)
    assert [r["symbol"] for r in res] == ["A/RES/46/230"] and res[0]["id"] == "res-46-230"
    assert json.loads(run("--log", str(log), "--json", "resolutions", "--from", "1993").stdout) == []

    timeline = run("--log", str(log), "timeline", "AZE").stdout
    assert timeline.index("AZE admitted to UN") < timeline.index("AZE elected to UNSC for 2012-01-01 to 2013-12-31")

    diff = json.loads(run("--log", str(log), "--json", "diff", "1991", "1992", "--org", "UN").stdout)
    joined = {(d["change"], d["entity"]) for d in diff}
    assert {("joined", "AZE"), ("joined", "KAZ"), ("adopted", "A/RES/46/230")} <= joined
    assert all("id" in d for d in diff)

    counts = json.loads(run("--log", str(log), "--json", "count", "UN", "--from", "1991", "--to", "1993").stdout)
    assert [(c["year"], c["members"]) for c in counts] == [(1991, 5), (1992, 7), (1993, 8)]


def test_a_day_before_an_organization_exists_is_an_empty_answer(log: Path) -> None:
    result = run("--log", str(log), "members", "UN", "--as-of", "1900")
    assert result.exit_code == 0 and "not established yet" in result.stdout
    assert json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1900").stdout) == []


def test_known_at_shows_what_the_ledger_knew(log: Path) -> None:
    before = Ledger.open(log).records[-1].recorded
    run("--log", str(log), "append", "-", input=json.dumps(
        {"kind": "admission", "id": "adm-ARM", "date": "1992-03-02", "org": "UN", "member": "ARM"}))
    now = {r["member"] for r in json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1992").stdout)}
    then = {r["member"] for r in json.loads(run("--log", str(log), "--json", "members", "UN", "--as-of", "1992", "--known-at", before).stdout)}
    assert now - then == {"ARM"}


# -- the log -----------------------------------------------------------------------------


def test_log_lists_and_filters_events(log: Path) -> None:
    rows = json.loads(run("--log", str(log), "--json", "log", "--kind", "admission", "--from", "1992", "--to", "1993").stdout)
    assert [r["id"] for r in rows] == ["adm-AZE", "adm-KAZ", "adm-ERI"]
    assert rows[0]["event"]["member"] == "AZE" and rows[0]["seq"] < rows[1]["seq"]
    table = run("--log", str(log), "log", "--entity", "KAZ").stdout
    assert "KAZ admitted to UN" in table and "A/RES/46/230" not in table


def test_append_prints_seqs_and_a_retry_is_a_no_op(log: Path, tmp_path: Path) -> None:
    events = tmp_path / "new.jsonl"
    events.write_text(
        '{"kind":"admission","id":"adm-ARM","date":"1992-03-02","org":"UN","member":"ARM"}\n'
        '{"kind":"admission","id":"adm-GEO","date":"1992-07-31","org":"UN","member":"GEO"}\n'
    )
    seq = Ledger.open(log).seq
    result = run("--log", str(log), "append", str(events))
    assert result.exit_code == 0, result.output
    assert f"Recorded 2 events in {log} (seqs {seq + 1}-{seq + 2})" in result.stdout
    after = log.read_bytes()
    again = run("--log", str(log), "--json", "append", str(events))
    assert [r["seq"] for r in json.loads(again.stdout)] == [seq + 1, seq + 2]
    assert log.read_bytes() == after
    # A JSON array through standard input.
    arr = run("--log", str(log), "--json", "append", "-", input='[{"kind":"admission","date":"1992-07","org":"UN","member":"TJK"}]')
    assert [r["seq"] for r in json.loads(arr.stdout)] == [seq + 3]


def test_append_creates_a_new_log(tmp_path: Path) -> None:
    path = tmp_path / "fresh.jsonl"
    source = tmp_path / "events.json"
    source.write_text(json.dumps(DEMO[:3]))
    result = run("--log", str(path), "append", str(source))
    assert result.exit_code == 0 and "seqs 1-3" in result.stdout
    assert len(Ledger.open(path)) == 3


def test_verify_prints_the_head_and_names_a_damaged_line(log: Path) -> None:
    result = run("--log", str(log), "verify")
    assert result.exit_code == 0 and result.stdout.strip() == Ledger.open(log).head
    assert run("--log", str(log), "verify", "--expect", Ledger.open(log).head).exit_code == 0
    wrong = run("--log", str(log), "verify", "--expect", "0" * 64)
    assert wrong.exit_code == 1
    one_line_error(wrong, "not the published version")

    lines = log.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(b"General Assembly", b"General Assemblx")
    log.write_bytes(b"\n".join(lines))
    damaged = log.read_bytes()
    bad = run("--log", str(log), "verify")
    assert bad.exit_code == 1
    one_line_error(bad, "line 2", "edited")
    assert log.read_bytes() == damaged


def test_repair_moves_a_torn_tail_aside(log: Path) -> None:
    whole = log.read_bytes()
    tail = b'{"prev":"abc","seq":99,"recorded":"2026-'
    log.write_bytes(whole + tail)
    noted = run("--log", str(log), "verify")
    assert noted.exit_code == 0 and f"{len(tail)} bytes of an unfinished line" in noted.stderr
    result = run("--log", str(log), "repair")
    assert result.exit_code == 0, result.output
    quarantine = Path(result.stdout.strip().rsplit(" ", 1)[1])
    assert quarantine.read_bytes() == tail and log.read_bytes() == whole
    assert "nothing to repair" in run("--log", str(log), "repair").stdout
    assert run("--log", str(log), "verify").stderr == ""


def test_export_csv_jsonl_parquet(log: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    text = run("--log", str(log), "export", "members", "UN", "--as-of", "1992").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7 and rows[0].keys() >= {"id", "since", "certain"}
    lines = run("--log", str(log), "export", "seats", "UNSC", "--format", "jsonl", "--as-of", "2012").stdout.splitlines()
    assert {json.loads(line)["member"] for line in lines} == {"AZE", "CHN", "FRA", "GBR", "RUS", "USA"}
    out = tmp_path / "events.parquet"
    result = run("--log", str(log), "export", "events", "--format", "parquet", "-o", str(out))
    assert result.exit_code == 0 and f"wrote {len(DEMO)} rows" in result.stderr
    table = pq.read_table(out)
    assert table.num_rows == len(DEMO) and table.column("id").to_pylist()[0] == "est-UN"
    events = run("--log", str(log), "export", "events", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["event"] for line in events][-1] == DEMO[-1]
    assert run("--log", str(log), "export", "members", "--format", "parquet").exit_code == 2


# -- bad input --------------------------------------------------------------------------


def test_unknown_organization(log: Path) -> None:
    before = log.read_bytes()
    result = run("--log", str(log), "members", "UNN")
    assert result.exit_code == 1
    one_line_error(result, "unknown organization 'UNN'", "did you mean UN")
    for args in (["seats", "XX"], ["parties", "NOPE"], ["timeline", "ZZZ"], ["count", "XYZ"], ["diff", "1990", "1992", "--org", "XYZ"]):
        bad = run("--log", str(log), *args)
        assert bad.exit_code == 1, args
        one_line_error(bad, "unknown", repr(args[1] if args[0] != "diff" else "XYZ"))
    assert log.read_bytes() == before


def test_impossible_dates(log: Path, tmp_path: Path) -> None:
    before = log.read_bytes()
    usage = run("--log", str(log), "members", "UN", "--as-of", "1992-02-30")
    assert usage.exit_code == 2 and "February 1992 has 29 days" in usage.stderr
    assert run("--log", str(log), "members", "UN", "--as-of", "1992-13").exit_code == 2
    bad = tmp_path / "bad-date.jsonl"
    bad.write_text('{"kind":"admission","date":"1992-02-30","org":"UN","member":"ARM"}\n')
    result = run("--log", str(log), "append", str(bad))
    assert result.exit_code == 1
    one_line_error(result, "bad-date.jsonl line 1", "'date'", "February 1992 has 29 days")
    assert log.read_bytes() == before


def test_malformed_json_line(log: Path, tmp_path: Path) -> None:
    before = log.read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"kind":"admission","date":"1992-03-02","org":"UN","member":"ARM"}\n{"kind": "admission", "date": \n')
    result = run("--log", str(log), "append", str(bad))
    assert result.exit_code == 1
    one_line_error(result, "bad.jsonl line 2", "not valid JSON")
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"kind":"coronation","date":"1953-06-02"}\n')
    one_line_error(run("--log", str(log), "append", str(unknown)), "unknown.jsonl line 1", "unknown kind 'coronation'")
    assert log.read_bytes() == before


def test_missing_or_unreadable_files(log: Path, tmp_path: Path) -> None:
    before = log.read_bytes()
    missing = run("--log", str(log), "append", str(tmp_path / "missing.jsonl"))
    assert missing.exit_code == 1
    one_line_error(missing, "missing.jsonl", "No such file or directory")
    directory = run("--log", str(log), "append", str(tmp_path))
    assert directory.exit_code == 1
    one_line_error(directory, str(tmp_path), "Is a directory")
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes('{"kind":"renaming","date":"1992","entity":"X","name":"Côte"}\n'.encode("latin-1"))
    one_line_error(run("--log", str(log), "append", str(latin1)), "latin1.jsonl", "not valid UTF-8")
    no_log = run("--log", str(tmp_path / "nolog.jsonl"), "members", "UN")
    assert no_log.exit_code == 1
    one_line_error(no_log, "nolog.jsonl", "no such log file")
    assert not (tmp_path / "nolog.jsonl").exists()
    assert log.read_bytes() == before


def test_events_that_break_rules(log: Path, tmp_path: Path) -> None:
    before = log.read_bytes()
    again = tmp_path / "again.jsonl"
    again.write_text(
        '{"kind":"admission","id":"adm-ARM","date":"1992-03-02","org":"UN","member":"ARM"}\n'
        '{"kind":"admission","date":"2000-01-01","org":"UN","member":"AZE"}\n'
    )
    result = run("--log", str(log), "append", str(again))
    assert result.exit_code == 1
    one_line_error(result, "again.jsonl line 2", "AZE is already a member of UN", "nothing was appended")
    # A backfill that breaks a later, recorded event names that event.
    backfill = tmp_path / "backfill.jsonl"
    backfill.write_text('{"kind":"withdrawal","id":"wd-AZE","date":"2005-01-01","org":"UN","member":"AZE"}\n')
    result = run("--log", str(log), "append", str(backfill))
    assert result.exit_code == 1
    one_line_error(result, "backfill.jsonl line 1", "elec-AZE", "not a member of UN")
    assert log.read_bytes() == before


def test_read_only_and_usage_errors(log: Path, tmp_path: Path) -> None:
    events = tmp_path / "e.jsonl"
    events.write_text(json.dumps(DEMO[0]) + "\n")
    bundled = run("append", str(events))
    assert bundled.exit_code == 1
    one_line_error(bundled, "needs --log PATH")
    assert run("--log", str(log), "nonsense").exit_code == 2
    assert run("--log", str(log), "--json", "--csv", "members", "UN").exit_code == 2
    assert run("--log", str(log), "count", "UN", "--from", "1990", "--to", "1980").exit_code == 2
    assert run("--log", str(log), "log", "--kind", "coronation").exit_code == 2
    version = run("--version")
    assert version.exit_code == 0 and "0.1.0" in version.stdout


def test_debug_shows_the_traceback(log: Path) -> None:
    quiet = CliRunner().invoke(cli, ["--log", str(log.parent / "absent.jsonl"), "members", "UN"])
    assert quiet.exit_code == 1 and isinstance(quiet.exception, SystemExit)
    bad = CliRunner().invoke(cli, ["--debug", "--log", str(log.parent / "absent.jsonl"), "members", "UN"])
    assert bad.exit_code == 1 and bad.exception is not None and type(bad.exception).__name__ == "StorageError"


def test_progress_bar_only_on_a_terminal() -> None:
    from rich.console import Console

    from unledger.cli._output import progress_after

    tty = io.StringIO()
    with progress_after(0, "Reading a big log", console=Console(file=tty, force_terminal=True, width=80)):
        pass
    assert "Reading a big log" in tty.getvalue()
    pipe = io.StringIO()
    with progress_after(0, "Reading a big log", console=Console(file=pipe, force_terminal=False)):
        pass
    assert pipe.getvalue() == ""


# -- the real console script -----------------------------------------------------------------


def _script() -> list[str]:
    found = shutil.which("unledger", path=str(Path(sys.executable).parent))
    assert found is not None, "the unledger console script is not installed next to this Python"
    return [found]


def test_console_script_subprocess(log: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "UNLEDGER_LOG"}
    ok = subprocess.run([*_script(), "--log", str(log), "--json", "members", "UN", "--as-of", "1992"], capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)) == 7 and ok.stderr == ""
    before = log.read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json}\n")
    refused = subprocess.run([*_script(), "--log", str(log), "append", str(bad)], capture_output=True, text=True, env=env)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.startswith("unledger: error: ") and len(refused.stderr.splitlines()) == 1 and "bad.jsonl line 1" in refused.stderr
    assert log.read_bytes() == before
    module = subprocess.run([sys.executable, "-m", "unledger", "--log", str(log), "verify"], capture_output=True, text=True, env=env)
    assert module.returncode == 0 and module.stdout.strip() == Ledger.open(log).head


def test_import_unledger_pulls_in_no_cli_or_plot_library() -> None:
    code = "import sys, unledger; bad = {'click', 'rich', 'matplotlib', 'pyarrow'} & set(sys.modules); assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], check=True)
