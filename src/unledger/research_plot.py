"""Pictures of imported datasets: agreement of two states over time, and
members of an organization by status per year (needs matplotlib)."""

from __future__ import annotations

from typing import Any

from . import research
from .crosswalk import resolve
from .ledger import Ledger
from .plot import _figure

__all__ = ["agreement", "status_counts"]


def agreement(ledger: Ledger, state: str, other: str, *, start: Any = None, end: Any = None, issue: str | None = None, known_at: Any = None) -> Any:
    """The share of roll calls on which ``state`` and ``other`` voted alike, per year."""
    rows = research.agreement(ledger, state, other, start=start, end=end, issue=issue, known_at=known_at)
    years, shares = _with_gaps(rows)
    fig = _figure(9, 4)
    ax = fig.add_subplot()
    ax.plot(years, shares, color="#2b6cb0", marker="o", markersize=3)
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of roll calls voted alike")
    what = f" on {issue}" if issue else ""
    ax.set_title(f"UN General Assembly: {resolve(state)} and {resolve(other)} voting alike{what}")
    ax.grid(alpha=0.3)
    return fig


def _with_gaps(rows: list[research.Agreement]) -> tuple[list[int], list[float]]:
    """Years and shares, with a NaN share for each year between the first
    and the last without a roll call both states voted in (1964 had none):
    the line breaks there instead of bridging the gap."""
    shares = {r.year: r.share for r in rows}
    years = list(range(min(shares), max(shares) + 1)) if shares else []
    return years, [shares.get(year, float("nan")) for year in years]


def status_counts(ledger: Ledger, org: str, start: int | None = None, end: int | None = None, *, known_at: Any = None) -> Any:
    """Members of ``org`` by status at the end of each year, stacked."""
    rows = research.status_counts(ledger, org, start, end, known_at=known_at)
    fig = _figure(9, 4)
    ax = fig.add_subplot()
    years = [r.year for r in rows]
    series = [("full", "#2b6cb0"), ("associate", "#90cdf4"), ("observer", "#dd6b20"), ("unknown", "#a0aec0")]
    ax.stackplot(years, *[[getattr(r, name) for r in rows] for name, _ in series], labels=[n for n, _ in series], colors=[c for _, c in series])
    ax.set_ylabel("states at the end of the year")
    ax.set_title(f"{org}: members by status")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    return fig
