"""Domain rules: what an event needs to be true of the world before it.

A check is ``(world, event) -> None`` and raises
:class:`~unledger.errors.RuleViolation`. The world is the fold of every
event before this one in ledger order (earliest day, then seq), so a check
sees the record exactly as it stood on the event's date.

With partial dates a rule refuses only what is *certainly* wrong: a state
admitted "in 1992" may or may not be a member on 2 March 1992, so a second
admission dated that day is not refused, and an election on that day is not
refused for want of membership either.

The world is open: a state the record never saw begin or end is taken to
exist, and an organization known only by its members is an organization.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .dates import PartialDate, day_to_iso
from .errors import RuleViolation
from .events.base import Event
from .events.instruments import BINDING_ACTS, LEAVING_ACTS, NEEDS_SIGNATURE
from .state import EMPTY, World

__all__ = ["Check", "CHECKS", "register_check", "check", "check_seat_limits", "seat_limit_violation"]

Check = Callable[[World, Any], None]


def _violation(e: Event, field: str, rule: str, reason: str) -> RuleViolation:
    return RuleViolation(reason, event=e.label(), field=field, rule=rule)


def _day(e: Event) -> int:
    return e.date.earliest_day


def _must_exist(world: World, e: Event, code: str, field: str) -> None:
    if world.exists_status(code, _day(e)) is None:
        raise _violation(e, field, "state-exists", f"{code} no longer exists (or does not exist yet) on {e.date}")


def _must_be_known_body(world: World, e: Event, body: str, field: str = "body") -> Any:
    info = world.bodies.get(body)
    if info is None:
        raise _violation(e, field, "body-established", f"{body} is not established; record its establishment first")
    if info.established.earliest_day > _day(e):
        raise _violation(e, field, "body-established", f"{body} is established only on {info.established}")
    return info


# -- membership ---------------------------------------------------------------


def check_admission(world: World, e: Any) -> None:
    _must_exist(world, e, e.member, "member")
    org = world.bodies.get(e.org)
    if org is not None and org.established.latest_day > _day(e) and not e.original:
        raise _violation(e, "org", "org-exists", f"{e.org} is established only on {org.established}")
    spell, status = world.membership(e.org, e.member, _day(e))
    if status is True:
        raise _violation(
            e, "member", "no-readmission", f"{e.member} is already a member of {e.org} (since {spell.since if spell else '?'})"
        )


def _must_be_member(world: World, e: Any, rule: str) -> None:
    _, status = world.membership(e.org, e.member, _day(e))
    if status is None:
        raise _violation(e, "member", rule, f"{e.member} is not a member of {e.org} on {e.date}")


def check_withdrawal(world: World, e: Any) -> None:
    _must_be_member(world, e, "withdraw-member")


def check_cessation(world: World, e: Any) -> None:
    _must_be_member(world, e, "cease-member")


def check_return(world: World, e: Any) -> None:
    _must_exist(world, e, e.member, "member")
    spells = world.members.get(e.org, EMPTY).get(e.member, ())
    if not spells or spells[-1].end is None:
        if spells and world.membership(e.org, e.member, _day(e))[1] is not None:
            raise _violation(e, "member", "return-after-leaving", f"{e.member} is still a member of {e.org}")
        raise _violation(e, "member", "return-after-leaving", f"{e.member} never left {e.org}: use an admission")


# -- bodies -----------------------------------------------------------------------


def check_establishment(world: World, e: Any) -> None:
    if e.entity in world.bodies:
        raise _violation(e, "entity", "establish-once", f"{e.entity} is already established ({world.bodies[e.entity].established})")
    if e.org is not None:
        parent = world.bodies.get(e.org)
        if parent is None and e.org not in world.members:
            raise _violation(e, "org", "body-of-known-org", f"{e.org} is not established; record it first")
    # Only the establishment sees admissions dated before it (they fold
    # first); founding members may deposit before the organization exists.
    for member, spells in world.members.get(e.entity, EMPTY).items():
        for spell in spells:
            if spell.how != "original" and spell.start is not None and spell.start.latest_day < e.date.earliest_day:
                raise _violation(
                    e, "entity", "org-exists", f"{member} was admitted to {e.entity} on {spell.start}, before it was established"
                )


def check_enlargement(world: World, e: Any) -> None:
    _must_be_known_body(world, e, e.body)


def _overlaps(a_start: PartialDate, a_end_day: int, b_start: PartialDate, b_end_day: int) -> bool:
    return a_start.latest_day <= b_end_day and b_start.latest_day <= a_end_day


def check_election(world: World, e: Any) -> None:
    info = _must_be_known_body(world, e, e.body)
    day = _day(e)
    _must_exist(world, e, e.member, "member")
    if info.org is not None and world.membership(info.org, e.member, day)[1] is None:
        raise _violation(
            e, "member", "elected-member-belongs", f"{e.member} is not a member of {info.org} on {e.date}, so cannot sit on {e.body}"
        )
    for seat in info.permanent:
        if seat.member == e.member and seat.holds(e.term_start.earliest_day) is not None:
            raise _violation(e, "member", "permanent-not-elected", f"{e.member} is a permanent member of {e.body}")
    new_end = e.term_end.earliest_day
    for term in world.terms.get(e.body, EMPTY).get(e.member, ()):
        if _overlaps(e.term_start, new_end, term.start, min(term.end.earliest_day, term.last_day())):
            raise _violation(
                e, "term_start", "no-overlapping-terms", f"{e.member} already has a term on {e.body} from {term.start} to {term.end}"
            )


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


def check_seat_limits(world: World, changed: list[Event]) -> None:
    """Final check of a change: no body it touches is ever over its seats."""
    bodies = {getattr(e, "body", None) for e in changed if e.kind in ("election", "enlargement")}
    changed_ids = {e.id for e in changed}
    for body in sorted(b for b in bodies if b is not None):
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


def check_representation(world: World, e: Any) -> None:
    _must_be_member(world, e, "represent-member")


# -- states -------------------------------------------------------------------------


def check_statehood(world: World, e: Any) -> None:
    spells = world.existence.get(e.state)
    if spells and spells[-1].holds(_day(e)) is True:
        raise _violation(e, "state", "statehood-once", f"{e.state} already exists")


def check_merger(world: World, e: Any) -> None:
    for member in e.members:
        _must_exist(world, e, member, "members")


def check_separation(world: World, e: Any) -> None:
    spells = world.existence.get(e.member, ())
    if not spells or spells[-1].end_how != "merger" or spells[-1].end_to != e.separated_from:
        raise _violation(
            e, "member", "separate-after-merger", f"{e.member} did not merge into {e.separated_from}, so it cannot separate from it"
        )
    _must_exist(world, e, e.separated_from, "separated_from")


def check_dissolution(world: World, e: Any) -> None:
    _must_exist(world, e, e.state, "state")


def check_continuation(world: World, e: Any) -> None:
    _must_exist(world, e, e.predecessor, "predecessor")
    day = _day(e)
    for org in world.members.keys():
        if world.membership(org, e.predecessor, day)[1] is not None and world.membership(org, e.successor, day)[1] is True:
            raise _violation(
                e, "successor", "continue-once", f"{e.successor} is already a member of {org}; it cannot also continue {e.predecessor}'s membership"
            )


# -- instruments ----------------------------------------------------------------------


def _instrument(world: World, e: Any) -> Any:
    info = world.instruments.get(e.instrument)
    if info is None:
        raise _violation(e, "instrument", "instrument-open", f"{e.instrument} has not been opened; record its opening first")
    if info.terminated is not None and info.terminated.latest_day <= _day(e):
        raise _violation(e, "instrument", "instrument-open", f"{e.instrument} was terminated on {info.terminated}")
    return info


def check_opening(world: World, e: Any) -> None:
    if e.instrument in world.instruments:
        raise _violation(e, "instrument", "open-once", f"{e.instrument} is already opened ({world.instruments[e.instrument].opened})")


def check_signing(world: World, e: Any) -> None:
    info = _instrument(world, e)
    _must_exist(world, e, e.party, "party")
    acts = world.acts.get(e.instrument, EMPTY).get(e.party, ())
    signed = any(a.act == "signature" for a in acts)
    bound = False
    for a in acts:
        if a.act in BINDING_ACTS:
            bound = True
        elif a.act in LEAVING_ACTS:
            bound = False
    if e.act == "signature":
        if not info.open_for_signature:
            raise _violation(
                e, "act", "open-for-signature", f"{e.instrument} is not signed by states; they bind themselves by ratification alone"
            )
        if signed:
            raise _violation(e, "act", "sign-once", f"{e.party} has already signed {e.instrument}")
        if info.closes is not None and info.closes.latest_day < _day(e):
            raise _violation(e, "date", "open-for-signature", f"{e.instrument} closed for signature on {info.closes}")
    elif e.act in NEEDS_SIGNATURE and not signed and info.open_for_signature:
        raise _violation(
            e, "act", "signature-before-ratification", f"{e.party} has not signed {e.instrument}; a {e.act} needs an earlier signature (or use accession)"
        )
    if e.act in BINDING_ACTS and bound:
        raise _violation(e, "act", "consent-once", f"{e.party} is already bound by {e.instrument}")
    if e.act in LEAVING_ACTS and not bound:
        raise _violation(e, "act", "leave-when-bound", f"{e.party} is not bound by {e.instrument}, so cannot {e.act[:-3] if e.act.endswith('ion') else e.act} it")


def check_entry_into_force(world: World, e: Any) -> None:
    info = _instrument(world, e)
    if info.rule.rule != "event":
        raise _violation(
            e, "instrument", "derived-entry-into-force", f"{e.instrument} enters into force by its rule ({info.rule.rule}); its date is derived, not recorded"
        )
    if info.in_force is not None:
        raise _violation(e, "instrument", "in-force-once", f"{e.instrument} already entered into force on {info.in_force}")


def check_termination(world: World, e: Any) -> None:
    _instrument(world, e)


# -- resolutions -------------------------------------------------------------------------


def check_adoption(world: World, e: Any) -> None:
    existing = world.resolutions.get(e.body, EMPTY).get(e.symbol)
    if existing is not None:
        raise _violation(e, "symbol", "symbol-unique", f"{e.body} already adopted {e.symbol} on {existing.date}")


CHECKS: dict[str, Check] = {
    "admission": check_admission,
    "withdrawal": check_withdrawal,
    "cessation": check_cessation,
    "return": check_return,
    "establishment": check_establishment,
    "enlargement": check_enlargement,
    "election": check_election,
    "representation": check_representation,
    "statehood": check_statehood,
    "renaming": lambda world, e: None,
    "merger": check_merger,
    "separation": check_separation,
    "dissolution": check_dissolution,
    "continuation": check_continuation,
    "opening": check_opening,
    "signing": check_signing,
    "entry_into_force": check_entry_into_force,
    "termination": check_termination,
    "adoption": check_adoption,
}


def register_check(kind: str, check_fn: Check) -> None:
    CHECKS[kind] = check_fn


def check(world: World, event: Event) -> None:
    fn = CHECKS.get(event.kind)
    if fn is not None:
        fn(world, event)
