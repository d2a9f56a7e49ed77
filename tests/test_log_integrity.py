"""Every read is held to the standard of verify(): an edited, forged or
hostile line is never served, the head record makes removed or rewritten
acknowledged lines damage, and every failure is a typed error naming the line."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers_reliability import batch_events, head_record_path, quarantine_files, write_head_record

from unledger import Admission, ClockError, Establishment, IntegrityError, InvalidEvent, Ledger, Renaming, StorageError
from unledger.cli import cli
from unledger.log.line import GENESIS, hash_of


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


def _log(path: Path) -> Ledger:
    ledger = Ledger.open(path)
    ledger.append(Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02", id="aze"))
    ledger.append(batch_events("b", 0, 3))
    return ledger


def forged(prev: str, seq: int, body: bytes) -> bytes:
    """A line with a correct hash around ``body`` (the JSON after ``seq``,
    without braces): what anyone with sha256 can write."""
    start = b'{"prev":"%s","seq":%d,' % (prev.encode(), seq)
    digest = hashlib.sha256(start + body + b"}").hexdigest().encode()
    return start + body + b',"hash":"' + digest + b'"}\n'


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("unledger: error: ") and "Traceback" not in stderr, stderr
    return lines[0]


# -- edited lines ------------------------------------------------------------------------


def test_an_edited_line_of_the_same_length_is_never_served(tmp_path):
    path = tmp_path / "log.jsonl"
    _log(path)
    path.write_bytes(path.read_bytes().replace(b'"AZE"', b'"ARZ"', 1))
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 1 and "line 1:" in str(caught.value)
    result = _cli("--log", str(path), "members", "UN", "--as-of", "2000")
    assert result.exit_code == 1 and "ARZ" not in result.stdout
    assert "line 1:" in _one_line(result.stderr)


def test_a_crlf_converted_log_is_refused(tmp_path):
    path = tmp_path / "log.jsonl"
    _log(path)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 1


@pytest.mark.parametrize("head_record", [True, False])
def test_a_hand_appended_line_with_a_made_up_hash_is_never_served_nor_appended_onto(tmp_path, head_record):
    path = tmp_path / "log.jsonl"
    ledger = _log(path)
    line = forged(ledger.head, 5, b'"recorded":"2026-01-01T00:00:00.000000Z","kind":"admission","id":"x","date":"1999","org":"UN","member":"ARM"')
    made_up = line[:-68] + b"0" * 64 + b'"}\n'
    if not head_record:
        head_record_path(path).unlink()
    with open(path, "ab") as f:
        f.write(made_up)
    before = path.read_bytes()
    if head_record:  # after the head record: not acknowledged, never read...
        assert [r.id for r in Ledger.open(path).records] == [r.id for r in ledger.records]
    else:
        with pytest.raises(IntegrityError) as caught:
            Ledger.open(path)
        assert caught.value.line == 5
    with pytest.raises(IntegrityError) as caught:  # ...and never appended onto
        ledger.append(batch_events("c", 0, 1)[0])
    assert caught.value.line == 5
    assert path.read_bytes() == before and quarantine_files(path) == {}


# -- the head record ---------------------------------------------------------------------


def test_deleting_the_last_line_of_a_batch_is_damage_not_a_torn_write(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("one", 0, 6))  # one batch, like the bundled records
    data = path.read_bytes()
    cut = data[: data[:-1].rfind(b"\n") + 1]
    path.write_bytes(cut)
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 6 and "removed" in str(caught.value)
    result = _cli("--log", str(path), "verify")
    assert result.exit_code == 1 and GENESIS not in result.stdout
    with pytest.raises(IntegrityError):
        ledger.append(batch_events("c", 0, 1)[0])
    with pytest.raises(IntegrityError):
        ledger.repair()
    assert path.read_bytes() == cut and quarantine_files(path) == {}


def test_a_copy_without_head_record_missing_its_last_line_is_refused_not_emptied(tmp_path):
    path = tmp_path / "log.jsonl"
    Ledger.open(path).append(batch_events("one", 0, 6))
    data = path.read_bytes()
    cut = data[: data[:-1].rfind(b"\n") + 1]
    path.write_bytes(cut)
    head_record_path(path).unlink()
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 1 and "repair" in str(caught.value)
    with pytest.raises(IntegrityError):
        Ledger.open(path, readonly=True).verify()
    assert path.read_bytes() == cut and quarantine_files(path) == {}
    # Moving them aside is an explicit act.
    result = _cli("--log", str(path), "repair")
    assert result.exit_code == 0, result.stderr
    assert list(quarantine_files(path).values()) == [cut] and path.read_bytes() == b""
    assert len(Ledger.open(path)) == 0


def test_a_rewritten_tail_of_other_valid_lines_is_damage(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = _log(path)
    lines = path.read_bytes().split(b"\n")[:-1]
    # The last batch replaced by one line of exactly the same length, hash-valid.
    recorded = lines[1][lines[1].index(b'"recorded":') : lines[1].index(b'"kind":')]
    body = recorded + b'"kind":"admission","id":"y","date":"1999","org":"UN","member":"ARM","note":"'
    prev = hash_of(lines[0]).decode()
    target = sum(len(x) + 1 for x in lines[1:])
    pad = target - len(forged(prev, 2, body + b'"'))
    new = forged(prev, 2, body + b"x" * pad + b'"')
    assert len(new) == target
    path.write_bytes(lines[0] + b"\n" + new)
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert "head record" in str(caught.value)
    with pytest.raises(IntegrityError):
        ledger.append(batch_events("c", 0, 1)[0])


def test_more_on_a_damaged_complete_line_is_damage_never_quarantined(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = _log(path)
    line = forged(ledger.head, 5, b'"more":1,"recorded":"2026-01-01T00:00:00.000000Z","kind":"admission","id":"m","date":"1999","org":"UN","member":"ARM"')
    damaged = line.replace(b'"ARM"', b'"ARN"')  # its hash no longer matches
    with open(path, "ab") as f:
        f.write(damaged)
    before = path.read_bytes()
    with pytest.raises(IntegrityError) as caught:
        ledger.append(batch_events("c", 0, 1)[0])
    assert caught.value.line == 5
    with pytest.raises(IntegrityError):
        ledger.repair()
    assert path.read_bytes() == before and quarantine_files(path) == {}
    # Inside the acknowledged lines, the same damage is refused on open.
    batch_line = before.split(b"\n")[1]
    path.write_bytes(before.replace(batch_line, batch_line.replace(b'"more":2', b'"more":3'), 1))
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 2


def test_an_append_cut_before_its_head_record_is_adopted_not_quarantined(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = _log(path)
    acknowledged = path.read_bytes()
    ledger.append(batch_events("late", 0, 2))
    write_head_record(path, acknowledged)  # as if killed between the fsync of the log and the head record
    assert len(Ledger.open(path)) == 4  # not acknowledged: not served
    writer = Ledger.open(path)
    writer.append(batch_events("next", 0, 1)[0])
    assert quarantine_files(path) == {}
    assert [r.id for r in Ledger.open(path).records][-3:] == ["late-0-2-0", "late-0-2-1", "next-0-1-0"]


# -- hash-valid hostile lines ------------------------------------------------------------

_REC = b'"recorded":"2026-01-01T00:00:00.000000Z",'
_ADM = b'"kind":"admission","id":"h","date":"1999","org":"UN",'

HOSTILE = {
    "empty code": _REC + _ADM + b'"member":""',
    "C0 control in a code": _REC + _ADM + b'"member":"A\\u0001"',
    "C1 control in a code": _REC + _ADM + b'"member":"A\\u0085"',
    "bidi override in a code": _REC + _ADM + b'"member":"A\\u202eB"',
    "flag as a string": _REC + _ADM + b'"member":"ARM","original":"no"',
    "name as a number": _REC + _ADM + b'"member":"ARM","name":12345',
    "negative seat count": _REC + b'"kind":"enlargement","id":"h","date":"1999","body":"UNSC","elected_seats":-1',
    "integer over 64 bits": _REC + b'"kind":"enlargement","id":"h","date":"1999","body":"UNSC","elected_seats":123456789012345678901234567890',
    "invalid UTF-8": _REC + _ADM + b'"member":"ARM","name":"\xff\xfe"',
    "NaN": _REC + b'"kind":"enlargement","id":"h","date":"1999","body":"UNSC","elected_seats":NaN',
    "lone surrogate": _REC + _ADM + b'"member":"ARM","name":"\\ud800"',
    "nesting over 1024": _REC + _ADM + b'"member":"ARM","note":' + b"[" * 1100 + b"]" * 1100,
    "raw NUL": _REC + _ADM + b'"member":"ARM","name":"a\x00b"',
    "no recorded": _ADM + b'"member":"ARM"',
    "no kind": _REC + b'"id":"h","date":"1999","org":"UN","member":"ARM"',
    "kind as a list": _REC + b'"kind":["admission"],"id":"h","date":"1999","org":"UN","member":"ARM"',
    "duplicate keys": _REC + _ADM + b'"member":"AZE","member":"ARM"',
    "spaces": _REC + _ADM + b'"member": "ARM"',
    "recorded not a time": b'"recorded":"yesterday",' + _ADM + b'"member":"ARM"',
    "unknown field": _REC + _ADM + b'"member":"ARM","extra":1',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hash_valid_hostile_line_is_an_integrity_error_naming_it(tmp_path, name):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02", id="aze"))
    data = path.read_bytes() + forged(ledger.head, 2, HOSTILE[name])
    path.write_bytes(data)
    write_head_record(path, data)  # a forger rewrites the head record too
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 2 and "line 2:" in str(caught.value), name
    for command in (("verify",), ("verify", "--rules"), ("members", "UN")):
        result = _cli("--log", str(path), *command)
        assert result.exit_code == 1, (name, command, result.stdout)
        assert "line 2:" in _one_line(result.stderr)
    with pytest.raises(IntegrityError):
        ledger.append(batch_events("c", 0, 1)[0])
    assert path.read_bytes() == data


def test_the_strict_and_fast_decoders_refuse_the_same_lines():
    from unledger.log.fast import decode_lines
    from unledger.log.strict import decode_line

    first = forged(GENESIS, 1, _REC + _ADM + b'"member":"AZE"')[:-1]
    for name, body in HOSTILE.items():
        line = forged(hash_of(first).decode(), 2, body)[:-1]
        with pytest.raises(IntegrityError) as fast:
            decode_lines([first, line], 1, GENESIS)
        with pytest.raises(IntegrityError) as strict:
            decode_line(line, 2)
        assert fast.value.line == strict.value.line == 2, name


# -- time --------------------------------------------------------------------------------


def test_a_forged_future_time_is_reported_and_never_inherited(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02", id="aze"))
    body = b'"recorded":"2099-01-01T00:00:00.000000Z","kind":"admission","id":"f","date":"1992-03-02","org":"UN","member":"ARM"'
    data = path.read_bytes() + forged(ledger.head, 2, body)
    path.write_bytes(data)
    write_head_record(path, data)
    reader = Ledger.open(path)
    with pytest.raises(ClockError):
        reader.append(batch_events("c", 0, 1)[0])
    with pytest.raises(ClockError):
        reader.verify()
    assert path.read_bytes() == data


def test_a_clock_a_little_behind_still_gets_increasing_times(tmp_path):
    import datetime as dt

    from unledger.dates import format_timestamp

    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02", id="aze"))
    ahead = format_timestamp(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)).encode()
    body = b'"recorded":"' + ahead + b'","kind":"admission","id":"f","date":"1992-03-02","org":"UN","member":"ARM"'
    data = path.read_bytes() + forged(ledger.head, 2, body)
    path.write_bytes(data)
    write_head_record(path, data)
    reader = Ledger.open(path)
    record = reader.append(batch_events("c", 0, 1)[0])
    assert record.recorded >= ahead.decode() and reader.verify() == reader.head


def test_recorded_times_that_go_back_are_damage(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02", id="aze"))
    body = b'"recorded":"2000-01-01T00:00:00.000000Z","kind":"admission","id":"f","date":"1992-03-02","org":"UN","member":"ARM"'
    data = path.read_bytes() + forged(ledger.head, 2, body)
    path.write_bytes(data)
    write_head_record(path, data)
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 2 and "before" in str(caught.value)


# -- terminals ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["A\x85B", "A\u202eB", "A\u2066B", "A\x1bB", "A\u200fB"])
def test_control_and_bidi_characters_are_refused_in_codes(code):
    with pytest.raises(InvalidEvent) as caught:
        Admission(org="UN", member=code, date="1992", original=True)
    assert caught.value.field == "member"


def test_control_characters_in_text_are_escaped_in_cli_output(tmp_path):
    path = tmp_path / "log.jsonl"
    Ledger.open(path).append([
        Establishment(entity="UN", name="United Nations", date="1945-10-24"),
        Admission(org="UN", member="AZE", date="1992-03-02", id="aze", name="Azer\u202e\x1b[31mbaijan\x85"),
    ])
    for fmt in ((), ("--csv",), ("--json",)):
        result = _cli("--log", str(path), *fmt, "members", "UN", "--as-of", "2000")
        assert result.exit_code == 0, result.stderr
        for raw in ("\u202e", "\x1b", "\x85"):
            assert raw not in result.stdout, (fmt, result.stdout)
        assert "Azer" in result.stdout and "\\u202e" in result.stdout.lower()
        if fmt == ("--json",):  # still JSON, with the same data
            import json

            assert any("Azer\u202e" in str(row.get("name")) for row in json.loads(result.stdout))


# -- what --log may name -----------------------------------------------------------------


def test_a_fifo_as_log_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(StorageError) as caught:
        Ledger.open(fifo)
    assert "regular file" in str(caught.value)
    done = subprocess.run(
        [sys.executable, "-m", "unledger", "--log", str(fifo), "members", "UN"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1 and "regular file" in _one_line(done.stderr)


@pytest.mark.parametrize("readonly", [True, False])
def test_dev_zero_as_log_is_refused(readonly):
    with pytest.raises(StorageError) as caught:
        Ledger.open("/dev/zero", readonly=readonly)
    assert "regular file" in str(caught.value)


# -- operating-system failures are typed ---------------------------------------------------


def test_a_too_long_name_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError) as caught:
        Ledger.open(tmp_path / ("x" * 300))
    assert "too long" in str(caught.value)


def test_a_nul_in_the_path_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError) as caught:
        Ledger.open(str(tmp_path / "a\x00b"))
    assert "NUL" in str(caught.value)


def test_a_moved_log_is_a_storage_error(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = _log(path)
    path.rename(tmp_path / "elsewhere.jsonl")
    with pytest.raises(StorageError) as caught:
        ledger.refresh()
    assert "moved or deleted" in str(caught.value)
    with pytest.raises(StorageError):
        ledger.verify()


def test_a_directory_without_permission_is_a_storage_error():
    import shutil
    import tempfile

    from helpers_reliability import fork_child

    shared = Path(tempfile.mkdtemp(prefix="unledger-perm-"))
    shared.chmod(0o755)
    closed = shared / "closed"
    closed.mkdir()
    (closed / "log.jsonl").write_bytes(b"")
    closed.chmod(0o000)

    def body(report):
        if os.geteuid() == 0:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        for readonly in (True, False):
            try:
                Ledger.open(closed / "log.jsonl", readonly=readonly)
                report("opened")
            except StorageError as exc:
                report(f"typed {exc}")
            except Exception as exc:  # noqa: BLE001 - an untyped error is the bug looked for
                report(f"untyped {type(exc).__name__} {exc}")

    try:
        child = fork_child(body)
        assert child.reap() == 0
        lines = child.lines()
    finally:
        closed.chmod(0o755)
        shutil.rmtree(shared)
    assert len(lines) == 2 and all(line.startswith("typed") and "Permission denied" in line for line in lines), lines
