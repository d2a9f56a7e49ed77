"""An API without traps: answers that cannot be misread, years read as
years, ids that make a re-run a no-op, codes that cannot be mistyped
silently, names that find codes, dated diffs, and one output option
contract for every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from unledger import Admission, DuplicateEventId, Establishment, InvalidEvent, Ledger, MemberStatus, RuleViolation
from unledger.events.base import CODE_PATTERN
from unledger.ids import content_id

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
