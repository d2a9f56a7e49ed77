"""Domain rules: what an event needs to be true of the world before it.

Each kind's check is declared in its :class:`~unledger.kinds.KindSpec`, next
to its reducer (:mod:`unledger.kinds`, whose helpers say how a check sees the
world); :data:`CHECKS` is the view by kind name. This module holds what spans
kinds: :func:`check`, and the seat limits, checked on the fold of the whole
record after a change.
"""

from __future__ import annotations

from typing import Any

from .dates import day_to_iso
from .errors import RuleViolation
from .events.base import Event
from .kinds import CHECKS, SEAT_KINDS, Check
from .world import EMPTY, World

__all__ = ["Check", "CHECKS", "check", "check_seat_limits", "seat_bodies", "seat_limit_violation"]


def seat_limit_violation(world: World, body: str) -> tuple[int, int, list[Any]] | None:
    """The first day on which ``body`` seats more elected members than it has
    elected seats, as ``(day, seats, terms seated that day)``; else ``None``.

    Checked on the fold of the *whole* record, not on the world at the
    election's date: seats are often filled before they exist (the Security
    Council's four new seats of 1 January 1966 were filled in December 1965).
    A term counts on a day only if it had been elected by then, and only when
    it certainly runs that day (partial dates are given the benefit of the doubt).
    """
    info = world.bodies.get(body)
    if info is None or not info.seats:
        return None
    spans = []
    for terms in world.terms.get(body, EMPTY).values():
        for term in terms:
            start = max(term.start.latest_day, term.elected.latest_day)
            end = min(term.end.earliest_day, term.last_day())
            if start <= end:
                spans.append((start, end, term))
    candidates = sorted({start for start, _, _ in spans} | {d.earliest_day for d, _ in info.seats})
    for day in candidates:
        seats = info.elected_seats(day)
        if seats is None:
            continue
        seated = [term for start, end, term in spans if start <= day <= end]
        if len(seated) > seats:
            return day, seats, seated
    return None


def seat_bodies(changed: list[Event]) -> set[str]:
    """The bodies whose seat limits a change of ``changed`` must be checked for."""
    return {e.body for e in changed if e.kind in SEAT_KINDS and getattr(e, "body", None) is not None}  # type: ignore[attr-defined]


def check_seat_limits(world: World, changed: list[Event]) -> None:
    """Final check of a change: no body it touches is ever over its seats."""
    bodies = seat_bodies(changed)
    if not bodies:
        return
    changed_ids = {e.id for e in changed}
    for body in sorted(bodies):
        found = seat_limit_violation(world, body)
        if found is None:
            continue
        day, seats, seated = found
        blamed = next((t.via for t in seated if t.via in changed_ids), None)
        if blamed is None:
            blamed = next((e.id for e in changed if getattr(e, "body", None) == body), None)
        members = ", ".join(sorted(str(t.via) for t in seated))
        raise RuleViolation(
            f"{body} has {seats} elected seats on {day_to_iso(day)}, but {len(seated)} elected members would sit then ({members})",
            event=blamed,
            field="term_start",
            rule="elected-seats",
        )


def check(world: World, event: Event) -> None:
    fn = CHECKS.get(event.kind)
    if fn is not None:
        fn(world, event)
