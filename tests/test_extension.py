"""A kind defined outside unledger (issue 4, point 7): a permanent mission.

Seed 000: "the Permanent Mission of the Republic of Azerbaijan to the United
Nations was opened in New York on May 6, 1992". The kind, its reducer and
its rule live here, in user code; unledger is not edited. The test appends
it, reads it back from the file, asks about it through ``state.extra``,
and checks that its rule refuses a bad case, also when a backfill would
break it, leaving the file unchanged.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import immutables
import pytest

import unledger
from unledger import Admission, Establishment, Ledger, RuleViolation, Withdrawal, World
from unledger.events.base import code_field, text_field


@unledger.kind("mission_opening")
@attrs.frozen(kw_only=True)
class MissionOpening(unledger.Event):
    """``state`` opens its permanent mission to ``org`` in ``city``."""

    state: str = code_field()
    org: str = code_field()
    city: str = text_field()

    def entities(self) -> tuple[str, ...]:
        return (self.state, self.org)


def open_mission(world: World, e: MissionOpening) -> World:
    """Pure: a new world whose ``extra["missions"]`` maps (org, state) to
    (date, city); the old world is left as it was."""
    missions = world.extra.get("missions", immutables.Map())
    return world.replace(extra=world.extra.set("missions", missions.set((e.org, e.state), (e.date, e.city))))


def check_mission(world: World, e: MissionOpening) -> None:
    """Only a member opens a permanent mission, and only one."""
    if world.membership(e.org, e.state, e.date.earliest_day)[1] is None:
        raise RuleViolation(f"{e.state} is not a member of {e.org} on {e.date}", event=e.label(), field="state", rule="mission-of-member")
    if (e.org, e.state) in world.extra.get("missions", immutables.Map()):
        raise RuleViolation(f"{e.state} already has a mission to {e.org}", event=e.label(), field="state", rule="one-mission")


@pytest.fixture(scope="module", autouse=True)
def registered() -> Iterator[None]:
    """Teach unledger the kind for this module's tests; afterwards forget the
    reducer and rule again, so that other modules see only built-in kinds."""
    unledger.register(MissionOpening, open_mission, check_mission)
    yield
    from unledger.reducers import REDUCERS
    from unledger.rules import CHECKS

    REDUCERS.pop("mission_opening", None)
    CHECKS.pop("mission_opening", None)

AZE_MISSION = MissionOpening(state="AZE", org="UN", city="New York", date="1992-05-06", id="aze-mission", source="seed 000")


def _ledger(path: Path) -> Ledger:
    ledger = Ledger.open(path)
    ledger.append(
        [
            Establishment(entity="UN", name="United Nations", date="1945-10-24", id="un"),
            Admission(org="UN", member="AZE", date="1992-03-02", id="adm-aze"),
        ]
    )
    return ledger


def test_the_mission_is_appended_read_back_and_queried(log_path: Path) -> None:
    ledger = _ledger(log_path)
    record = ledger.append(AZE_MISSION)
    assert record.kind == "mission_opening"
    reopened = Ledger.open(log_path)
    assert reopened.records[-1].event == AZE_MISSION and type(reopened.records[-1].event) is MissionOpening
    assert reopened.verify() == ledger.head
    missions = reopened.state("1992-05-06").extra("missions")
    assert missions[("UN", "AZE")] == (unledger.parse_date("1992-05-06"), "New York")
    assert reopened.state("1992-05-05").extra("missions") is None
    assert [e.id for e in reopened.timeline("AZE")] == ["adm-aze", "aze-mission"]
    assert [r.id for r in reopened.events(kind="mission_opening")] == ["aze-mission"]
    line = log_path.read_bytes().splitlines()[-1]
    assert b'"kind":"mission_opening"' in line and b'"city":"New York"' in line


def test_its_rule_refuses_a_mission_of_a_non_member(log_path: Path) -> None:
    ledger = _ledger(log_path)
    before = log_path.read_bytes()
    with pytest.raises(RuleViolation) as info:
        ledger.append(MissionOpening(state="ARM", org="UN", city="New York", date="1992-02-01", id="arm-mission"))
    assert (info.value.rule, info.value.field, info.value.event) == ("mission-of-member", "state", "arm-mission")
    assert log_path.read_bytes() == before
    ledger.append(AZE_MISSION)
    with pytest.raises(RuleViolation, match="already has a mission"):
        ledger.append(attrs.evolve(AZE_MISSION, id="again", date="1993"))


def test_a_backfill_that_breaks_the_mission_is_refused(log_path: Path) -> None:
    ledger = _ledger(log_path)
    ledger.append(AZE_MISSION)
    before = log_path.read_bytes()
    with pytest.raises(RuleViolation) as info:
        ledger.append(Withdrawal(org="UN", member="AZE", date="1992-04-01", id="wd"))
    assert info.value.event == "aze-mission" and info.value.cause == "wd"
    assert log_path.read_bytes() == before
    ledger.append(Withdrawal(org="UN", member="AZE", date="1992-05-07", id="wd"))
    assert ledger.state("1993").extra("missions")[("UN", "AZE")][1] == "New York"


def test_the_reducer_is_pure() -> None:
    world = World()
    after = open_mission(world, AZE_MISSION)
    assert world == World() and after != world
    assert open_mission(world, AZE_MISSION) == after


def test_a_process_that_does_not_know_the_kind_refuses_to_guess(log_path: Path) -> None:
    _ledger(log_path).append(AZE_MISSION)
    code = f"from unledger import Ledger; Ledger.open({str(log_path)!r})"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "mission_opening" in result.stderr and "line 3" in result.stderr


def test_a_kind_needs_the_decorator_before_registration() -> None:
    @attrs.frozen(kw_only=True)
    class Undecorated(unledger.Event):
        state: str = code_field()

    with pytest.raises(TypeError, match="kind"):
        unledger.register(Undecorated, lambda world, e: world)


def test_a_day_whose_events_include_the_kind_is_the_whole_fold(log_path: Path) -> None:
    """The kind declares no maps, so a query's world folds every event of
    its stretch (not only those of the maps it reads)."""
    from unledger.kinds import MAPS
    from unledger.reducers import fold

    assert "mission_opening" not in MAPS
    ledger = _ledger(log_path)
    ledger.append([AZE_MISSION, Withdrawal(org="UN", member="AZE", date="1993-01-01", id="wd")])
    events = [r.event for r in ledger.records]
    state = ledger.state("1992-05-06")
    assert state.world.extra == fold(events[:3]).extra and state.world.members == fold(events[:3]).members
    assert state.world == fold(events[:3])
    assert state.extra("missions")[("UN", "AZE")][1] == "New York"
