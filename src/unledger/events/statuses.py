"""Kinds for datasets that record a member's standing year by year: the
status of a membership (full, associate, observer...) and the end of an
organization.

The Correlates of War IGO data say, for each state and year, whether the
state is a full member, an associate member or an observer of an
organization, not a member, not known, or whether the state or the
organization does not exist. :class:`MembershipStatus` records each change
of that standing; ``unknown`` is never read as "not a member".
"""

from __future__ import annotations

from typing import Final

import attrs

from .base import Event, choice_field, code_field
from .registry import kind

__all__ = ["MembershipStatus", "Closure", "STATUSES", "MEMBER_STATUSES", "CLOSURES"]

#: A member's standing in an organization.
STATUSES: Final = ("full", "associate", "observer", "none", "unknown", "nonexistent")
#: The standings that are a membership of some degree.
MEMBER_STATUSES: Final = ("full", "associate", "observer")
#: How an organization ends.
CLOSURES: Final = ("dissolved", "replaced", "integrated")


@kind("membership_status")
@attrs.frozen(kw_only=True)
class MembershipStatus(Event):
    """From ``date`` on, ``member``'s standing in ``org`` is ``status``:

    - ``full``, ``associate``, ``observer``: a membership of that degree;
    - ``none``: not a member;
    - ``unknown``: the source does not know (never "not a member");
    - ``nonexistent``: the state or the organization does not exist.
    """

    summary_template = "{member} in {org}: {status}"

    org: str = code_field()
    member: str = code_field()
    status: str = choice_field(STATUSES)

    def entities(self) -> tuple[str, ...]:
        return (self.org, self.member)


@kind("closure")
@attrs.frozen(kw_only=True)
class Closure(Event):
    """Organization ``org`` ends on ``date``: ``dissolved``, ``replaced`` by
    another, or ``integrated`` into another."""

    summary_template = "{org} {how}"

    org: str = code_field()
    how: str = choice_field(CLOSURES)

    def entities(self) -> tuple[str, ...]:
        return (self.org,)
