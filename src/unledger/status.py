"""Three-valued answers that cannot be read as a plain yes or no."""

from __future__ import annotations

from enum import Enum
from typing import NoReturn

__all__ = ["MemberStatus"]


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
