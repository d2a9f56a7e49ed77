"""Queries on a small, real-shaped record (issue 4, point 6) and the lifecycle cases of point 2.

Checks members (since, and how: original, admitted, continuation, merger),
membership history, seats (permanent, seated, elected but not yet seated,
with terms), the bodies an entity sits on, instrument status by each
entry-into-force rule (named_and_majority for the UN Charter), parties with
the day each is bound from, resolution filters, names over time, diff,
member counts and timelines; certain against uncertain facts with partial
dates; and the real histories: Indonesia's withdrawal and return, the United
Arab Republic and Syria's separation, Tanganyika and Zanzibar, the
dissolution of Czechoslovakia, the Russian Federation continuing the USSR,
the German Democratic Republic acceding to the Federal Republic, and
China's representation.
"""

from __future__ import annotations

import pytest

from unledger import (
    Admission,
    Adoption,
    Continuation,
    Dissolution,
    Election,
    Enlargement,
    EntryIntoForce,
    EntryRule,
    Establishment,
    Event,
    Ledger,
    MemberStatus,
    Merger,
    Opening,
    Renaming,
    Representation,
    Return,
    Separation,
    Signing,
    Tally,
    Termination,
    UnknownEntity,
    Withdrawal,
)
from unledger.dates import parse_date, to_day

UN_DAY = "1945-10-24"
P5 = ["CHN", "FRA", "SUN", "GBR", "USA"]
FOUNDERS = P5 + ["EGY", "SYR", "CSK", "POL", "IND"]


def d(text: str) -> object:
    return parse_date(text)


def _record() -> list[Event]:
    events: list[Event] = [
        Establishment(entity="UN", name="United Nations", date=UN_DAY, id="un"),
        Establishment(entity="UNSC", name="Security Council", org="UN", elected_seats=6, permanent_members=P5, date=UN_DAY, id="unsc"),
        Establishment(entity="ECOSOC", name="Economic and Social Council", org="UN", elected_seats=18, date=UN_DAY, id="ecosoc"),
        Establishment(entity="UNGA", name="General Assembly", org="UN", date=UN_DAY, id="unga"),
        Renaming(entity="SWZ", name="Swaziland", date="1968-09-06", id="swz-1"),
        Renaming(entity="SWZ", name="Eswatini", date="2018-04", id="swz-2"),
    ]
    events += [Admission(org="UN", member=m, original=True, date=UN_DAY, id=f"adm-{m}") for m in FOUNDERS]
    events += [
        Representation(org="UN", member="CHN", government="Republic of China", date=UN_DAY, id="chn-roc"),
        # Indonesia: admitted, withdrew, resumed
        Admission(org="UN", member="IDN", date="1950-09-28", id="adm-IDN", decided_by="A/RES/491(V)"),
        Withdrawal(org="UN", member="IDN", date="1965-01-20", id="idn-out"),
        Return(org="UN", member="IDN", date="1966-09-28", id="idn-back"),
        # Egypt and Syria: the United Arab Republic, then Syria's separation
        Merger(members=["EGY", "SYR"], into="EGY", name="United Arab Republic", date="1958-02-21", id="uar"),
        Separation(member="SYR", separated_from="EGY", name="Syria", date="1961-10-13", id="syr-back"),
        Renaming(entity="EGY", name="Egypt", date="1971-09-02", id="egy-name"),
        # Tanganyika and Zanzibar
        Admission(org="UN", member="TGY", date="1961-12-14", id="adm-TGY", name="Tanganyika"),
        Admission(org="UN", member="ZAN", date="1963-12-16", id="adm-ZAN", name="Zanzibar"),
        Merger(members=["TGY", "ZAN"], into="TZA", name="United Republic of Tanzania", date="1964-04-26", id="tza"),
        # The Security Council grows
        Enlargement(body="UNSC", elected_seats=10, date="1966-01-01", id="unsc-10"),
        Representation(org="UN", member="CHN", government="People's Republic of China", date="1971-10-25", id="chn-prc"),
        # The two Germanys
        Admission(org="UN", member="DDR", date="1973-09-18", id="adm-DDR"),
        Admission(org="UN", member="DEU", date="1973-09-18", id="adm-DEU"),
        Merger(members=["DEU", "DDR"], into="DEU", date="1990-10-03", id="deu"),
        # The USSR continued by the Russian Federation
        Continuation(predecessor="SUN", successor="RUS", date="1991-12-24", id="rus"),
        # Czechoslovakia
        Dissolution(state="CSK", successors=["CZE", "SVK"], date="1992-12-31", id="csk-end"),
        Admission(org="UN", member="CZE", date="1993-01-19", id="adm-CZE"),
        Admission(org="UN", member="SVK", date="1993-01-19", id="adm-SVK"),
        # Azerbaijan (seed 000) and a member known only to the year
        Admission(org="UN", member="AZE", date="1992-03-02", id="adm-AZE", name="Azerbaijan"),
        Admission(org="UN", member="XYZ", date="1992", id="adm-XYZ"),
        Election(body="UNSC", member="AZE", date="2011-10-24", term_start="2012-01-01", term_end="2013-12-31", id="aze-sc"),
        Election(body="ECOSOC", member="AZE", date="2016-06-14", term_start="2017-01-01", term_end="2019-12-31", votes=176, votes_cast=184, id="aze-ecosoc"),
        Election(body="UNSC", member="IND", date="1949-09", term_start="1950-01-01", term_end="1951-12-31", id="ind-sc"),
        # Resolutions on the Armenia-Azerbaijan conflict, 1993
        Adoption(body="UNSC", symbol="S/RES/822 (1993)", title="Armenia-Azerbaijan", date="1993-04-30", concerns=["AZE", "ARM"], subjects=["peace"], tally=Tally(yes=15, no=0, abstain=0), id="r822"),
        Adoption(body="UNSC", symbol="S/RES/853 (1993)", title="Armenia-Azerbaijan", date="1993-07-29", concerns=["AZE", "ARM"], subjects=["peace"], id="r853"),
        Adoption(body="UNSC", symbol="S/RES/874 (1993)", title="Armenia-Azerbaijan", date="1993-10-14", concerns=["AZE"], subjects=["peace"], id="r874"),
        Adoption(body="UNSC", symbol="S/RES/884 (1993)", title="Armenia-Azerbaijan", date="1993-11-12", concerns=["AZE"], subjects=["Peace"], id="r884"),
        Adoption(body="UNGA", symbol="A/RES/48/114", title="Emergency international assistance to refugees and displaced persons in Azerbaijan", date="1993-12-20", concerns=["AZE"], subjects=["refugees"], without_vote=True, meeting="85th plenary meeting", id="r48-114"),
    ]
    # The UN Charter: named parties and a majority of the other signatories (Article 110)
    charter_rule = EntryRule(rule="named_and_majority", named=P5)
    events.append(Opening(instrument="CHARTER", title="Charter of the United Nations", form="charter", entry_into_force=charter_rule, date="1945-06-26", id="charter"))
    events += [Signing(instrument="CHARTER", party=m, act="signature", date="1945-06-26", id=f"sig-{m}") for m in FOUNDERS]
    ratified = {"USA": "1945-08-08", "FRA": "1945-08-31", "CHN": "1945-09-28", "GBR": "1945-10-20", "EGY": "1945-10-22",
                "SYR": "1945-10-19", "POL": "1945-10-24", "SUN": "1945-10-24", "IND": "1945-10-30", "CSK": "1945-10-19"}
    events += [Signing(instrument="CHARTER", party=m, act="ratification", date=day, id=f"rat-{m}") for m, day in ratified.items()]
    # Other rules: K-th deposit plus N days; on signature; by an explicit event
    events += [
        Opening(instrument="DEP", title="Convention", entry_into_force=EntryRule(rule="deposits", count=2, days=30), closes="1950-12-31", date="1950-01-01", id="dep"),
        Signing(instrument="DEP", party="FRA", act="signature", date="1950-02-01", id="dep-s1"),
        Signing(instrument="DEP", party="FRA", act="ratification", date="1950-05-01", id="dep-r1"),
        Signing(instrument="DEP", party="GBR", act="accession", date="1951-03-01", id="dep-a2"),
        Signing(instrument="DEP", party="USA", act="accession", date="1952-01-10", id="dep-a3"),
        Signing(instrument="DEP", party="FRA", act="denunciation", date="1960-01-01", id="dep-x1"),
        Opening(instrument="MOU", title="Memorandum", form="memorandum", entry_into_force=EntryRule(rule="on_signature"), date="1970-01-01", id="mou"),
        Signing(instrument="MOU", party="IND", act="signature", date="1970-03-01", id="mou-s1"),
        Signing(instrument="MOU", party="POL", act="signature", date="1970-04", id="mou-s2"),
        Opening(instrument="DECL", title="Declaration", form="declaration", date="1980-01-01", id="decl"),
        Signing(instrument="DECL", party="IND", act="signature", date="1980-01-01", id="decl-s1"),
        EntryIntoForce(instrument="DECL", date="1981", id="decl-eif"),
        Termination(instrument="DECL", date="1999-12-31", id="decl-end"),
    ]
    return events


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    ledger = Ledger.memory()
    events = sorted(_record(), key=lambda e: e.date.earliest_day)  # a stable sort: same-day events keep their order
    ledger.append(events)
    return ledger


def members(ledger: Ledger, day: str, org: str = "UN") -> dict[str, object]:
    return {m.member: m for m in ledger.state(day).members(org)}


# -- members ---------------------------------------------------------------------------


def test_members_with_since_and_how(ledger: Ledger) -> None:
    now = members(ledger, "2000-01-01")
    assert now["USA"].since == d(UN_DAY) and now["USA"].how == "original"
    assert now["AZE"].since == d("1992-03-02") and now["AZE"].how == "admitted" and now["AZE"].name == "Azerbaijan"
    assert now["RUS"].since == d(UN_DAY) and now["RUS"].how == "continuation"
    assert now["TZA"].since == d("1961-12-14") and now["TZA"].how == "merger"
    assert all(m.certain for m in now.values())
    assert "SUN" not in now and "CSK" not in now and "DDR" not in now and "TGY" not in now


def test_indonesia_withdraws_and_returns_keeping_its_since(ledger: Ledger) -> None:
    assert "IDN" in members(ledger, "1965-01-19")
    assert "IDN" not in members(ledger, "1965-01-20")
    assert "IDN" not in members(ledger, "1966-09-27")
    back = members(ledger, "1966-09-28")["IDN"]
    assert back.since == d("1950-09-28") and back.how == "admitted" and back.start == d("1966-09-28")
    history = [(m.start, m.end, m.end_how) for m in ledger.state("1970").membership_history("IDN")]
    assert history == [(d("1950-09-28"), d("1965-01-20"), "withdrawal"), (d("1966-09-28"), None, None)]


def test_egypt_and_syria_merge_and_syria_separates_with_its_original_date(ledger: Ledger) -> None:
    state = ledger.state("1959")
    assert "SYR" not in members(ledger, "1959") and "EGY" in members(ledger, "1959")
    assert state.name("EGY") == "United Arab Republic"
    assert state.exists("SYR") is None
    syria = members(ledger, "1961-10-13")["SYR"]
    assert syria.since == d(UN_DAY) and syria.how == "original" and syria.start == d("1961-10-13")
    assert ledger.state("1961-10-13").name("SYR") == "Syria"
    assert members(ledger, "1961-10-13")["EGY"].since == d(UN_DAY)
    assert ledger.state("1972").name("EGY") == "Egypt"
    assert [m.end_how for m in ledger.state("1970").membership_history("SYR")] == ["merger", None]


def test_tanganyika_and_zanzibar_become_tanzania_counted_from_tanganyika(ledger: Ledger) -> None:
    before = members(ledger, "1964-04-25")
    assert {"TGY", "ZAN"} <= set(before) and "TZA" not in before
    after = members(ledger, "1964-04-26")
    assert "TGY" not in after and "ZAN" not in after
    assert after["TZA"].since == d("1961-12-14") and after["TZA"].how == "merger" and after["TZA"].start == d("1964-04-26")
    assert ledger.state("1964-04-26").name("TZA") == "United Republic of Tanzania"
    assert len(before) - 1 == len(after)


def test_czechoslovakia_is_a_member_on_its_last_day_and_gone_the_next(ledger: Ledger) -> None:
    assert members(ledger, "1992-12-31")["CSK"].certain
    assert "CSK" not in members(ledger, "1993-01-01")
    assert ledger.state("1993-01-01").exists("CSK") is None
    assert ledger.state("1992-12-31").exists("CSK") is True
    assert {"CZE", "SVK"} <= set(members(ledger, "1993-01-19")) and "CZE" not in members(ledger, "1993-01-18")


def test_a_dissolution_dated_to_the_year_ends_within_that_year() -> None:
    """"Czechoslovakia ceased to exist in 1992": on 1 January 1993 it is
    certainly gone (not merely uncertain until the end of 1993)."""
    ledger = Ledger.memory()
    ledger.append([Establishment(entity="UN", name="UN", date=UN_DAY), Admission(org="UN", member="CSK", original=True, date=UN_DAY), Dissolution(state="CSK", date="1992")])
    assert ledger.state("1992-01-01").is_member("UN", "CSK") is MemberStatus.MEMBER
    assert ledger.state("1992-06-01").is_member("UN", "CSK") is MemberStatus.UNCERTAIN
    assert ledger.state("1993-01-01").is_member("UN", "CSK") is MemberStatus.NOT_MEMBER


def test_the_russian_federation_continues_the_ussr_seat_and_since(ledger: Ledger) -> None:
    assert "SUN" in members(ledger, "1991-12-23") and "RUS" not in members(ledger, "1991-12-23")
    rus = members(ledger, "1991-12-24")["RUS"]
    assert rus.since == d(UN_DAY) and rus.how == "continuation"
    permanent = {s.member for s in ledger.state("1992").seats("UNSC") if s.kind == "permanent"}
    assert permanent == {"CHN", "FRA", "RUS", "GBR", "USA"}
    assert {s.member for s in ledger.state("1991-12-23").seats("UNSC") if s.kind == "permanent"} == set(P5)
    assert ledger.state("1992").exists("SUN") is None


def test_the_gdr_accedes_to_the_frg(ledger: Ledger) -> None:
    assert {"DDR", "DEU"} <= set(members(ledger, "1990-10-02"))
    after = members(ledger, "1990-10-03")
    assert "DDR" not in after and after["DEU"].since == d("1973-09-18")
    assert len(members(ledger, "1990-10-02")) - 1 == len(after)


def test_china_keeps_its_seat_while_the_government_representing_it_changes(ledger: Ledger) -> None:
    assert ledger.state("1971-10-24").government("UN", "CHN") == "Republic of China"
    assert ledger.state("1971-10-25").government("UN", "CHN") == "People's Republic of China"
    assert members(ledger, "1971-10-25")["CHN"].since == d(UN_DAY)
    assert "CHN" in {s.member for s in ledger.state("1972").seats("UNSC")}


def test_a_member_admitted_in_1992_is_uncertain_until_the_end_of_1992(ledger: Ledger) -> None:
    assert "XYZ" not in members(ledger, "1991-12-31")
    assert members(ledger, "1992-01-01")["XYZ"].certain is False
    assert members(ledger, "1992-06-01")["XYZ"].certain is False
    assert members(ledger, "1992-12-30")["XYZ"].certain is False
    assert members(ledger, "1992-12-31")["XYZ"].certain is True
    state = ledger.state("1992-06-01")
    assert state.count("UN") == state.count("UN", certain_only=True) + 1
    assert state.is_member("UN", "XYZ") is MemberStatus.UNCERTAIN and ledger.state("1993").is_member("UN", "XYZ") is MemberStatus.MEMBER


def test_membership_history_lists_every_stretch(ledger: Ledger) -> None:
    history = ledger.state("2000").membership_history("DDR")
    assert [(m.org, m.since, m.end, m.end_how) for m in history] == [("UN", d("1973-09-18"), d("1990-10-03"), "merger")]
    assert ledger.state("1960").membership_history("AZE") == ()
    assert [m.org for m in ledger.state("2000").memberships("AZE")] == ["UN"]


def test_unknown_organizations_are_named_in_the_error(ledger: Ledger) -> None:
    with pytest.raises(UnknownEntity, match="NOPE"):
        ledger.state("2000").members("NOPE")


# -- seats --------------------------------------------------------------------------------


def test_seats_permanent_seated_and_elected_not_yet_seated(ledger: Ledger) -> None:
    before = {s.member: s for s in ledger.state("2011-12-01").seats("UNSC")}
    aze = before["AZE"]
    assert (aze.kind, aze.status, aze.certain) == ("elected", "elected", True)
    assert (aze.term_start, aze.term_end, aze.elected) == (d("2012-01-01"), d("2013-12-31"), d("2011-10-24"))
    assert before["USA"].kind == "permanent" and before["USA"].status == "seated"
    seated = {s.member: s for s in ledger.state("2012-06-01").seated("UNSC")}
    assert seated["AZE"].status == "seated" and seated["AZE"].certain
    assert "AZE" in {s.member for s in ledger.state("2013-12-31").seats("UNSC")}
    assert "AZE" not in {s.member for s in ledger.state("2014-01-01").seats("UNSC")}
    assert "AZE" not in {s.member for s in ledger.state("2011-10-23").seats("UNSC")}


def test_an_election_dated_to_the_month_is_uncertain_within_it(ledger: Ledger) -> None:
    india = {s.member: s for s in ledger.state("1949-09-15").seats("UNSC")}["IND"]
    assert india.status == "elected" and india.certain is False
    assert {s.member: s for s in ledger.state("1949-09-30").seats("UNSC")}["IND"].certain is True


def test_elected_seats_change_over_time(ledger: Ledger) -> None:
    assert ledger.state("1965-12-31").elected_seats("UNSC") == 6
    assert ledger.state("1966-01-01").elected_seats("UNSC") == 10
    assert ledger.state("2000").elected_seats("UNGA") is None


def test_bodies_of_an_entity(ledger: Ledger) -> None:
    assert [(s.body, s.status) for s in ledger.state("2017-06-01").bodies_of("AZE")] == [("ECOSOC", "seated")]
    assert [(s.body, s.status) for s in ledger.state("2012-06-01").bodies_of("AZE")] == [("UNSC", "seated")]
    assert [(s.body, s.kind) for s in ledger.state("2000").bodies_of("USA")] == [("UNSC", "permanent")]
    assert ledger.state("2015").bodies_of("AZE") == ()
    assert [(s.term_start, s.status) for s in ledger.state("2020").terms("ECOSOC", "AZE")] == [(d("2017-01-01"), "ended")]


# -- instruments --------------------------------------------------------------------------------


def test_the_charter_enters_into_force_by_article_110(ledger: Ledger) -> None:
    assert ledger.state("1945-10-23").instrument("CHARTER").status == "open"
    status = ledger.state(UN_DAY).instrument("CHARTER")
    assert status.status == "in force" and status.certain and status.in_force_from == d(UN_DAY)
    assert set(status.signatories) == set(FOUNDERS)
    assert "IND" not in status.parties and "SUN" in status.parties
    assert ledger.state("1945-11").instrument("CHARTER").parties.count("IND") == 1


def test_parties_are_bound_from_the_later_of_entry_into_force_and_their_deposit(ledger: Ledger) -> None:
    parties = {p.party: p for p in ledger.state("1946").parties("CHARTER")}
    assert parties["USA"].bound_from == d(UN_DAY) and parties["USA"].consented == d("1945-08-08")
    assert parties["IND"].bound_from == d("1945-10-30") and parties["IND"].act == "ratification"


def test_deposits_rule_k_th_deposit_plus_days(ledger: Ledger) -> None:
    assert ledger.state("1950-06-01").instrument("DEP").status == "open"
    assert ledger.state("1951-01-01").instrument("DEP").status == "not yet in force"  # closed for signature
    status = ledger.state("1951-03-31").instrument("DEP")
    assert status.status == "in force" and status.in_force_from == d("1951-03-31")
    assert ledger.state("1951-03-30").instrument("DEP").status == "not yet in force"
    parties = {p.party: p for p in ledger.state("1953").parties("DEP")}
    assert parties["FRA"].bound_from == d("1951-03-31") and parties["GBR"].bound_from == d("1951-03-31")
    assert parties["USA"].bound_from == d("1952-02-09")  # its own deposit plus 30 days
    assert "FRA" not in {p.party for p in ledger.state("1960").parties("DEP")}  # denounced
    assert {p.party for p in ledger.state("1960").parties("DEP", include_pending=True)} >= {"FRA"}


def test_on_signature_rule_binds_each_signatory_from_its_signature(ledger: Ledger) -> None:
    assert ledger.state("1970-02-01").instrument("MOU").status == "open"
    assert ledger.state("1970-03-01").instrument("MOU").status == "in force"
    parties = {p.party: p for p in ledger.state("1970-04-15").parties("MOU", include_pending=True)}
    assert parties["IND"].bound and parties["IND"].certain
    assert parties["POL"].bound and not parties["POL"].certain  # signed "1970-04"
    assert {p.party for p in ledger.state("1970-03-15").parties("MOU")} == {"IND"}


def test_event_rule_and_termination(ledger: Ledger) -> None:
    assert ledger.state("1980-06-01").instrument("DECL").status == "open"
    in_force = ledger.state("1981-06-01").instrument("DECL")
    assert in_force.status == "in force" and in_force.certain is False  # "1981"
    assert ledger.state("1982").instrument("DECL").certain is True
    ended = ledger.state("2000").instrument("DECL")
    assert ended.status == "terminated" and ended.terminated == d("1999-12-31")
    assert ledger.state("2000").parties("DECL") == ()
    assert [p.party for p in ledger.state("1985").parties("DECL")] == ["IND"]


def test_a_party_that_leaves_and_accedes_again_is_bound_again() -> None:
    ledger = Ledger.memory()
    ledger.append(
        [
            Opening(instrument="TR", title="t", entry_into_force=EntryRule(rule="deposits", count=1), date="1990-01-01"),
            Signing(instrument="TR", party="TTO", act="accession", date="1991-01-01"),
            Signing(instrument="TR", party="TTO", act="denunciation", date="1998-05-26"),
            Signing(instrument="TR", party="TTO", act="accession", date="1998-08-26"),
        ]
    )
    assert [p.party for p in ledger.state("1995").parties("TR")] == ["TTO"]
    assert ledger.state("1998-06-01").parties("TR") == ()
    back = ledger.state("1999").parties("TR")
    assert [p.party for p in back] == ["TTO"] and back[0].bound_from == d("1998-08-26")


# -- resolutions ---------------------------------------------------------------------------------


def test_resolution_filters(ledger: Ledger) -> None:
    state = ledger.state("2000")
    assert [r.symbol for r in state.resolutions("UNSC")] == ["S/RES/822 (1993)", "S/RES/853 (1993)", "S/RES/874 (1993)", "S/RES/884 (1993)"]
    assert [r.symbol for r in state.resolutions(concerning="ARM")] == ["S/RES/822 (1993)", "S/RES/853 (1993)"]
    assert [r.symbol for r in state.resolutions(start="1993-07", end="1993-10-14")] == ["S/RES/853 (1993)", "S/RES/874 (1993)"]
    assert [r.symbol for r in state.resolutions(subject="refugees")] == ["A/RES/48/114"]
    assert len(state.resolutions(subject="peace")) == 4  # subjects match whatever their case
    assert [r.symbol for r in state.resolutions("UNGA", concerning="AZE")] == ["A/RES/48/114"]
    assert state.resolutions("UNGA")[0].without_vote and state.resolutions("UNSC")[0].tally == Tally(yes=15, no=0, abstain=0)
    assert [r.symbol for r in ledger.state("1993-08-01").resolutions("UNSC")] == ["S/RES/822 (1993)", "S/RES/853 (1993)"]
    with pytest.raises(UnknownEntity):
        state.resolutions("NOPE")


# -- names, diff, counts, timeline -------------------------------------------------------------------


def test_names_change_over_time(ledger: Ledger) -> None:
    assert ledger.state("2018-03-31").name("SWZ") == "Swaziland"
    assert ledger.state("2018-04-01").name("SWZ") == "Eswatini"
    assert ledger.state("1960").name("SWZ") is None  # a name is a dated fact: not yet on record
    assert ledger.state("2000").name("NOPE") is None
    assert [n for _, n in ledger.state("2020").names("SWZ")] == ["Swaziland", "Eswatini"]


def test_diff_between_two_days(ledger: Ledger) -> None:
    diff = ledger.diff("1992-12-31", "1993-12-31")
    assert {c.entity for c in diff.joined} == {"CZE", "SVK"}
    assert {c.entity for c in diff.left} == {"CSK"}
    assert [c.entity for c in diff.adopted] == ["S/RES/822 (1993)", "S/RES/853 (1993)", "S/RES/874 (1993)", "S/RES/884 (1993)", "A/RES/48/114"]
    council = ledger.diff("2011-12-31", "2012-01-01")
    assert [c.entity for c in council.seated] == ["AZE"] and council.joined == ()
    charter = ledger.diff("1945-10-23", UN_DAY)
    assert [c.where for c in charter.in_force] == ["CHARTER"]
    assert {c.entity for c in charter.bound} == {"CHN", "CSK", "EGY", "FRA", "GBR", "POL", "SUN", "SYR", "USA"}
    signed = ledger.diff("1945-06-25", "1945-06-26")
    assert {c.entity for c in signed.signed} == set(FOUNDERS)
    assert ledger.diff("1994", "1995").changes() == ()


def test_member_counts_by_year(ledger: Ledger) -> None:
    counts = dict(ledger.member_counts("UN", 1945, 1994))
    assert counts[1945] == len(FOUNDERS)
    assert counts[1950] == len(FOUNDERS) + 1  # Indonesia
    assert counts[1958] == counts[1957] - 1  # Egypt and Syria as one
    assert counts[1961] == counts[1960] + 2  # Syria again, Tanganyika
    assert counts[1965] == counts[1964] - 1  # Indonesia left
    assert counts[1992] == counts[1991] + 2 and counts[1993] == counts[1992] + 1  # AZE, XYZ; CSK out, CZE and SVK in
    assert len(counts) == 50


def test_timeline_of_an_entity_in_date_order(ledger: Ledger) -> None:
    ids = [e.id for e in ledger.timeline("AZE")]
    assert ids == ["adm-AZE", "r822", "r853", "r874", "r884", "r48-114", "aze-sc", "aze-ecosoc"]
    days = [e.date.earliest_day for e in ledger.timeline("SYR")]
    assert days == sorted(days) and len(days) >= 4


def test_events_filters(ledger: Ledger) -> None:
    assert [r.id for r in ledger.events(kind="withdrawal")] == ["idn-out"]
    assert {r.id for r in ledger.events(kind=["merger", "separation"])} == {"uar", "syr-back", "tza", "deu"}
    assert [r.id for r in ledger.events(entity="CSK", kind="dissolution")] == ["csk-end"]
    in_1993 = {r.id for r in ledger.events(start="1993", end="1993")}
    assert {"adm-CZE", "r822", "r48-114"} <= in_1993 and "adm-AZE" not in in_1993
    assert "adm-XYZ" in {r.id for r in ledger.events(start="1992-06-01", end="1992-06-01")}  # may fall on that day
    assert to_day("1993") in range(to_day("1993-01-01"), to_day("1994-01-01"))


def test_ends_with_partial_dates_follow_the_certainty_rule() -> None:
    """A withdrawal dated "1965-01" is uncertain within January and certain
    from its last day; a term ending "2013" is certain until 1 January 2013."""
    ledger = Ledger.memory()
    ledger.append(
        [
            Establishment(entity="UN", name="UN", date=UN_DAY),
            Establishment(entity="UNSC", name="SC", org="UN", elected_seats=10, date=UN_DAY),
            Admission(org="UN", member="IDN", date="1950-09-28"),
            Withdrawal(org="UN", member="IDN", date="1965-01"),
            Admission(org="UN", member="AZE", date="1992-03-02"),
            Election(body="UNSC", member="AZE", date="2011-10-24", term_start="2012-01-01", term_end="2013"),
        ]
    )
    assert ledger.state("1964-12-31").is_member("UN", "IDN") is MemberStatus.MEMBER
    assert ledger.state("1965-01-01").is_member("UN", "IDN") is MemberStatus.UNCERTAIN
    assert ledger.state("1965-01-30").is_member("UN", "IDN") is MemberStatus.UNCERTAIN
    assert ledger.state("1965-01-31").is_member("UN", "IDN") is MemberStatus.NOT_MEMBER

    def seat(day: str) -> tuple[str, bool] | None:
        found = [s for s in ledger.state(day).seats("UNSC") if s.member == "AZE"]
        return (found[0].status, found[0].certain) if found else None

    assert seat("2013-01-01") == ("seated", True)
    assert seat("2013-01-02") == ("seated", False)
    assert seat("2013-12-31") == ("seated", False)
    assert seat("2014-01-01") is None


def test_diff_limited_to_one_organization(ledger: Ledger) -> None:
    diff = ledger.diff("1945-06-25", "1946", org="UN")
    assert diff.signed == () and diff.in_force == ()  # instruments are not the organization's
    assert {c.entity for c in diff.joined} == set(FOUNDERS)
    assert {c.where for c in ledger.diff("1993-01-01", "1993-12-31", org="UN").adopted} == {"UNSC", "UNGA"}
    assert ledger.diff("1993-01-01", "1993-12-31", org="NATO").changes() == ()
