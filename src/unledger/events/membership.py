"""Kinds about membership of an organization: joining, leaving, returning."""

from __future__ import annotations

import attrs

from .base import Event, code_field, flag_field, optional_symbol_field, optional_text_field
from .registry import kind

__all__ = ["Admission", "Withdrawal", "Return", "Cessation"]


@kind("admission")
@attrs.frozen(kw_only=True)
class Admission(Event):
    """``member`` (a state or an organization) is admitted to ``org``.

    ``original`` marks a founding member. ``name`` is the member's name at
    admission, when the source gives it. ``recommended_by`` and
    ``decided_by`` hold the symbols of the decisions, e.g. a Security Council
    recommendation and a General Assembly resolution.
    """

    summary_template = '{member} admitted to {org}'

    def summary(self) -> str:
        return super().summary() + (" (original member)" if self.original else "")

    org: str = code_field()
    member: str = code_field()
    original: bool = flag_field()
    name: str | None = optional_text_field()
    recommended_by: str | None = optional_symbol_field()
    decided_by: str | None = optional_symbol_field()

    def entities(self) -> tuple[str, ...]:
        return (self.org, self.member)


@kind("withdrawal")
@attrs.frozen(kw_only=True)
class Withdrawal(Event):
    """``member`` leaves ``org`` from ``date`` on."""

    summary_template = '{member} withdraws from {org}'

    org: str = code_field()
    member: str = code_field()

    def entities(self) -> tuple[str, ...]:
        return (self.org, self.member)


@kind("return")
@attrs.frozen(kw_only=True)
class Return(Event):
    """``member`` resumes its membership of ``org``; the membership keeps the
    date it was first counted from (Indonesia in the UN, 1966)."""

    summary_template = '{member} returns to {org}'

    org: str = code_field()
    member: str = code_field()

    def entities(self) -> tuple[str, ...]:
        return (self.org, self.member)


@kind("cessation")
@attrs.frozen(kw_only=True)
class Cessation(Event):
    """``member``'s membership of ``org`` ends other than by withdrawal
    (e.g. the seat of the former Yugoslavia in the UN, ended in 2000)."""

    summary_template = "{member}'s membership of {org} ends"

    org: str = code_field()
    member: str = code_field()

    def entities(self) -> tuple[str, ...]:
        return (self.org, self.member)
