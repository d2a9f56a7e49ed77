"""What the rule checks of every family share: how a violation is named, and
the common preconditions (an entity exists, a body is established, a member
belongs).

A check is ``(world, event) -> None`` and raises
:class:`~unledger.errors.RuleViolation`. The world is the fold of every
event before this one in ledger order (earliest day, then seq), so a check
sees the record exactly as it stood on the event's date.

With partial dates a rule refuses only what is *certainly* wrong: a state
admitted "in 1992" may or may not be a member on 2 March 1992, so a second
admission dated that day is not refused, and an election on that day is not
refused for want of membership either.

The world is open about states: a state the record never saw begin or end
is taken to exist. It is closed about organizations: a state is admitted
only to an organization whose establishment is recorded by the admission's
date (a founding member's admission, ``original``, may come first: founders
ratify before the organization exists).
"""

from __future__ import annotations

from typing import Any

from ..errors import RuleViolation
from ..events.base import Event
from ..world import World


def violation(e: Event, field: str, rule: str, reason: str) -> RuleViolation:
    return RuleViolation(reason, event=e.label(), field=field, rule=rule)


def day_of(e: Event) -> int:
    return e.date.earliest_day


def must_exist(world: World, e: Event, code: str, field: str) -> None:
    if world.exists_status(code, day_of(e)) is None:
        raise violation(e, field, "state-exists", f"{code} no longer exists (or does not exist yet) on {e.date}")


def must_be_known_body(world: World, e: Event, body: str, field: str = "body") -> Any:
    info = world.bodies.get(body)
    if info is None:
        raise violation(e, field, "body-established", f"{body} is not established; record its establishment first")
    if info.established.earliest_day > day_of(e):
        raise violation(e, field, "body-established", f"{body} is established only on {info.established}")
    return info


def must_be_member(world: World, e: Any, rule: str) -> None:
    _, status = world.membership(e.org, e.member, day_of(e))
    if status is None:
        raise violation(e, "member", rule, f"{e.member} is not a member of {e.org} on {e.date}")
