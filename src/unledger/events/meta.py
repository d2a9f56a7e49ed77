"""Corrections: a written line is never changed; these events amend the record.

They are instructions about other events, not facts about the world, so the
fold never sees them: the ledger applies them when it decides which events
are in the record as known at a time (docs/concepts.md#corrections).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..dates import PartialDate, day_date, today
from ..errors import InvalidEvent
from .base import Event, _check_id, date_field, text_field
from .registry import kind

__all__ = ["Retraction", "Correction"]


def _today() -> PartialDate:
    return day_date(today())


def _check_target(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        raise InvalidEvent("a target event id is required", event=inst.kind, field="target")
    _check_id(inst, attribute, value)


@kind("retraction")
@attrs.frozen(kw_only=True)
class Retraction(Event):
    """Withdraw event ``target`` from the record, from when this is recorded."""

    summary_template = 'retracts {target}: {reason}'

    meta = True
    date: PartialDate = date_field(factory=_today)
    target: str = attrs.field(validator=_check_target)
    reason: str = text_field()

    def entities(self) -> tuple[str, ...]:
        return ()


@kind("correction")
@attrs.frozen(kw_only=True)
class Correction(Event):
    """Retract event ``target`` and put ``replacement`` in its place.

    The replacement keeps the target's id unless it names its own.
    """

    summary_template = 'corrects {target}: {reason}'

    meta = True
    date: PartialDate = date_field(factory=_today)
    target: str = attrs.field(validator=_check_target)
    replacement: Event = attrs.field()
    reason: str = text_field()

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.replacement, Event):
            raise InvalidEvent("expected an event", event=self.label(), field="replacement")
        if self.replacement.meta:
            raise InvalidEvent("a replacement cannot itself be a retraction or correction", event=self.label(), field="replacement")

    def entities(self) -> tuple[str, ...]:
        return self.replacement.entities()
