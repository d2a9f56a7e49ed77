"""Commands for imported datasets: ``import``, ``votes``, ``agreement``,
``standing``, ``status-counts``, the panel export and their plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import research
from ..crosswalk import resolve
from . import DATE, PROGRESS_DELAY, TIMESTAMP, Refused, cli, output_options, require, session, when_options
from ._output import count_of, emit, progress_after
from .plotcmd import KNOWN_AT, OUTPUT, _plot_module, _save, plot


@cli.group("import", cls=type(cli))
def import_() -> None:
    """Import a public dataset into the log given with --log."""


def _import(kind: str, directory: Path, version: str | None, strict: bool, report: Path | None) -> None:
    from .. import importers

    if session().log is None:
        raise Refused("import needs a log of your own: unledger --log FILE import ...")
    ledger = session().ledger(write=True)
    run = importers.import_cow_igo if kind == "cow-igo" else importers.import_unga_votes
    options: dict[str, Any] = {"strict": strict, "report": report}
    if version is not None:
        options["version"] = version
    with progress_after(PROGRESS_DELAY, f"Importing {directory}"):
        result = run(ledger, directory, **options)
    summary = result.summary()
    fmt = session().fmt
    if fmt != "table":  # one row: JSON keeps the conflicts by check, CSV writes them as "n check; ..."
        row = summary if fmt == "json" else {**summary, "conflicts": _conflict_text(summary["conflicts"])}  # type: ignore[arg-type]
        emit(fmt, [row], [], fields=list(summary))
        return
    conflicts = _conflict_text(summary["conflicts"]).replace("; ", ", ") or "none"  # type: ignore[arg-type]
    click.echo(
        f"{result.dataset} {result.version}: {result.events} events, {result.seconds:.1f} s; appended {result.appended}, "
        f"corrected {result.corrections}, retracted {result.retractions}, unchanged {result.unchanged}"
    )
    click.echo(f"conflicts with the ledger's UN records: {conflicts}" + (f" (table: {result.report})" if result.report else ""))


def _conflict_text(conflicts: dict[str, int]) -> str:
    return "; ".join(f"{n} {check}" for check, n in conflicts.items())


_IMPORT_OPTIONS = [
    click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True)),
    click.option("--version", "version", default=None, help="The release being imported (recorded in every event's source)."),
    click.option("--strict", is_flag=True, help="Refuse the import (append nothing) if it conflicts with the ledger's UN records."),
    click.option("--report", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Write the conflicts to this CSV file."),
]


def _with_import_options(f: Any) -> Any:
    for option in reversed(_IMPORT_OPTIONS):
        f = option(f)
    return output_options(f)


@import_.command("cow-igo")
@_with_import_options
def cow_igo(directory: Path, version: str | None, strict: bool, report: Path | None) -> None:
    """Correlates of War IGO data v3 (state_year_formatv3.csv, igo_year_formatv3.csv) in DIRECTORY.

    \b
    unledger --log cow.jsonl import cow-igo ~/data/cow-igo-v3 --report conflicts.csv
    """
    _import("cow-igo", directory, version, strict, report)


@import_.command("unga-votes")
@_with_import_options
def unga_votes(directory: Path, version: str | None, strict: bool, report: Path | None) -> None:
    """UN General Assembly roll calls (un_votes.csv, un_roll_calls.csv, un_roll_call_issues.csv) in DIRECTORY.

    \b
    unledger --log votes.jsonl import unga-votes ~/data/unga-votes
    """
    _import("unga-votes", directory, version, strict, report)


def _voter(state: str, known_at: str | None) -> None:
    """Refuse a state that cast no vote in the log, suggesting close codes."""
    code = resolve(state)
    known = research.voters(session().ledger(), known_at=known_at)
    if code not in known:
        require(session().ledger().state(), "voting state", code, known)


def _issue(value: str | None) -> str | None:
    if value is None:
        return None
    from ..importers.unga import issue_code

    return issue_code(value)


_RANGE = [
    click.option("--from", "start", type=DATE, default=None, help="Roll calls on or after this date."),
    click.option("--to", "end", type=DATE, default=None, help="Roll calls on or before this date."),
    click.option("--issue", default=None, help="Only roll calls on this issue (code or name: me, nu, di, co, hr, ec)."),
    click.option("--known-at", type=TIMESTAMP, default=None, help="As the ledger knew it at this moment."),
]


def _with_range(f: Any) -> Any:
    for option in reversed(_RANGE):
        f = option(f)
    return output_options(f)


@cli.command()
@click.argument("state")
@_with_range
def votes(state: str, start: str | None, end: str | None, issue: str | None, known_at: str | None) -> None:
    """How STATE voted in each UN General Assembly roll call (any of its codes).

    \b
    unledger --log votes.jsonl votes USA --from 2019 --issue me
    """
    _voter(state, known_at)
    rows = [
        {"rcid": r.rcid, "symbol": r.symbol, "un_symbol": r.un_symbol, "date": r.date, "vote": r.vote, "important": r.important,
         "amendment": r.amendment, "paragraph": r.paragraph, "issues": " ".join(r.subjects), "title": r.title}
        for r in research.votes(session().ledger(), state, start=start, end=end, issue=_issue(issue), known_at=known_at)
    ]
    emit(
        session().fmt, rows,
        [("rcid", "rcid"), ("symbol", "symbol"), ("date", "date"), ("vote", "vote"), ("issues", "issues"), ("title", "title")],
        title=f"{resolve(state)}: {count_of(len(rows), 'vote')}",
        fields=["rcid", "symbol", "un_symbol", "date", "vote", "important", "amendment", "paragraph", "issues", "title"],
    )


@cli.command()
@click.argument("state")
@click.argument("other", required=False)
@_with_range
def agreement(state: str, other: str | None, start: str | None, end: str | None, issue: str | None, known_at: str | None) -> None:
    """Per year, the share of roll calls on which STATE and OTHER both voted
    and voted alike; without OTHER, against every state.

    \b
    unledger --log votes.jsonl agreement USA ISR --from 2010
    """
    for code in (state, other) if other is not None else (state,):
        _voter(code, known_at)
    rows = [
        {"year": r.year, "state": r.state, "other": r.other, "votes": r.votes, "agreed": r.agreed, "share": round(r.share, 4)}
        for r in research.agreement(session().ledger(), state, other, start=start, end=end, issue=_issue(issue), known_at=known_at)
    ]
    emit(
        session().fmt, rows,
        [("year", "year"), ("state", "state"), ("other", "other"), ("votes", "votes"), ("agreed", "agreed"), ("share", "share")],
        title=f"{resolve(state)} and {resolve(other) if other else 'every state'}: voting alike",
        fields=["year", "state", "other", "votes", "agreed", "share"],
    )


@cli.command()
@click.argument("state")
@when_options
@output_options
def standing(state: str, as_of: str | None, known_at: str | None) -> None:
    """STATE's standing in every organization on a day: memberships the
    ledger records and imported statuses (full, associate, observer, unknown).

    \b
    unledger --log cow.jsonl standing FRA --as-of 1960
    """
    ledger = session().ledger()
    rows = [
        {"org": s.org, "member": s.member, "status": s.status, "since": s.since, "certain": s.certain, "previous": s.previous,
         "source": s.source, "id": s.id}
        for s in research.standing(ledger, state, as_of, known_at=known_at)
    ]
    day = ledger.state(as_of).day
    emit(
        session().fmt, rows,
        [("org", "organization"), ("status", "status"), ("since", "since"), ("certain", "certain"), ("previous", "before")],
        day=day,
        title=f"{resolve(state)} on {ledger.state(as_of).as_of}: {count_of(len(rows), 'organization')}",
        fields=["org", "member", "status", "since", "certain", "previous", "source", "id"],
    )


@cli.command("status-counts")
@click.argument("org")
@click.option("--from", "start", type=click.IntRange(1, 9999), default=None, help="First year.")
@click.option("--to", "end", type=click.IntRange(1, 9999), default=None, help="Last year.")
@click.option("--known-at", type=TIMESTAMP, default=None, help="As the ledger knew it at this moment.")
@output_options
def status_counts(org: str, start: int | None, end: int | None, known_at: str | None) -> None:
    """Members of ORG by status (full, associate, observer, unknown) at the end of each year.

    \b
    unledger --log cow.jsonl status-counts NATO --from 1949 --to 1960
    """
    rows = [
        {"year": r.year, "org": r.org, "full": r.full, "associate": r.associate, "observer": r.observer, "unknown": r.unknown}
        for r in research.status_counts(session().ledger(), org, start, end, known_at=known_at)
    ]
    emit(
        session().fmt, rows,
        [("year", "year"), ("full", "full"), ("associate", "associate"), ("observer", "observer"), ("unknown", "unknown")],
        title=f"{org}: members by status",
        fields=["year", "org", "full", "associate", "observer", "unknown"],
    )


def export_panel(output: Path | None, fmt: str, start: int | None, end: int | None, known_at: str | None) -> None:
    """``unledger export panel``: the state-year table, CSV or Parquet."""
    from ..panel import write_panel

    if output is None:
        raise click.UsageError("export panel needs -o FILE")
    written = write_panel(session().ledger(), output, fmt=fmt, start=start, end=end, known_at=known_at)
    click.echo(f"wrote {written} rows to {output}", err=True)


@plot.command("agreement")
@click.argument("state")
@click.argument("other")
@click.option("--from", "start", type=DATE, default=None, help="Roll calls on or after this date.")
@click.option("--to", "end", type=DATE, default=None, help="Roll calls on or before this date.")
@click.option("--issue", default=None, help="Only roll calls on this issue.")
@KNOWN_AT
@OUTPUT
@output_options
def plot_agreement(state: str, other: str, start: str | None, end: str | None, issue: str | None, known_at: str | None, output: Path) -> None:
    """The share of roll calls STATE and OTHER voted alike, per year.

    \b
    unledger --log votes.jsonl plot agreement USA ISR -o usa-isr.png
    """
    _plot_module()  # refuses --json and --csv before any work
    from .. import research_plot

    fig = research_plot.agreement(session().ledger(), state, other, start=start, end=end, issue=_issue(issue), known_at=known_at)
    _save(fig, output)


@plot.command("status-counts")
@click.argument("org")
@click.option("--from", "start", type=click.IntRange(1, 9999), default=None, help="First year.")
@click.option("--to", "end", type=click.IntRange(1, 9999), default=None, help="Last year.")
@KNOWN_AT
@OUTPUT
@output_options
def plot_status_counts(org: str, start: int | None, end: int | None, known_at: str | None, output: Path) -> None:
    """Members of ORG by status per year, stacked.

    \b
    unledger --log cow.jsonl plot status-counts UN -o un.png
    """
    _plot_module()  # refuses --json and --csv before any work
    from .. import research_plot

    _save(research_plot.status_counts(session().ledger(), org, start, end, known_at=known_at), output)
