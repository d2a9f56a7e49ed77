"""Questions about a day: members, seats, parties, resolutions; and about
time: timeline, diff, count."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import click

from .. import arrow
from ..dates import END_OF_TIME, first_day, to_day
from ..lookup import KINDS, find_entities
from ..state import State
from . import DATE, TIMESTAMP, cli, code_of, output_options, require, session, state_for, when_options
from ._output import count_of, coverage_notes, emit, summary


def _organizations(state: State) -> Iterable[str]:
    return state.organizations()


def _bodies(state: State) -> Iterable[str]:
    return state.body_codes()


def _instruments(state: State) -> Iterable[str]:
    return state.instruments()


def exists_on(state: State, known_at: str | None, what: str, code: str, known: Callable[[State], Iterable[str]]) -> bool:
    """Whether ``code`` is known on the state's day. A code the record knows
    only from a later day gives ``False`` (an empty answer); a code it never
    mentions is refused."""
    if code in set(known(state)):
        return True
    ever = session().ledger().state(END_OF_TIME, known_at)
    require(ever, what, code, known(ever))
    return False


@cli.command()
@click.argument("org")
@when_options
@output_options
def members(org: str, as_of: str | None, known_at: str | None) -> None:
    """Members of the organization ORG on a day.

    \b
    unledger members UN --as-of 1992-03-02
    """
    org = code_of(org, known_at)
    state = state_for(as_of, known_at)
    known = exists_on(state, known_at, "organization", org, _organizations)
    rows = arrow.member_rows(state, org) if known else []
    name = state.name(org)
    count = count_of(len(rows), "member") if known else "not established yet"
    title = f"{org}{f' ({name})' if name else ''} on {state.as_of}: {count}"
    emit(
        session().fmt,
        rows,
        [("member", "member"), ("name", "name"), ("since", "since"), ("how", "how"), ("certain", "certain")],
        day=state.day,
        title=title,
        fields=[c for c, _ in arrow.COLUMNS["members"]],
        notes=coverage_notes(state, org, "membership") if known else [],
    )


@cli.command()
@click.argument("body")
@when_options
@output_options
def seats(body: str, as_of: str | None, known_at: str | None) -> None:
    """Who sits on BODY on a day: permanent members, then elected members
    (seated, or elected and not yet seated).

    \b
    unledger seats UNSC --as-of 2012-06-30
    """
    body = code_of(body, known_at)
    state = state_for(as_of, known_at)
    known = exists_on(state, known_at, "body", body, _bodies)
    rows = arrow.seat_rows(state, body) if known else []
    seats_count = state.elected_seats(body) if state.is_body(body) else None
    extra = f" ({seats_count} elected seats)" if seats_count is not None else ("" if known else ": not established yet")
    columns = [("member", "member"), ("name", "name")]
    if any(row["government"] for row in rows):
        columns.append(("government", "represented by"))
    columns += [
        ("kind", "seat"),
        ("status", "status"),
        ("term_start", "term start"),
        ("term_end", "term end"),
        ("certain", "certain"),
    ]
    emit(
        session().fmt,
        rows,
        columns,
        day=state.day,
        title=f"{body} on {state.as_of}{extra}",
        fields=[c for c, _ in arrow.COLUMNS["seats"]],
        notes=coverage_notes(state, body, "seats") if known else [],
    )


@cli.command()
@click.argument("instrument")
@click.option("--all", "include_pending", is_flag=True, help="Also list signatories not (yet) bound.")
@when_options
@output_options
def parties(instrument: str, include_pending: bool, as_of: str | None, known_at: str | None) -> None:
    """Parties bound by INSTRUMENT (a treaty, a charter) on a day, with the
    day each is bound from.

    \b
    unledger parties UN-CHARTER --as-of 1945-12-31
    """
    instrument = code_of(instrument, known_at)
    state = state_for(as_of, known_at)
    if not exists_on(state, known_at, "instrument", instrument, _instruments):
        emit(session().fmt, [], [], title=f"{instrument} on {state.as_of}: not opened yet", fields=[c for c, _ in arrow.COLUMNS["parties"]])
        return
    status = state.instrument(instrument)
    rows = arrow.party_rows(state, instrument, include_pending=include_pending)
    since = f" since {status.in_force_from}" if status.in_force_from is not None else ""
    mark = "" if status.certain else "?"
    title = f"{instrument} ({status.title}) on {state.as_of}: {status.status}{since}{mark}; {len(status.parties)} {'party' if len(status.parties) == 1 else 'parties'}"
    columns = [("party", "party"), ("name", "name"), ("act", "act"), ("signed", "signed"), ("consented", "consented"), ("since", "bound from")]
    if any(row["how"] for row in rows):
        columns.append(("how", "how"))
    if include_pending:
        columns.append(("bound", "bound"))
    columns.append(("certain", "certain"))
    emit(
        session().fmt, rows, columns, day=state.day, title=title, fields=[c for c, _ in arrow.COLUMNS["parties"]],
        notes=coverage_notes(state, instrument, "parties"),
    )


@cli.command()
@click.option("--body", default=None, help="Only resolutions of this body.")
@click.option("--from", "start", type=DATE, default=None, help="Adopted on or after this date.")
@click.option("--to", "end", type=DATE, default=None, help="Adopted on or before this date.")
@click.option("--concerning", default=None, help="Only resolutions concerning this entity.")
@click.option("--subject", default=None, help="Only resolutions with this subject keyword.")
@when_options
@output_options
def resolutions(
    body: str | None, start: str | None, end: str | None, concerning: str | None, subject: str | None, as_of: str | None, known_at: str | None
) -> None:
    """Resolutions adopted by a day, filtered.

    \b
    unledger resolutions --body UNGA --from 1992 --to 1992 --concerning AZE
    """
    body = None if body is None else code_of(body, known_at)
    concerning = None if concerning is None else code_of(concerning, known_at)
    state = state_for(as_of, known_at)
    body_known = body is None or exists_on(state, known_at, "body", body, lambda s: [*s.body_codes(), *s.resolution_bodies()])
    rows = arrow.resolution_rows(state, body, start=start, end=end, concerning=concerning, subject=subject) if body_known else []
    for row in rows:
        row["vote"] = (
            "without vote" if row["without_vote"] else f"{row['yes']}-{row['no']}-{row['abstain']}" if row["yes"] is not None else ""
        )
    emit(
        session().fmt,
        rows,
        [("date", "date"), ("body", "body"), ("symbol", "symbol"), ("title", "title"), ("vote", "vote"), ("certain", "certain")],
        day=state.day,
        title=f"Resolutions adopted by {state.as_of}: {len(rows)}",
        fields=[c for c, _ in arrow.COLUMNS["resolutions"]] + ["vote"],
        notes=coverage_notes(state, body, "resolutions") if body is not None and body_known else [],
    )


@cli.command()
@click.argument("entity")
@click.option("--from", "start", type=DATE, default=None, help="Events dated on or after this date.")
@click.option("--to", "end", type=DATE, default=None, help="Events dated on or before this date.")
@click.option("--known-at", type=TIMESTAMP, default=None, help="As the ledger knew it at this moment.")
@output_options
def timeline(entity: str, start: str | None, end: str | None, known_at: str | None) -> None:
    """Every event concerning ENTITY (a state, an organization, a body, an
    instrument), in date order.

    \b
    unledger timeline AZE
    """
    entity = code_of(entity, known_at)
    ledger = session().ledger()
    events = ledger.timeline(entity, known_at=known_at)
    if not events:
        state = ledger.state(END_OF_TIME, known_at)
        known = set(state.organizations()) | set(state.named()) | set(state.instruments()) | set(state.body_codes())
        require(state, "entity", entity, known - {entity})
    lo = None if start is None else first_day(start)
    hi = None if end is None else to_day(end)
    rows = [
        {"id": e.id, "date": e.date, "kind": e.kind, "what": summary(e), "source": e.source}
        for e in events
        if (lo is None or e.date.latest_day >= lo) and (hi is None or e.date.earliest_day <= hi)
    ]
    now = ledger.state(known_at=known_at)
    name = now.name(entity)
    emit(
        session().fmt,
        rows,
        [("date", "date"), ("kind", "kind"), ("what", "what"), ("id", "id")],
        title=f"{entity}{f' ({name})' if name else ''}: {count_of(len(rows), 'event')}",
        fields=["id", "date", "kind", "what", "source"],
        notes=coverage_notes(now, entity),
    )


@cli.command()
@click.argument("d1")
@click.argument("d2")
@click.option("--org", default=None, help="Only this organization and its bodies.")
@click.option("--known-at", type=TIMESTAMP, default=None, help="As the ledger knew it at this moment.")
@click.option("--recorded", is_flag=True, help="D1 and D2 are record times: list what was added, corrected or retracted between them.")
@output_options
def diff(d1: str, d2: str, org: str | None, known_at: str | None, recorded: bool) -> None:
    """What changed after D1 up to D2: members who joined or left, seats,
    signatures, parties, instruments in force, resolutions. With --recorded,
    what the record learned after record time D1 up to D2 (what a dataset's
    new release revised).

    \b
    unledger diff 1991 1992 --org UN
    unledger --log cow.jsonl diff --recorded 2026-12-01T10:00:00Z 2026-12-06
    """
    if recorded:
        return _record_diff(d1, d2)
    d1, d2 = DATE.convert(d1, None, None), DATE.convert(d2, None, None)
    if to_day(d2) < to_day(d1):
        raise click.BadParameter(f"D2 {d2} is before D1 {d1}: give the earlier day first", param_hint="D2")
    org = None if org is None else code_of(org, known_at)
    ledger = session().ledger()
    if org is not None:
        exists_on(ledger.state(d2, known_at), known_at, "organization", org, _organizations)
    result = ledger.diff(d1, d2, org=org, known_at=known_at)
    names = ledger.state(d2, known_at)
    rows = [
        {
            "id": f"{c.what}/{c.where}/{c.entity}",
            "change": c.what,
            "where": c.where,
            "entity": c.entity,
            "name": names.name(c.entity),
            "date": c.date,
            "detail": c.detail,
        }
        for c in result.changes()
    ]
    emit(
        session().fmt,
        rows,
        [("date", "date"), ("change", "change"), ("where", "where"), ("entity", "entity"), ("name", "name"), ("detail", "detail")],
        day=names.day,
        title=f"Changes after {result.start} up to {result.end}: {len(rows)}",
        fields=["id", "date", "change", "where", "entity", "name", "detail"],
        notes=coverage_notes(names, org) if org is not None else [],
    )


def _record_diff(t1: str, t2: str) -> None:
    from ..revisions import revisions

    since, until = TIMESTAMP.convert(t1, None, None), TIMESTAMP.convert(t2, None, None)
    rows = [
        {"recorded": r.recorded, "seq": r.seq, "change": r.change, "id": r.id, "kind": r.kind, "date": r.date,
         "what": summary(r.after if r.after is not None else r.before) if (r.after or r.before) is not None else None,
         "changed": r.changed, "reason": r.reason}
        for r in revisions(session().ledger(), since, until)
    ]
    emit(
        session().fmt,
        rows,
        [("change", "change"), ("id", "id"), ("date", "date"), ("changed", "what changed"), ("what", "event")],
        title=f"Recorded after {since} up to {until}: {count_of(len(rows), 'change')}",
        fields=["recorded", "seq", "change", "id", "kind", "date", "what", "changed", "reason"],
    )


@cli.command()
@click.argument("org")
@click.option("--from", "start", type=click.IntRange(1, 9999), default=None, help="First year (default: the organization's first).")
@click.option("--to", "end", type=click.IntRange(1, 9999), default=None, help="Last year (default: this year).")
@click.option("--known-at", type=TIMESTAMP, default=None, help="As the ledger knew it at this moment.")
@click.option("--allow-partial", is_flag=True, help="Count even where the record of ORG's membership is partial.")
@output_options
def count(org: str, start: int | None, end: int | None, known_at: str | None, allow_partial: bool) -> None:
    """Members of ORG at the end of each year.

    Refused when the record declares ORG's membership partial (the counts
    would count what was recorded, not what was true), unless
    --allow-partial is given; the answer then says so in its header.

    \b
    unledger count UN --from 1945 --to 1960
    """
    org = code_of(org, known_at)
    if start is not None and end is not None and end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    ledger = session().ledger()
    exists_on(ledger.state(END_OF_TIME, known_at), known_at, "organization", org, _organizations)
    counts = ledger.member_counts(org, start, end, known_at=known_at, allow_partial=allow_partial)
    rows = []
    previous = None
    for year, n in counts:
        rows.append({"id": f"{org}/{year}", "org": org, "year": year, "members": n, "change": None if previous is None else n - previous})
        previous = n
    for row in rows:
        if row["change"] is not None:
            row["change"] = f"{row['change']:+d}" if session().fmt == "table" else row["change"]
    emit(
        session().fmt,
        rows,
        [("year", "year"), ("members", "members"), ("change", "change")],
        title=f"Members of {org} at the end of each year",
        fields=["id", "org", "year", "members", "change"],
        notes=coverage_notes(ledger.state(f"{counts[-1][0]:04d}" if counts else None, known_at), org, "membership"),
    )


@cli.command()
@click.argument("search", required=False)
@click.option("--kind", "kind_", type=click.Choice(KINDS), default=None, help="Only entities of this kind.")
@click.option("--known-at", type=TIMESTAMP, default=None, help="As the ledger knew it at this moment.")
@output_options
def entities(search: str | None, kind_: str | None, known_at: str | None) -> None:
    """Codes the record knows, with their names: organizations, bodies,
    instruments and states. SEARCH keeps those whose code or any name,
    current or former, contains it (any case). Every command that takes a
    code also takes a name: `unledger timeline Kazakhstan`.

    \b
    unledger entities yugoslavia
    """
    state = session().ledger().state(None, known_at)
    rows = []
    for info in find_entities(state, search):
        if kind_ is not None and info.kind != kind_:
            continue
        former = [n for n in info.names if n != info.name]
        rows.append({"id": info.code, "code": info.code, "kind": info.kind, "name": info.name, "other_names": former})
    what = f" matching {search!r}" if search is not None else ""
    emit(
        session().fmt,
        rows,
        [("code", "code"), ("kind", "kind"), ("name", "name"), ("other_names", "other names")],
        title=f"{len(rows)} {'entity' if len(rows) == 1 else 'entities'}{what} in {session().source}",
        fields=["id", "code", "kind", "name", "other_names"],
    )
