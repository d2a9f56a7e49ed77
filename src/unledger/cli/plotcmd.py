"""``unledger plot``: pictures as PNG or SVG files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from . import DATE, PROGRESS_DELAY, TIMESTAMP, cli, code_of, no_formats, output_options, session
from ._output import progress_after


def _output_file(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    if value.suffix.lower() not in (".png", ".svg"):
        raise click.BadParameter(f"{value}: the file name must end in .png or .svg", ctx=ctx, param=param)
    return value


def _plot_module() -> Any:
    no_formats("plot", "it writes the picture named by -o (use `unledger count --json` or `unledger export` for the data)")
    from .. import plot  # raises ImportError with the install hint without matplotlib

    return plot


OUTPUT = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True, callback=_output_file, help="The picture to write: FILE.png or FILE.svg."
)
KNOWN_AT = click.option("--known-at", type=TIMESTAMP, default=None, help="As the ledger knew it at this moment.")


@cli.group(cls=type(cli))
def plot() -> None:
    """Draw the record as a picture (needs matplotlib: pip install '.[plot]' in a checkout)."""


def _save(fig: Any, output: Path) -> None:
    plot_ = _plot_module()
    plot_.save(fig, output)
    click.echo(f"wrote {output}", err=True)


@plot.command()
@click.argument("org")
@click.option("--from", "start", type=DATE, default=None, help="First date or year (default: the organization's first event).")
@click.option("--to", "end", type=DATE, default=None, help="Last date or year (default: today).")
@KNOWN_AT
@OUTPUT
@click.option("--allow-partial", is_flag=True, help="Draw even where the record of ORG's membership is partial.")
@output_options
def growth(org: str, start: str | None, end: str | None, known_at: str | None, output: Path, allow_partial: bool) -> None:
    """Members of ORG over time, with the big waves of admissions marked.

    Refused when the record declares ORG's membership partial, unless
    --allow-partial is given; the figure then says so.

    \b
    unledger plot growth UN -o un.png
    """
    org = code_of(org, known_at)
    plot_ = _plot_module()
    ledger = session().ledger()
    with progress_after(PROGRESS_DELAY, f"Drawing {org}"):
        fig = plot_.growth(ledger, org, start, end, known_at=known_at, allow_partial=allow_partial)
    _save(fig, output)


@plot.command("timeline")
@click.argument("entity")
@click.option("--as-of", type=DATE, default=None, help="Draw up to this day (default: today).")
@KNOWN_AT
@OUTPUT
@output_options
def timeline_(entity: str, as_of: str | None, known_at: str | None, output: Path) -> None:
    """ENTITY's memberships and terms as bars, signatures and ratifications
    as marks.

    \b
    unledger plot timeline AZE -o aze.svg
    """
    entity = code_of(entity, known_at)
    plot_ = _plot_module()
    ledger = session().ledger()
    fig = plot_.timeline(ledger, entity, as_of=as_of, known_at=known_at)
    _save(fig, output)


@plot.command("body")
@click.argument("body")
@click.option("--from", "start", type=click.IntRange(1, 9999), default=None, help="First year (default: the body's first).")
@click.option("--to", "end", type=click.IntRange(1, 9999), default=None, help="Last year (default: this year).")
@KNOWN_AT
@OUTPUT
@output_options
def body_(body: str, start: int | None, end: int | None, known_at: str | None, output: Path) -> None:
    """Who sat on BODY in each year.

    \b
    unledger plot body UNSC --from 1990 --to 2000 -o unsc.png
    """
    body = code_of(body, known_at)
    if start is not None and end is not None and end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    plot_ = _plot_module()
    ledger = session().ledger()
    with progress_after(PROGRESS_DELAY, f"Drawing {body}"):
        fig = plot_.body(ledger, body, start, end, known_at=known_at)
    _save(fig, output)
