"""Kinds about states themselves: coming to exist, names, mergers,
separations, dissolutions and continuations."""

from __future__ import annotations

import attrs

from ..errors import InvalidEvent
from .base import Event, code_field, codes_field, optional_text_field, text_field
from .registry import kind

__all__ = ["Statehood", "Renaming", "Merger", "Separation", "Dissolution", "Continuation"]


@kind("statehood")
@attrs.frozen(kw_only=True)
class Statehood(Event):
    """``state`` begins to exist on ``date``, named ``name``."""

    summary_template = '{state} comes into being: {name}'

    state: str = code_field()
    name: str = text_field()

    def entities(self) -> tuple[str, ...]:
        return (self.state,)


@kind("renaming")
@attrs.frozen(kw_only=True)
class Renaming(Event):
    """From ``date`` on, ``entity`` is called ``name`` (Swaziland -> Eswatini)."""

    summary_template = '{entity} renamed {name}'

    entity: str = code_field()
    name: str = text_field()

    def entities(self) -> tuple[str, ...]:
        return (self.entity,)


@kind("merger")
@attrs.frozen(kw_only=True)
class Merger(Event):
    """``members`` unite as ``into`` on ``date``.

    Members other than ``into`` cease to exist. ``into`` keeps (or gets) a
    membership in every organization any of them belonged to, counted from the
    earliest of their memberships there, and takes over their elected terms.
    """

    summary_template = '{members} unite as {into}'

    members: tuple[str, ...] = codes_field(min_length=2)
    into: str = code_field()
    name: str | None = optional_text_field()

    def entities(self) -> tuple[str, ...]:
        return self.members + (() if self.into in self.members else (self.into,))


@kind("separation")
@attrs.frozen(kw_only=True)
class Separation(Event):
    """``member`` leaves the union ``separated_from`` and exists again; the
    memberships it had before the merger are restored with their original
    dates (Syria in the UN, 1961)."""

    summary_template = '{member} separates from {separated_from}'

    member: str = code_field()
    separated_from: str = code_field()
    name: str | None = optional_text_field()

    def __attrs_post_init__(self) -> None:
        if self.member == self.separated_from:
            raise InvalidEvent("a state cannot separate from itself", event=self.label(), field="separated_from")

    def entities(self) -> tuple[str, ...]:
        return (self.member, self.separated_from)


@kind("dissolution")
@attrs.frozen(kw_only=True)
class Dissolution(Event):
    """``state`` dissolves. ``date`` is the *last* day it existed (sources say
    "ceased to exist on 31 December 1992"); its memberships and seats end
    after that day."""

    summary_template = '{state} dissolves'

    def summary(self) -> str:
        return super().summary() + (" into " + ", ".join(self.successors) if self.successors else "")

    state: str = code_field()
    successors: tuple[str, ...] = codes_field()

    def entities(self) -> tuple[str, ...]:
        return (self.state,) + self.successors


@kind("continuation")
@attrs.frozen(kw_only=True)
class Continuation(Event):
    """``successor`` continues ``predecessor`` from ``date`` on: it keeps every
    membership (with its original date) and every seat, permanent ones too;
    ``predecessor`` ceases to exist. ``name`` is the successor's name."""

    summary_template = '{successor} continues {predecessor}'

    predecessor: str = code_field()
    successor: str = code_field()
    name: str | None = optional_text_field()

    def __attrs_post_init__(self) -> None:
        if self.predecessor == self.successor:
            raise InvalidEvent("a state cannot continue itself", event=self.label(), field="successor")

    def entities(self) -> tuple[str, ...]:
        return (self.predecessor, self.successor)
