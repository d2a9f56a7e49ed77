"""Importers of the COW IGO data and the UN General Assembly votes, on small
excerpts committed in tests/data/ (cut by tests/data/make_dataset_excerpts.py;
each quirk of the datasets' README is in them), and the questions asked of
the imported ledgers."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from unledger import Ledger, research
from unledger.cli import cli
from unledger.dates import Certainty, parse_date, to_day
from unledger.events import Correction, MembershipStatus, Retraction, RollCall
from unledger import crosswalk
from unledger.importers.cow import import_cow_igo
from unledger.importers.report import DatasetError, ImportRefused
from unledger.importers.unga import import_unga_votes, un_symbol
from unledger.revisions import revisions

DATA = Path(__file__).resolve().parent / "data"
COW = DATA / "cow-igo-excerpt"
VOTES = DATA / "unga-votes-excerpt"


@pytest.fixture(scope="module")
def cow() -> Ledger:
    ledger = Ledger.memory()
    import_cow_igo(ledger, COW)
    return ledger


@pytest.fixture(scope="module")
def votes() -> Ledger:
    ledger = Ledger.memory()
    import_unga_votes(ledger, VOTES)
    return ledger


def _status(ledger: Ledger, event_id: str) -> MembershipStatus:
    event = ledger.record(event_id).event
    assert isinstance(event, MembershipStatus)
    return event


def _call(ledger: Ledger, rcid: int) -> RollCall:
    event = ledger.record(f"unga:rc:{rcid}").event
    assert isinstance(event, RollCall)
    return event


def _raw_cow(ccode: str, year: str, column: str) -> str:
    with open(COW / "state_year_formatv3.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["ccode"] == ccode and row["year"] == year:
                return row[column]
    raise AssertionError(f"no row {ccode} {year}")


# -- the crosswalk ----------------------------------------------------------------


def test_every_code_of_a_state_finds_it() -> None:
    aliases = crosswalk.aliases()
    assert {aliases[c] for c in ("FRA", "FR", "220", "FRN")} == {"FRA"}
    assert {aliases[c] for c in ("DEU", "DE", "255", "260", "GFR", "GMY")} == {"DEU"}
    assert aliases["NA"] == "NAM" and aliases["565"] == "NAM"
    assert aliases["SU"] == "SUN" and aliases["365"] == "RUS"
    assert aliases["AUS"] == "AUS"  # ISO's Australia wins over COW's AUS (Austria)...
    assert aliases["305"] == "AUT"  # ...which its COW number still finds
    assert crosswalk.resolve("ukg") == "GBR" and crosswalk.resolve("Yemen Arab Republic") == "YEM"
    assert crosswalk.resolve("NATO") == "NATO"


def test_crosswalk_rows_are_sourced_codes() -> None:
    rows = crosswalk.rows()
    historical = {r.code for r in rows if r.code_kind == "iso3166-3"}
    assert {"SUN", "YUG", "CSK", "DDR", "YMD", "SCG"} <= historical
    for r in rows:
        if r.code_kind == "user-assigned":
            assert r.code.startswith(("X", "ZAN")) and not r.alpha3
        else:
            assert r.alpha3 == r.code
        assert r.from_year <= r.to_year
    assert crosswalk.code_for_cow(365, 1950) == "SUN" and crosswalk.code_for_cow(365, 1992) == "RUS"
    assert crosswalk.code_for_cow(345, 2003) == "SCG" and crosswalk.code_for_cow(245, 1850) == "XBV"


# -- COW IGO ----------------------------------------------------------------------


def test_cow_statuses_and_their_sources(cow: Ledger) -> None:
    # Poland in the Central Bureau for International Statistics, back in 1945
    # after its wartime gap: the gap is "nonexistent", not "not a member".
    gone = _status(cow, "cow-igo:CBI:POL:1940")
    assert gone.status == "nonexistent" and "no row for this state in 1940-1944" in (gone.source or "")
    back = _status(cow, "cow-igo:CBI:POL:1945")
    assert back.status == "full" and str(back.date) == "1945"
    assert "state_year_formatv3.csv row" in (back.source or "") and "(cbi)" in (back.source or "")
    assert "Correlates of War IGO data v3.0" in (back.source or "")
    assert _raw_cow("290", "1945", "cbi") == "1"


def test_cow_pre_1965_changes_are_intervals_where_dates_are_within_5_years(cow: Ledger) -> None:
    # NATO's dates are "Completely accurate": plain years; CCNR's "Within 5 years": intervals.
    nato = [r.event for r in cow.records if isinstance(r.event, MembershipStatus) and r.event.org == "NATO"]
    assert nato and all(e.date.precision == "year" for e in nato)
    ccnr = _status(cow, "cow-igo:CCNR:USA:1870")
    assert str(ccnr.date) == "1866/1870" and ccnr.status == "unknown"
    assert _raw_cow("2", "1870", "ccnr") == "-9" and _raw_cow("2", "1869", "ccnr") != "-9"
    assert ccnr.date.certainty(to_day("1867")) is Certainty.UNCERTAIN


def test_unknown_is_reported_as_unknown_never_as_not_a_member(cow: Ledger) -> None:
    assert _raw_cow("290", "1984", "acpeu") == "-9"
    rows = {s.org: s for s in research.standing(cow, "POL", "1985")}
    assert rows["ACPEU"].status == "unknown" and rows["ACPEU"].certain
    assert "ACPEU" not in {s.org for s in research.standing(cow, "POL", "1987")}  # 1986: 0, not a member


def test_associate_and_observer_statuses(cow: Ledger) -> None:
    statuses = {r.event.status for r in cow.records if isinstance(r.event, MembershipStatus)}
    assert {"full", "associate", "observer", "none", "unknown", "nonexistent"} <= statuses
    counts = {c.year: c for c in research.status_counts(cow, "CERN", 1960, 2014)}
    raw = {"1": 0, "2": 0, "3": 0}
    with open(COW / "state_year_formatv3.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["year"] == "2014" and row["cern"] in raw:
                raw[row["cern"]] += 1
    assert (counts[2014].full, counts[2014].associate, counts[2014].observer) == (raw["1"], raw["2"], raw["3"])


def test_organizations_established_and_ended(cow: Ledger) -> None:
    ends = {r.event.org: r.event.how for r in cow.records if r.event.kind == "closure"}  # type: ignore[attr-defined]
    assert ends == {"CBI": "dissolved", "OEEC": "dissolved", "BIISEF": "integrated", "ACCT": "replaced"}
    info = cow.world().bodies["NATO"]
    assert str(info.established) == "1949"


def test_two_cow_numbers_one_ledger_state(cow: Ledger) -> None:
    # The German Federal Republic (260) and Germany (255) are both DEU; 1990
    # has a row of each, and the import gives one event per change.
    ids = [r.event.id for r in cow.records if isinstance(r.event, MembershipStatus) and r.event.member == "DEU"]
    assert len(ids) == len(set(ids))
    assert any(s.org == "NATO" for s in research.standing(cow, "GFR", "1960"))


def test_a_cow_file_with_a_bad_status_is_refused_and_the_log_left_as_it_was(tmp_path: Path) -> None:
    copy = tmp_path / "cow"
    shutil.copytree(COW, copy)
    path = copy / "state_year_formatv3.csv"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].rsplit(",", 1)[0] + ",7"
    path.write_text("\n".join(lines) + "\n")
    log = tmp_path / "log.jsonl"
    ledger = Ledger.open(log)
    with pytest.raises(DatasetError, match="row 6.*'7' is not a COW status"):
        import_cow_igo(ledger, copy)
    assert log.read_bytes() == b""
    with pytest.raises(DatasetError, match="no such file"):
        import_cow_igo(ledger, tmp_path / "nowhere")


# -- UN votes ---------------------------------------------------------------------


def test_namibia_na_is_a_code_and_states_without_codes_are_matched_by_name(votes: Ledger) -> None:
    raw = {(r["country"], r["country_code"]) for r in csv.DictReader(open(VOTES / "un_votes.csv", newline="", encoding="utf-8"))}
    assert ("Namibia", "NA") in raw and ("Yemen Arab Republic", "") in raw and ("Federal Republic of Germany", "") in raw
    assert _call(votes, 3589).votes["NAM"] == "yes"
    assert _call(votes, 1415).votes["DEU"] == "yes" and _call(votes, 1415).votes["YEM"] == "yes"
    assert _call(votes, 874).votes["ZAN"] == "abstain"


def test_codes_that_name_two_states_over_time(votes: Ledger) -> None:
    assert "SUN" in _call(votes, 3).votes and "RUS" not in _call(votes, 3).votes
    assert "RUS" in _call(votes, 4751).votes
    assert "SCG" in _call(votes, 4305).votes and "SRB" in _call(votes, 4751).votes


def test_roll_call_fields(votes: Ledger) -> None:
    first = _call(votes, 3)
    assert (first.symbol, first.un_symbol, first.amendment, first.paragraph, first.session) == ("R/1/66", "A/RES/66(I)", True, False, 1)
    assert "un_roll_calls.csv row 2" in (first.source or "") and "un_votes.csv rows" in (first.source or "")
    blank = _call(votes, 812)
    assert blank.symbol is None and blank.paragraph is True and set(blank.subjects) == {"nu", "di"}
    assert _call(votes, 3589).important is True
    assert _call(votes, 4751).symbol == "R/61/250B" and _call(votes, 4751).un_symbol is None
    assert _call(votes, 9019).symbol == "ESS/1/34" and _call(votes, 9019).un_symbol is None


@pytest.mark.parametrize(
    ("written", "un"),
    [("R/1/66", "A/RES/66(I)"), ("R/28/3079", "A/RES/3079(XXVIII)"), ("R/30/3379", "A/RES/3379(XXX)"), ("R/46/16", "A/RES/46/16"),
     ("A/RES/74/38", "A/RES/74/38"), ("R/61/250B", None), ("SS/1/59", None)],
)
def test_un_symbols(written: str, un: str | None) -> None:
    assert un_symbol(written) == un


def test_votes_and_agreement_against_the_raw_rows(votes: Ledger) -> None:
    # Computed from the excerpt with csv: USA's votes, and how often the USA
    # and France voted alike.
    with open(VOTES / "un_votes.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    usa = {r["rcid"]: r["vote"] for r in rows if r["country_code"] == "US"}
    fra = {r["rcid"]: r["vote"] for r in rows if r["country_code"] == "FR"}
    mine = research.votes(votes, "US")
    assert {str(v.rcid): v.vote for v in mine} == usa
    both = [k for k in usa if k in fra]
    rows_agree = research.agreement(votes, "USA", "FRA")
    assert sum(a.votes for a in rows_agree) == len(both)
    assert sum(a.agreed for a in rows_agree) == sum(usa[k] == fra[k] for k in both)
    assert [v.rcid for v in research.votes(votes, "USA", issue="me")] == [9001, 77, 4751]
    assert [v.rcid for v in research.votes(votes, "USA", start="1990", end="2005")] == [3589, 4305]
    everyone = research.agreement(votes, "USA")
    assert {a.other for a in everyone if a.year == 1946} >= {"FRA", "SUN", "GBR"}


# -- conflicts with the ledger's records ---------------------------------------------


def test_the_agreement_plot_breaks_its_line_over_years_without_roll_calls(votes: Ledger) -> None:
    import math

    from unledger import research_plot

    rows = {r.year: r.share for r in research.agreement(votes, "USA", "FRA")}
    line = research_plot.agreement(votes, "USA", "FRA").axes[0].lines[0]
    plotted = dict(zip(line.get_xdata(), line.get_ydata(), strict=True))
    assert sorted(plotted) == list(range(min(rows), max(rows) + 1))
    for year, share in plotted.items():
        assert (share == rows[year]) if year in rows else math.isnan(share), year


def test_conflicts_are_reported_with_both_sources(tmp_path: Path) -> None:
    ledger = Ledger.memory()
    result = import_unga_votes(ledger, VOTES, report=tmp_path / "conflicts.csv")
    table = list(csv.DictReader(open(tmp_path / "conflicts.csv", newline="", encoding="utf-8")))
    assert {r["state"] for r in table} == {"TWN", "ZAN"} == {c.state for c in result.conflicts}
    zan = next(r for r in table if r["state"] == "ZAN")
    assert "un_votes.csv" in zan["dataset_source"] and "not a UN member until 1963-12-16" in zan["ledger_source"]
    cow = import_cow_igo(Ledger.memory(), COW)
    dom = next(c for c in cow.conflicts if c.state == "DOM")
    assert (dom.dataset_says, dom.ledger_says, dom.date) == ("not a member", "member", "1945/1964")
    assert "un-adm-DOM" in dom.ledger_source and "(un)" in dom.dataset_source


def test_strict_refuses_and_appends_nothing(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    ledger = Ledger.open(log)
    with pytest.raises(ImportRefused, match="refused.*2 conflicts"):
        import_unga_votes(ledger, VOTES, strict=True)
    assert log.read_bytes() == b""


# -- idempotence and releases ---------------------------------------------------------


def test_reimport_appends_nothing(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    ledger = Ledger.open(log)
    first = import_cow_igo(ledger, COW)
    import_unga_votes(ledger, VOTES)
    before = log.read_bytes()
    again = import_cow_igo(ledger, COW)
    votes_again = import_unga_votes(ledger, VOTES)
    assert log.read_bytes() == before
    assert (again.appended, again.corrections, again.retractions, again.unchanged) == (0, 0, 0, first.events)
    assert votes_again.appended == 0 and votes_again.unchanged == 12


def test_a_new_release_appends_corrections_and_retractions(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    ledger = Ledger.open(log)
    import_unga_votes(ledger, VOTES)
    first_release = ledger.records[-1].recorded
    release = tmp_path / "release2"
    shutil.copytree(VOTES, release)
    votes_path = release / "un_votes.csv"
    rows = votes_path.read_text(encoding="utf-8").splitlines()
    changed = next(i for i, line in enumerate(rows) if line.startswith("3,United States,"))
    was = rows[changed].rsplit(",", 1)[1]
    assert was != "abstain"
    rows[changed] = rows[changed].rsplit(",", 1)[0] + ",abstain"
    votes_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    calls_path = release / "un_roll_calls.csv"
    kept = [line for line in calls_path.read_text(encoding="utf-8").splitlines() if not line.startswith("812,")]
    calls_path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    for name in ("un_votes.csv", "un_roll_call_issues.csv"):
        path = release / name
        path.write_text("".join(line + "\n" for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("812,")), encoding="utf-8")

    result = import_unga_votes(ledger, release, version="0.3.0-revised")
    assert (result.appended, result.corrections, result.retractions, result.unchanged) == (0, 1, 1, 10)
    kinds = [type(r.event) for r in ledger.records[-2:]]
    assert kinds == [Correction, Retraction]
    assert research.votes(ledger, "USA", end="1946-01-01")[0].vote == "abstain"
    assert research.votes(ledger, "USA", end="1946-01-01", known_at=first_release)[0].vote == was
    assert 812 in {c.rcid for c in research.roll_calls(ledger, known_at=first_release)}
    assert 812 not in {c.rcid for c in research.roll_calls(ledger)}
    changes = revisions(ledger, first_release)
    assert [(c.change, c.id) for c in changes] == [("corrected", "unga:rc:3"), ("retracted", "unga:rc:812")]
    assert changes[0].before.votes["USA"] == was and changes[0].after.votes["USA"] == "abstain"
    assert changes[0].changed == f"votes[USA]: {was} -> abstain" and changes[1].changed is None
    assert "0.3.0-revised" in (changes[0].reason or "")
    # importing the new release again appends nothing
    assert import_unga_votes(ledger, release, version="0.3.0-revised").corrections == 0
    out = CliRunner().invoke(cli, ["--log", str(log), "--json", "diff", "--recorded", first_release, "9999-12-31"])
    assert out.exit_code == 0, out.output
    assert [(r["change"], r["id"]) for r in json.loads(out.output)] == [("corrected", "unga:rc:3"), ("retracted", "unga:rc:812")]


# -- the command line -----------------------------------------------------------------


def test_cli_imports_and_queries(tmp_path: Path) -> None:
    log = str(tmp_path / "log.jsonl")
    run = CliRunner().invoke
    out = run(cli, ["--log", log, "import", "cow-igo", str(COW), "--report", str(tmp_path / "r.csv")])
    assert out.exit_code == 0, out.output
    assert "216 events, " in out.output and "8 COW UN membership vs ledger" in out.output
    assert (tmp_path / "r.csv").read_text().count("\n") == 9
    out = run(cli, ["--log", log, "--json", "import", "unga-votes", str(VOTES)])
    assert json.loads(out.output)[0]["appended"] == 12
    refused = run(cli, ["--log", log, "import", "unga-votes", str(VOTES), "--strict"])
    assert refused.exit_code == 1 and "refused (strict)" in refused.output and "Traceback" not in refused.output
    assert run(cli, ["import", "cow-igo", str(COW)]).exit_code == 1
    for code in ("US", "2", "USA"):  # alpha-2, COW number, alpha-3
        out = run(cli, ["--log", log, "--csv", "votes", code, "--issue", "Palestinian conflict"])
        assert [r["rcid"] for r in csv.DictReader(out.output.splitlines())] == ["9001", "77", "4751"]
    typo = run(cli, ["--log", log, "votes", "USAA"])
    assert typo.exit_code == 1 and "unknown voting state 'USAA'" in typo.output and "USA" in typo.output
    out = run(cli, ["--log", log, "--json", "agreement", "USA", "FR", "--from", "1946", "--to", "1946"])
    assert {r["other"] for r in json.loads(out.output)} == {"FRA"}
    out = run(cli, ["--log", log, "--json", "standing", "2", "--as-of", "1870"])
    assert {(r["org"], r["status"]) for r in json.loads(out.output)} >= {("CCNR", "unknown")}
    out = run(cli, ["--log", log, "--csv", "status-counts", "NATO", "--from", "1949", "--to", "1949"])
    assert list(csv.DictReader(out.output.splitlines()))[0]["full"] == "2"  # USA and FRA among the excerpt's states
    out = run(cli, ["--log", log, "timeline", "UKG"])
    assert out.exit_code == 1  # no such state in this log: the refusal names it
    assert run(cli, ["--log", log, "timeline", "GFR"]).output.startswith("DEU")


def test_panel_export_with_metadata(tmp_path: Path, cow: Ledger) -> None:
    import pyarrow.parquet as pq

    from unledger.panel import write_panel

    count = write_panel(cow, tmp_path / "p.parquet")
    table = pq.read_table(tmp_path / "p.parquet")
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    assert meta["unledger.head"] == cow.head and meta["unledger.as_of"] == "2014-12-31" and meta["unledger.known_at"]
    assert table.num_rows == count
    rows = table.to_pylist()
    fra1960 = next(r for r in rows if r["state"] == "FRA" and r["year"] == 1960)
    assert fra1960["NATO"] == int(_raw_cow("220", "1960", "nato")) == 1
    assert fra1960["OEEC"] == int(_raw_cow("220", "1960", "oeec"))
    write_panel(cow, tmp_path / "p.csv", known_at="2030-01-01")
    assert json.loads((tmp_path / "p.csv.meta.json").read_text())["unledger.known_at"] == "2030-01-01T23:59:59.999999Z"
    header = (tmp_path / "p.csv").read_text().splitlines()[0].split(",")
    assert header[:2] == ["state", "year"] and "UN" in header


def test_interval_dated_statuses_fold_with_the_certainty_rule(cow: Ledger) -> None:
    status = _status(cow, "cow-igo:CCNR:USA:1870")
    assert status.date == parse_date("1866/1870")
    uncertain = {s.org: s for s in research.standing(cow, "USA", "1868")}["CCNR"]
    assert uncertain.certain is False and uncertain.status == "unknown"


def test_a_state_that_leaves_the_data_is_nonexistent_from_then(cow: Ledger) -> None:
    with open(COW / "state_year_formatv3.csv", newline="") as f:
        last = max(int(r["year"]) for r in csv.DictReader(f) if r["ccode"] == "265")
    gone = _status(cow, f"cow-igo:UN:DDR:{last + 1}")
    assert gone.status == "nonexistent" and f"no row for this state from {last + 1}" in (gone.source or "")
    assert "UN" not in {s.org for s in research.standing(cow, "DDR", f"{last + 1}")}
    assert "UN" in {s.org for s in research.standing(cow, "GDR", f"{last}")}


def test_strict_cow_import_is_refused_with_the_report_written(tmp_path: Path) -> None:
    log = tmp_path / "log.jsonl"
    ledger = Ledger.open(log)
    with pytest.raises(ImportRefused) as refused:
        import_cow_igo(ledger, COW, strict=True, report=tmp_path / "r.csv")
    assert len(refused.value.conflicts) == 8 and refused.value.report == tmp_path / "r.csv"
    assert (tmp_path / "r.csv").read_text().count("\n") == 9
    assert log.read_bytes() == b""


def test_backfilled_imports_fold_as_a_fold_from_scratch() -> None:
    # Votes first, then COW data reaching back to 1816: the timeline re-checks
    # and patches by footprints; the result must be the plain fold.
    from unledger.footprints import extract, patch
    from unledger.reducers import fold
    from unledger.state import World

    ledger = Ledger.memory()
    import_unga_votes(ledger, VOTES)
    import_cow_igo(ledger, COW)
    events = sorted(ledger._effective.values(), key=lambda entry: entry[0])
    assert ledger.world() == fold(e for _, e in events)
    world = ledger.world()
    for region in [("xtra", "statuses", "NATO", "FRA"), ("xtra", "roll_calls", "UNGA", 3), ("xtra", "closures", "OEEC")]:
        value = extract(world, region)
        assert value is not None
        assert patch(World(), [(region, value)]).extra != World().extra
        assert extract(patch(world, [(region, value)]), region) == value


# -- the cache and the decoders -------------------------------------------------------


def test_imported_worlds_round_trip_through_the_cache(tmp_path: Path) -> None:
    from unledger.cache import LazyWorld, write_cache

    log = tmp_path / "imported.jsonl"
    ledger = Ledger.open(log)
    import_cow_igo(ledger, COW)
    import_unga_votes(ledger, VOTES)
    assert write_cache(Ledger.open(log)) is not None  # roll calls (events keyed by number) are storable
    cached, full = Ledger.open(log, cache=True), Ledger.open(log)
    for day in ("1870", "1946-12-31", "1960", "2020"):
        world = cached.state(day).world
        assert isinstance(world, LazyWorld)
        assert world.extra == full.state(day).world.extra
        assert "statuses" in world.extra
    assert len(cached.state("2020").world.extra["roll_calls"]["UNGA"]) == 12
    assert research.votes(cached, "USA") == research.votes(full, "USA")


@pytest.mark.parametrize("member", ["usa", "U\x00SA", "USA\u202e", "US A", ""])
def test_a_vote_by_a_member_that_is_not_a_code_is_refused_on_both_decode_paths(member: str) -> None:
    from unledger.codec import event_from_dict
    from unledger.errors import UnledgerError
    from unledger.log import trusted_event_from_dict

    line = {"kind": "roll_call", "v": 1, "date": "1946-01-10", "body": "UNGA", "rcid": 3, "votes": {"USA": "yes", member: "no"}}
    for decode in (event_from_dict, trusted_event_from_dict):
        with pytest.raises(UnledgerError, match="votes"):
            decode(dict(line))
