"""Checks across sources: where a dataset contradicts the ledger's own UN
membership records, as a table of conflicts with both sources.

- COW IGO: a state the UN column says is a full member at the end of a year
  while the ledger's records say it is not a member that day, or the other
  way round (consecutive years are one row);
- UN votes: a vote cast by a state that is not a UN member on the day of the
  roll call by the ledger's records (consecutive votes are one row).

``unknown`` (COW ``-9``) is never a conflict, nor an observer or associate
that is not a member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from ..dates import day_to_iso
from ..events.votes import RollCall
from ..ledger import Ledger
from ..state import EMPTY, Spell
from .report import Conflict

__all__ = ["check_cow_against_un", "check_votes_against_un", "UNMembership"]


class UNMembership:
    """The ledger's UN memberships, asked day by day (from the head world,
    whose spells hold the whole history)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.spells: dict[str, tuple[Spell, ...]] = dict(ledger.world().members.get("UN", EMPTY).items())
        # (first day it may hold, first day it certainly no longer holds, spell)
        self.days: dict[str, list[tuple[int, float, Spell]]] = {
            code: [
                (s.start.earliest_day if s.start is not None else -1, s.end.latest_day if s.end is not None else float("inf"), s)
                for s in reversed(spells)
            ]
            for code, spells in self.spells.items()
        }

    def member(self, code: str, day: int) -> Spell | None:
        """The spell that holds (certainly or not) on ``day``, as Spell.holds says."""
        for lo, hi, spell in self.days.get(code, ()):
            if lo <= day < hi:
                return spell
        return None

    def cite(self, code: str, spell: Spell | None, day: int) -> str:
        if spell is not None:
            return f"UN member since {spell.since} ({self._source(spell.via)})"
        before = [s for s in self.spells.get(code, ()) if s.start is not None and s.start.earliest_day <= day]
        if before and before[-1].end is not None:
            return f"left the UN on {before[-1].end} ({before[-1].end_how})"
        later = [s for s in self.spells.get(code, ()) if s.start is not None and s.start.earliest_day > day]
        if later:
            return f"not a UN member until {later[0].start} ({self._source(later[0].via)})"
        return f"no UN membership of {code} in the records"

    def _source(self, via: str | None) -> str:
        if via is None:
            return "no event id"
        try:
            event = self.ledger.record(via).event
        except Exception:  # noqa: BLE001 - an id from another log: cite it as it is
            return f"event {via}"
        source = event.source or "no source"
        return f"event {via}: {source[:160]}"


def _runs(items: Iterable[tuple[str, str, str, tuple[object, ...]]]) -> Iterator[list[tuple[str, str, str, tuple[object, ...]]]]:
    """Group consecutive items with the same (state, dataset says, ledger says)."""
    run: list[tuple[str, str, str, tuple[object, ...]]] = []
    for item in items:
        if run and run[-1][:3] != item[:3]:
            yield run
            run = []
        run.append(item)
    if run:
        yield run


_COW_STATUS = {1: "full member", 2: "associate member", 3: "observer", 0: "not a member", 9: "unknown", 255: "does not exist"}


def check_cow_against_un(un: dict[str, dict[int, tuple[int, int]]], reference: Ledger, *, version: str) -> tuple[Conflict, ...]:
    """Compare COW's UN column (state -> year -> (status code, row)) with the
    ledger's UN membership on 31 December of each year."""
    members = UNMembership(reference)
    out: list[Conflict] = []
    for state in sorted(un):
        years = un[state]
        items: list[tuple[str, str, str, tuple[object, ...]]] = []
        for year in sorted(years):
            if year < 1945:
                continue
            status, line = years[year]
            day = dt.date(year, 12, 31).toordinal()
            spell = members.member(state, day)
            if status == 1 and spell is None:
                items.append((state, "full member", "not a member", (year, line, spell, day)))
            elif status in (0, 255) and spell is not None:
                items.append((state, _COW_STATUS[status], "member", (year, line, spell, day)))
            else:
                items.append((state, "", "", (year, line, spell, day)))
        for run in _runs(items):
            if not run[0][1]:
                continue
            first, last = run[0][3], run[-1][3]
            date = f"{first[0]}" if first[0] == last[0] else f"{first[0]}/{last[0]}"
            rows = f"row {first[1]}" if first[1] == last[1] else f"rows {first[1]}-{last[1]}"
            out.append(
                Conflict(
                    check="COW UN membership vs ledger",
                    state=state,
                    org="UN",
                    date=date,
                    dataset_says=run[0][1],
                    ledger_says=run[0][2],
                    dataset_source=f"Correlates of War IGO data v{version}, state_year_formatv3.csv {rows} (un)",
                    ledger_source=members.cite(state, first[2], first[3]),  # type: ignore[arg-type]
                )
            )
    return tuple(out)


def check_votes_against_un(calls: Iterable[RollCall], reference: Ledger, *, version: str, lines: dict[int, tuple[int, int]]) -> tuple[Conflict, ...]:
    """Votes cast by states that are not UN members that day in the ledger's
    records; a state's consecutive such votes are one row."""
    members = UNMembership(reference)
    by_day: dict[int, frozenset[str]] = {}
    open_runs: dict[str, list[RollCall]] = {}
    runs: list[tuple[str, list[RollCall]]] = []
    for call in sorted(calls, key=lambda c: (c.date.earliest_day, c.rcid)):
        day = call.date.earliest_day
        present = by_day.get(day)
        if present is None:
            present = by_day[day] = frozenset(code for code in members.days if members.member(code, day) is not None)
        voters = set(call.votes)
        for state in [s for s in open_runs if s in voters and s in present]:
            runs.append((state, open_runs.pop(state)))
        for state in voters - present:
            open_runs.setdefault(state, []).append(call)
    runs.extend(open_runs.items())
    out: list[Conflict] = []
    for state, run in sorted(runs, key=lambda r: (r[0], r[1][0].date.earliest_day)):
        first_call, last_call = run[0], run[-1]
        first_day = first_call.date.earliest_day
        date = str(first_call.date) if first_call.date == last_call.date else f"{first_call.date}/{last_call.date}"
        rows = lines.get(first_call.rcid)
        where = f" (the first in rows {rows[0]}-{rows[1]})" if rows is not None else ""
        rcids = f"rcid {first_call.rcid}" if len(run) == 1 else f"{len(run)} votes, rcid {first_call.rcid} to {last_call.rcid}"
        out.append(
            Conflict(
                check="UN vote by a non-member",
                state=state,
                org="UN",
                date=date,
                dataset_says=f"voted in {len(run)} roll call{'s' if len(run) > 1 else ''}",
                ledger_says=f"not a UN member on {day_to_iso(first_day)}",
                dataset_source=f"UN General Assembly votes (Voeten; unvotes {version}), un_votes.csv: {rcids}{where}",
                ledger_source=members.cite(state, None, first_day),
            )
        )
    return tuple(out)
