"""Codes and names: list the entities a record knows, and find a code by name.

Every command and query takes codes (``KAZ``, ``UN``, ``UNSC``,
``UN-CHARTER``). :func:`resolve` turns what a person types into the code:
the code itself, the code in any case (``kaz``), or a name the record gives
the entity, now or formerly (``Kazakhstan``, ``zaire``), in any case. A name
several entities bear is refused with :class:`~unledger.errors.AmbiguousName`
listing them.
"""

from __future__ import annotations

import difflib
from typing import Final

import attrs

from .errors import AmbiguousName, UnknownEntity
from .state import State

__all__ = ["EntityInfo", "find_entities", "resolve", "KINDS"]

#: What an entity can be, in the order listings group them.
KINDS: Final = ("organization", "body", "instrument", "state")


@attrs.frozen
class EntityInfo:
    """A code the record knows: ``kind`` is organization, body, instrument
    or state; ``name`` its name on the day asked (``None`` if the record
    names it nowhere); ``names`` every name the record gives it, in date
    order (former names first)."""

    code: str
    kind: str
    name: str | None
    names: tuple[str, ...] = ()


def _kinds(state: State) -> dict[str, str]:
    world = state.world
    kinds: dict[str, str] = {}
    for code in world.names.keys():
        kinds[code] = "state"
    for members in world.members.values():
        for code in members.keys():
            kinds.setdefault(code, "state")
    for by_member in world.terms.values():
        for code in by_member.keys():
            kinds.setdefault(code, "state")
    for code in world.existence.keys():
        kinds.setdefault(code, "state")
    for code in world.instruments.keys():
        kinds[code] = "instrument"
    for code, info in world.bodies.items():
        kinds[code] = "body" if info.org is not None else "organization"
    for code in world.members.keys():
        if kinds.get(code) != "body":
            kinds[code] = "organization"
    return kinds


def _names(state: State, code: str) -> tuple[str, ...]:
    names = [name for _, name in state.world.names.get(code, ())]
    info = state.world.instruments.get(code)
    if info is not None and info.title not in names:
        names.append(info.title)
    return tuple(dict.fromkeys(names))


def find_entities(state: State, search: str | None = None) -> tuple[EntityInfo, ...]:
    """Every entity ``state``'s world knows, by kind then code; ``search``
    keeps those whose code or any name contains it (any case)."""
    needle = None if search is None else _fold(search)
    out = []
    for code, kind in _kinds(state).items():
        names = _names(state, code)
        if needle is not None and needle not in _fold(code) and not any(needle in _fold(n) for n in names):
            continue
        name = state.name(code)
        if name is None and kind == "instrument":
            name = state.world.instruments[code].title
        out.append(EntityInfo(code, kind, name, names))
    out.sort(key=lambda e: (KINDS.index(e.kind), e.code))
    return tuple(out)


def resolve(state: State, text: str) -> str:
    """The code ``text`` stands for in ``state``'s world (ask a state late
    enough to know every name, e.g. ``ledger.state(END_OF_TIME)``, see
    :data:`unledger.dates.END_OF_TIME`): the code
    itself, the code in another case, or a name, current (the last the record
    gives) before former, in any case.

    Raises :class:`~unledger.errors.AmbiguousName` when a name is borne by
    several entities, and :class:`~unledger.errors.UnknownEntity` (with the
    closest codes and names) when nothing matches.
    """
    kinds = _kinds(state)
    if text in kinds:
        return text
    if text.upper() in kinds:
        return text.upper()
    wanted = _fold(text)
    current: dict[str, str] = {}
    former: dict[str, str] = {}
    for code in kinds:
        names = _names(state, code)
        if names and _fold(names[-1]) == wanted:
            current[code] = names[-1]
        elif any(_fold(n) == wanted for n in names):
            former[code] = next(n for n in names if _fold(n) == wanted)
    for found in (current, former):
        if len(found) == 1:
            return next(iter(found))
        if len(found) > 1:
            raise AmbiguousName(text, tuple((code, _label(state, code)) for code in sorted(found)))
    labels = {code: code for code in kinds} | {_fold(n): code for code in kinds for n in _names(state, code)}
    close = difflib.get_close_matches(wanted if wanted in labels else text, list(labels), n=3, cutoff=0.6)
    error = UnknownEntity("entity", text)
    if close:
        hint = ", ".join(dict.fromkeys(f"{labels[c]} ({_label(state, labels[c])})" for c in close))
        error.args = (f"{error}; did you mean {hint}?",)
    raise error


def _label(state: State, code: str) -> str:
    names = _names(state, code)
    return " / ".join(names) if names else code


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())
