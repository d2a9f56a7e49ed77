"""Releases as record time: append only what a dataset's release changes.

Every imported event has a stable id made from its dataset and row
(``cow-igo:NATO:FRA:1966``). Importing a release compares each event with the
one the ledger holds under that id: the same (sources aside: a row that moved
but says the same is unchanged) appends nothing; a different one appends a
:class:`~unledger.events.meta.Correction`; an id the release no longer has
appends a :class:`~unledger.events.meta.Retraction`. So ``known_at`` shows
what each release said.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable

import attrs

from ..events.base import Event
from ..events.meta import Correction, Retraction
from ..ledger import Ledger
from ..state import EMPTY
from .report import Conflict, ImportRefused, ImportResult, write_report

__all__ = ["Plan", "plan_release", "same_fact"]


@attrs.frozen
class Plan:
    """What to append for a release: events new to the ledger, corrections
    of changed rows, retractions of removed rows, and how many are unchanged."""

    new: tuple[Event, ...]
    corrections: tuple[Correction, ...]
    retractions: tuple[Retraction, ...]
    unchanged: int

    def events(self) -> list[Event]:
        """Everything to append, in date order (corrections by their replacement's date)."""
        def day(e: Event) -> tuple[int, int]:
            d = e.replacement.date if isinstance(e, Correction) else e.date
            return (d.earliest_day, d.latest_day)

        facts: list[Event] = sorted([*self.new, *self.corrections], key=day)
        return facts + list(self.retractions)


def base_id(event_id: str) -> str:
    return event_id.split("~", 1)[0]


def same_fact(a: Event, b: Event) -> bool:
    """Whether two events say the same thing (their ids and sources aside)."""
    if type(a) is not type(b):
        return False
    return all(getattr(a, f.name) == getattr(b, f.name) for f in attrs.fields(type(a)) if f.name not in ("id", "source"))


def plan_release(ledger: Ledger, prefix: str, events: Iterable[Event], *, dataset: str, version: str, kinds: Iterable[str]) -> Plan:
    """Compare a release's ``events`` (ids starting with ``prefix``) with the
    ledger's record and say what to append."""
    held: dict[str, Event] = {}
    for record in ledger.events(kind=set(kinds)):
        if record.event.id is not None and record.event.id.startswith(prefix):
            held[base_id(record.event.id)] = record.event
    used = {r.event.id for r in ledger.records}
    new: list[Event] = []
    corrections: list[Correction] = []
    unchanged = 0
    seen: set[str] = set()
    reason = f"{dataset} release {version} revises this row"
    for event in events:
        assert event.id is not None
        seen.add(event.id)
        old = held.get(event.id)
        if old is None:
            if event.id in used:  # retracted by an earlier release, back in this one
                event = attrs.evolve(event, id=f"{event.id}~{_slug(version)}")
            new.append(event)
        elif same_fact(old, event):
            unchanged += 1
        else:
            corrections.append(Correction(target=old.id, replacement=attrs.evolve(event, id=old.id), reason=reason))  # type: ignore[arg-type]
    gone = f"{dataset} release {version} no longer has this row"
    retractions = tuple(Retraction(target=old.id, reason=gone) for key, old in held.items() if key not in seen)  # type: ignore[arg-type]
    return Plan(tuple(new), tuple(corrections), retractions, unchanged)


def _slug(version: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in version) or "r"


def reference_ledger(ledger: Ledger, reference: Ledger | None) -> Ledger:
    """The UN records a dataset is checked against: ``reference`` if given,
    else the ledger itself if it records UN members, else the bundled records."""
    if reference is not None:
        return reference
    if ledger.world().members.get("UN", EMPTY):
        return ledger
    return Ledger.bundled()


def append_release(
    ledger: Ledger,
    events: list[Event],
    conflicts: tuple[Conflict, ...],
    *,
    dataset: str,
    version: str,
    prefix: str,
    kinds: Iterable[str],
    strict: bool,
    report: str | os.PathLike[str] | None,
    started: float,
) -> ImportResult:
    """Write the conflict report, refuse a strict import with conflicts, then
    append what this release changes (nothing if it is already recorded)."""
    report_path = write_report(report, conflicts) if report is not None else None
    if strict and conflicts:
        raise ImportRefused(dataset, conflicts, report_path)
    plan = plan_release(ledger, prefix, events, dataset=dataset, version=version, kinds=kinds)
    batch = plan.events()
    if batch:
        ledger.append(batch)
    return ImportResult(
        dataset=dataset, version=version, events=len(events), appended=len(plan.new), corrections=len(plan.corrections),
        retractions=len(plan.retractions), unchanged=plan.unchanged, seconds=time.perf_counter() - started,
        conflicts=conflicts, report=report_path,
    )
