"""An API without traps: answers that cannot be misread, years read as
years, ids that make a re-run a no-op, codes that cannot be mistyped
silently, names that find codes, dated diffs, and one output option
contract for every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unledger import (
    Admission,
    DuplicateEventId,
    Establishment,
    InvalidEvent,
    Ledger,
    MemberStatus,
    Renaming,
    RuleViolation,
    Statehood,
    UnknownEntity,
)
from unledger.events.base import CODE_PATTERN
from unledger.ids import content_id
from unledger.importers import import_cow_igo, import_unga_votes
from unledger.lookup import resolve

DATA = Path(__file__).resolve().parent / "data"
COW = DATA / "cow-igo-excerpt"
VOTES = DATA / "unga-votes-excerpt"
UN = Establishment(entity="UN", name="United Nations", date="1945-10-24")
AZE = Admission(org="UN", member="AZE", date="1992-03-02", source="A/RES/46/230")


# -- codes ------------------------------------------------------------------------------


def test_lower_case_codes_are_refused_with_the_upper_case_form_suggested() -> None:
    with pytest.raises(InvalidEvent) as caught:
        Admission(org="UN", member="aze", date="1992-03-02")
    assert caught.value.field == "member" and "'AZE'" in caught.value.reason


@pytest.mark.parametrize("code", ["UN CHARTER", " UN", "UN\tX", "A", "1UN", "UN.SC", "X" * 33, ""])
def test_codes_outside_the_pattern_are_refused(code: str) -> None:
    assert CODE_PATTERN.fullmatch(code) is None
    with pytest.raises(InvalidEvent) as caught:
        Establishment(entity=code, name="x", date="1945")
    assert caught.value.field == "entity"


def test_codes_in_the_pattern_and_symbols_are_accepted() -> None:
    for code in ("UN", "AZE", "UN-CHARTER", "O001B002", "X" * 32):
        assert Establishment(entity=code, name="x", date="1945").entity == code
    admission = Admission(org="UN", member="AZE", date="1992", recommended_by="S/RES/742 (1992)", decided_by="A/RES/46/230")
    assert admission.decided_by == "A/RES/46/230"


# -- ids ----------------------------------------------------------------------------------


def test_default_ids_derive_from_the_content() -> None:
    assert content_id(AZE) == content_id(Admission(org="UN", member="AZE", date="1992-03-02", source="A/RES/46/230"))
    assert content_id(AZE) != content_id(Admission(org="UN", member="AZE", date="1992-03-03", source="A/RES/46/230"))
    # The id itself is not part of the content it is derived from.
    assert content_id(AZE) == content_id(Admission(org="UN", member="AZE", date="1992-03-02", source="A/RES/46/230", id="x"))


def test_re_running_the_same_appends_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "my.jsonl"
    first = Ledger.open(path).append([UN, AZE])
    size = path.read_bytes()
    again = Ledger.open(path).append([UN, AZE])
    assert again == first and path.read_bytes() == size
    assert first[1].id == content_id(AZE)


def test_a_changed_event_under_a_recorded_id_is_a_conflict_naming_the_id() -> None:
    ledger = Ledger.memory()
    ledger.append([UN, AZE])
    changed = Admission(org="UN", member="AZE", date="1992-03-03", id=content_id(AZE))
    with pytest.raises(DuplicateEventId) as caught:
        ledger.append(changed)
    assert caught.value.event == content_id(AZE) and content_id(AZE) in str(caught.value)
    assert len(ledger) == 2


def test_the_same_event_twice_in_one_batch_is_refused() -> None:
    with pytest.raises(InvalidEvent) as caught:
        Ledger.memory().append([UN, AZE, AZE])
    assert "twice" in caught.value.reason


# -- is_member ----------------------------------------------------------------------------


def _un_with(*events: object) -> Ledger:
    ledger = Ledger.memory()
    ledger.append([UN, *events])  # type: ignore[list-item]
    return ledger


def test_is_member_is_three_valued_and_has_no_truth_value() -> None:
    ledger = _un_with(Admission(org="UN", member="AZE", date="1992"))
    assert ledger.state("1991-12-31").is_member("UN", "AZE") is MemberStatus.NOT_MEMBER
    uncertain = ledger.state("1992-03-01").is_member("UN", "AZE")
    assert uncertain is MemberStatus.UNCERTAIN
    assert ledger.state("1993").is_member("UN", "AZE") is MemberStatus.MEMBER
    for status in MemberStatus:
        with pytest.raises(TypeError, match="no truth value"):
            bool(status)
    with pytest.raises(TypeError):
        if uncertain:  # the trap: "uncertain" read as yes or no
            pass


# -- years --------------------------------------------------------------------------------


def test_an_integer_as_of_is_a_year() -> None:
    ledger = _un_with(AZE)
    assert ledger.state(as_of=1992) == ledger.state("1992") == ledger.state("1992-12-31")
    assert ledger.state(1992).is_member("UN", "AZE") is MemberStatus.MEMBER
    assert ledger.state(1991).members("UN") == ()
    assert ledger.member_counts("UN", 1992, 1992) == [(1992, 1)]


def test_an_integer_known_at_is_a_year() -> None:
    ledger = _un_with(AZE)
    assert ledger.state("1993", known_at=1990).organizations() == ()
    assert ledger.state("1993", known_at=9999) == ledger.state("1993")


@pytest.mark.parametrize("value", [True, False, 0, 10_000, 727_000, 1.5])
def test_booleans_and_non_years_are_refused_as_dates(value: object) -> None:
    ledger = _un_with(AZE)
    with pytest.raises(InvalidEvent) as caught:
        ledger.state(as_of=value)
    assert caught.value.field == "as_of"
    with pytest.raises(InvalidEvent) as caught:
        ledger.state("1993", known_at=value)
    assert caught.value.field == "known_at"


# -- organizations ------------------------------------------------------------------------


def test_an_admission_to_an_organization_never_established_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "my.jsonl"
    ledger = Ledger.open(path)
    ledger.append(UN)
    before = path.read_bytes()
    with pytest.raises(RuleViolation) as caught:
        ledger.append(Admission(org="NATO", member="AZE", date="1992-03-02"))
    assert (caught.value.rule, caught.value.field) == ("org-exists", "org") and "NATO" in caught.value.reason
    assert path.read_bytes() == before


# -- names and codes on the command line ------------------------------------------------------


def _cli(*args: str):
    from click.testing import CliRunner

    from unledger.cli import cli

    return CliRunner().invoke(cli, list(args))


def _names_log(tmp_path: Path) -> Path:
    path = tmp_path / "names.jsonl"
    Ledger.open(path).append(
        [
            UN,
            Statehood(state="KAZ", name="Kazakhstan", date="1991-12-16"),
            AZE,
            Admission(org="UN", member="KAZ", date="1992-03-02"),
            Statehood(state="YAR", name="Yemen", date="1918-10-30"),
            Statehood(state="YEM", name="Yemen", date="1990-05-22"),
            Renaming(entity="AZE", name="Azerbaijan", date="1992-03-02"),
            Renaming(entity="KAZ", name="Republic of Kazakhstan", date="1995"),
        ]
    )
    return path


def test_entities_lists_codes_with_names_and_searches_former_names(tmp_path: Path) -> None:
    log = str(_names_log(tmp_path))
    result = _cli("--log", log, "--json", "entities")
    assert result.exit_code == 0, result.output
    rows = {row["code"]: row for row in json.loads(result.stdout)}
    assert rows["UN"]["kind"] == "organization" and rows["UN"]["name"] == "United Nations"
    assert rows["KAZ"]["kind"] == "state" and rows["KAZ"]["name"] == "Republic of Kazakhstan"
    assert rows["KAZ"]["other_names"] == ["Kazakhstan"]
    found = json.loads(_cli("--log", log, "--json", "entities", "kazakh").stdout)
    assert [row["code"] for row in found] == ["KAZ"]


@pytest.mark.parametrize("name", ["KAZ", "kaz", "Kazakhstan", "KAZAKHSTAN", "republic of  kazakhstan"])
def test_every_command_taking_a_code_takes_a_name(tmp_path: Path, name: str) -> None:
    log = str(_names_log(tmp_path))
    result = _cli("--log", log, "--json", "timeline", name)
    assert result.exit_code == 0, result.output
    assert {row["id"] for row in json.loads(result.stdout)} == {content_id(e) for e in Ledger.open(log).timeline("KAZ")}
    members = json.loads(_cli("--log", log, "--json", "members", "united nations", "--as-of", "1993").stdout)
    assert [row["member"] for row in members] == ["AZE", "KAZ"]
    logged = json.loads(_cli("--log", log, "--json", "log", "--entity", name).stdout)
    assert len(logged) == 3 and all("KAZ" in row["entities"] for row in logged)


def test_an_ambiguous_name_lists_the_candidates(tmp_path: Path) -> None:
    result = _cli("--log", str(_names_log(tmp_path)), "timeline", "yemen")
    assert result.exit_code == 1
    assert "YAR" in result.stderr and "YEM" in result.stderr and "give the code" in result.stderr


def test_an_unknown_name_suggests_close_names(tmp_path: Path) -> None:
    result = _cli("--log", str(_names_log(tmp_path)), "timeline", "Kazakstan")
    assert result.exit_code == 1 and "KAZ (Kazakhstan / Republic of Kazakhstan)" in result.stderr


def test_resolve_in_python() -> None:
    ledger = Ledger.bundled()
    ever = ledger.state("9999")
    assert resolve(ever, "Kazakhstan") == resolve(ever, "kaz") == "KAZ"
    assert resolve(ever, "zaire") == "COD"
    with pytest.raises(UnknownEntity):
        resolve(ever, "Atlantis")


# -- diff ---------------------------------------------------------------------------------


def test_diff_rows_carry_the_day_of_each_change(tmp_path: Path) -> None:
    log = str(_names_log(tmp_path))
    result = _cli("--log", log, "--json", "diff", "1991", "1992")
    rows = json.loads(result.stdout)
    assert {(r["change"], r["entity"], r["date"]) for r in rows} == {("joined", "AZE", "1992-03-02"), ("joined", "KAZ", "1992-03-02")}
    changes = Ledger.bundled().diff("2011-06-30", "2012-06-30").changes()
    assert {c.entity: str(c.date) for c in changes if c.what == "joined"} == {"SSD": "2011-07-14"}
    assert {str(c.date) for c in changes if c.what in ("seated", "unseated")} == {"2012-01-01"}


def test_a_reversed_range_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidEvent):
        Ledger.bundled().diff("1992", "1991")
    result = _cli("diff", "1992", "1991")
    assert result.exit_code == 2 and "before" in result.stderr


# -- output formats -----------------------------------------------------------------------


#: Arguments that make each command do its work; commands not listed take none.
_ARGS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("members",): ("UN",), ("seats",): ("UNSC",), ("parties",): ("UN-CHARTER",), ("timeline",): ("AZE",),
    ("diff",): ("1991", "1992"), ("count",): ("UN", "--from", "1990", "--to", "1991"), ("export",): ("members", "UN"),
    ("entities",): ("AZE",), ("append",): ("events.jsonl",), ("plot", "growth"): ("UN", "-o", "out.png"),
    ("plot", "body"): ("UNSC", "-o", "out.png"), ("plot", "timeline"): ("AZE", "-o", "out.png"),
    ("key", "new"): ("new.key",), ("checkpoint",): ("--key", "k.key"),
    ("cosign",): ("cp.checkpoint", "--key", "w.key", "--log-key", "k.key.pub"),
    ("prove", "event"): (content_id(AZE), "--checkpoint", "cp.checkpoint"),
    ("prove", "consistency"): ("cp.checkpoint", "cp.checkpoint"),
    ("prove", "check"): ("p.proof", "--checkpoint", "cp.checkpoint", "--key", "k.key.pub"),
    ("import", "cow-igo"): (str(COW),), ("import", "unga-votes"): (str(VOTES),),
    ("votes",): ("USA",), ("agreement",): ("USA", "FRA"), ("standing",): ("USA", "--as-of", "1950"),
    ("status-counts",): ("NATO", "--from", "1949", "--to", "1950"),
    ("plot", "agreement"): ("USA", "FRA", "-o", "out.png"), ("plot", "status-counts"): ("NATO", "-o", "out.png"),
}
#: Commands that read the test's own log rather than the bundled records.
_OWN_LOG = {("append",), ("repair",), ("checkpoint",), ("prove", "event"), ("prove", "consistency"), ("import", "cow-igo"), ("import", "unga-votes")}
#: Commands that read a log of imported datasets (both excerpts).
_DATASET_LOG = {("votes",), ("agreement",), ("standing",), ("status-counts",), ("plot", "agreement"), ("plot", "status-counts")}


@pytest.fixture(scope="module")
def dataset_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    log = tmp_path_factory.mktemp("datasets") / "imported.jsonl"
    ledger = Ledger.open(log)
    import_cow_igo(ledger, COW)
    import_unga_votes(ledger, VOTES)
    return log


def _log_args(command: tuple[str, ...], own: Path, imported: Path) -> tuple[str, ...]:
    if command in _OWN_LOG:
        return ("--log", str(own))
    return ("--log", str(imported)) if command in _DATASET_LOG else ()


def _every_command() -> list[tuple[str, ...]]:
    from unledger.cli import cli

    out = []

    def walk(group, prefix: tuple[str, ...]) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, (*prefix, name))
            else:
                out.append((*prefix, name))

    walk(cli, ())
    return out


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
@pytest.mark.parametrize("command", _every_command(), ids=" ".join)
def test_every_command_honours_or_refuses_json_and_csv(
    command: tuple[str, ...], fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dataset_log: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "my.jsonl"
    Ledger.open(log).append([UN, AZE])
    (tmp_path / "events.jsonl").write_text('{"kind": "admission", "date": "1992-03-02", "org": "UN", "member": "KAZ"}\n')
    if command[0] in ("key", "checkpoint", "cosign", "prove"):  # keys, a checkpoint and a proof to work on
        for setup in (("key", "new", "k.key"), ("key", "new", "w.key"), ("--log", str(log), "checkpoint", "--key", "k.key", "-o", "cp.checkpoint"),
                      ("--log", str(log), "prove", content_id(AZE), "--checkpoint", "cp.checkpoint", "-o", "p.proof")):
            assert _cli(*setup).exit_code == 0, setup
    result = _cli(*_log_args(command, log, dataset_log), fmt, *command, *_ARGS.get(command, ()))
    if result.exit_code == 2:
        assert "does not apply" in result.stderr, result.output
        assert not (tmp_path / "out.png").exists() and not (tmp_path / "new.key").exists()
        return
    assert result.exit_code == 0, result.output
    if fmt == "--json":
        assert isinstance(json.loads(result.stdout), list)
    else:
        header = result.stdout.splitlines()[0]
        assert "," in header and " " not in header


def test_every_command_does_its_work_without_json_or_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dataset_log: Path) -> None:
    """The arguments above are right: without --json/--csv every command succeeds."""
    monkeypatch.chdir(tmp_path)
    log = tmp_path / "my.jsonl"
    Ledger.open(log).append([UN, AZE])
    (tmp_path / "events.jsonl").write_text('{"kind": "admission", "date": "1992-03-02", "org": "UN", "member": "KAZ"}\n')
    for setup in (("key", "new", "k.key"), ("key", "new", "w.key"), ("--log", str(log), "checkpoint", "--key", "k.key", "-o", "cp.checkpoint"),
                  ("--log", str(log), "prove", content_id(AZE), "--checkpoint", "cp.checkpoint", "-o", "p.proof")):
        assert _cli(*setup).exit_code == 0, setup
    for command in _every_command():
        result = _cli(*_log_args(command, log, dataset_log), *command, *_ARGS.get(command, ()))
        assert result.exit_code == 0, (command, result.output)


def test_export_refuses_json_and_takes_csv() -> None:
    refused = _cli("--json", "export", "members", "UN")
    assert refused.exit_code == 2 and "--format" in refused.stderr
    assert _cli("--csv", "export", "members", "UN").stdout == _cli("export", "members", "UN").stdout
