"""Releases of the bundled records: appended, never rewritten.

events/releases.txt lists each release as ``size head recorded``; the log's
first ``size`` lines must still end in the line hashed ``head``. The build
script appends new events, corrections and retractions, and appends nothing
when the sources did not change.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from unledger import Ledger

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "events"


def _script():
    spec = importlib.util.spec_from_file_location("build_records", ROOT / "scripts" / "build_records.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _script()


def test_every_release_is_still_the_start_of_the_bundled_log() -> None:
    releases = build.read_releases(EVENTS / "releases.txt")
    assert releases, "events/releases.txt lists no release"
    assert releases[0][0] == 862  # the first release, recorded 2026-11-24
    lines = (EVENTS / "records.jsonl").read_bytes().splitlines()
    for size, head, recorded in releases:
        assert len(lines) >= size
        line = json.loads(lines[size - 1])
        assert (line["seq"], line["hash"], line["recorded"]) == (size, head, recorded)
    sizes = [size for size, _, _ in releases]
    assert sizes == sorted(set(sizes))
    # The chain ties every earlier line to the head of each release.
    ledger = Ledger.open(EVENTS / "records.jsonl", readonly=True)
    assert ledger.verify() == ledger.head


def test_the_bundled_log_is_released_from_the_current_sources() -> None:
    ledger = Ledger.open(EVENTS / "records.jsonl", readonly=True)
    assert build.plan(ledger, build.load_sources()) == []


def _write(path: Path, events: list[dict]) -> None:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")


UN = {"kind": "establishment", "id": "un", "date": "1945-10-24", "entity": "UN", "name": "United Nations", "source": "s"}
ARM = {"kind": "admission", "id": "adm-arm", "date": "1992-03", "org": "UN", "member": "ARM", "source": "s"}
AZE = {"kind": "admission", "id": "adm-aze", "date": "1992-03-02", "org": "UN", "member": "AZE", "source": "s"}


@pytest.fixture()
def release(tmp_path: Path):
    sources = tmp_path / "sources"
    sources.mkdir()
    out = tmp_path / "records.jsonl"

    def run(events: list[dict], *extra: str) -> int:
        _write(sources / "un_membership.jsonl", events)
        return build.main(["--out", str(out), "--sources", str(sources), *extra])

    run.out = out  # type: ignore[attr-defined]
    return run


def test_a_release_appends_corrections_and_retractions_and_keeps_earlier_lines(release) -> None:
    assert release([UN, ARM]) == 0
    out = release.out
    first = out.read_bytes()
    first_release = Ledger.open(out).records[-1].recorded
    assert release([UN, ARM]) == 0 and out.read_bytes() == first  # idempotent: nothing appended
    # The day found, one event gone, one added.
    assert release([UN, dict(ARM, date="1992-03-02"), AZE]) == 0
    assert out.read_bytes().startswith(first)
    ledger = Ledger.open(out)
    kinds = [r.event.kind for r in ledger.records[2:]]
    assert kinds == ["correction", "admission"]  # fold order; the same day in source order
    assert [str(m.since) for m in ledger.state("1992").members("UN") if m.member == "ARM"] == ["1992-03-02"]
    then = ledger.state("1992", known_at=first_release)
    assert [(m.member, str(m.since)) for m in then.members("UN")] == [("ARM", "1992-03")]
    assert release([UN, AZE]) == 0
    ledger = Ledger.open(out)
    assert ledger.records[-1].event.kind == "retraction"
    assert [m.member for m in ledger.state("1992").members("UN")] == ["AZE"]
    again = out.read_bytes()
    assert release([UN, AZE]) == 0 and out.read_bytes() == again
    releases = build.read_releases(out.with_name("releases.txt"))
    assert [size for size, _, _ in releases] == [2, 4, 5]


def test_a_rewritten_released_line_is_refused(release, capsys) -> None:
    assert release([UN, ARM]) == 0
    out = release.out
    # Rewrite the released log from other sources: same length, another head.
    shutil.move(out, out.with_suffix(".old"))
    Ledger.open(out).append(build.load_sources(out.parent / "sources")[:1])
    Ledger.open(out).append(build.event_from_dict(dict(ARM, date="1992")))
    assert release([UN, ARM]) == 1
    assert "a released line was rewritten" in capsys.readouterr().err


def test_check_writes_nothing(release, capsys) -> None:
    assert release([UN]) == 0
    before = release.out.read_bytes()
    assert release([UN, ARM], "--check") == 0
    assert release.out.read_bytes() == before
    assert "admission adm-arm" in capsys.readouterr().out


def test_a_release_that_breaks_a_rule_writes_nothing(release, capsys) -> None:
    assert release([UN, AZE]) == 0
    before = release.out.read_bytes()
    # The organization moved after its member's admission.
    assert release([dict(UN, date="1993"), AZE]) == 1
    assert "event adm-aze, field 'org': UN is not established by 1992-03-02" in capsys.readouterr().err
    assert release.out.read_bytes() == before
