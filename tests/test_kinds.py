"""Every kind is complete: one spec per built-in kind (reducer, check,
footprint side by side in its family module), a summary and a docs page, and
the test strategies give every field of every kind a value other than its
default, so that the codec round trip, the trusted-vs-strict decode and the
folds see each field in use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from strategies import BUILTIN_KINDS, EVENTS_BY_KIND, FACT_KINDS, histories

import unledger
from unledger import kinds as kind_specs
from unledger.events.base import Event
from unledger.events.registry import kind_class, kinds
from unledger.footprints import footprint

DOCS = Path(__file__).resolve().parent.parent / "docs" / "events"
ENVELOPE = {f.name for f in attrs.fields(Event)}
FIND = settings(database=None, max_examples=100, phases=[Phase.generate], suppress_health_check=list(HealthCheck))


def _defaulted_fields(kind: str) -> list[tuple[str, Any]]:
    """``(field, default)`` for every field of the kind that has a default,
    the envelope's aside."""
    out = []
    for field in attrs.fields(kind_class(kind)):
        if field.name in ENVELOPE or field.default is attrs.NOTHING:
            continue
        default = field.default.factory() if isinstance(field.default, attrs.Factory) else field.default  # type: ignore[arg-type]
        out.append((field.name, default))
    return out


def test_the_strategies_cover_every_built_in_kind_and_no_other() -> None:
    shipped = {name for name, cls in kinds().items() if cls.__module__.startswith("unledger.events.")}
    assert set(BUILTIN_KINDS) == shipped
    assert set(FACT_KINDS) == {spec.name for spec in kind_specs.BUILTIN}


@pytest.mark.parametrize("kind", FACT_KINDS)
def test_every_built_in_kind_has_a_complete_spec_in_its_family_module(kind: str) -> None:
    cls = kind_class(kind)
    spec = kind_specs.spec_of(cls)
    assert spec is not None, f"{kind} has no KindSpec"
    assert spec.event is cls and spec.name == kind
    assert callable(spec.reducer) and callable(spec.check) and spec.footprint is not None
    family = cls.__module__.rsplit(".", 1)[1]
    assert spec.reducer.__module__ == f"unledger.kinds.{family}"
    assert spec.footprint.__module__ == f"unledger.kinds.{family}"
    # the views are derived from the spec
    assert kind_specs.REDUCERS[kind] is spec.reducer and kind_specs.CHECKS[kind] is spec.check
    assert (kind in kind_specs.SEAT_KINDS) is spec.seats
    assert (kind in kind_specs.ALWAYS_CANDIDATES) is spec.always_candidate


@pytest.mark.parametrize("kind", BUILTIN_KINDS)
def test_every_built_in_kind_has_a_summary_and_a_docs_page(kind: str) -> None:
    cls = kind_class(kind)
    assert cls.summary_template is not None, f"{kind} says nothing in the CLI"
    assert (DOCS / f"{kind}.md").is_file(), f"docs/events/{kind}.md is missing"
    event = find(EVENTS_BY_KIND[kind], lambda e: True, settings=FIND)
    assert event.summary() and not event.summary().startswith(f"{kind}:")


@pytest.mark.parametrize("kind", FACT_KINDS)
def test_footprints_of_generated_events_name_their_entities(kind: str) -> None:
    event = find(EVENTS_BY_KIND[kind], lambda e: True, settings=FIND)
    reads, writes = footprint(event)  # type: ignore[misc]
    assert writes, f"{kind} writes nothing"
    assert set(writes) <= set(reads) | set(writes)


_CASES = [(kind, name, default) for kind in BUILTIN_KINDS for name, default in _defaulted_fields(kind)]
#: Generation only (no shrinking): these tests look for a value, not a minimal one.
COLLECT = settings(database=None, phases=[Phase.generate], deadline=None, suppress_health_check=list(HealthCheck))


def _non_default(events: Any, defaults: dict[str, list[tuple[str, Any]]]) -> set[tuple[str, str]]:
    return {(e.kind, name) for e in events for name, default in defaults[e.kind] if getattr(e, name) != default}


@pytest.mark.parametrize("kind", [kind for kind in BUILTIN_KINDS if _defaulted_fields(kind)])
def test_every_field_takes_a_non_default_value_in_arbitrary_events(kind: str) -> None:
    defaults = {kind: _defaulted_fields(kind)}
    seen: set[tuple[str, str]] = set()

    @settings(COLLECT, max_examples=200)
    @given(EVENTS_BY_KIND[kind])
    def collect(event: Event) -> None:
        seen.update(_non_default([event], defaults))

    collect()
    assert sorted({(kind, name) for name, _ in defaults[kind]} - seen) == []


def test_every_field_takes_a_non_default_value_in_valid_histories() -> None:
    wanted = {(kind, field) for kind, field, _ in _CASES if kind in FACT_KINDS}
    defaults = {kind: _defaulted_fields(kind) for kind in FACT_KINDS}
    seen: set[tuple[str, str]] = set()

    @settings(COLLECT, max_examples=300, derandomize=True)  # a check of the strategies, the same every run
    @given(histories(max_events=40))
    def collect(history: Any) -> None:
        seen.update(_non_default(history.events, defaults))

    collect()
    assert sorted(wanted - seen) == []


def test_a_user_kind_gets_the_same_spec(tmp_path: Path) -> None:
    @unledger.kind("test_kinds_note")
    @attrs.frozen(kw_only=True)
    class Note(unledger.Event):
        summary_template = "note on {entity}"
        entity: str = unledger.fields.code_field()

        def entities(self) -> tuple[str, ...]:
            return (self.entity,)

    def reducer(world: Any, e: Any) -> Any:
        return world.replace(extra=world.extra.set("notes", world.extra.get("notes", 0) + 1))

    def fp(e: Any) -> Any:
        return (("extra", "notes"),), (("extra", "notes"),)

    spec = unledger.register(Note, reducer, footprint=fp)
    assert kind_specs.spec_of(Note) is spec and spec.footprint is fp and spec.always_candidate
    ledger = unledger.Ledger.memory()
    ledger.append([Note(entity="AAA", date="1990"), Note(entity="BBB", date="1980")])
    ledger.append(Note(entity="CCC", date="1970"))  # a backfill before both
    assert ledger.state("1985").extra("notes") == 2
    assert ledger.state("2000").extra("notes") == 3
    assert Note(entity="AAA", date="1990").summary() == "note on AAA"
