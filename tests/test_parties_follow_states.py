"""Parties follow states: continuation, dissolution, merger, separation, and
instruments that constitute an organization (docs/concepts.md)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from unledger import (
    Admission,
    Continuation,
    Dissolution,
    EntryRule,
    Establishment,
    Ledger,
    Merger,
    Opening,
    Separation,
    Signing,
    Withdrawal,
)
from unledger.cli import cli


def _bound(ledger: Ledger, day: str, instrument: str = "TR") -> list[str]:
    return [p.party for p in ledger.state(day).parties(instrument)]


@pytest.fixture()
def treaty() -> Ledger:
    """A treaty in force on its first ratification, ratified by four states."""
    ledger = Ledger.memory()
    ledger.append(Opening(instrument="TR", title="Treaty", date="1950-01-01", open_for_signature=False,
                          entry_into_force=EntryRule(rule="deposits", count=1)))
    ledger.append([Signing(instrument="TR", party=p, act="ratification", date="1950-06-01") for p in ("SUN", "CSK", "DDR", "SYR")])
    return ledger


def test_a_continuing_state_carries_on_its_predecessors_participation(treaty: Ledger) -> None:
    treaty.append(Continuation(predecessor="SUN", successor="RUS", date="1991-12-24"))
    assert "SUN" in _bound(treaty, "1991-12-23") and "RUS" not in _bound(treaty, "1991-12-23")
    assert "RUS" in _bound(treaty, "1991-12-24") and "SUN" not in _bound(treaty, "1991-12-24")
    russia = [p for p in treaty.state("2000").parties("TR") if p.party == "RUS"][0]
    assert (str(russia.bound_from), russia.act, russia.how) == ("1950-06-01", "ratification", "continuation")
    ussr = [p for p in treaty.state("2000").parties("TR", include_pending=True) if p.party == "SUN"][0]
    assert ussr.bound is False and str(ussr.left) == "1991-12-24"


def test_a_dissolved_state_stops_being_bound_and_its_successors_are_not_bound_by_it(treaty: Ledger) -> None:
    treaty.append(Dissolution(state="CSK", successors=("CZE", "SVK"), date="1992-12-31"))
    assert "CSK" in _bound(treaty, "1992-12-31")
    assert not {"CSK", "CZE", "SVK"} & set(_bound(treaty, "1993-01-01"))
    treaty.append(Signing(instrument="TR", party="CZE", act="succession", date="1993-02-22"))
    assert "CZE" in _bound(treaty, "1993-02-22") and "CZE" not in _bound(treaty, "1993-02-21")


def test_a_merged_state_passes_its_participation_to_the_union_from_the_merger(treaty: Ledger) -> None:
    treaty.append(Merger(members=("DDR", "DEU"), into="DEU", date="1990-10-03"))
    assert "DEU" not in _bound(treaty, "1990-10-02") and "DDR" in _bound(treaty, "1990-10-02")
    after = {p.party: p for p in treaty.state("1990-10-03").parties("TR")}
    assert "DDR" not in after and (str(after["DEU"].bound_from), after["DEU"].how) == ("1990-10-03", "merger")


def test_a_state_that_separates_is_bound_again(treaty: Ledger) -> None:
    treaty.append(Merger(members=("EGY", "SYR"), into="EGY", date="1958-02-21"))
    treaty.append(Separation(member="SYR", separated_from="EGY", date="1961-10-13"))
    assert "SYR" not in _bound(treaty, "1960") and "EGY" in _bound(treaty, "1960")
    assert "SYR" in _bound(treaty, "1961-10-13")


@pytest.fixture()
def charter() -> Ledger:
    """An organization and the instrument that constitutes it."""
    ledger = Ledger.memory()
    ledger.append(Opening(instrument="CH", title="Charter", date="1945-06-26", constitutes="ORG",
                          entry_into_force=EntryRule(rule="deposits", count=1)))
    ledger.append(Signing(instrument="CH", party="USA", act="signature", date="1945-06-26"))
    ledger.append(Signing(instrument="CH", party="USA", act="ratification", date="1945-08-08"))
    ledger.append(Establishment(entity="ORG", name="Organization", date="1945-10-24"))
    ledger.append(Admission(org="ORG", member="USA", original=True, date="1945-10-24"))
    ledger.append(Admission(org="ORG", member="AZE", date="1992-03-02"))
    ledger.append(Opening(instrument="OTHER", title="Other", date="1980-01-01", open_for_signature=False,
                          entry_into_force=EntryRule(rule="deposits", count=1)))
    ledger.append(Signing(instrument="OTHER", party="AZE", act="accession", date="1993-01-01"))
    return ledger


def test_admission_binds_a_new_member_to_the_constituent_instrument_from_its_admission_day(charter: Ledger) -> None:
    assert _bound(charter, "1992-03-01", "CH") == ["USA"]
    assert _bound(charter, "1992-03-02", "CH") == ["AZE", "USA"]
    aze = charter.state("1992-03-02").parties("CH")[0]
    assert (aze.act, str(aze.bound_from), aze.how, aze.certain) == ("admission", "1992-03-02", "membership", True)


def test_leaving_the_organization_ends_the_binding_but_not_other_instruments(charter: Ledger) -> None:
    charter.append(Withdrawal(org="ORG", member="AZE", date="2000-01-01"))
    assert _bound(charter, "2000-01-01", "CH") == ["USA"]
    former = [p for p in charter.state("2000").parties("CH", include_pending=True) if p.party == "AZE"][0]
    assert former.bound is False and str(former.left) == "2000-01-01"
    assert _bound(charter, "2000-01-01", "OTHER") == ["AZE"]


def test_an_uncertain_admission_binds_uncertainly(charter: Ledger) -> None:
    charter.append(Admission(org="ORG", member="ERI", date="1993-05"))
    eri = [p for p in charter.state("1993-05-15").parties("CH") if p.party == "ERI"][0]
    assert eri.certain is False
    assert [p.certain for p in charter.state("1993-05-31").parties("CH") if p.party == "ERI"] == [True]


def test_the_charter_binds_every_un_member_on_2025_12_31() -> None:
    state = Ledger.bundled().state("2025-12-31")
    parties = {p.party: p for p in state.parties("UN-CHARTER")}
    assert len(parties) == 193
    assert set(parties) == {m.member for m in state.members("UN")}
    assert not {"SUN", "CSK", "YUG", "SCG", "DDR", "YMD"} & set(parties)
    assert (str(parties["RUS"].bound_from), parties["RUS"].how) == ("1945-10-24", "continuation")
    assert str(parties["AZE"].bound_from) == "1992-03-02"
    assert len(Ledger.bundled().state("1945-12-31").parties("UN-CHARTER")) == 51


def cli_run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_cli_lists_the_charters_parties() -> None:
    out = cli_run("parties", "UN-CHARTER", "--as-of", "2025-12-31").stdout
    assert "193 parties" in out.splitlines()[0]
    rows = json.loads(cli_run("--json", "parties", "UN-CHARTER", "--as-of", "2025-12-31").stdout)
    codes = {r["party"] for r in rows}
    assert "RUS" in codes and not {"SUN", "CSK", "YUG"} & codes
