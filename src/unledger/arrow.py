"""Answers and events as flat rows and as Apache Arrow tables.

Analysts work on tables: this module turns a :class:`~unledger.State`'s
memberships, seats, parties and resolutions, and the ledger's events, into
rows with **stable, documented columns** (see ``docs/reference/arrow.md``),
then into :mod:`pyarrow` tables that DuckDB, Polars, pandas or Spark read
directly. The command line uses the same rows for ``--json``, ``--csv`` and
``unledger export``, so every format shows the same columns.

A date column ``X`` holds the date as written (``"1992"``, ``"1992-03"``,
``"1992-03-02"``); in Arrow tables it is followed by ``X_earliest`` and
``X_latest`` (``date32``), the first and last day it may denote. ``certain``
says whether the fact is certain on the day asked (docs/concepts.md#partial-dates-and-certainty).

pyarrow is imported only when a table is built (``pip install '.[arrow]'``
in a checkout); the row functions need nothing beyond unledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

import orjson

from .codec import event_to_dict
from .dates import PartialDate, parse_recorded
from .ledger import Ledger
from .log import Record
from .state import State

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = [
    "COLUMNS",
    "INSTALL_HINT",
    "member_rows",
    "seat_rows",
    "party_rows",
    "resolution_rows",
    "event_rows",
    "members",
    "seats",
    "parties",
    "resolutions",
    "events",
    "to_table",
]

INSTALL_HINT: Final = "Arrow tables need pyarrow: pip install pyarrow (or pip install '.[arrow]' in a checkout of unledger)"

Row = dict[str, Any]

#: Column name -> type, per table. Types: ``str``, ``date`` (a partial date;
#: two more columns in Arrow), ``bool``, ``int``, ``list`` (of strings),
#: ``timestamp`` (UTC), ``json`` (an object; a JSON string in Arrow and CSV).
#: Columns are only ever added at the end.
COLUMNS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "members": (
        ("org", "str"),
        ("member", "str"),
        ("name", "str"),
        ("since", "date"),
        ("how", "str"),
        ("start", "date"),
        ("certain", "bool"),
        ("id", "str"),
    ),
    "seats": (
        ("body", "str"),
        ("member", "str"),
        ("name", "str"),
        ("kind", "str"),
        ("status", "str"),
        ("since", "date"),
        ("term_start", "date"),
        ("term_end", "date"),
        ("elected", "date"),
        ("government", "str"),
        ("certain", "bool"),
        ("id", "str"),
    ),
    "parties": (
        ("instrument", "str"),
        ("party", "str"),
        ("name", "str"),
        ("act", "str"),
        ("signed", "date"),
        ("consented", "date"),
        ("since", "date"),
        ("bound", "bool"),
        ("left", "date"),
        ("how", "str"),
        ("certain", "bool"),
        ("id", "str"),
    ),
    "resolutions": (
        ("body", "str"),
        ("symbol", "str"),
        ("title", "str"),
        ("date", "date"),
        ("meeting", "str"),
        ("yes", "int"),
        ("no", "int"),
        ("abstain", "int"),
        ("not_voting", "int"),
        ("without_vote", "bool"),
        ("subjects", "list"),
        ("concerns", "list"),
        ("certain", "bool"),
        ("id", "str"),
    ),
    "events": (
        ("seq", "int"),
        ("recorded", "timestamp"),
        ("id", "str"),
        ("kind", "str"),
        ("date", "date"),
        ("entities", "list"),
        ("source", "str"),
        ("note", "str"),
        ("event", "json"),
        ("hash", "str"),
    ),
}


# -- rows --------------------------------------------------------------------------


def member_rows(state: State, org: str | None = None) -> list[Row]:
    """Members of ``org`` (every organization when ``None``) on the state's day."""
    orgs = [org] if org is not None else list(state.organizations())
    return [
        {
            "org": m.org,
            "member": m.member,
            "name": m.name,
            "since": m.since,
            "how": m.how,
            "start": m.start,
            "certain": m.certain,
            "id": m.id,
        }
        for code in orgs
        for m in state.members(code)
    ]


def seat_rows(state: State, body: str | None = None) -> list[Row]:
    """Who sits on ``body`` (every body with seats when ``None``)."""
    bodies = [body] if body is not None else list(state.seat_bodies())
    return [
        {
            "body": s.body,
            "member": s.member,
            "name": s.name,
            "kind": s.kind,
            "status": s.status,
            "since": s.since,
            "term_start": s.term_start,
            "term_end": s.term_end,
            "elected": s.elected,
            "government": s.government,
            "certain": s.certain,
            "id": s.id,
        }
        for code in bodies
        for s in state.seats(code)
    ]


def party_rows(state: State, instrument: str | None = None, *, include_pending: bool = False) -> list[Row]:
    """Parties bound by ``instrument`` (every instrument when ``None``);
    ``include_pending`` adds signatories not (yet) bound. ``since`` is the day
    a party is bound from."""
    codes = [instrument] if instrument is not None else list(state.instruments())
    return [
        {
            "instrument": p.instrument,
            "party": p.party,
            "name": state.name(p.party),
            "act": p.act,
            "signed": p.signed,
            "consented": p.consented,
            "since": p.bound_from,
            "bound": p.bound,
            "left": p.left,
            "how": p.how,
            "certain": p.certain if p.bound else (p.signed is not None and p.signed.latest_day <= state.day),
            "id": p.id,
        }
        for code in codes
        for p in state.parties(code, include_pending=include_pending)
    ]


def resolution_rows(state: State, body: str | None = None, **filters: Any) -> list[Row]:
    """Resolutions adopted by the state's day; ``filters`` are those of
    :meth:`unledger.State.resolutions` (``start``, ``end``, ``concerning``,
    ``subject``)."""
    rows = []
    for r in state.resolutions(body, **filters):
        tally = r.tally
        rows.append(
            {
                "body": r.body,
                "symbol": r.symbol,
                "title": r.title,
                "date": r.date,
                "meeting": r.meeting,
                "yes": tally.yes if tally else None,
                "no": tally.no if tally else None,
                "abstain": tally.abstain if tally else None,
                "not_voting": tally.not_voting if tally else None,
                "without_vote": r.without_vote,
                "subjects": list(r.subjects),
                "concerns": list(r.concerns),
                "certain": r.date.latest_day <= state.day,
                "id": r.id,
            }
        )
    return rows


def event_rows(records: Iterable[Record]) -> list[Row]:
    """One row per recorded event; ``event`` holds the event as the JSON
    object ``unledger append`` reads."""
    rows = []
    for record in records:
        event = record.event
        rows.append(
            {
                "seq": record.seq,
                "recorded": record.recorded,
                "id": record.id,
                "kind": record.kind,
                "date": event.date,
                "entities": list(event.entities()),
                "source": event.source,
                "note": event.note,
                "event": event_to_dict(event),
                "hash": record.hash,
            }
        )
    return rows


# -- Arrow tables ------------------------------------------------------------------


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        raise ImportError(INSTALL_HINT) from None
    return pyarrow


def to_table(table: str, rows: Sequence[Row]) -> pa.Table:
    """Build the Arrow table ``table`` (a key of :data:`COLUMNS`) from rows."""
    pa = _pyarrow()
    arrays = []
    fields = []
    for name, kind in COLUMNS[table]:
        values = [row.get(name) for row in rows]
        if kind == "date":
            dates: list[PartialDate | None] = values
            fields += [pa.field(name, pa.string()), pa.field(f"{name}_earliest", pa.date32()), pa.field(f"{name}_latest", pa.date32())]
            arrays += [
                pa.array([d.text if d is not None else None for d in dates], pa.string()),
                pa.array([d.earliest if d is not None else None for d in dates], pa.date32()),
                pa.array([d.latest if d is not None else None for d in dates], pa.date32()),
            ]
            continue
        if kind == "json":
            values = [orjson.dumps(v).decode() if v is not None else None for v in values]
            kind = "str"
        if kind == "timestamp":
            type_ = pa.timestamp("us", tz="UTC")
            values = [parse_recorded(v) if v is not None else None for v in values]
        else:
            type_ = {"str": pa.string(), "bool": pa.bool_(), "int": pa.int64(), "list": pa.list_(pa.string())}[kind]
        fields.append(pa.field(name, type_))
        arrays.append(pa.array(values, type_))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def members(state: State, org: str | None = None) -> pa.Table:
    """Memberships on the state's day as an Arrow table (columns: ``COLUMNS["members"]``)."""
    return to_table("members", member_rows(state, org))


def seats(state: State, body: str | None = None) -> pa.Table:
    """Seats on the state's day as an Arrow table (columns: ``COLUMNS["seats"]``)."""
    return to_table("seats", seat_rows(state, body))


def parties(state: State, instrument: str | None = None, *, include_pending: bool = False) -> pa.Table:
    """Parties to instruments on the state's day (columns: ``COLUMNS["parties"]``)."""
    return to_table("parties", party_rows(state, instrument, include_pending=include_pending))


def resolutions(state: State, body: str | None = None, **filters: Any) -> pa.Table:
    """Resolutions adopted by the state's day (columns: ``COLUMNS["resolutions"]``)."""
    return to_table("resolutions", resolution_rows(state, body, **filters))


def events(ledger: Ledger, **filters: Any) -> pa.Table:
    """The ledger's events (filters as :meth:`unledger.Ledger.events`) as an
    Arrow table (columns: ``COLUMNS["events"]``)."""
    return to_table("events", event_rows(ledger.events(**filters)))
