"""Commands about the log itself: log, append, verify, repair, export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import arrow
from ..codec import event_from_dict, parse_json_objects
from ..errors import InvalidEvent, RuleViolation
from ..events.registry import kinds
from ..ids import with_content_id
from ..log import FileLog
from ..log.verify import verify_storage
from . import DATE, TIMESTAMP, Refused, cli, code_of, no_formats, output_options, session, when_options
from ._output import count_of, csv_text, emit, jsonl_text, summary

_EVENT_FIELDS = [c for c, _ in arrow.COLUMNS["events"]] + ["what"]


def _event_rows(records: Any) -> list[dict[str, Any]]:
    rows = arrow.event_rows(records)
    for row, record in zip(rows, records, strict=True):
        row["what"] = summary(record.event)
    return rows


def _short_time(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        row["when"] = row["recorded"][:19].replace("T", " ")


@cli.command("log")
@click.option("--kind", "kinds_", multiple=True, type=click.Choice(sorted(kinds())), help="Only events of this kind (repeatable).")
@click.option("--entity", default=None, help="Only events concerning this code.")
@click.option("--from", "start", type=DATE, default=None, help="Events dated on or after this date.")
@click.option("--to", "end", type=DATE, default=None, help="Events dated on or before this date.")
@click.option("--known-at", type=TIMESTAMP, default=None, help="Only what was recorded by this moment.")
@click.option("--all", "include_retracted", is_flag=True, help="Also retracted events, retractions and corrections.")
@output_options
def log_(kinds_: tuple[str, ...], entity: str | None, start: str | None, end: str | None, known_at: str | None, include_retracted: bool) -> None:
    """List recorded events in log order, filtered.

    \b
    unledger log --kind admission --from 1992 --to 1992
    """
    entity = None if entity is None else code_of(entity, known_at)
    ledger = session().ledger()
    records = list(
        ledger.events(kind=kinds_ or None, entity=entity, start=start, end=end, known_at=known_at, include_retracted=include_retracted)
    )
    rows = _event_rows(records)
    _short_time(rows)
    emit(
        session().fmt,
        [{k: v for k, v in row.items() if k != "when"} for row in rows] if session().fmt != "table" else rows,
        [("seq", "seq"), ("when", "recorded (UTC)"), ("date", "date"), ("kind", "kind"), ("what", "what"), ("id", "id")],
        title=f"{count_of(len(rows), 'event')} in {session().source}",
        fields=_EVENT_FIELDS,
    )


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    with open(name, "rb") as f:
        return f.read()


@cli.command()
@click.argument("file", metavar="FILE|-")
@click.option("--expected-seq", type=click.IntRange(min=0), default=None, help="Refuse if the log no longer ends at this seq.")
@output_options
def append(file: str, expected_seq: int | None) -> None:
    """Append the events in FILE (JSON lines, or a JSON array; - reads
    standard input) to the log given by --log, all or nothing; print the
    recorded seqs. The log is created if missing.

    \b
    unledger --log my.jsonl append events.jsonl
    """
    if session().log is None:
        raise Refused("append needs --log PATH: the bundled records are read-only")
    name = "<stdin>" if file == "-" else file
    data = _read_input(file)
    objects = parse_json_objects(data, name=name)
    array = data.lstrip().startswith(b"[")
    positions = [f"{name} {'item' if array else 'line'} {n}" for n in range(1, len(objects) + 1)]
    events = [event_from_dict(obj, position=pos) for obj, pos in zip(objects, positions, strict=True)]
    # Give id-less events their id here rather than in the ledger (the same
    # id, from the content), so that a refusal can name the input line.
    lines: dict[str, str] = {}
    for index, event in enumerate(events):
        if event.id is None:
            events[index] = event = with_content_id(event)
            lines[event.id or ""] = positions[index]
        else:
            lines[event.id] = f"{positions[index]} (id {event.id})"
    ledger = session().ledger(write=True)
    try:
        records = ledger.append(events, expected_seq=expected_seq)
    except (RuleViolation, InvalidEvent) as exc:
        raise Refused(_refusal(exc, lines, name)) from None
    for moved in ledger.quarantined:
        click.echo(f"unledger: note: moved a torn last line of {session().source} into {moved}", err=True)
    rows = _event_rows(records)
    seqs = [r.seq for r in records]
    span = f"seq {seqs[0]}" if len(seqs) == 1 else f"seqs {seqs[0]}-{seqs[-1]}" if seqs == list(range(seqs[0], seqs[-1] + 1)) else "seqs " + ", ".join(map(str, seqs))
    emit(
        session().fmt,
        rows,
        [("seq", "seq"), ("date", "date"), ("kind", "kind"), ("what", "what"), ("id", "id")],
        title=f"Recorded {count_of(len(records), 'event')} in {session().source} ({span}); head {ledger.head}",
        fields=_EVENT_FIELDS,
    )


def _refusal(exc: RuleViolation | InvalidEvent, lines: dict[str, str], name: str) -> str:
    """The refusal in the words of the input: which line, which field, why."""
    field = f", field {exc.field!r}" if exc.field else ""
    own = lines.get(exc.event or "")
    if own is not None:
        return f"{own}{field}: {exc.reason}; nothing was appended"
    if isinstance(exc, RuleViolation) and exc.event is not None:
        culprit = next(iter(lines.values())) if len(lines) == 1 else name
        return f"{culprit}: would break the recorded event {exc.event}{field}: {exc.reason}; nothing was appended"
    return f"{name}: {exc}; nothing was appended"


@cli.command()
@click.option("--expect", metavar="HASH", default=None, help="Also refuse unless the head is this hash (a published version).")
@click.option("--rules", is_flag=True, help="Also check every event against the rules again, in date order.")
@click.option("--checkpoint", "checkpoint_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="Also require the log to extend this signed checkpoint (needs --key).")
@click.option("--key", "key_path", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None, help="The public key the checkpoint must be signed with.")
@output_options
def verify(expect: str | None, rules: bool, checkpoint_path: Path | None, key_path: Path | None) -> None:
    """Check the hash chain of the whole log and print its head hash.

    Exit code 1, naming the first bad line, if a line was edited, inserted,
    deleted or moved; with --rules, also naming the first event that breaks
    a rule (for a log written by another program). With --checkpoint and
    --key, also exit 1 unless the log extends that signed checkpoint; on
    the bundled records, the checkpoint shipped with them is checked.
    """
    from ..ledger import Ledger
    from ..records import bundled_path
    from .proofcmd import bundled_release, check_checkpoint, describe_checkpoint

    if (checkpoint_path is None) != (key_path is None):
        raise click.UsageError("--checkpoint and --key go together: a checkpoint is checked under the key that signed it")
    path = session().log or bundled_path()
    log = FileLog(path, readonly=True)
    head, count, data_size = verify_storage(log)
    if expect is not None and expect.strip().lower() != head:
        raise Refused(f"{path}: the head is {head}, not {expect}: this is not the published version of the log")
    shipped = bundled_release(path) if session().log is None and checkpoint_path is None else None
    if shipped is not None:
        checkpoint_path, key_path = shipped
    extended = None
    if checkpoint_path is not None and key_path is not None:
        extended = describe_checkpoint(check_checkpoint(path, log.all_bytes(), checkpoint_path, key_path), checkpoint_path)
        click.echo(f"unledger: the log extends the checkpoint {checkpoint_path} ({extended['origin']} at size {extended['size']})", err=True)
    if rules:
        Ledger.open(path, readonly=True).check()
    tail = path.stat().st_size - data_size
    if tail > 0:
        click.echo(f"unledger: note: {path} ends with {tail} bytes of an unfinished line; `unledger --log {path} repair` moves them aside", err=True)
    if session().fmt == "table":
        click.echo(head)
        return
    row = {"id": head, "head": head, "events": count, "log": str(path)}
    if extended is not None:
        row["checkpoint"] = extended
    emit(session().fmt, [row], [], fields=list(row))


@cli.command()
@output_options
def repair() -> None:
    """Move a torn last line (left by a writer that crashed mid-append) into
    a quarantine file beside the log. Nothing is ever deleted."""
    path = session().log
    if path is None:
        raise Refused("repair needs --log PATH: the bundled records are read-only")
    if not path.exists():
        raise Refused(f"{path}: no such log file")
    from ..ledger import Ledger

    ledger = Ledger.for_repair(path)
    moved = ledger.repair()
    if session().fmt != "table":
        row = {"id": str(path), "log": str(path), "quarantine": str(moved) if moved else None, "head": ledger.head}
        emit(session().fmt, [row], [], fields=list(row))
    elif moved is None:
        click.echo(f"nothing to repair: {path} ends with a complete line")
    else:
        click.echo(f"moved {moved.stat().st_size} bytes of a torn last line into {moved}")


_TABLES = ("events", "members", "seats", "parties", "resolutions", "panel")


@cli.command()
@click.argument("table", type=click.Choice(_TABLES))
@click.argument("code", required=False)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None, help="File to write (default: standard output).")
@click.option("--all", "everything", is_flag=True, help="events: also retracted ones; parties: also signatories not bound.")
@when_options
@output_options
def export(table: str, code: str | None, fmt: str, output: Path | None, everything: bool, as_of: str | None, known_at: str | None) -> None:
    """Write a table of a day's answers, or the events, as CSV, JSON lines or
    Parquet. CODE limits it to one organization (members), body (seats,
    resolutions) or instrument (parties).

    \b
    unledger export members UN --as-of 1992 --format parquet -o un-1992.parquet
    unledger export events --format jsonl
    unledger --log cow.jsonl export panel --format parquet -o panel.parquet
    """
    from .query import _bodies, _instruments, _organizations, exists_on

    if not (session().fmt == "csv" and fmt == "csv"):  # --csv says what --format csv (the default) says
        no_formats("export", "choose the file format with --format csv, jsonl or parquet")
    if table == "panel":  # the state-year table of imported statuses (unledger.panel)
        from .datasets import export_panel

        if fmt == "jsonl":
            raise click.UsageError("export panel writes csv or parquet")
        return export_panel(output, fmt, None, None, known_at)
    code = None if code is None else code_of(code, known_at)
    ledger = session().ledger()
    if table == "events":
        if code is not None:
            raise click.UsageError("export events takes no CODE")
        rows = arrow.event_rows(ledger.events(known_at=known_at, include_retracted=everything))
    else:
        state = ledger.state(as_of, known_at)
        known = {"members": _organizations, "seats": _bodies, "parties": _instruments, "resolutions": _bodies}[table]
        if code is not None and not exists_on(state, known_at, table.rstrip("s"), code, known):
            rows = []
        elif table == "members":
            rows = arrow.member_rows(state, code)
        elif table == "seats":
            rows = arrow.seat_rows(state, code)
        elif table == "parties":
            rows = arrow.party_rows(state, code, include_pending=everything)
        else:
            rows = arrow.resolution_rows(state, code)
    if fmt == "parquet":
        if output is None:
            raise click.UsageError("--format parquet needs -o FILE")
        data = arrow.to_table(table, rows)  # raises ImportError with the install hint without pyarrow
        import pyarrow.parquet as pq

        pq.write_table(data, output)
    else:
        text = csv_text(rows, [c for c, _ in arrow.COLUMNS[table]]) if fmt == "csv" else jsonl_text(rows)
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
    if output is not None:
        click.echo(f"wrote {len(rows)} rows to {output}", err=True)
