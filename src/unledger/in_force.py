"""When an instrument enters into force, derived from its rule.

An instrument's :class:`~unledger.events.instruments.EntryRule` says what
brings it into force (a number of deposits, named parties and a majority, the
first signature, or a recorded event); :func:`entry_into_force` reads that
day off the acts a :class:`~unledger.world.World` holds. Pure functions,
called by :meth:`unledger.State.instrument` and :meth:`unledger.State.parties`.
"""

from __future__ import annotations

from typing import Any

from .dates import PartialDate
from .world import EMPTY, InstrumentInfo, World, first_deposits

__all__ = ["entry_into_force", "status_on"]


def entry_into_force(world: World, info: InstrumentInfo) -> PartialDate | None:
    """The day ``info``'s instrument enters into force under its rule, as
    far as the acts in ``world`` settle it; ``None`` if they do not yet."""
    rule = info.rule
    acts = world.acts.get(info.code, EMPTY)
    if rule.rule == "event":
        return info.in_force
    if rule.rule == "on_signature":
        firsts = [a.date for party_acts in acts.values() for a in party_acts if a.act == "signature"]
        return min(firsts, key=lambda d: d.earliest_day) if firsts else None
    deposits = first_deposits(acts)
    if rule.rule == "deposits":
        assert rule.count is not None
        if len(deposits) < rule.count:
            return None
        k = rule.count - 1
        kth_lo = sorted(d.earliest_day for d in deposits.values())[k]
        kth_hi = sorted(d.latest_day for d in deposits.values())[k]
        return PartialDate.span(kth_lo + (rule.days or 0), kth_hi + (rule.days or 0))
    # named_and_majority
    signatures = {p: a.date for p, party_acts in acts.items() for a in party_acts if a.act == "signature"}
    lo = _named_majority_day(rule.named, deposits, signatures, lambda d: d.earliest_day)
    hi = _named_majority_day(rule.named, deposits, signatures, lambda d: d.latest_day)
    if lo is None or hi is None:
        return None
    return PartialDate.span(lo, max(lo, hi))


def status_on(info: InstrumentInfo, in_force: PartialDate | None, day: int) -> tuple[str, bool]:
    """The instrument's status on ``day`` ("terminated", "in force", "not
    yet in force" once it has closed, else "open"), and whether it is
    certain; ``in_force`` is its :func:`entry_into_force`."""
    if info.terminated is not None and info.terminated.earliest_day <= day:
        return "terminated", info.terminated.latest_day <= day
    if in_force is not None and in_force.earliest_day <= day:
        return "in force", in_force.latest_day <= day
    if info.closes is not None and info.closes.latest_day < day:
        return "not yet in force", True
    return "open", True


def _named_majority_day(named: tuple[str, ...], deposits: dict[str, PartialDate], signatures: dict[str, PartialDate], day_of: Any) -> int | None:
    if any(n not in deposits for n in named):
        return None
    named_set = set(named)
    for candidate in sorted({day_of(d) for d in deposits.values()}):
        if any(day_of(deposits[n]) > candidate for n in named):
            continue
        others_signed = sum(1 for p, d in signatures.items() if p not in named_set and day_of(d) <= candidate)
        others_deposited = sum(1 for p, d in deposits.items() if p not in named_set and day_of(d) <= candidate)
        if others_deposited * 2 > others_signed:
            return candidate
    return None
