"""The ``unledger`` command line.

click parses the arguments (and gives shell completion for free); rich lays
out tables and draws the progress bar. Each group of commands lives in its
own module: :mod:`.query` (questions about a day), :mod:`.logcmd` (the log
itself), :mod:`.plotcmd` (pictures). Every refusal (an
:class:`~unledger.UnledgerError`, a file that cannot be read) becomes one
line on standard error and exit code 1; usage mistakes exit with 2.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from .._version import __version__
from ..dates import END_OF_TIME, parse_date, parse_timestamp
from ..errors import AmbiguousName, InvalidEvent, UnknownEntity, UnledgerError
from ..events.base import code_problem
from ..ledger import Ledger
from ..lookup import resolve
from ..state import State

__all__ = ["main", "cli", "Session", "Refused"]

F = TypeVar("F", bound=Callable[..., Any])

#: Where :func:`state_for` leaves the answer's basis for ``--json`` output.
BASIS_KEY = "unledger.basis"

#: Seconds a load may take before the progress bar shows.
PROGRESS_DELAY = 1.0


class Refused(click.ClickException):
    """A refusal: one line on standard error, exit code 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"unledger: error: {self.format_message()}", err=True, file=file)


def describe(exc: BaseException) -> str:
    """One line naming the input and the reason."""
    if isinstance(exc, UnledgerError):
        return str(exc)
    if isinstance(exc, OSError):
        name = exc.filename if exc.filename is not None else "file"
        return f"{name}: {exc.strerror or exc}"
    if isinstance(exc, ImportError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class Session:
    """What the global options chose: which log, which output format."""

    def __init__(self, log: Path | None, fmt: str, debug: bool) -> None:
        self.log = log
        self.fmt = fmt
        self.debug = debug
        self._ledger: Ledger | None = None

    @property
    def source(self) -> str:
        return str(self.log) if self.log is not None else "the bundled records"

    def ledger(self, *, write: bool = False) -> Ledger:
        """The ledger, read once per command. Reading opens the log
        read-only (a missing file is an error); ``write`` creates it."""
        if self._ledger is not None and (not write or not self._ledger.readonly):
            return self._ledger
        from ._output import progress_after

        with progress_after(PROGRESS_DELAY, f"Reading {self.source}"):
            if self.log is None:
                self._ledger = Ledger.bundled()
            else:
                self._ledger = Ledger.open(self.log, readonly=not write)
        return self._ledger


def session() -> Session:
    return click.get_current_context().find_object(Session)  # type: ignore[return-value]


# -- parameter types -------------------------------------------------------------------


class DateType(click.ParamType):
    """A partial date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; returned as text."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return parse_date(str(value)).text
        except InvalidEvent as exc:
            self.fail(exc.reason, param, ctx)


class TimestampType(click.ParamType):
    """A moment for ``--known-at``: an ISO 8601 timestamp or a date."""

    name = "TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            return parse_timestamp(str(value))
        except InvalidEvent as exc:
            self.fail(exc.reason, param, ctx)


DATE = DateType()
TIMESTAMP = TimestampType()


def _set_format(fmt: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if value:
            obj = ctx.find_object(Session)
            if obj is not None:
                if obj.fmt not in ("table", fmt):
                    raise click.UsageError("choose one of --json and --csv")
                obj.fmt = fmt

    return callback


def _set_log(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    if value is not None:
        obj = ctx.find_object(Session)
        if obj is not None:
            obj.log = value


def output_options(f: F) -> F:
    """``--log``, ``--json`` and ``--csv`` after the command name too
    (``unledger members UN --json``)."""
    f = click.option("--csv", "csv_", is_flag=True, expose_value=False, callback=_set_format("csv"), help="Print CSV.")(f)
    f = click.option("--json", "json_", is_flag=True, expose_value=False, callback=_set_format("json"), help="Print a JSON array.")(f)
    f = click.option(
        "--log",
        type=click.Path(path_type=Path, dir_okay=False),
        expose_value=False,
        callback=_set_log,
        help="The log to read (default: the bundled records).",
    )(f)
    return f


def no_formats(command: str, instead: str) -> None:
    """Refuse --json and --csv for a command that prints no table (a usage
    error naming what to use ``instead``): an option is honoured or refused,
    never ignored."""
    fmt = session().fmt
    if fmt != "table":
        raise click.UsageError(f"{command} does not print a table, so --{fmt} does not apply: {instead}")


def when_options(f: F) -> F:
    """``--as-of`` and ``--known-at``."""
    f = click.option(
        "--known-at", type=TIMESTAMP, default=None, help="Answer as the ledger knew it at this moment (ISO timestamp or date)."
    )(f)
    f = click.option("--as-of", type=DATE, default=None, help="The day asked about; a year or month means its last day. Default: today.")(f)
    return f


def state_for(as_of: str | None, known_at: str | None) -> State:
    state = session().ledger().state(as_of, known_at)
    if state.basis is not None:  # --json rows say which version of the log they come from
        click.get_current_context().meta[BASIS_KEY] = state.basis.as_dict()
    return state


def code_of(text: str, known_at: str | None = None) -> str:
    """The code a command's argument stands for: the code, or a name the
    record gives the entity (now or formerly), in any case (see
    :func:`unledger.lookup.resolve`). A name several entities bear is
    refused, and so is a name that matches nothing (with the closest codes
    and names); a code that matches nothing is returned as it is, for the
    command to refuse with its own suggestions."""
    try:
        return resolve(session().ledger().state(END_OF_TIME, known_at), text)
    except AmbiguousName as exc:
        raise Refused(f"{exc} in {session().source}") from None
    except UnknownEntity as exc:
        # Not a code or name of this record: another of a state's codes
        # (COW number or letters, ISO alpha-2) or a name the crosswalk knows.
        from ..crosswalk import resolve as crosswalk_resolve

        alias = crosswalk_resolve(text)
        if alias != text:
            return alias
        if code_problem(text) is None:
            return text
        raise Refused(f"{exc} (no code or name in {session().source})") from None


def require(state: State, what: str, code: str, known: Iterable[str]) -> None:
    """Refuse an unknown code, suggesting close ones."""
    names = sorted(set(known))
    if code in names:
        return
    close = difflib.get_close_matches(code, names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else (f"; known: {', '.join(names[:12])}{'...' if len(names) > 12 else ''}" if names else "")
    raise Refused(f"unknown {what} {code!r} in {session().source}{hint}")


# -- the group -------------------------------------------------------------------------


class UnledgerGroup(click.Group):
    """Turns every refusal into one line and exit code 1 (a traceback only with --debug)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (UnledgerError, OSError, ImportError) as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            obj = ctx.find_object(Session)
            if obj is not None and obj.debug:
                raise
            raise Refused(describe(exc)) from None


class OrderedGroup(UnledgerGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=OrderedGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--log",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    envvar="UNLEDGER_LOG",
    help="The log file to use (default: the records bundled with unledger; env UNLEDGER_LOG).",
)
@click.option("--json", "json_", is_flag=True, help="Print a JSON array of objects.")
@click.option("--csv", "csv_", is_flag=True, help="Print CSV.")
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(__version__, "--version", "-V", prog_name="unledger")
@click.pass_context
def cli(ctx: click.Context, log: Path | None, json_: bool, csv_: bool, debug: bool) -> None:
    """unledger: states and international organizations as an append-only
    log of dated events, asked about any day.

    \b
    Examples:
      unledger members UN --as-of 1992
      unledger --log my.jsonl append events.jsonl
      unledger --json seats UNSC --as-of 2012-06
    """
    if json_ and csv_:
        raise click.UsageError("choose one of --json and --csv")
    ctx.obj = Session(log, "json" if json_ else "csv" if csv_ else "table", debug)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        cli.main(args=argv, prog_name="unledger")
    except BrokenPipeError:
        # `unledger log | head`: the reader left; that is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


# The command modules add their commands to `cli` when imported.
from . import query, logcmd, plotcmd, proofcmd, datasets  # noqa: E402,F401,I001
