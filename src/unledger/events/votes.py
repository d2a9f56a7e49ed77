"""Roll-call votes of a body: one event per roll call, with each member's vote.

A roll call is not always the adoption of a resolution: it may be on an
amendment or a paragraph, and a draft may be rejected; so it is its own kind,
beside :class:`~unledger.events.resolutions.Adoption`.
"""

from __future__ import annotations

import re
from typing import Any, Final

import attrs
import immutables

from ..errors import InvalidEvent
from .base import (
    CODE_PATTERN,
    CONTROLS,
    Event,
    code_field,
    code_problem,
    count_field,
    frozen_map,
    optional_symbol_field,
    optional_text_field,
)
from .registry import kind

__all__ = ["RollCall", "ROLL_CALL_VOTES"]

#: How a member can vote in a roll call (absence is not a row of the data).
ROLL_CALL_VOTES: Final = ("yes", "no", "abstain")
_VOTE_SET: Final = frozenset(ROLL_CALL_VOTES)
_is_code: Final = CODE_PATTERN.fullmatch
_CONTROL: Final = re.compile(f"[{CONTROLS}]")


def _check_votes(inst: Any, attribute: attrs.Attribute[object], value: object) -> None:
    if not isinstance(value, immutables.Map):
        raise InvalidEvent("expected an object {member: vote}", event=inst.kind, field="votes")
    if set(value.values()) <= _VOTE_SET and all(m.__class__ is str and _is_code(m) for m in value):
        return  # the common case, checked in one pass
    for member, vote in value.items():
        if member.__class__ is not str:
            raise InvalidEvent(f"{member!r} is not a member code", event=inst.kind, field="votes")
        problem = code_problem(member)
        if problem is not None:
            raise InvalidEvent(f"member {problem}", event=inst.kind, field="votes")
        if vote not in ROLL_CALL_VOTES or not isinstance(vote, str):
            raise InvalidEvent(f"vote {vote!r} of {member} is not one of {', '.join(ROLL_CALL_VOTES)}", event=inst.kind, field="votes")


def _check_optional_flag(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value.__class__ is not bool:
        raise InvalidEvent(f"expected true, false or null, got {value!r}", event=inst.kind, field=attribute.name)


def _to_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _check_subjects(inst: Any, attribute: attrs.Attribute[object], value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(s, str) and 0 < len(s) <= 200 and not _CONTROL.search(s) for s in value):
        raise InvalidEvent("expected a list of short subject strings (no control or bidi characters)", event=inst.kind, field="subjects")


@kind("roll_call")
@attrs.frozen(kw_only=True)
class RollCall(Event):
    """Roll call ``rcid`` of ``body`` on ``date``, in ``session``.

    ``symbol`` is the resolution symbol as the source writes it (``R/1/66``),
    ``un_symbol`` the United Nations' form where it can be derived
    (``A/RES/66(I)``). ``amendment`` and ``paragraph`` say whether the vote
    was on an amendment or a paragraph rather than a whole draft, and
    ``important`` whether the source counts it as an important vote (``None``:
    the source does not say). ``subjects`` are issue codes; ``votes`` maps
    each member that voted to yes, no or abstain.
    """

    summary_template = "{body} roll call {rcid} ({symbol}): {title}"

    body: str = code_field()
    rcid: int = count_field(optional=False, minimum=1)
    session: int | None = count_field()
    symbol: str | None = optional_symbol_field()
    un_symbol: str | None = optional_symbol_field()
    title: str | None = optional_text_field()
    description: str | None = optional_text_field()
    amendment: bool | None = attrs.field(default=None, validator=_check_optional_flag)
    paragraph: bool | None = attrs.field(default=None, validator=_check_optional_flag)
    important: bool | None = attrs.field(default=None, validator=_check_optional_flag)
    subjects: tuple[str, ...] = attrs.field(default=(), converter=_to_tuple, validator=_check_subjects)  # type: ignore[arg-type]
    votes: immutables.Map[str, str] = attrs.field(factory=immutables.Map, converter=frozen_map, validator=_check_votes)  # type: ignore[misc]

    def entities(self) -> tuple[str, ...]:
        return (self.body,)
