"""Resolutions adopted by a body."""

from __future__ import annotations

from typing import Final

import attrs
import immutables

from ..errors import InvalidEvent
from .base import (
    Event,
    code_field,
    codes_field,
    count_field,
    flag_field,
    frozen_map,
    has_surrogates,
    optional_text_field,
    symbol_field,
    text_field,
)
from .registry import kind

__all__ = ["Tally", "Adoption", "VOTES"]

#: How a member can vote on a resolution.
VOTES: Final = ("yes", "no", "abstain", "absent")


@attrs.frozen(kw_only=True)
class Tally:
    """The recorded vote: yes, no, abstentions and members not voting."""

    yes: int = count_field(optional=False)
    no: int = count_field(optional=False)
    abstain: int = count_field(optional=False)
    not_voting: int | None = count_field()


def _check_votes(inst: Adoption, attribute: attrs.Attribute[object], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, immutables.Map):
        raise InvalidEvent("expected an object {member: vote}", event=inst.kind, field="votes")
    for member, vote in value.items():
        if not isinstance(member, str) or not member or has_surrogates(member):
            raise InvalidEvent(f"{member!r} is not a member code", event=inst.kind, field="votes")
        if vote not in VOTES or not isinstance(vote, str):
            raise InvalidEvent(f"vote {vote!r} of {member} is not one of {', '.join(VOTES)}", event=inst.kind, field="votes")


def _to_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _check_subjects(inst: Adoption, attribute: attrs.Attribute[object], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(s, str) and 0 < len(s) <= 200 and not has_surrogates(s) for s in value):
        raise InvalidEvent("expected a list of short subject strings", event=inst.kind, field="subjects")


@kind("adoption")
@attrs.frozen(kw_only=True)
class Adoption(Event):
    """``body`` adopts resolution ``symbol`` on ``date``.

    ``tally`` is the recorded vote, or ``without_vote`` is true; ``votes`` is
    the optional per-member roll call; ``concerns`` are the entities it is
    about and ``subjects`` free keywords.
    """

    summary_template = '{body} adopts {symbol}: {title}'

    body: str = code_field()
    symbol: str = symbol_field()
    title: str = text_field()
    meeting: str | None = optional_text_field()
    tally: Tally | None = attrs.field(default=None)
    without_vote: bool = flag_field()
    votes: immutables.Map[str, str] | None = attrs.field(default=None, converter=frozen_map, validator=_check_votes)  # type: ignore[misc, assignment]
    subjects: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple, validator=_check_subjects)  # type: ignore[arg-type]
    concerns: tuple[str, ...] = codes_field()

    def __attrs_post_init__(self) -> None:
        if self.tally is not None and not isinstance(self.tally, Tally):
            raise InvalidEvent("expected a tally {yes, no, abstain, not_voting}", event=self.label(), field="tally")
        if self.tally is not None and self.without_vote:
            raise InvalidEvent("a resolution adopted without a vote has no tally", event=self.label(), field="tally")

    def entities(self) -> tuple[str, ...]:
        return (self.body,) + self.concerns
