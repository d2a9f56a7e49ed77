"""Instruments: opening, acts (signing, ratification, ...), explicit entry into
force, termination. Status and parties are derived at query time (see
:meth:`unledger.State.instrument`), never stored.

Each kind's reducer, rule check and footprint, and its :class:`KindSpec`.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..events.instruments import BINDING_ACTS, LEAVING_ACTS, NEEDS_SIGNATURE, EntryIntoForce, Opening, Signing, Termination
from ..world import EMPTY, InstrumentInfo, World, new_act, standing, with_acts
from ._checks import day_of, must_exist, violation
from ._maps import append_in
from .spec import Footprint, KindSpec


def opening(world: World, e: Opening) -> World:
    info = InstrumentInfo(
        code=e.instrument,
        title=e.title,
        form=e.form,
        opened=e.date,
        rule=e.entry_into_force,
        closes=e.closes,
        via=e.id,
        open_for_signature=e.open_for_signature,
        constitutes=e.constitutes,
    )
    names = world.names.set(e.instrument, ((e.date, e.title),))
    return world.replace(instruments=world.instruments.set(e.instrument, info), names=names)


def signing(world: World, e: Signing) -> World:
    return with_acts(world, append_in(world.acts, e.instrument, e.party, new_act(e.act, e.date, e.id)))


def entry_into_force(world: World, e: EntryIntoForce) -> World:
    info = world.instruments[e.instrument]
    return world.replace(instruments=world.instruments.set(e.instrument, attrs.evolve(info, in_force=e.date)))


def termination(world: World, e: Termination) -> World:
    info = world.instruments[e.instrument]
    return world.replace(instruments=world.instruments.set(e.instrument, attrs.evolve(info, terminated=e.date)))


# -- checks ----------------------------------------------------------------------


def _instrument(world: World, e: Any) -> Any:
    info = world.instruments.get(e.instrument)
    if info is None:
        raise violation(e, "instrument", "instrument-open", f"{e.instrument} has not been opened; record its opening first")
    if info.terminated is not None and info.terminated.latest_day <= day_of(e):
        raise violation(e, "instrument", "instrument-open", f"{e.instrument} was terminated on {info.terminated}")
    return info


def check_opening(world: World, e: Any) -> None:
    if e.instrument in world.instruments:
        raise violation(e, "instrument", "open-once", f"{e.instrument} is already opened ({world.instruments[e.instrument].opened})")


def check_signing(world: World, e: Any) -> None:
    info = _instrument(world, e)
    must_exist(world, e, e.party, "party")
    acts = world.acts.get(e.instrument, EMPTY).get(e.party, ())
    signed = any(a.act == "signature" for a in acts)
    consent, left = standing(acts)
    bound = consent is not None and left is None
    if e.act == "signature":
        if not info.open_for_signature:
            raise violation(
                e, "act", "open-for-signature", f"{e.instrument} is not signed by states; they bind themselves by ratification alone"
            )
        if signed:
            raise violation(e, "act", "sign-once", f"{e.party} has already signed {e.instrument}")
        if info.closes is not None and info.closes.latest_day < day_of(e):
            raise violation(e, "date", "open-for-signature", f"{e.instrument} closed for signature on {info.closes}")
    elif e.act in NEEDS_SIGNATURE and not signed and info.open_for_signature:
        raise violation(
            e, "act", "signature-before-ratification", f"{e.party} has not signed {e.instrument}; a {e.act} needs an earlier signature (or use accession)"
        )
    if e.act in BINDING_ACTS and bound:
        raise violation(e, "act", "consent-once", f"{e.party} is already bound by {e.instrument}")
    if e.act in LEAVING_ACTS and not bound:
        raise violation(e, "act", "leave-when-bound", f"{e.party} is not bound by {e.instrument}, so cannot {e.act[:-3] if e.act.endswith('ion') else e.act} it")


def check_entry_into_force(world: World, e: Any) -> None:
    info = _instrument(world, e)
    if info.rule.rule != "event":
        raise violation(
            e, "instrument", "derived-entry-into-force", f"{e.instrument} enters into force by its rule ({info.rule.rule}); its date is derived, not recorded"
        )
    if info.in_force is not None:
        raise violation(e, "instrument", "in-force-once", f"{e.instrument} already entered into force on {info.in_force}")


def check_termination(world: World, e: Any) -> None:
    _instrument(world, e)


# -- footprints ------------------------------------------------------------------


def footprint_opening(e: Any) -> Footprint:
    inst = ("inst", e.instrument)
    return (inst,), (inst, ("names", e.instrument))


def footprint_signing(e: Any) -> Footprint:
    acts = ("acts", e.instrument, e.party)
    return (("inst", e.instrument), ("exist", e.party), acts), (acts,)


def footprint_instrument_only(e: Any) -> Footprint:
    inst = ("inst", e.instrument)
    return (inst,), (inst,)


SPECS = (
    KindSpec(event=Opening, reducer=opening, check=check_opening, footprint=footprint_opening, maps=frozenset({"instruments", "names"})),
    KindSpec(event=Signing, reducer=signing, check=check_signing, footprint=footprint_signing, maps=frozenset({"acts"})),
    KindSpec(event=EntryIntoForce, reducer=entry_into_force, check=check_entry_into_force, footprint=footprint_instrument_only, maps=frozenset({"instruments"})),
    KindSpec(event=Termination, reducer=termination, check=check_termination, footprint=footprint_instrument_only, maps=frozenset({"instruments"})),
)
