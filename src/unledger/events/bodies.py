"""Kinds about organizations and their bodies: establishment, seats,
elections and who represents a member."""

from __future__ import annotations

import attrs

from ..dates import PartialDate
from ..errors import InvalidEvent
from .base import (
    Event,
    code_field,
    codes_field,
    count_field,
    date_field,
    optional_code_field,
    text_field,
)
from .registry import kind

__all__ = ["Establishment", "Enlargement", "Election", "Representation"]


@kind("establishment")
@attrs.frozen(kw_only=True)
class Establishment(Event):
    """An organization (``org`` is ``None``) or a body of ``org`` is established.

    A body may have ``elected_seats`` and ``permanent_members`` (the Security
    Council: 6 elected seats in 1945 and five permanent members).
    """

    summary_template = '{entity} established: {name}'

    def summary(self) -> str:
        return super().summary() + (f" (body of {self.org})" if self.org else "")

    entity: str = code_field()
    name: str = text_field()
    org: str | None = optional_code_field()
    elected_seats: int | None = count_field()
    permanent_members: tuple[str, ...] = codes_field()

    def __attrs_post_init__(self) -> None:
        if self.org is None and (self.elected_seats is not None or self.permanent_members):
            raise InvalidEvent(
                "only a body (an establishment with an 'org') has seats", event=self.label(), field="elected_seats"
            )
        if self.org == self.entity:
            raise InvalidEvent("a body cannot belong to itself", event=self.label(), field="org")

    def entities(self) -> tuple[str, ...]:
        return (self.entity,) + ((self.org,) if self.org else ()) + self.permanent_members


@kind("enlargement")
@attrs.frozen(kw_only=True)
class Enlargement(Event):
    """From ``date`` on, ``body`` has ``elected_seats`` elected seats (it may
    also shrink: the name is the common case)."""

    summary_template = '{body} has {elected_seats} elected seats'

    body: str = code_field()
    elected_seats: int = count_field(optional=False)

    def entities(self) -> tuple[str, ...]:
        return (self.body,)


@kind("election")
@attrs.frozen(kw_only=True)
class Election(Event):
    """``member`` is elected to ``body`` on ``date`` for the term
    ``term_start`` .. ``term_end`` (both inclusive)."""

    summary_template = '{member} elected to {body} for {term_start} to {term_end}'

    body: str = code_field()
    member: str = code_field()
    term_start: PartialDate = date_field()
    term_end: PartialDate = date_field()
    votes: int | None = count_field()
    votes_cast: int | None = count_field()

    def __attrs_post_init__(self) -> None:
        if self.term_end.latest_day <= self.term_start.earliest_day:
            raise InvalidEvent(
                f"term_end {self.term_end} must be after term_start {self.term_start}",
                event=self.label(),
                field="term_end",
            )
        if self.votes is not None and self.votes_cast is not None and self.votes > self.votes_cast:
            raise InvalidEvent(
                f"votes received ({self.votes}) exceed votes cast ({self.votes_cast})", event=self.label(), field="votes"
            )

    def entities(self) -> tuple[str, ...]:
        return (self.body, self.member)


@kind("representation")
@attrs.frozen(kw_only=True)
class Representation(Event):
    """From ``date`` on, ``government`` represents ``member`` in ``org``
    (China's seat in the UN, 25 October 1971)."""

    summary_template = '{government} represents {member} in {org}'

    org: str = code_field()
    member: str = code_field()
    government: str = text_field()

    def entities(self) -> tuple[str, ...]:
        return (self.org, self.member)
