"""The answers a :class:`~unledger.state.State` gives: plain frozen records,
each saying whether the fact is ``certain`` on the day asked
(docs/concepts.md#partial-dates-and-certainty)."""

from __future__ import annotations

from enum import Enum
from typing import NoReturn

import attrs

from .dates import PartialDate

__all__ = ["MemberStatus", "Membership", "Seat", "Party", "InstrumentStatus"]


class MemberStatus(Enum):
    """Whether a state belongs to an organization on a day
    (:meth:`unledger.State.is_member`):

    - ``MEMBER``: certainly a member;
    - ``UNCERTAIN``: a member or not, depending on a day the source does not
      give (an admission dated "1992" asked about on 1 March 1992);
    - ``NOT_MEMBER``: certainly not a member.

    It has no truth value: ``if state.is_member("UN", "AZE"):`` raises
    :class:`TypeError`, because reading "uncertain" as either yes or no gets
    one of them wrong. Compare with ``is``.
    """

    MEMBER = "member"
    UNCERTAIN = "uncertain"
    NOT_MEMBER = "not a member"

    @classmethod
    def of(cls, certain: bool | None) -> MemberStatus:
        """From the fold's ``True`` (certain), ``False`` (uncertain), ``None`` (not)."""
        if certain is None:
            return cls.NOT_MEMBER
        return cls.MEMBER if certain else cls.UNCERTAIN

    def __bool__(self) -> NoReturn:
        raise TypeError(
            "a MemberStatus has no truth value: compare it with `is MemberStatus.MEMBER` (certainly a member), "
            "`is MemberStatus.UNCERTAIN` or `is MemberStatus.NOT_MEMBER`"
        )


@attrs.frozen
class Membership:
    """``member`` belongs to ``org``: counted from ``since``; ``how`` is one
    of original, admitted, continuation, merger (or restored); ``start`` is
    when this stretch began and ``end`` when it ended (history only)."""

    org: str
    member: str
    since: PartialDate | None
    how: str
    start: PartialDate | None
    certain: bool
    name: str | None = None
    end: PartialDate | None = None
    end_how: str | None = None
    id: str | None = None


@attrs.frozen
class Seat:
    """``member`` on ``body``: ``kind`` permanent or elected; ``status``
    seated, or elected (not yet seated)."""

    body: str
    member: str
    kind: str
    status: str
    certain: bool
    since: PartialDate | None = None
    term_start: PartialDate | None = None
    term_end: PartialDate | None = None
    elected: PartialDate | None = None
    name: str | None = None
    id: str | None = None
    #: Who represents the member in the body's organization on the day, when
    #: the record says (China's seat: "People's Republic of China" from 1971-10-25).
    government: str | None = None


@attrs.frozen
class Party:
    """``party``'s standing towards an instrument on the day asked."""

    instrument: str
    party: str
    signed: PartialDate | None
    consented: PartialDate | None
    act: str | None
    bound_from: PartialDate | None
    bound: bool
    certain: bool
    left: PartialDate | None = None
    id: str | None = None
    #: How the party came to its standing when not by its own acts alone:
    #: ``continuation`` or ``merger`` (it carries on another state's acts),
    #: ``membership`` (bound as a member of the organization the instrument
    #: constitutes).
    how: str | None = None


@attrs.frozen
class InstrumentStatus:
    instrument: str
    title: str
    form: str
    status: str  # "open", "not yet in force", "in force", "terminated"
    certain: bool
    opened: PartialDate
    in_force_from: PartialDate | None
    terminated: PartialDate | None
    signatories: tuple[str, ...]
    parties: tuple[str, ...]
