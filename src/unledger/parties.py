"""Parties follow states: who is bound by an instrument on a day.

A party's own acts (signature, consent, leaving) say when it consents; what
happens to states says whether that still binds (docs/concepts.md, "Parties
follow states"):

- a state that no longer exists is bound by nothing;
- a continuing state carries on its predecessor's participation, with its
  dates (``how="continuation"``);
- a merged state passes its participation to the union, from the merger, for
  the instruments the union had no acts on (``how="merger"``); a separated
  state's own acts apply again once it exists again;
- an instrument that constitutes an organization (``Opening.constitutes``)
  binds exactly the organization's members, each from its admission
  (``how="membership"``), and no longer once it has left.

Pure functions of a :class:`~unledger.world.World` and a day, called by
:meth:`unledger.State.parties`.
"""

from __future__ import annotations

import attrs

from .answers import Party
from .dates import PartialDate, earlier_of, later_of
from .world import EMPTY, Act, InstrumentInfo, World, standing

__all__ = ["parties_on"]


def parties_on(
    world: World, day: int, info: InstrumentInfo, eif: PartialDate | None, *, include_pending: bool, has_binding_acts: bool
) -> tuple[Party, ...]:
    """Every party's standing towards ``info`` on ``day`` (``eif``: the day it
    entered into force, if it has); only the bound ones unless
    ``include_pending``."""
    acts_of, carried = _acts_with_successors(world, info.code, day)
    org = info.constitutes
    members = world.members.get(org, EMPTY) if org is not None else EMPTY
    out = []
    for party in sorted(set(acts_of) | set(members.keys())):
        own = _own(info, eif, day, party, acts_of.get(party, ()), carried.get(party), has_binding_acts)
        if org is not None:
            found = _as_member(world, day, own, org, eif)
        else:
            found = _while_it_exists(world, day, own) if own.bound else own
        if found is not None and (found.bound or include_pending):
            out.append(found)
    return tuple(out)


def _own(
    info: InstrumentInfo,
    eif: PartialDate | None,
    day: int,
    party: str,
    acts: tuple[Act, ...],
    carried: tuple[str, PartialDate] | None,
    has_binding_acts: bool,
) -> Party:
    """``party``'s standing from its own acts (or those it carries on)."""
    signature = next((act for act in acts if act.act == "signature"), None)
    signed = signature.date if signature is not None else None
    consent, leaving = standing(acts)
    consented = consent.date if consent is not None else None
    act_name = consent.act if consent is not None else None
    via = consent.via if consent is not None else signature.via if signature is not None else None
    left = leaving.date if leaving is not None else None
    bound_from = None
    if info.rule.rule == "on_signature":
        if signed is not None or consented is not None:
            bound_from = signed if consented is None else earlier_of(signed, consented)
            act_name = act_name or "signature"
    elif consented is not None:
        own = consented.shift_days(info.rule.days or 0) if info.rule.rule == "deposits" else consented
        bound_from = None if eif is None else later_of(eif, own)
    elif info.rule.rule == "event" and eif is not None and signed is not None and not has_binding_acts:
        bound_from, act_name = later_of(eif, signed), "signature"
    how = None
    if carried is not None:
        how, handed_over = carried
        if how == "merger" and bound_from is not None:
            bound_from = later_of(bound_from, handed_over)
    bound = certain = False
    if bound_from is not None and bound_from.earliest_day <= day:
        bound, certain = True, bound_from.latest_day <= day
        if left is not None and left.earliest_day <= day:
            bound, certain = left.latest_day > day, False
    if info.terminated is not None and info.terminated.latest_day <= day:
        bound = False
    return Party(info.code, party, signed, consented, act_name, bound_from, bound, certain, left=left, id=via, how=how)


def _while_it_exists(world: World, day: int, party: Party) -> Party:
    """A party is bound only while it exists."""
    status = world.exists_status(party.party, day)
    if status is None:
        return attrs.evolve(party, bound=False, certain=False, left=party.left or _existence_end(world, party.party, day))
    if status is False:
        return attrs.evolve(party, certain=False)
    return party


def _as_member(world: World, day: int, party: Party, org: str, eif: PartialDate | None) -> Party | None:
    """For an instrument constituting ``org``: bound exactly while a member."""
    spells = world.members.get(org, EMPTY).get(party.party, ())
    spell, status = world.membership(org, party.party, day)
    if spell is None or status is None:
        if party.signed is None and party.consented is None and (not spells or spells[0].start is None or spells[0].start.earliest_day > day):
            return None  # never a member by this day, no act of its own
        ended = spells[-1].end if spells and spells[-1].end is not None and spells[-1].end.earliest_day <= day else None
        if party.consented is None and spells:
            party = attrs.evolve(party, act="admission", consented=spells[0].start, how=party.how or "membership", id=spells[0].via)
        return attrs.evolve(party, bound=False, certain=False, left=ended or party.left)
    continued = spell.how == "continuation"
    start = spell.since if continued else spell.start
    bound_from = start if eif is None or start is None else later_of(eif, start)
    certain = bool(status) and (bound_from is None or bound_from.latest_day <= day)
    act, consented, how = party.act, party.consented, party.how
    if consented is None:
        # Consent is the first admission (Indonesia's of 1950, not its return of 1966).
        act, consented, how = "admission", start if continued else spells[0].start, "continuation" if continued else "membership"
    return attrs.evolve(party, act=act, consented=consented, bound_from=bound_from, bound=True, certain=certain, left=None, how=how,
                        id=party.id or spell.via)


def _acts_with_successors(world: World, code: str, day: int) -> tuple[dict[str, tuple[Act, ...]], dict[str, tuple[str, PartialDate]]]:
    """Each party's acts on instrument ``code``, with the acts a continuing or
    merged state carries on from its predecessors by ``day`` (for an
    instrument it has no acts of its own on); and how each such party got them."""
    acts_of: dict[str, tuple[Act, ...]] = dict(world.acts.get(code, EMPTY).items())
    carried: dict[str, tuple[str, PartialDate]] = {}
    handovers = sorted(
        (spell.end.earliest_day, old, spell.end_to, spell.end_how, spell.end)
        for old, spells in world.existence.items()
        for spell in spells
        if spell.end is not None and spell.end_how in ("continuation", "merger") and spell.end_to is not None and spell.end.earliest_day <= day
    )
    for _, old, new, how, end in handovers:
        if old in acts_of and new not in acts_of:
            acts_of[new] = acts_of[old]
            carried[new] = (how, end) if old not in carried or how == "merger" else carried[old]
    return acts_of, carried


def _existence_end(world: World, code: str, day: int) -> PartialDate | None:
    """The day ``code`` last stopped existing, by ``day``."""
    ends = [s.end for s in world.existence.get(code, ()) if s.end is not None and s.end.earliest_day <= day]
    return ends[-1] if ends else None
