"""How answers are printed: aligned tables for people, JSON and CSV for programs.

Every command builds a list of rows (dicts, the same rows as
:mod:`unledger.arrow`) and hands them to :func:`emit`, which writes them in
the chosen format. Uncertain facts are marked in every format: a ``certain``
column (``no`` / ``false``), and in tables a ``?`` after each partial date
that does not yet settle the fact on the day asked.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..dates import Certainty, PartialDate, day_to_iso
from ..events.base import CONTROLS, Event
from ..state import State

Row = dict[str, Any]
#: (row key, column header) pairs a table shows.
Columns = Sequence[tuple[str, str]]

UNCERTAIN_MARK = "?"


_UNSAFE: Final = re.compile(f"[{CONTROLS}]")


def safe(text: str) -> str:
    """``text`` with control characters (C0, C1, DEL) and bidi marks,
    embeddings, overrides and isolates escaped (``\\x85``, ``\\u202e``), so
    that nothing a log holds can drive or reorder a terminal."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


#: What JSON text leaves raw that :func:`safe` escapes (orjson already
#: escapes C0 controls inside strings; the newlines of indented JSON are layout).
_JSON_UNSAFE: Final = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _json_safe(text: str) -> str:
    """JSON text with the characters :func:`safe` escapes written as
    ``\\uXXXX`` escapes: the same data, nothing raw for a terminal."""
    if text.isascii() and "\x7f" not in text:
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def plain(value: Any) -> Any:
    """A row value as JSON sees it."""
    if isinstance(value, PartialDate):
        return value.text
    return value


def json_text(rows: Sequence[Row]) -> str:
    return _json_safe(orjson.dumps([{k: plain(v) for k, v in row.items()} for row in rows], option=orjson.OPT_INDENT_2).decode()) + "\n"


def jsonl_text(rows: Sequence[Row]) -> str:
    return "".join(_json_safe(orjson.dumps({k: plain(v) for k, v in row.items()}).decode()) + "\n" for row in rows)


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return safe(" ".join(str(v) for v in value))
    if isinstance(value, dict):
        return _json_safe(orjson.dumps(value).decode())
    if isinstance(value, str):
        return safe(value)
    return value


def csv_text(rows: Sequence[Row], fields: Sequence[str] | None = None) -> str:
    out = io.StringIO()
    names = list(fields) if fields is not None else (list(rows[0]) if rows else [])
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: csv_cell(row.get(k)) for k in names})
    return out.getvalue()


def table_cell(value: Any, day: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, PartialDate):
        if day is not None and value.certainty(day) is Certainty.UNCERTAIN:
            return value.text + UNCERTAIN_MARK
        return value.text
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return safe(", ".join(str(v) for v in value))
    return safe(str(value))


def stdout_console() -> Console:
    # Piped output is never wrapped: a line per row keeps grep and cut useful.
    probe = Console()
    if probe.is_terminal:
        return probe
    return Console(width=100_000, no_color=True, highlight=False, soft_wrap=False)


def emit(
    fmt: str,
    rows: Sequence[Row],
    columns: Columns,
    *,
    day: int | None = None,
    title: str | None = None,
    fields: Sequence[str] | None = None,
    notes: Sequence[str] = (),
) -> None:
    """Print ``rows``: ``fmt`` is ``table``, ``json`` or ``csv``. ``columns``
    are what a table shows; JSON and CSV carry every field of the rows
    (``fields`` fixes the CSV header when there may be no rows)."""
    if fmt in ("json", "csv"):
        # Machine-readable output stays rows only; the notes go to stderr.
        for note in notes:
            sys.stderr.write(f"note: {note}\n")
        sys.stdout.write(json_text(_with_basis(rows)) if fmt == "json" else csv_text(rows, fields))
        return
    console = stdout_console()
    if title:
        console.print(Text(safe(title), style="bold"))
    for note in notes:
        console.print(Text(f"note: {safe(note)}"))
    if not rows:
        console.print("(none)")
        return
    with console.capture() as captured:
        _print_table(console, rows, columns, day)
    # Rich pads the last column; trailing blanks only get in the way of diff and grep.
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def _with_basis(rows: Sequence[Row]) -> Sequence[Row]:
    """``rows`` with the basis of the answer they come from, when the
    command computed one (see :mod:`unledger.basis`)."""
    import click

    from . import BASIS_KEY

    ctx = click.get_current_context(silent=True)
    basis = ctx.meta.get(BASIS_KEY) if ctx is not None else None
    return rows if basis is None else [{**row, "basis": basis} for row in rows]


def _print_table(console: Console, rows: Sequence[Row], columns: Columns, day: int | None) -> None:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", padding=(0, 2, 0, 0))
    for _, header in columns:
        table.add_column(header, overflow="fold")
    marked = False
    for row in rows:
        cells = [table_cell(row.get(key), day) for key, _ in columns]
        marked = marked or any(c.endswith(UNCERTAIN_MARK) for c in cells)
        table.add_row(*cells)
    console.print(table)
    if marked and day is not None:
        console.print(f"{UNCERTAIN_MARK} the source gives only the month or year: not certain on {day_to_iso(day)}")


def coverage_notes(state: State, code: str, aspect: str | None = None) -> list[str]:
    """One line per declaration that ``code``'s record is partial on the
    state's day (for the header of an answer about it)."""
    return [f"partial record of {c.entity}'s {c.aspect}: {c.statement}" for c in state.partly_covered(code, aspect)]


def count_of(n: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- events in words ----------------------------------------------------------------


def summary(event: Event) -> str:
    """One line saying what ``event`` records (see :meth:`Event.summary`)."""
    return event.summary()


# -- a progress bar for slow loads ---------------------------------------------------


@contextmanager
def progress_after(delay: float, label: str, *, console: Console | None = None) -> Iterator[None]:
    """Show a progress bar on standard error if the body takes longer than
    ``delay`` seconds, and only when standard error is a terminal (never in
    pipes, files or CI logs)."""
    console = console if console is not None else Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console, transient=True)
    progress.add_task(label, total=None)
    lock = threading.Lock()
    state = {"started": False, "done": False}

    def start() -> None:
        with lock:
            if not state["done"]:
                progress.start()
                state["started"] = True

    timer = None
    if delay <= 0:
        start()
    else:
        timer = threading.Timer(delay, start)
        timer.daemon = True
        timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
        if timer is not None:
            timer.cancel()
        if state["started"]:
            progress.stop()
