"""The reliability promises through the command line (issue 8, points 4
and 7): ``unledger append`` refuses hostile input with one clear line and
leaves the log byte for byte unchanged; ``unledger verify`` exits non-zero
naming the first bad line; ``unledger repair`` moves a torn tail aside;
``unledger append`` killed mid-way loses nothing it acknowledged.

Generated inputs go through click's in-process runner (fast); a sample of
each kind also runs the installed ``unledger`` in a real process.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from click.testing import CliRunner
from helpers_reliability import BASES, CATEGORIES, Hostile, batch_events, hostile_inputs, incomplete_batches, quarantine_files
from hypothesis import HealthCheck, given, settings

from unledger import Ledger
from unledger.cli import cli

EXE = shutil.which("unledger", path=os.path.dirname(sys.executable)) or shutil.which("unledger")


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


def run_inprocess(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)


def run_process(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    assert EXE is not None, "the unledger command is not installed next to this python"
    done = subprocess.run([EXE, *args], input=stdin, capture_output=True, timeout=120)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace"))


@pytest.fixture
def log(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("pre", 0, 1)[0])
    ledger.append(batch_events("pre", 1, 3))
    return ledger, path


def _one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr[:2000]
    assert lines[0].startswith("unledger: error: ") and "Traceback" not in stderr
    assert len(lines[0]) < 2000, f"an error line of {len(lines[0])} characters"
    return lines[0]


# -- hostile input ----------------------------------------------------------------------


def test_generated_hostile_input_through_unledger_append(log):
    ledger, path = log
    before = path.read_bytes()
    tried: Counter[str] = Counter()

    @settings(max_examples=400, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hostile=hostile_inputs())
    def run(hostile: Hostile) -> None:
        tried[hostile.category] += 1
        result = run_inprocess("--log", str(path), "append", "-", stdin=hostile.data)
        assert result.exit_code == 1, (hostile, result.output[:500])
        line = _one_clear_line(result.stderr)
        if hostile.field is not None:
            assert hostile.field in line, (hostile, line)
        if hostile.says:
            assert any(w.lower() in line.lower() for w in hostile.says), (hostile.category, line)
        assert path.read_bytes() == before

    run()
    assert set(tried) == set(CATEGORIES)
    assert Ledger.open(path).verify() == ledger.head


def test_hostile_input_through_the_installed_command(log, tmp_path):
    """One real process per category: what a user's shell would see."""
    ledger, path = log
    before = path.read_bytes()
    samples: dict[str, Hostile] = {}

    @settings(max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hostile=hostile_inputs())
    def pick(hostile: Hostile) -> None:
        if len(hostile.data) < 200_000:
            samples.setdefault(hostile.category, hostile)

    pick()
    assert set(samples) == set(CATEGORIES)
    for n, (category, hostile) in enumerate(sorted(samples.items())):
        infile = tmp_path / f"in{n}.jsonl"
        infile.write_bytes(hostile.data)
        done = run_process("--log", str(path), "append", str(infile))
        assert done.returncode == 1, (category, done.stdout[:300], done.stderr[:300])
        _one_clear_line(done.stderr)
        assert path.read_bytes() == before, category


def test_valid_input_after_hostile_input_still_appends(log, tmp_path):
    ledger, path = log
    infile = tmp_path / "ok.jsonl"
    infile.write_bytes(b"\n".join(json.dumps(obj).encode() for obj, _ in BASES) + b"\n")
    done = run_process("--log", str(path), "append", str(infile))
    assert done.returncode == 0, done.stderr
    again = Ledger.open(path)
    assert len(again) == 4 + len(BASES) and again.verify() == again.head


def test_append_retry_is_a_no_op(log, tmp_path):
    """The same file appended twice (a retry after a lost reply): the second
    run prints the same seqs and head and writes nothing."""
    ledger, path = log
    infile = tmp_path / "batch.jsonl"
    infile.write_bytes(b"\n".join(json.dumps(obj).encode() for obj, _ in BASES))
    first = run_inprocess("--log", str(path), "--json", "append", str(infile))
    assert first.exit_code == 0, first.stderr
    after = path.read_bytes()
    second = run_inprocess("--log", str(path), "--json", "append", str(infile))
    assert second.exit_code == 0 and path.read_bytes() == after
    assert json.loads(second.stdout) == json.loads(first.stdout)


@pytest.mark.parametrize("where", ["directory", "missing-parent"])
def test_append_to_an_impossible_path(tmp_path, where):
    target = tmp_path / "adir" if where == "directory" else tmp_path / "nowhere" / "log.jsonl"
    if where == "directory":
        target.mkdir()
    infile = tmp_path / "in.jsonl"
    infile.write_text(json.dumps(BASES[0][0]))
    result = run_inprocess("--log", str(target), "append", str(infile))
    if where == "directory":  # click refuses it as a usage error (exit 2) before unledger sees it
        assert result.exit_code == 2 and "is a directory" in result.stderr, result.stderr
    else:
        assert result.exit_code == 1
        assert "does not exist" in _one_clear_line(result.stderr)
    assert target.is_dir() if where == "directory" else not target.parent.exists()


# -- verify -----------------------------------------------------------------------------------


def test_verify_passes_on_a_clean_log_and_prints_the_head(log):
    ledger, path = log
    done = run_process("--log", str(path), "verify")
    assert done.returncode == 0 and done.stdout.strip() == ledger.head
    assert run_process("--log", str(path), "verify", "--expect", ledger.head).returncode == 0
    wrong = run_process("--log", str(path), "verify", "--expect", "0" * 64)
    assert wrong.returncode == 1 and ledger.head in _one_clear_line(wrong.stderr)


def test_verify_names_the_first_bad_line_for_every_kind_of_damage(log):
    """Every deleted line, every swapped pair, and a spread of single-byte
    changes: exit code 1 and the line named (in-process, it is fast)."""
    ledger, path = log
    clean = path.read_bytes()
    lines = clean.split(b"\n")[:-1]
    cases: list[tuple[bytes, int]] = []
    for n in range(len(lines) - 1):  # deleting the last line leaves a valid shorter log
        cases.append((b"".join(x + b"\n" for k, x in enumerate(lines) if k != n), n + 1))
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            swapped = list(lines)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            cases.append((b"".join(x + b"\n" for x in swapped), i + 1))
    starts = [sum(len(x) + 1 for x in lines[:n]) for n in range(len(lines))]
    for offset in range(0, len(clean) - 1, 7):
        changed = bytearray(clean)
        changed[offset] ^= 0x04
        cases.append((bytes(changed), max(n for n, s in enumerate(starts) if s <= offset) + 1))
    for data, bad in cases:
        path.write_bytes(data)
        result = run_inprocess("--log", str(path), "verify")
        assert result.exit_code == 1, (bad, result.stdout)
        line = _one_clear_line(result.stderr)
        assert f"line {bad}:" in line and str(path) in line, (bad, line)
    path.write_bytes(clean)


def test_verify_in_a_real_process_on_a_damaged_log(log):
    ledger, path = log
    data = bytearray(path.read_bytes())
    second = data.index(b"\n") + 1
    data[second + 120] ^= 0x01
    path.write_bytes(bytes(data))
    done = run_process("--log", str(path), "verify")
    assert done.returncode == 1
    assert "line 2:" in _one_clear_line(done.stderr)


def test_verify_of_a_torn_tail_passes_and_says_so(log):
    ledger, path = log
    with open(path, "ab") as f:
        f.write(b'{"prev":"half')
    done = run_process("--log", str(path), "verify")
    assert done.returncode == 0 and done.stdout.strip() == ledger.head
    assert "repair" in done.stderr


# -- repair ---------------------------------------------------------------------------------------


def test_repair_moves_the_torn_tail_and_deletes_nothing(log):
    ledger, path = log
    clean = path.read_bytes()
    tail = b'{"prev":"' + b"7" * 40
    with open(path, "ab") as f:
        f.write(tail)
    done = run_process("--log", str(path), "repair")
    assert done.returncode == 0, done.stderr
    moved = list(quarantine_files(path).items())
    assert len(moved) == 1 and moved[0][1] == tail and str(moved[0][0]) in done.stdout
    assert path.read_bytes() == clean
    assert run_process("--log", str(path), "verify").stdout.strip() == ledger.head
    again = run_process("--log", str(path), "repair")
    assert again.returncode == 0 and "nothing to repair" in again.stdout
    assert len(quarantine_files(path)) == 1


def test_repair_refuses_a_damaged_log_and_names_the_line(log):
    ledger, path = log
    damaged = path.read_bytes() + b"not a ledger line\n"
    path.write_bytes(damaged)
    result = run_inprocess("--log", str(path), "repair")
    assert result.exit_code == 1 and "line 5" in _one_clear_line(result.stderr)
    assert path.read_bytes() == damaged and quarantine_files(path) == {}


# -- crashes through the command line --------------------------------------------------------------


def test_killed_unledger_append_loses_nothing_acknowledged(tmp_path):
    """Real ``unledger append`` processes killed at random moments: a batch
    whose command exited 0 is in the log, every batch is whole or absent,
    and the chain verifies."""
    path = tmp_path / "log.jsonl"
    Ledger.open(path)
    rng = random.Random(11)
    acknowledged: dict[str, int] = {}
    kills = 0
    for n in range(12):
        events = batch_events(f"cli{n}", 0, rng.randint(1, 30))
        infile = tmp_path / f"b{n}.jsonl"
        from unledger.codec import event_to_dict

        infile.write_bytes(b"\n".join(json.dumps(event_to_dict(e)).encode() for e in events))
        proc = subprocess.Popen([EXE, "--log", str(path), "append", str(infile)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        if proc.returncode == 0:
            acknowledged[f"cli{n}-0"] = len(events)
        else:
            kills += 1
        ledger = Ledger.open(path)
        ids = [r.id for r in ledger.records]
        assert not incomplete_batches(ids) and len(set(ids)) == len(ids)
        for batch, size in acknowledged.items():
            assert sum(1 for i in ids if i.startswith(batch + "-")) == size
        assert ledger.verify() == ledger.head
    assert kills >= 1
