"""Kinds about instruments: treaties, charters, conventions, memoranda.

An instrument is opened (adopted, or opened for signature) with its
entry-into-force rule. Whether it is in force on a day is *derived* from the
rule and the recorded acts; it is never typed in, except for instruments
whose rule says so (``EntryRule(rule="event")``).
"""

from __future__ import annotations

from typing import Final

import attrs

from ..dates import PartialDate
from ..errors import InvalidEvent
from .base import (
    Event,
    choice_field,
    code_field,
    codes_field,
    count_field,
    flag_field,
    optional_code_field,
    optional_date_field,
    text_field,
)
from .registry import kind

__all__ = [
    "EntryRule",
    "Opening",
    "Signing",
    "EntryIntoForce",
    "Termination",
    "ACTS",
    "BINDING_ACTS",
    "FORMS",
    "RULES",
]

#: Every act a party can perform on an instrument.
ACTS: Final = (
    "signature",
    "ratification",
    "accession",
    "acceptance",
    "approval",
    "succession",
    "withdrawal",
    "denunciation",
)
#: Acts by which a party consents to be bound (deposits).
BINDING_ACTS: Final = frozenset({"ratification", "accession", "acceptance", "approval", "succession"})
#: Acts that need an earlier signature by the same party.
NEEDS_SIGNATURE: Final = frozenset({"ratification", "acceptance", "approval"})
#: Acts by which a party stops being bound.
LEAVING_ACTS: Final = frozenset({"withdrawal", "denunciation"})

FORMS: Final = (
    "charter",
    "treaty",
    "convention",
    "protocol",
    "memorandum",
    "declaration",
    "agreement",
    "framework",
    "other",
)
RULES: Final = ("deposits", "named_and_majority", "on_signature", "event")


@attrs.frozen(kw_only=True)
class EntryRule:
    """How an instrument enters into force.

    - ``deposits``: ``days`` days after the ``count``-th binding act
      (ratification, accession, acceptance, approval, succession); a party
      that deposits later is bound ``days`` days after its own deposit.
    - ``named_and_majority``: when every party in ``named`` and a majority of
      the other signatories have deposited (the UN Charter, Article 110).
    - ``on_signature``: in force for each party from its signature.
    - ``event``: in force from an explicit ``entry_into_force`` event.
    """

    rule: str = choice_field(RULES)
    count: int | None = count_field(minimum=1)
    days: int | None = count_field()
    named: tuple[str, ...] = codes_field()

    def __attrs_post_init__(self) -> None:
        if self.rule == "deposits" and self.count is None:
            raise InvalidEvent("rule 'deposits' needs a 'count'", event="entry_into_force", field="count")
        if self.rule == "named_and_majority" and not self.named:
            raise InvalidEvent("rule 'named_and_majority' needs 'named' parties", event="entry_into_force", field="named")


@kind("opening")
@attrs.frozen(kw_only=True)
class Opening(Event):
    """``instrument`` is adopted or opened for signature on ``date``.

    ``open_for_signature`` is false for instruments that states never sign
    and bind themselves to by ratification alone (ILO conventions, adopted
    by the International Labour Conference): for those a ratification needs
    no earlier signature, and a signature is refused.

    ``constitutes`` names the organization the instrument constitutes (the
    UN Charter constitutes the UN): a state is then bound by it exactly
    while it is a member of that organization, from its admission (Article
    4 of the Charter: admission is acceptance of its obligations).
    """

    summary_template = '{instrument} opened: {title}'

    instrument: str = code_field()
    title: str = text_field()
    form: str = choice_field(FORMS, default="treaty")
    entry_into_force: EntryRule = attrs.field(factory=lambda: EntryRule(rule="event"))
    closes: PartialDate | None = optional_date_field()
    open_for_signature: bool = flag_field(default=True)
    constitutes: str | None = optional_code_field()

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.entry_into_force, EntryRule):
            raise InvalidEvent("expected an entry-into-force rule", event=self.label(), field="entry_into_force")
        if self.closes is not None and self.closes.latest_day < self.date.earliest_day:
            raise InvalidEvent("an instrument cannot close before it opens", event=self.label(), field="closes")

    def entities(self) -> tuple[str, ...]:
        return (self.instrument,) + self.entry_into_force.named


@kind("signing")
@attrs.frozen(kw_only=True)
class Signing(Event):
    """``party`` performs ``act`` on ``instrument`` (for a ratification, the
    date is the deposit)."""

    summary_template = '{party}: {act} of {instrument}'

    instrument: str = code_field()
    party: str = code_field()
    act: str = choice_field(ACTS)

    def entities(self) -> tuple[str, ...]:
        return (self.instrument, self.party)


@kind("entry_into_force")
@attrs.frozen(kw_only=True)
class EntryIntoForce(Event):
    """``instrument`` (whose rule is ``event``) enters into force on ``date``."""

    summary_template = '{instrument} enters into force'

    instrument: str = code_field()

    def entities(self) -> tuple[str, ...]:
        return (self.instrument,)


@kind("termination")
@attrs.frozen(kw_only=True)
class Termination(Event):
    """``instrument`` is terminated (or superseded) on ``date``."""

    summary_template = '{instrument} terminated'

    instrument: str = code_field()

    def entities(self) -> tuple[str, ...]:
        return (self.instrument,)
