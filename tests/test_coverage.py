"""Coverage as data: what the record declares it covers, carried by answers,
said by the command line and the plots, and refused for counts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from unledger import (
    Admission,
    Correction,
    Coverage,
    Establishment,
    Ledger,
    Opening,
    PartialCoverage,
    RuleViolation,
)
from unledger.cli import cli

PARTIAL = "only the facts of two documents"


@pytest.fixture()
def ledger() -> Ledger:
    ledger = Ledger.memory()
    ledger.append([
        Establishment(entity="ORG", name="Organization", date="1949-05-05", id="org"),
        Admission(org="ORG", member="AZE", date="2001-01-25", id="adm"),
        Coverage(entity="ORG", aspect="membership", extent="partial", statement=PARTIAL, date="1949-05-05", id="cov"),
    ])
    return ledger


def test_answers_carry_the_declaration(ledger: Ledger) -> None:
    state = ledger.state("2005")
    [declared] = state.coverage("ORG")
    assert (declared.aspect, declared.extent, declared.complete, declared.statement, declared.id) == ("membership", "partial", False, PARTIAL, "cov")
    assert state.partly_covered("ORG", "membership") == (declared,)
    assert state.partly_covered("ORG", "seats") == ()
    assert ledger.state("1949-05-04").coverage("ORG") == ()


def test_a_later_declaration_supersedes_an_earlier_one(ledger: Ledger) -> None:
    ledger.append(Coverage(entity="ORG", aspect="membership", extent="complete", statement="every admission", date="2010-01-01"))
    assert ledger.state("2009").partly_covered("ORG") != ()
    assert ledger.state("2010").partly_covered("ORG") == ()
    assert [c.extent for c in ledger.state("2010").coverage("ORG")] == ["complete"]


def test_a_declaration_needs_a_known_entity_and_a_fitting_aspect(ledger: Ledger) -> None:
    before = ledger.seq
    with pytest.raises(RuleViolation) as refused:
        ledger.append(Coverage(entity="NOPE", aspect="membership", extent="partial", statement="x", date="2000", id="bad"))
    assert (refused.value.event, refused.value.field) == ("bad", "entity")
    with pytest.raises(RuleViolation):
        ledger.append(Coverage(entity="ORG", aspect="parties", extent="partial", statement="x", date="2000"))
    with pytest.raises(RuleViolation):
        ledger.append(Coverage(entity="ORG", aspect="membership", extent="partial", statement="x", date="1949-05-04"))
    assert ledger.seq == before


def test_a_correction_of_the_organization_keeps_a_later_declaration() -> None:
    ledger = Ledger.memory()
    ledger.append(Establishment(entity="ORG", name="Organization", date="1949-05-05", id="org"))
    ledger.append(Coverage(entity="ORG", aspect="membership", extent="partial", statement=PARTIAL, date="1950", id="cov"))
    ledger.append(Correction(target="org", reason="its name", replacement=Establishment(entity="ORG", name="Org.", date="1949-05-05")))
    assert [c.id for c in ledger.state("2005").coverage("ORG")] == ["cov"]
    fresh = Ledger.memory()
    fresh.append([r.event for r in ledger.events()])
    assert fresh.state("2005") == ledger.state("2005")


def test_instruments_declare_their_parties() -> None:
    ledger = Ledger.memory()
    ledger.append(Opening(instrument="TR", title="Treaty", date="1950"))
    ledger.append(Coverage(entity="TR", aspect="parties", extent="partial", statement="one party only", date="1950"))
    assert [c.statement for c in ledger.state("2000").partly_covered("TR")] == ["one party only"]


def test_counts_of_a_partly_covered_organization_are_refused_unless_allowed(ledger: Ledger) -> None:
    with pytest.raises(PartialCoverage) as refused:
        ledger.member_counts("ORG", "2000", "2002")
    assert refused.value.entity == "ORG" and PARTIAL in str(refused.value)
    assert ledger.member_counts("ORG", "2000", "2002", allow_partial=True) == [(2000, 0), (2001, 1), (2002, 1)]


def test_counts_of_a_completely_covered_organization_are_given() -> None:
    records = Ledger.bundled()
    assert [c.extent for c in records.state("1990").coverage("UN", "membership")] == ["complete"]
    assert records.member_counts("UN", "1945", "1946")[-1] == (1946, 55)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_cli_says_a_partial_record_in_the_header() -> None:
    lines = run("members", "COE").stdout.splitlines()
    assert lines[0].startswith("COE (Council of Europe)") and lines[1].startswith("note: partial record of COE's membership: only the facts")
    assert not any(line.startswith("note:") for line in run("members", "UN").stdout.splitlines())
    for args in (["seats", "ECOSOC", "--as-of", "2004"], ["parties", "ECHR"], ["resolutions", "--body", "UNSC"], ["timeline", "NATO"]):
        assert "note: partial record of" in run(*args).stdout.splitlines()[1], args
    as_json = run("--json", "members", "COE")
    assert [row["member"] for row in json.loads(as_json.stdout)] == ["AZE"]
    assert as_json.stderr.startswith("note: partial record of COE's membership")


def test_cli_count_refuses_a_partly_covered_organization() -> None:
    refused = run("count", "COE")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert refused.stderr.strip().count("\n") == 0
    assert "the record of COE's membership is partial" in refused.stderr and "--allow-partial" not in refused.stdout
    allowed = run("count", "COE", "--from", "2000", "--to", "2001", "--allow-partial")
    assert allowed.exit_code == 0 and "note: partial record of COE's membership" in allowed.stdout


def test_every_organization_body_and_instrument_of_the_records_declares_its_coverage() -> None:
    state = Ledger.bundled().state("9999")
    undeclared = [code for code in [*state.world.bodies, *state.world.instruments] if not state.coverage(code)]
    assert undeclared == []


def test_plots_say_a_partial_record_on_the_figure() -> None:
    plot = pytest.importorskip("unledger.plot")
    records = Ledger.bundled()
    with pytest.raises(PartialCoverage):
        plot.growth(records, "COE")
    figure = plot.growth(records, "COE", allow_partial=True)
    assert "Partial record of COE's membership" in figure._supxlabel.get_text()
    body = plot.body(records, "ECOSOC", 2000, 2005)
    assert "Partial record of ECOSOC's seats" in body.legends[0].get_title().get_text()
    un = plot.growth(records, "UN", "1945", "1950")
    assert un._supxlabel is None
