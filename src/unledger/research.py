"""Questions researchers ask of imported datasets: a state's votes, how often
two states vote alike, a state's standing in every organization, members per
organization and year, and the state-year panel COW users work with.

Every function takes any of a state's codes (ISO alpha-2 or alpha-3, COW
number or letters: see :func:`unledger.crosswalk.aliases`) and
answers as the ledger knew it at ``known_at`` (default: now).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Final

import attrs
import immutables

from .crosswalk import resolve
from .dates import PartialDate, day_to_iso, first_day, to_day
from .errors import UnknownEntity
from .events.statuses import MEMBER_STATUSES
from .events.votes import RollCall
from .kinds.statuses import STATUSES_KEY
from .kinds.votes import ROLL_CALLS
from .ledger import Ledger
from .state import EMPTY, World

__all__ = [
    "VoteRow",
    "Agreement",
    "Standing",
    "StatusCount",
    "roll_calls",
    "voters",
    "votes",
    "agreement",
    "standing",
    "status_counts",
    "panel",
    "PANEL_CODES",
]

#: Status -> the COW code a panel cell holds.
PANEL_CODES: Final = {"full": 1, "associate": 2, "observer": 3, "none": 0, "unknown": -9, "nonexistent": -1}
GA: Final = "UNGA"


@attrs.frozen
class VoteRow:
    """How ``state`` voted in roll call ``rcid``."""

    rcid: int
    symbol: str | None
    un_symbol: str | None
    date: PartialDate
    vote: str
    session: int | None
    important: bool | None
    amendment: bool | None
    paragraph: bool | None
    subjects: tuple[str, ...]
    title: str | None


@attrs.frozen
class Agreement:
    """In ``year``, ``state`` and ``other`` both voted in ``votes`` roll calls
    and voted alike in ``agreed``; ``share`` is agreed / votes."""

    year: int
    state: str
    other: str
    votes: int
    agreed: int
    share: float


@attrs.frozen
class Standing:
    """``member``'s standing in ``org`` on a day: ``status`` is full,
    associate, observer or unknown; ``since`` the date it holds from;
    ``certain`` false while that date may still be ahead (then ``previous``
    is the standing before it); ``source`` is ``membership`` for the
    ledger's own membership records, ``status`` for imported statuses."""

    org: str
    member: str
    status: str
    since: PartialDate | None
    certain: bool
    previous: str | None
    source: str
    id: str | None


@attrs.frozen
class StatusCount:
    """Members of ``org`` at the end of ``year`` by status (certain ones)."""

    org: str
    year: int
    full: int
    associate: int
    observer: int
    unknown: int


def _world(ledger: Ledger, known_at: Any) -> World:
    return ledger.world(None, known_at)


#: The last map of roll calls sorted, and its order (maps are immutable:
#: the same map object always sorts the same).
_sorted: tuple[Any, list[RollCall]] = (None, [])


def roll_calls(ledger: Ledger, *, body: str = GA, known_at: Any = None) -> list[RollCall]:
    """Every roll call of ``body`` in the record, in date order."""
    global _sorted
    calls = _world(ledger, known_at).extra.get(ROLL_CALLS, EMPTY).get(body, EMPTY)
    cached = _sorted
    if cached[0] is not calls:
        cached = _sorted = (calls, sorted(calls.values(), key=lambda c: (c.date.earliest_day, c.rcid)))
    return list(cached[1])


def voters(ledger: Ledger, *, body: str = GA, known_at: Any = None) -> set[str]:
    """Every state that voted in a roll call of ``body``."""
    out: set[str] = set()
    for call in roll_calls(ledger, body=body, known_at=known_at):
        out.update(call.votes.keys())
    return out


def _in_range(call: RollCall, lo: int | None, hi: int | None, issue: str | None) -> bool:
    if lo is not None and call.date.latest_day < lo:
        return False
    if hi is not None and call.date.earliest_day > hi:
        return False
    return issue is None or issue in call.subjects


def _bounds(start: Any, end: Any) -> tuple[int | None, int | None]:
    return (None if start is None else first_day(start)), (None if end is None else to_day(end))


def votes(ledger: Ledger, state: str, *, start: Any = None, end: Any = None, issue: str | None = None, known_at: Any = None) -> list[VoteRow]:
    """One row per roll call ``state`` voted in (yes, no, abstain), in date
    order; ``start``/``end`` (partial dates allowed) and ``issue`` (an issue
    code such as ``me``) filter them."""
    code = resolve(state)
    lo, hi = _bounds(start, end)
    out = []
    for call in roll_calls(ledger, known_at=known_at):
        vote = call.votes.get(code)
        if vote is None or not _in_range(call, lo, hi, issue):
            continue
        out.append(
            VoteRow(call.rcid, call.symbol, call.un_symbol, call.date, vote, call.session, call.important, call.amendment,
                    call.paragraph, call.subjects, call.title)
        )
    return out


def agreement(
    ledger: Ledger, state: str, other: str | None = None, *, start: Any = None, end: Any = None, issue: str | None = None, known_at: Any = None
) -> list[Agreement]:
    """Per year, the share of roll calls on which ``state`` and ``other``
    both voted and voted alike; without ``other``, one row per year and per
    every state that voted with ``state`` that year."""
    a = resolve(state)
    b = resolve(other) if other is not None else None
    lo, hi = _bounds(start, end)
    tally: dict[tuple[int, str], list[int]] = {}
    for call in roll_calls(ledger, known_at=known_at):
        mine = call.votes.get(a)
        if mine is None or not _in_range(call, lo, hi, issue):
            continue
        year = call.date.earliest.year
        others: Iterator[tuple[str, str]]
        if b is not None:
            theirs = call.votes.get(b)
            others = iter(((b, theirs),) if theirs is not None else ())
        else:
            others = ((code, v) for code, v in call.votes.items() if code != a)
        for code, theirs in others:
            counts = tally.setdefault((year, code), [0, 0])
            counts[0] += 1
            counts[1] += theirs == mine
    return [Agreement(year, a, code, n, same, same / n) for (year, code), (n, same) in sorted(tally.items())]


def _at(history: tuple[tuple[PartialDate, str, str | None], ...], day: int) -> tuple[int, bool] | None:
    """Index of the entry that holds on ``day`` and whether it is certain."""
    index = None
    for i, (date, _, _) in enumerate(history):
        if date.earliest_day <= day:
            index = i
        else:
            break
    if index is None:
        return None
    return index, history[index][0].latest_day <= day


def standing(ledger: Ledger, state: str, as_of: Any = None, *, known_at: Any = None) -> list[Standing]:
    """``state``'s standing in every organization on ``as_of``: memberships
    the ledger records, and imported statuses (full, associate, observer,
    unknown; ``unknown`` is reported as unknown, never as "not a member")."""
    code = resolve(state)
    day = to_day(as_of)
    world = _world(ledger, known_at)
    out: list[Standing] = []
    for org in world.members.keys():
        held, status = world.membership(org, code, day)
        if held is not None and status is not None:
            out.append(Standing(org, code, "full", held.since, status, None, "membership", held.via))
    seen = {s.org for s in out}
    for org, by_member in world.extra.get(STATUSES_KEY, EMPTY).items():
        history = by_member.get(code)
        if not history or org in seen:
            continue
        found = _at(history, day)
        if found is None:
            continue
        index, certain = found
        date, status, via = history[index]
        previous = history[index - 1][1] if index > 0 else None
        if status in MEMBER_STATUSES or status == "unknown" or (not certain and previous in (*MEMBER_STATUSES, "unknown")):
            out.append(Standing(org, code, status, date, certain, previous if not certain else None, "status", via))
    out.sort(key=lambda s: s.org)
    return out


def _year_end(year: int) -> int:
    return dt.date(year, 12, 31).toordinal()


def _certain_status(history: tuple[tuple[PartialDate, str, str | None], ...], day: int) -> str | None:
    """The last status certain by ``day`` (what a yearly table holds)."""
    current = None
    for date, status, _ in history:
        if date.latest_day <= day:
            current = status
        elif date.earliest_day > day:
            break
    return current


def _statuses(world: World) -> immutables.Map[str, immutables.Map[str, Any]]:
    return world.extra.get(STATUSES_KEY, EMPTY)  # type: ignore[no-any-return]


def status_counts(ledger: Ledger, org: str, start: int | None = None, end: int | None = None, *, known_at: Any = None) -> list[StatusCount]:
    """Members of ``org`` by status at the end of each year (certain ones)."""
    by_member = _statuses(_world(ledger, known_at)).get(org)
    if by_member is None:
        raise UnknownEntity("organization with recorded statuses", org)
    years = [int(str(d)[:4]) for h in by_member.values() for d, _, _ in h]
    y0 = start if start is not None else min(years)
    y1 = end if end is not None else max(years)
    out = []
    for year in range(y0, y1 + 1):
        day = _year_end(year)
        counts = {"full": 0, "associate": 0, "observer": 0, "unknown": 0}
        for history in by_member.values():
            status = _certain_status(history, day)
            if status in counts:
                counts[status] += 1
        out.append(StatusCount(org, year, counts["full"], counts["associate"], counts["observer"], counts["unknown"]))
    return out


def panel(ledger: Ledger, *, start: int | None = None, end: int | None = None, known_at: Any = None) -> tuple[list[str], list[dict[str, Any]]]:
    """The state-year panel: one row per state and year with a recorded
    status, one column per organization holding its COW code at the end of
    the year (1 full, 2 associate, 3 observer, 0 none, -9 unknown, -1 does
    not exist; empty: nothing recorded). Returns (organizations, rows)."""
    statuses = _statuses(_world(ledger, known_at))
    orgs = sorted(statuses.keys())
    first = min((int(str(h[0][0])[:4]) for by in statuses.values() for h in by.values()), default=0)
    last = max((int(str(h[-1][0]).split("/")[-1][:4]) for by in statuses.values() for h in by.values()), default=-1)
    y0 = start if start is not None else first
    y1 = end if end is not None else last
    ends = {year: _year_end(year) for year in range(y0, y1 + 1)}
    cells: dict[tuple[str, int], dict[str, int]] = {}
    for org in orgs:
        for member, history in statuses[org].items():
            for year, day in ends.items():
                status = _certain_status(history, day)
                if status is not None:
                    cells.setdefault((member, year), {})[org] = PANEL_CODES[status]
    rows = []
    for (member, year) in sorted(cells):
        values = cells[(member, year)]
        if all(v == -1 for v in values.values()):
            continue
        rows.append({"state": member, "year": year, **values})
    return orgs, rows


def as_of_text(day: int) -> str:
    return day_to_iso(day)
