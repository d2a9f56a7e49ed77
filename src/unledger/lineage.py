"""One member, one history: the codes a state has had, linked by continuations.

A state that continues another (the Russian Federation the USSR, Serbia
Serbia and Montenegro) is the same member under a new code. A question that
names any code of the line finds the member under the code it had on the day
asked (``SRB`` in 2003 finds Serbia and Montenegro, ``SCG``). Mergers,
separations and dissolutions are not continuations: the states they end are
other members, with histories of their own.

A link is ``(predecessor, successor, first day of the successor)``; the
links come from the whole record (a question about 2003 must know of the
continuation of 2006), read off a world's ``existence`` map by
:func:`links_of`. This module sits below :mod:`unledger.state`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["Link", "links_of", "lineage", "code_on"]

Link = tuple[str, str, int]


def links_of(existence: Mapping[str, Any]) -> tuple[Link, ...]:
    """Every continuation recorded in an ``existence`` map (code -> spells)."""
    return tuple(
        sorted(
            (code, spell.end_to, spell.end.earliest_day)
            for code, spells in existence.items()
            for spell in spells
            if spell.end_how == "continuation" and spell.end_to is not None and spell.end is not None
        )
    )


def lineage(links: Sequence[Link], code: str) -> tuple[str, ...]:
    """Every code of ``code``'s line, oldest first (``("SCG", "SRB")`` for
    ``SRB``); just ``(code,)`` when no continuation links it."""
    if not links:
        return (code,)
    before = {new: old for old, new, _ in links}
    after = {old: new for old, new, _ in links}
    first = code
    seen = {code}
    while first in before and before[first] not in seen:
        first = before[first]
        seen.add(first)
    line = [first]
    while line[-1] in after and after[line[-1]] not in line:
        line.append(after[line[-1]])
    return tuple(line)


def code_on(links: Sequence[Link], code: str, day: int) -> str:
    """The code of ``code``'s line in use on ``day``: the latest code whose
    continuation began by then (the line's first code before any)."""
    line = lineage(links, code)
    if len(line) == 1:
        return code
    starts = {new: first_day for _, new, first_day in links}
    current = line[0]
    for other in line[1:]:
        if starts[other] <= day:
            current = other
    return current
