"""One member, one history (any code of a continued state finds it), and a
change of representation seen in seats and diff."""

from __future__ import annotations

import json

from click.testing import CliRunner

from unledger import Admission, Continuation, Establishment, Ledger, MemberStatus, Renaming, Representation
from unledger.cli import cli


def _fry() -> Ledger:
    ledger = Ledger.memory()
    ledger.append([
        Establishment(entity="UN", name="United Nations", date="1945-10-24"),
        Establishment(entity="UNSC", org="UN", name="Security Council", elected_seats=10, permanent_members=("CHN",), date="1945-10-24"),
        Admission(org="UN", member="CHN", original=True, date="1945-10-24"),
        Representation(org="UN", member="CHN", government="Republic of China", date="1945-10-24"),
        Admission(org="UN", member="SCG", name="Federal Republic of Yugoslavia", date="2000-11-01", id="adm-scg"),
        Renaming(entity="SCG", name="Serbia and Montenegro", date="2003-02-04"),
        Continuation(predecessor="SCG", successor="SRB", name="Serbia", date="2006-06-03", id="cont"),
    ])
    return ledger


def test_any_code_of_a_continued_state_finds_it_on_any_day() -> None:
    ledger = _fry()
    assert ledger.state("2003").resolve("SRB") == "SCG" and ledger.state("2007").resolve("SCG") == "SRB"
    assert ledger.state("2003").is_member("UN", "SRB") is MemberStatus.MEMBER
    assert [m.member for m in ledger.state("2003").memberships("SRB")] == ["SCG"]
    assert ledger.state("2000-10-31").is_member("UN", "SRB") is MemberStatus.NOT_MEMBER
    assert ledger.state("2007").codes("SCG") == ("SCG", "SRB")
    history = ledger.state("2007").membership_history("SRB")
    assert [(m.member, str(m.start)) for m in history] == [("SCG", "2000-11-01"), ("SRB", "2006-06-03")]
    assert [e.id for e in ledger.timeline("SRB") if e.kind != "renaming"] == ["adm-scg", "cont"]


def test_codes_not_linked_by_a_continuation_stay_apart() -> None:
    ledger = _fry()
    ledger.append(Admission(org="UN", member="MNE", date="2006-06-28"))
    assert ledger.state("2003").is_member("UN", "MNE") is MemberStatus.NOT_MEMBER
    assert ledger.state("2007").codes("MNE") == ("MNE",)
    assert ledger.state("2003").resolve("CHN") == "CHN"


def test_the_bundled_records_find_the_fry_under_srb_from_2000_to_2006() -> None:
    records = Ledger.bundled()
    for day in ("2000-11-01", "2003", "2006-06-02"):
        assert records.state(day).is_member("UN", "SRB") is MemberStatus.MEMBER, day
        assert [m.member for m in records.state(day).memberships("SRB")] == ["SCG"]
    assert records.state("2000-10-31").is_member("UN", "SRB") is MemberStatus.NOT_MEMBER
    # The SFRY is another member: the FRY was admitted as a new one in 2000.
    assert records.state("2003").is_member("UN", "YUG") is MemberStatus.NOT_MEMBER
    assert "un-adm-SCG" in [e.id for e in records.timeline("SRB")]


def test_a_change_of_representation_shows_in_seats_and_diff() -> None:
    ledger = _fry()
    ledger.append(Representation(org="UN", member="CHN", government="People's Republic of China", date="1971-10-25"))
    [before] = ledger.state("1971-10-24").seats("UNSC")
    [after] = ledger.state("1971-10-25").seats("UNSC")
    assert (before.member, before.government, after.government) == ("CHN", "Republic of China", "People's Republic of China")
    changes = ledger.diff("1971-10-24", "1971-10-25").represented
    assert [(c.where, c.entity, c.detail) for c in changes] == [
        ("UN", "CHN", "People's Republic of China (was Republic of China)"),
        ("UNSC", "CHN", "People's Republic of China (was Republic of China)"),
    ]
    assert ledger.diff("1971-10-25", "1972").represented == ()


def test_the_cli_shows_chinas_representation_in_1971() -> None:
    runner = CliRunner()
    before = json.loads(runner.invoke(cli, ["--json", "seats", "UNSC", "--as-of", "1971-10-24"]).stdout)
    after = json.loads(runner.invoke(cli, ["--json", "seats", "UNSC", "--as-of", "1971-10-25"]).stdout)
    assert [r["government"] for r in before if r["member"] == "CHN"] == ["Republic of China"]
    assert [r["government"] for r in after if r["member"] == "CHN"] == ["People's Republic of China"]
    diff = runner.invoke(cli, ["diff", "1971-10-24", "1971-10-25"]).stdout
    assert "represented  UNSC   CHN" in diff


def test_any_of_a_states_codes_finds_it_in_every_query() -> None:
    """ISO alpha-2, COW number and letters, lower case and names, through the
    crosswalk, in the Python queries as on the command line."""
    records = Ledger.bundled()
    state = records.state("1995-06-01")
    for other in ("DE", "255", "deu", "Germany", "GMY"):
        assert state.code(other) == "DEU", other
        assert state.is_member("UN", other) is MemberStatus.MEMBER, other
        assert [m.org for m in state.memberships(other)] == [m.org for m in state.memberships("DEU")], other
        assert [s.body for s in state.bodies_of(other)] == ["UNSC"], other
        assert state.terms("UNSC", other) == state.terms("UNSC", "DEU"), other
        assert state.name(other) == "Germany", other
        assert state.membership_history(other) == state.membership_history("DEU"), other
        assert records.timeline(other) == records.timeline("DEU"), other
        assert list(records.events(entity=other)) == list(records.events(entity="DEU")), other
    # A code of a state that is another state's code in the record keeps the
    # record's meaning: COW's AUS is Austria, the record's AUS is Australia.
    assert state.code("AUS") == "AUS" and state.code("305") == "AUT"
    # The FRY under any of Serbia's codes, through the continuation.
    for other in ("RS", "345", "srb", "Serbia"):
        assert records.state("2003").resolve(other) == "SCG", other
    # Unknown codes come back as they are, for the query to answer as unknown.
    assert state.code("ZZ") == "ZZ" and state.is_member("UN", "ZZ") is MemberStatus.NOT_MEMBER


def test_a_ledger_with_its_own_codes_is_not_second_guessed() -> None:
    ledger = Ledger.memory()
    ledger.append([
        Establishment(entity="UN", name="United Nations", date="1945-10-24"),
        Admission(org="UN", member="US", original=True, date="1945-10-24"),
    ])
    state = ledger.state("1950")
    assert state.code("US") == "US" and state.is_member("UN", "US") is MemberStatus.MEMBER
    # USA is not a code of this record, and the state it names is coded US
    # here only by the record's choice: the crosswalk's USA is not found.
    assert state.is_member("UN", "USA") is MemberStatus.NOT_MEMBER
