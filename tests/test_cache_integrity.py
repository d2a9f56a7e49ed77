"""The snapshot cache holds data, not code: nothing planted beside a log
runs, a forged or stale cache is never used, a read-only open writes
nothing, and a log that shrinks under a cached ledger gives no signal."""

from __future__ import annotations

import os
import pickle
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from unledger import Admission, Establishment, IntegrityError, Ledger
from unledger.cache import MAGIC, cache_path


@pytest.fixture(autouse=True)
def _own_key(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _members_log(path: Path, n: int = 12) -> Ledger:
    ledger = Ledger.open(path)
    ledger.append(Establishment(entity="UN", name="United Nations", date="1945-10-24"))
    ledger.append([Admission(org="UN", member=f"M{i:02d}", date="1990", id=f"m{i}") for i in range(n)])
    ledger.append(Admission(org="UN", member="AZE", date="1992-03-02", id="aze"))
    return ledger


def _members(ledger: Ledger) -> list[str]:
    return sorted(m.member for m in ledger.state("2000").members("UN"))


class _Payload:
    """Unpickling this touches a marker file: harmless proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _planted_pickle(marker: Path) -> bytes:
    raw = pickle.dumps(_Payload(marker))
    return b"unledger-cache\n" + struct.pack("<QI", len(raw), zlib.crc32(raw)) + raw


@pytest.mark.parametrize("readonly", [True, False])
@pytest.mark.parametrize("empty", [True, False])
def test_a_planted_pickle_cache_never_runs(tmp_path, readonly, empty):
    path = tmp_path / "log.jsonl"
    if empty:
        Ledger.open(path)
    else:
        _members_log(path)
    marker = tmp_path / "code-ran"
    planted = _planted_pickle(marker)
    cache_path(path).write_bytes(planted)
    ledger = Ledger.open(path, readonly=readonly, cache=True)
    ledger.state("2000")
    assert not marker.exists()
    if readonly:  # nothing written, the evidence stays
        assert cache_path(path).read_bytes() == planted


def test_the_cache_holds_json_data(tmp_path):
    path = tmp_path / "log.jsonl"
    _members_log(path)
    Ledger.open(path, cache=True)
    data = cache_path(path).read_bytes()
    assert data.startswith(MAGIC)
    assert b"\x80\x05" not in data[:100]  # no pickle protocol header


def test_forged_maps_are_never_served(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = _members_log(path)
    truth = _members(ledger)
    Ledger.open(path, cache=True)
    data = cache_path(path).read_bytes()
    assert data.count(b'"AZE"') >= 1
    cache_path(path).write_bytes(data.replace(b'"AZE"', b'"ARZ"'))  # one member fewer, one made up
    reopened = Ledger.open(path, cache=True)
    assert _members(reopened) == truth


def test_a_cache_made_under_another_key_is_not_used(tmp_path, monkeypatch):
    path = tmp_path / "log.jsonl"
    ledger = _members_log(path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    Ledger.open(path, cache=True)  # a cache under another user's key
    forged = cache_path(path).read_bytes()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    Ledger.open(path)  # this user's key exists
    cache_path(path).write_bytes(forged)
    reopened = Ledger.open(path, cache=True)
    assert reopened._lazy is None and _members(reopened) == _members(ledger)


def test_an_edit_is_never_laundered_through_the_cache(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = _members_log(path)
    truth = _members(ledger)
    clean = path.read_bytes()
    path.write_bytes(clean.replace(b'"AZE"', b'"ARZ"'))
    with pytest.raises(IntegrityError):
        Ledger.open(path, cache=True)
    path.write_bytes(clean)  # restored byte for byte
    assert _members(Ledger.open(path, cache=True)) == truth
    assert _members(Ledger.open(path, cache=True)) == truth


def test_a_cache_is_bound_to_every_byte_it_summarises(tmp_path):
    path = tmp_path / "log.jsonl"
    _members_log(path)
    Ledger.open(path, cache=True)
    clean = path.read_bytes()
    path.write_bytes(clean.replace(b'"M03"', b'"M3X"'))  # inside a line the cache's last line does not name
    with pytest.raises(IntegrityError):
        Ledger.open(path, cache=True)


def test_a_read_only_open_writes_nothing(tmp_path):
    path = tmp_path / "log.jsonl"
    _members_log(path)
    before = sorted(p.name for p in tmp_path.iterdir())
    Ledger.open(path, readonly=True, cache=True).state("2000")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert not cache_path(path).exists()


def test_a_planted_symlink_is_never_followed(tmp_path):
    path = tmp_path / "log.jsonl"
    _members_log(path)
    victim = tmp_path / "victim"
    victim.write_bytes(b"precious")
    cache_path(path).symlink_to(victim)
    predictable = cache_path(path).with_name(cache_path(path).name + f".tmp-{os.getpid()}")
    predictable.symlink_to(victim)  # where a temporary file used to be written
    Ledger.open(path, cache=True)
    assert victim.read_bytes() == b"precious"
    assert not cache_path(path).is_symlink()  # replaced by a file of our own, not written through


def test_a_log_truncated_under_a_cached_ledger_gives_no_signal(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = _members_log(path, n=40)
    ledger.append([Admission(org="UN", member=f"L{i:02d}", date="1995", id=f"l{i}") for i in range(10)])
    Ledger.open(path, cache=True)
    script = textwrap.dedent(
        f"""
        import os
        from unledger import Ledger
        ledger = Ledger.open({str(path)!r}, cache=True)
        assert ledger._lazy is not None
        os.truncate({str(path)!r}, 0)
        print(len(ledger.state("1993").members("UN")))  # between two checkpoints: lines are decoded
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, (done.returncode, done.stderr)
    assert done.stdout.strip() == "41"


def test_a_cache_is_never_written_over_bytes_edited_after_the_ledger_read_them(tmp_path):
    # The cache binds the bytes on disk by one fingerprint, so its writer must
    # first check they are the bytes the ledger read: an edit in the middle of
    # the log (same length, last line untouched) must not be snapshotted.
    from unledger.cache import write_cache

    path = tmp_path / "log.jsonl"
    _members_log(path)
    ledger = Ledger.open(path)
    clean = path.read_bytes()
    edited = clean.replace(b'"M03"', b'"M3X"')
    assert edited != clean and edited.rsplit(b"\n", 2)[-2] == clean.rsplit(b"\n", 2)[-2]
    path.write_bytes(edited)
    assert write_cache(ledger) is None and not cache_path(path).exists()
    path.write_bytes(clean)
    assert write_cache(ledger) == cache_path(path)
