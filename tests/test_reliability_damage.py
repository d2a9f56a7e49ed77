"""Torn and damaged files (issue 8, point 3).

A small log (single appends and batches) is cut at every byte offset, gets
garbage appended, and has every byte changed, every line deleted and every
pair of lines swapped. What DESIGN §7 says must happen:

- a cut log opens with exactly the batches that were complete (readers
  ignore the torn tail), verifies, and the next append moves the tail into a
  quarantine file and goes on: no complete line is ever lost;
- any change to a complete line is named by ``verify()`` as the first bad
  line. Changes that make the *end* of the log look shorter (deleting the
  last lines, removing the last newline) leave a valid shorter log: those
  are caught by comparing ``verify()``'s head with the published head.
"""

from __future__ import annotations

import logging
import random

import pytest
from helpers_reliability import batch_events, head_record_path, quarantine_files, write_head_record

from unledger import IntegrityError, Ledger


@pytest.fixture(autouse=True)
def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="unledger")


@pytest.fixture(scope="module")
def small_log(tmp_path_factory):
    """Six lines: two single appends, a batch of three, one more single."""
    path = tmp_path_factory.mktemp("small") / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("s", 0, 1)[0])
    ledger.append(batch_events("s", 1, 1)[0])
    ledger.append(batch_events("s", 2, 3))
    ledger.append(batch_events("s", 3, 1)[0])
    data = path.read_bytes()
    lines = data.split(b"\n")[:-1]
    assert len(lines) == 6
    heads = [r.hash for r in ledger.records]
    # The offsets where each complete batch ends: after line 1, 2, 5 and 6.
    ends = [sum(len(line) + 1 for line in lines[:n]) for n in (1, 2, 5, 6)]
    return {"data": data, "lines": lines, "heads": heads, "ends": ends, "ids": [r.id for r in ledger.records]}


def _write(tmp_path, data: bytes, acknowledged: bytes | None = None):
    """The log ``data``, with the head record a writer left after
    acknowledging ``acknowledged`` (none when ``None``: a log copied without
    it, whose integrity is limited to the chain)."""
    path = tmp_path / "log.jsonl"
    for q in quarantine_files(path):
        q.unlink()
    head_record_path(path).unlink(missing_ok=True)
    path.write_bytes(data)
    if acknowledged is not None:
        write_head_record(path, acknowledged)
    return path


def test_cut_at_every_byte_offset(tmp_path, small_log):
    data, ends = small_log["data"], small_log["ends"]
    for cut in range(len(data) + 1):
        whole = max([0] + [e for e in ends if e <= cut])
        path = _write(tmp_path, data[:cut], acknowledged=data[:whole])  # a crash acknowledged the whole batches
        lines = data[:whole].count(b"\n")
        reader = Ledger.open(path, readonly=True)
        assert [r.id for r in reader.records] == small_log["ids"][:lines], cut
        assert reader.verify() == (small_log["heads"][lines - 1] if lines else "0" * 64)
        ledger = Ledger.open(path)
        record = ledger.append(batch_events("after", cut, 1)[0])
        assert record.seq == lines + 1
        after = path.read_bytes()
        assert after.startswith(data[:whole])
        moved = quarantine_files(path)
        if cut > whole:
            assert list(moved.values()) == [data[whole:cut]], cut
        else:
            assert moved == {}
        assert Ledger.open(path).verify() == record.hash


@pytest.mark.parametrize(
    "garbage",
    [b"\x00" * 37, b"{\"prev\":\"", b"garbage with no newline", "\u00e9t\u00e9".encode(), b"\xff\xfe\xfd", b"{}"],
)
def test_garbage_without_newline_is_a_torn_tail(tmp_path, small_log, garbage):
    path = _write(tmp_path, small_log["data"] + garbage)
    reader = Ledger.open(path)
    assert len(reader) == 6 and reader.verify() == small_log["heads"][-1]
    reader.append(batch_events("g", 0, 2))
    assert list(quarantine_files(path).values()) == [garbage]
    assert path.read_bytes().startswith(small_log["data"])
    assert Ledger.open(path).verify() == reader.head


@pytest.mark.parametrize("garbage", [b"\n", b"garbage\n", b"{}\n", b"\x00\x00\n", b"[1,2]\npartial"])
def test_garbage_line_is_damage_named_by_line(tmp_path, small_log, garbage):
    """A complete line that is not a ledger line is not a torn tail: nobody
    may silently move it away. Opening, verifying and appending all refuse
    and name line 7; the file is left as it is."""
    damaged = small_log["data"] + garbage
    path = _write(tmp_path, damaged)
    with pytest.raises(IntegrityError) as caught:
        Ledger.open(path)
    assert caught.value.line == 7 and "line 7" in str(caught.value)
    assert path.read_bytes() == damaged


def _verify_file(tmp_path, data: bytes, clean: bytes) -> tuple[int | None, str | None]:
    """Damage a log behind an open ledger's back, then ask its verify():
    (the line it names, or None; the head when it passed). Opening checks
    only the links between lines, so verify() is what must find an edit."""
    path = _write(tmp_path, clean)
    ledger = Ledger.open(path, readonly=True)
    path.write_bytes(data)
    try:
        return None, ledger.verify()
    except IntegrityError as exc:
        assert exc.line is not None and f"line {exc.line}:" in str(exc), f"no line named: {exc}"
        return exc.line, None


def test_every_single_byte_change_is_caught(tmp_path, small_log):
    data, lines, head = small_log["data"], small_log["lines"], small_log["heads"][-1]
    starts = [sum(len(x) + 1 for x in lines[:n]) for n in range(len(lines))]
    rng = random.Random(7)
    for offset in range(len(data)):
        line_no = max(n for n, s in enumerate(starts) if s <= offset) + 1
        for new in {data[offset] ^ 0x01, rng.randrange(256), ord("\n")} - {data[offset]}:
            changed = data[:offset] + bytes([new]) + data[offset + 1 :]
            named, got_head = _verify_file(tmp_path, changed, data)
            if named is not None:
                assert named == line_no, (offset, new)
            else:
                # Only the last newline can go unnoticed by the chain alone:
                # the log then reads one line shorter, and its head differs
                # from the published one.
                assert offset == len(data) - 1, (offset, new)
                assert got_head != head


def test_verify_names_the_first_bad_line_without_opening(tmp_path, small_log):
    """Ledger.verify() re-reads the file: damage done after opening is found."""
    path = _write(tmp_path, small_log["data"])
    ledger = Ledger.open(path)
    data = bytearray(small_log["data"])
    where = small_log["ends"][1] + 100  # inside line 3
    data[where] ^= 0x20
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError) as caught:
        ledger.verify()
    assert caught.value.line == 3 and "line 3" in str(caught.value) and str(path) in str(caught.value)


def test_every_deleted_line_is_caught(tmp_path, small_log):
    lines, heads = small_log["lines"], small_log["heads"]
    for n in range(len(lines)):
        kept = lines[:n] + lines[n + 1 :]
        named, got_head = _verify_file(tmp_path, b"".join(x + b"\n" for x in kept), small_log["data"])
        if n < len(lines) - 1:
            assert named == n + 1, n
        else:
            assert named is None and got_head == heads[-2] != heads[-1]


def test_every_swapped_pair_is_caught(tmp_path, small_log):
    lines = small_log["lines"]
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            swapped = list(lines)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            named, _ = _verify_file(tmp_path, b"".join(x + b"\n" for x in swapped), small_log["data"])
            assert named == i + 1, (i, j)


def test_inserted_and_duplicated_lines_are_caught(tmp_path, small_log):
    lines = small_log["lines"]
    for i in range(len(lines)):
        for j in range(len(lines) + 1):
            copied = lines[:j] + [lines[i]] + lines[j:]
            first_bad = next(k for k in range(len(copied)) if k == len(lines) or copied[k] != lines[k]) + 1
            named, head = _verify_file(tmp_path, b"".join(x + b"\n" for x in copied), small_log["data"])
            # A batch's opening line copied to the very end does not continue
            # the chain: damage, named, never taken for a write in progress.
            assert named == first_bad, (i, j)


def test_published_head_detects_a_cut_at_a_line_boundary(tmp_path, small_log):
    """The limit of a chain on its own: dropping whole lines from the end
    leaves a valid shorter log. The published head is what catches it."""
    published = small_log["heads"][-1]
    for end in small_log["ends"][:-1]:
        path = _write(tmp_path, small_log["data"][:end])
        assert Ledger.open(path).verify() != published


# -- random damage -----------------------------------------------------------------------

from hypothesis import assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from helpers_reliability import DAMAGE, damaged_open  # noqa: E402


@settings(max_examples=60)
@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=5),
    damages=st.lists(DAMAGE, min_size=1, max_size=3),
    drop_head=st.booleans(),
)
def test_random_damage_is_refused_or_serves_an_undamaged_prefix_the_head_record_allows(sizes, damages, drop_head):
    """open() either raises a typed error or serves exactly the events of
    an undamaged prefix: all acknowledged lines when the head record is
    there, a prefix of whole batches when it was lost too; never an edited value."""
    # Without its head record a log's integrity is limited to the chain: a
    # line appended with a recomputed hash then reads as one more append.
    assume(not (drop_head and any(d[0] == "forge" for d in damages)))
    damaged_open(sizes, damages, drop_head)
