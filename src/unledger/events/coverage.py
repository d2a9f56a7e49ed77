"""What the record covers: a statement about the record, kept in it.

A query can only answer from the events it holds. For an organization whose
every admission is recorded, "12 members" is a fact; for one known only from
a few documents, it is an artefact of what was recorded. A ``coverage``
event says which of the two an answer is, so answers can carry it.
"""

from __future__ import annotations

from typing import Final

import attrs

from .base import Event, choice_field, code_field, text_field
from .registry import kind

__all__ = ["Coverage", "ASPECTS", "EXTENTS"]

#: What a declaration is about: memberships of an organization, seats on a
#: body, parties to an instrument, resolutions of a body.
ASPECTS: Final = ("membership", "seats", "parties", "resolutions")
#: ``complete``: every event of that aspect from ``date`` on is recorded;
#: ``partial``: only some are (say which in ``statement``).
EXTENTS: Final = ("complete", "partial")


@kind("coverage")
@attrs.frozen(kw_only=True)
class Coverage(Event):
    """From ``date`` on, the record's ``aspect`` of ``entity`` (an
    organization, a body or an instrument) is ``extent``: ``complete`` or
    ``partial``; ``statement`` says what is covered and from which sources.
    A later declaration for the same entity and aspect supersedes it."""

    summary_template = "the record of {entity}'s {aspect} is {extent}"

    entity: str = code_field()
    aspect: str = choice_field(ASPECTS)
    extent: str = choice_field(EXTENTS)
    statement: str = text_field()

    def entities(self) -> tuple[str, ...]:
        return (self.entity,)
