"""Pictures of the record: an organization's growth, an entity's timeline,
who sat on a body each year.

Each function returns a :class:`matplotlib.figure.Figure` built without
``pyplot`` (no GUI, no global state: safe in servers, threads and tests);
:func:`save` writes it as PNG or SVG by the file's suffix. Needs the
``plot`` extra (``pip install '.[plot]'`` in a checkout).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from .dates import END_OF_TIME, DateLike, day_to_iso, parse_date, this_year, to_day, year_of_day
from .errors import PartialCoverage, UnknownEntity
from .events.instruments import BINDING_ACTS, LEAVING_ACTS
from .ledger import Ledger
from .state import State

INSTALL_HINT: Final = "plotting needs matplotlib: pip install matplotlib (or pip install '.[plot]' in a checkout of unledger)"

try:
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.text import Text
except ImportError:  # pragma: no cover - exercised by the CLI test with matplotlib hidden
    raise ImportError(INSTALL_HINT) from None

__all__ = ["growth", "timeline", "body", "save", "FORMATS", "INSTALL_HINT"]

#: File suffixes :func:`save` writes.
FORMATS: Final = (".png", ".svg")

_BLUE: Final = "#2b6cb0"
_LIGHT: Final = "#90cdf4"
_DARK: Final = "#1a365d"
_ORANGE: Final = "#dd6b20"
_GREY: Final = "#718096"


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _date(day: int) -> _dt.date:
    return _dt.date.fromordinal(day)


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to ``path`` as PNG or SVG, chosen by the suffix."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{target}: choose a .png or .svg file name")
    fig.savefig(target, format=suffix[1:], dpi=150 if suffix == ".png" else None)
    return target


_PARTIAL: Final = "#c05621"


def _coverage_caption(fig: Figure, state: Any, codes: Sequence[tuple[str, str | None]]) -> str | None:
    """The words that say which of ``codes`` (code, aspect) the record covers
    only partly, and what it covers; wrapped to the figure's width."""
    import textwrap

    lines = [
        f"Partial record of {c.entity}'s {c.aspect}: {c.statement}"
        for code, aspect in codes
        for c in state.partly_covered(code, aspect)
    ]
    if not lines:
        return None
    width = max(40, int(fig.get_figwidth() * 15))
    return "\n".join(textwrap.fill(line, width) for line in dict.fromkeys(lines))


def _title(ledger: Ledger, code: str, known_at: DateLike | None) -> str:
    name = ledger.state(END_OF_TIME, known_at).name(code)
    return f"{code} ({name})" if name and name != code else code


# -- growth -------------------------------------------------------------------------


def growth(
    ledger: Ledger,
    org: str,
    start: DateLike | None = None,
    end: DateLike | None = None,
    *,
    known_at: DateLike | None = None,
    waves: int = 5,
    allow_partial: bool = False,
) -> Figure:
    """Members of ``org`` over time as a step line, with the biggest waves of
    growth (runs of years that added the most members) annotated.

    ``start`` and ``end`` are dates or years (default: the organization's
    first event to today). When the record declares ``org``'s membership
    partial, :class:`~unledger.errors.PartialCoverage` is raised unless
    ``allow_partial`` is true; the figure then says so under the axes."""
    final = ledger.state(END_OF_TIME, known_at)
    if org not in final.organizations():
        raise UnknownEntity("organization", org)
    partial = final.partly_covered(org, "membership")
    if partial and not allow_partial:
        raise PartialCoverage(org, "membership", partial[0].statement)
    spells = final.membership_spells(org)
    first = min((e.date.earliest_day for e in ledger.timeline(org, known_at=known_at)), default=None)
    if first is None:
        raise UnknownEntity("organization", org)
    lo = max(parse_date(str(start)).earliest_day, first) if start is not None else first
    days = {lo}
    for spell in spells:
        if spell.start is not None:
            days.add(spell.start.earliest_day)
        if spell.end is not None:
            days.add(spell.end.latest_day)
    hi = to_day(str(end)) if end is not None else max([to_day(None), *days])
    steps = sorted(d for d in days if lo <= d <= hi)
    counts = [ledger.state(_date(d), known_at).count(org) for d in steps]
    xs = [mdates.date2num(_date(d)) for d in steps] + [mdates.date2num(_date(hi))]
    ys = counts + [counts[-1]]

    fig = _figure(10, 5.6)
    ax = fig.add_subplot()
    ax.step(xs, ys, where="post", color=_BLUE, linewidth=2)
    ax.fill_between(xs, ys, step="post", color=_BLUE, alpha=0.08)
    ax.set_ylim(0, max(ys) * 1.18 + 1)
    ax.set_xlim(xs[0], xs[-1])
    ax.xaxis_date()
    ax.set_ylabel("members")
    ax.set_title(f"Members of {_title(ledger, org, known_at)}", loc="left", fontsize=13)
    ax.grid(axis="y", color="#e2e8f0")
    ax.spines[["top", "right"]].set_visible(False)
    ax.annotate(f"{ys[-1]}", (xs[-1], ys[-1]), xytext=(-4, 6), textcoords="offset points", ha="right", fontsize=10, color=_DARK)

    _annotate_waves(fig, ax, _waves(steps, counts, waves), steps, counts, xs[-1])
    caption = _coverage_caption(fig, final, [(org, "membership")])
    if caption is not None:
        fig.supxlabel(caption, fontsize=8.5, color=_PARTIAL, ha="left", x=0.01)
    return fig


def _annotate_waves(fig: Figure, ax: Any, found: list[tuple[int, int, int, int]], steps: Sequence[int], counts: Sequence[int], right: float) -> None:
    """Label each wave up and to the left of its biggest jump, where a rising
    line leaves room; measured with the renderer so that no label leaves the
    axes or covers another."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    top = ax.get_ylim()[1]
    left = ax.get_xlim()[0]
    placed: list[Any] = []
    for y0, y1, gain, jump in found:
        label = f"{y0}: +{gain}" if y0 == y1 else f"{y0}\u2013{y1}: +{gain}"
        index = steps.index(jump)
        x = mdates.date2num(_date(jump))
        middle = (counts[index - 1] + counts[index]) / 2 if index else counts[index]
        y_text = counts[index] + 0.08 * top
        note = ax.annotate(
            label,
            (x, middle),
            xytext=(x - 0.012 * (right - left), y_text),
            textcoords="data",
            ha="right",
            va="bottom",
            fontsize=10,
            color=_ORANGE,
            arrowprops={"arrowstyle": "-", "color": _ORANGE, "linewidth": 1, "shrinkA": 1, "shrinkB": 2},
        )
        axes_box = ax.get_window_extent(renderer)
        box = Text.get_window_extent(note, renderer)  # the words, not the leader line
        if box.x0 < axes_box.x0:
            note.set_horizontalalignment("left")
            note.set_x(left + 0.01 * (right - left))
            box = Text.get_window_extent(note, renderer)
        while any(box.overlaps(other) for other in placed) and y_text < top:
            y_text += 0.06 * top
            note.set_y(y_text)
            box = Text.get_window_extent(note, renderer)
        placed.append(box)


def _waves(steps: Sequence[int], counts: Sequence[int], limit: int) -> list[tuple[int, int, int, int]]:
    """Runs of consecutive years of big net growth: (first year, last year,
    gain, day of the biggest single jump). A year counts when it adds at
    least 5% of the peak membership; its neighbours join the run when they
    add at least half that."""
    if len(steps) < 2:
        return []
    end_of_year: dict[int, int] = {}
    jumps: dict[int, tuple[int, int]] = {}
    for i, (d, n) in enumerate(zip(steps, counts, strict=True)):
        year = year_of_day(d)
        end_of_year[year] = n
        if i:
            rise = n - counts[i - 1]
            if rise > jumps.get(year, (0, 0))[0]:
                jumps[year] = (rise, d)
    years = range(year_of_day(steps[0]), year_of_day(steps[-1]) + 1)
    level, gains = counts[0], {}
    for year in years:
        now = end_of_year.get(year, level)
        gains[year] = now - level
        level = now
    big = max(4, round(0.05 * max(counts)))
    runs: list[list[int]] = []
    for year in years[1:]:  # the founding year is a start, not a wave
        if gains[year] < big:
            continue
        run = [year]
        while run[0] - 1 in gains and run[0] - 1 != years[0] and gains[run[0] - 1] >= big / 2:
            run.insert(0, run[0] - 1)
        while run[-1] + 1 in gains and gains[run[-1] + 1] >= big / 2:
            run.append(run[-1] + 1)
        if runs and run[0] <= runs[-1][-1]:
            runs[-1] = sorted(set(runs[-1]) | set(run))
        else:
            runs.append(run)
    ranked = sorted(runs, key=lambda r: -sum(gains[y] for y in r))[:limit]
    out = []
    for run in sorted(ranked):
        jump = max((jumps[y] for y in run if y in jumps), default=(0, steps[0]))[1]
        out.append((run[0], run[-1], sum(gains[y] for y in run), jump))
    return out


# -- an entity's timeline -----------------------------------------------------------------


_Bar = tuple[int, int, int | None, str, str]  # start, stop, certain from, colour, label
_Marks = dict[str, list[tuple[int, str, str]]]  # instrument -> [(day, act, date as written)]


def timeline(ledger: Ledger, entity: str, *, as_of: DateLike | None = None, known_at: DateLike | None = None) -> Figure:
    """``entity``'s memberships and terms as bars, its signatures and
    ratifications as marks, up to ``as_of`` (default today).

    Bars start on the earliest day a date allows; the part a partial date
    leaves open is drawn lighter."""
    state = ledger.state(as_of, known_at)
    day = state.day
    lanes, marks = _timeline_lanes(ledger, state, entity, known_at)
    if not lanes:
        raise UnknownEntity("entity", entity)

    days = [b[0] for _, bars in lanes for b in bars] + [d for acts in marks.values() for d, _, _ in acts]
    lo, hi = min(days), max([day] + [b[1] for _, bars in lanes for b in bars])
    pad = max(120, (hi - lo) // 30)
    fig = _figure(10, 1.9 + 0.5 * len(lanes))
    ax = fig.add_subplot()
    span = hi - lo + 2 * pad
    for row, (label, bars) in enumerate(lanes):
        _draw_lane(ax, len(lanes) - 1 - row, bars, marks.get(label), span)
    ax.set_yticks(range(len(lanes)), [label for label, _ in reversed(lanes)])
    ax.set_xlim(mdates.date2num(_date(lo - pad)), mdates.date2num(_date(hi + max(pad, (hi - lo) // 12))))
    ax.set_ylim(-0.7, len(lanes) - 0.3)
    ax.xaxis_date()
    ax.grid(axis="x", color="#e2e8f0")
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.set_title(f"{_title(ledger, entity, known_at)} up to {day_to_iso(day)}", loc="left", fontsize=13)
    _timeline_legend(fig, lanes, marks)
    return fig


def _timeline_lanes(ledger: Ledger, state: State, entity: str, known_at: DateLike | None) -> tuple[list[tuple[str, list[_Bar]]], _Marks]:
    """The lanes of :func:`timeline` (label, bars) and the marks of its instrument lanes."""
    day = state.day
    lanes: list[tuple[str, list[_Bar]]] = []
    by_org: dict[str, list[_Bar]] = {}
    for m in state.membership_history(entity):
        if m.start is None:
            continue
        stop = m.end.earliest_day if m.end is not None else day
        label = f"{m.start}" + (f" to {m.end}" if m.end is not None else "")
        by_org.setdefault(m.org, []).append((m.start.earliest_day, stop, m.start.latest_day, _BLUE, label))
    for org, bars in sorted(by_org.items(), key=lambda kv: kv[1][0][0]):
        lanes.append((f"member of {org}", bars))
    seats: dict[str, list[_Bar]] = {}
    for code, seat in state.permanent_seats_of(entity):
        if seat.start.earliest_day <= day:
            stop = seat.end.earliest_day if seat.end is not None else day
            seats.setdefault(code, []).append((seat.start.earliest_day, min(stop, day), seat.start.latest_day, _DARK, f"permanent from {seat.start}"))
    for code, term in state.terms_of(entity):
        if term.start.earliest_day <= day:
            years = f"{term.start.earliest.year}\u2013{year_of_day(term.last_day())}"
            seats.setdefault(code, []).append((term.start.earliest_day, min(term.last_day(), day), term.start.latest_day, _ORANGE, years))
    for code, bars in sorted(seats.items(), key=lambda kv: min(b[0] for b in kv[1])):
        lanes.append((f"seat on {code}", sorted(bars)))
    marks: _Marks = {}
    for event in ledger.timeline(entity, known_at=known_at):
        if event.kind == "signing" and getattr(event, "party", None) == entity and event.date.earliest_day <= day:
            marks.setdefault(event.instrument, []).append((event.date.earliest_day, event.act, event.date.text))  # type: ignore[attr-defined]
    for code, _acts in sorted(marks.items(), key=lambda kv: kv[1][0][0]):
        lanes.append((code, []))
    return lanes, marks


def _draw_lane(ax: Any, y: int, bars: list[_Bar], marks: list[tuple[int, str, str]] | None, span: int) -> None:
    """One lane of :func:`timeline`: its bars with their labels, and its marks."""
    pending: list[str] = []
    for n, (start, stop, sure_from, colour, text) in enumerate(bars):
        sure = min(max(sure_from or start, start), stop)
        if sure > start:
            ax.barh(y, sure - start, left=mdates.date2num(_date(start)), height=0.5, color=colour, alpha=0.35)
        ax.barh(y, max(stop - sure, 1), left=mdates.date2num(_date(sure)), height=0.5, color=colour)
        # Wide bars carry their dates inside; narrow ones after their end,
        # gathered after the last of a run of bars close together so
        # that no label covers the next bar.
        if stop - start > 0.25 * span:
            ax.text(mdates.date2num(_date(start + span // 100)), y, text, va="center", ha="left", fontsize=9, color="white")
            continue
        pending.append(text)
        following = bars[n + 1][0] if n + 1 < len(bars) else None
        if following is None or following - stop > 0.2 * span:
            ax.text(mdates.date2num(_date(stop + span // 150)), y, ", ".join(pending), va="center", ha="left", fontsize=9, color=_DARK)
            pending = []
    if marks:
        # Signatures a little above, consents below: months apart, they
        # would cover each other at the scale of decades.
        for when, act, _ in marks:
            shift = 0.13 if act == "signature" else -0.13
            ax.plot(mdates.date2num(_date(when)), y + shift, linestyle="none", **_mark_style(act))
        last = max(when for when, _, _ in marks)
        words = ", ".join(f"{act} {text}" for _, act, text in sorted(marks))
        ax.text(mdates.date2num(_date(last + span // 60)), y, words, va="center", ha="left", fontsize=9, color=_DARK)


def _timeline_legend(fig: Figure, lanes: list[tuple[str, list[_Bar]]], marks: _Marks) -> None:
    used = {bar[3] for _, bars in lanes for bar in bars}
    handles: list[Any] = [
        Patch(color=colour, label=label)
        for colour, label in ((_BLUE, "membership"), (_ORANGE, "elected term"), (_DARK, "permanent seat"))
        if colour in used
    ]
    if marks:
        from matplotlib.lines import Line2D

        handles += [
            Line2D([], [], linestyle="none", label="signature", **_mark_style("signature")),
            Line2D([], [], linestyle="none", label="consent to be bound", **_mark_style("ratification")),
        ]
        if any(act in LEAVING_ACTS for acts in marks.values() for _, act, _ in acts):
            handles.append(Line2D([], [], linestyle="none", label="withdrawal", **_mark_style("withdrawal")))
    if any(b[2] is not None and b[2] > b[0] for _, bars in lanes for b in bars):
        handles.append(Patch(color=_GREY, alpha=0.35, label="date known to the month or year"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5), frameon=False, fontsize=9)

def _mark_style(act: str) -> dict[str, Any]:
    if act == "signature":
        return {"marker": "o", "markersize": 8, "markerfacecolor": "white", "markeredgecolor": _DARK, "markeredgewidth": 1.5}
    if act in BINDING_ACTS:
        return {"marker": "D", "markersize": 7, "color": _DARK}
    return {"marker": "X", "markersize": 8, "color": "#c53030"}


# -- who sat on a body --------------------------------------------------------------------


def body(ledger: Ledger, body_code: str, start: int | None = None, end: int | None = None, *, known_at: DateLike | None = None) -> Figure:
    """Who sat on ``body_code`` in each year from ``start`` to ``end``: one
    row per member, a cell per year it sat at any time in that year (dark:
    permanent seat; orange: elected; light: not certain)."""
    final = ledger.state(END_OF_TIME, known_at)
    info = final.body(body_code)
    y0 = start if start is not None else info.established.earliest.year
    y1 = end if end is not None else this_year()
    if y1 < y0:
        raise ValueError(f"the last year {y1} is before the first year {y0}")
    # Sample days catch every term of a year without trusting any one reducer's
    # notion of history: each is the fold's own answer on that day.
    cells: dict[str, dict[int, tuple[str, bool]]] = {}
    for year in range(y0, y1 + 1):
        for day in (f"{year:04d}-01-01", f"{year:04d}-04-01", f"{year:04d}-07-01", f"{year:04d}-10-01", f"{year:04d}-12-31"):
            state = ledger.state(day, known_at)
            if not state.is_body(body_code):
                continue
            for seat in state.seated(body_code):
                was = cells.setdefault(seat.member, {}).get(year)
                cells[seat.member][year] = (seat.kind, seat.certain or (was is not None and was[1]))
    if not cells:
        raise UnknownEntity("body", body_code)
    members = sorted(cells, key=lambda m: (min(cells[m]), cells[m][min(cells[m])][0] != "permanent", m))
    years = list(range(y0, y1 + 1))
    fig = _figure(max(6.0, 2.2 + 0.16 * len(years)), max(3.0, 1.4 + 0.2 * len(members)))
    ax = fig.add_subplot()
    for row, member in enumerate(members):
        for year, (kind, certain) in cells[member].items():
            colour = _DARK if kind == "permanent" else _ORANGE
            ax.add_patch(_cell(year - 0.5, row - 0.4, colour, certain))
    ax.set_xlim(y0 - 0.6, y1 + 0.6)
    ax.set_ylim(len(members) - 0.5, -0.5)
    names = ledger.state(f"{y1:04d}", known_at)  # the names members had at the end of the range
    ax.set_yticks(range(len(members)), [f"{m} {_short(names.name(m))}" for m in members], fontsize=8)
    step = 1 if len(years) <= 15 else 5 if len(years) <= 60 else 10
    ax.set_xticks([y for y in years if y % step == 0] or [y0])
    ax.grid(axis="x", color="#e2e8f0")
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title(f"Who sat on {_title(ledger, body_code, known_at)}, {y0}\u2013{y1}", loc="left", fontsize=12)
    ax.tick_params(axis="x", labeltop=len(members) > 25)
    handles = [Patch(color=_DARK, label="permanent seat"), Patch(color=_ORANGE, label="elected")]
    if any(not certain for years_ in cells.values() for _, certain in years_.values()):
        handles.append(Patch(color=_ORANGE, alpha=0.35, label="not certain"))
    # A partial record is said above the legend, where the layout keeps room for it.
    caption = _coverage_caption(fig, final, [(body_code, "seats")])
    legend = fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=9, title=caption, title_fontsize=8.5)
    if caption is not None:
        legend.get_title().set_color(_PARTIAL)
    return fig


def _cell(x: float, y: float, colour: str, certain: bool) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x + 0.05, y), 0.9, 0.8, color=colour, alpha=1.0 if certain else 0.35, linewidth=0)


def _short(name: str | None, limit: int = 22) -> str:
    if not name:
        return ""
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"
