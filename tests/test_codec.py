"""The codec: events to JSON and back (issue 3, point 4).

Checks that every kind round-trips exactly, as a dict, as JSON text and as a
stored log line; that field names are stable (``kind`` first, defaults
omitted); that malformed objects and hostile JSON give an
:class:`InvalidEvent` naming the field, never another exception; and that
schema versions are upcast.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import BUILTIN_KINDS, EVENTS_BY_KIND, any_events, histories, json_values, malformed_dicts

import unledger
from unledger import Admission, Adoption, Election, Event, Tally
from unledger.codec import (
    MAX_NESTING,
    dumps_event,
    event_from_dict,
    event_to_dict,
    loads_event,
    parse_json,
    parse_json_objects,
)
from unledger.errors import InvalidEvent
from unledger.events import kind_class
from unledger.events.base import code_field
from unledger.events.registry import register_upcaster
from unledger.ids import content_id, with_content_id_and_dict
from unledger.log.encode import to_dict, to_dict_with_id
from unledger.log import GENESIS, decode_line, encode_line, verify_lines


def test_the_strategies_cover_every_builtin_kind() -> None:
    assert set(EVENTS_BY_KIND) == set(BUILTIN_KINDS)
    for name in BUILTIN_KINDS:
        assert kind_class(name).kind == name


@given(any_events)
def test_every_kind_round_trips_as_a_dict(event: Event) -> None:
    data = event_to_dict(event)
    back = event_from_dict(data)
    assert back == event
    assert type(back) is type(event)
    assert event_to_dict(back) == data


@given(any_events)
def test_every_kind_round_trips_as_json_text(event: Event) -> None:
    text = dumps_event(event)
    assert loads_event(text) == event
    assert loads_event(text.decode("utf-8")) == event
    # The strict parser reads what orjson writes, byte for byte.
    assert parse_json(text) == orjson.loads(text)


@given(any_events, st.integers(1, 10**6), st.sampled_from([GENESIS, "ab" * 32]))
def test_every_kind_round_trips_through_a_log_line(event: Event, seq: int, prev: str) -> None:
    if event.id is None:
        event = attrs.evolve(event, id="x1")
    recorded = "2026-11-24T12:00:00.000001Z"
    line, digest = encode_line(seq, prev, recorded, event)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    record = decode_line(line[:-1], seq)
    assert (record.seq, record.prev, record.recorded, record.hash) == (seq, prev, recorded, digest)
    assert record.event == event
    if seq == 1 and prev == GENESIS:
        assert verify_lines([line[:-1]]) == digest


@given(any_events)
def test_an_id_from_the_content_comes_with_the_same_dict_and_line(event: Event) -> None:
    event = attrs.evolve(event, id=None)
    with_id, as_dict = with_content_id_and_dict(event)
    assert with_id == attrs.evolve(event, id=content_id(event)) and with_id.id == content_id(event)
    assert as_dict is not None and list(as_dict.items()) == list(event_to_dict(with_id).items())  # same keys, same order
    recorded = "2026-11-24T12:00:00.000001Z"
    assert encode_line(3, GENESIS, recorded, with_id, 1, as_dict) == encode_line(3, GENESIS, recorded, with_id, 1)
    assert with_content_id_and_dict(with_id) == (with_id, None)


@given(any_events, st.none() | st.sampled_from(["x1", "other-id"]))
def test_the_generated_encoder_writes_the_codecs_dict(event: Event, other_id: str | None) -> None:
    """The encoder generated per class (unledger.log.encode) against the
    codec's cattrs unstructuring, the reference: the same keys in the same
    order, the same values; content ids and lines hash the codec's dict."""
    reference = event_to_dict(event)
    assert list(to_dict(event).items()) == list(reference.items())
    without = {k: v for k, v in reference.items() if k != "id"}
    assert list(to_dict_with_id(event, None).items()) == list(without.items())
    renamed = list(to_dict_with_id(event, other_id).items())
    assert renamed == list(event_to_dict(attrs.evolve(event, id=other_id)).items())
    expected_id = hashlib.sha256(orjson.dumps(without, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]
    assert content_id(event) == expected_id
    if event.id is not None:
        body = orjson.dumps({"prev": GENESIS, "seq": 4, "recorded": "2026-11-24T12:00:00.000001Z", **reference})
        line, digest = encode_line(4, GENESIS, "2026-11-24T12:00:00.000001Z", event)
        assert digest == hashlib.sha256(body).hexdigest()
        assert line == body[:-1] + b',"hash":"' + digest.encode() + b'"}\n'


@given(histories(max_events=25))
def test_generated_histories_round_trip(history: Any) -> None:
    for event in history.events:
        assert event_from_dict(orjson.loads(dumps_event(event))) == event


@given(any_events)
def test_field_names_are_stable(event: Event) -> None:
    data = event_to_dict(event)
    keys = list(data)
    assert keys[0] == "kind" and data["kind"] == event.kind
    assert "date" in data
    assert "v" not in data  # every built-in kind is at version 1
    # Defaults are omitted; every other field is written under its own name.
    for field in attrs.fields(type(event)):
        value = getattr(event, field.name)
        default = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            default = None if field.name == "date" else default.factory()  # type: ignore[union-attr]
        if field.name not in data:
            assert value == default or value is None, field.name


def test_an_admission_looks_as_documented() -> None:
    event = Admission(org="UN", member="AZE", date="1992-03-02", id="un-aze", source="A/RES/46/230")
    assert orjson.dumps(event_to_dict(event)) == (
        b'{"kind":"admission","id":"un-aze","date":"1992-03-02","org":"UN","member":"AZE","source":"A/RES/46/230"}'
    )


def test_nested_values_keep_their_shape() -> None:
    event = Adoption(
        body="UNSC",
        symbol="S/RES/822(1993)",
        title="Armenia-Azerbaijan",
        date="1993-04-30",
        tally=Tally(yes=15, no=0, abstain=0),
        votes={"RUS": "yes"},
        subjects=["peace"],
        concerns=["AZE", "ARM"],
    )
    data = event_to_dict(event)
    assert data["tally"] == {"yes": 15, "no": 0, "abstain": 0}
    assert data["votes"] == {"RUS": "yes"} and data["subjects"] == ["peace"] and data["concerns"] == ["AZE", "ARM"]
    assert event_from_dict(json.loads(json.dumps(data))) == event


@given(malformed_dicts(any_events))
def test_malformed_objects_are_invalid_events_naming_the_field(case: tuple[dict[str, Any], str | None]) -> None:
    obj, field = case
    with pytest.raises(InvalidEvent) as info:
        event_from_dict(obj)
    if field is not None:
        assert field in str(info.value), str(info.value)


@given(json_values)
def test_any_json_value_is_an_event_or_an_invalid_event(value: Any) -> None:
    try:
        event = event_from_dict(value)
    except InvalidEvent:
        return
    assert isinstance(event, Event)


@given(st.sampled_from(BUILTIN_KINDS), st.dictionaries(st.sampled_from(["date", "org", "member", "body", "instrument", "target", "id", "title", "symbol", "act", "name", "entity", "state", "reason", "replacement", "tally", "term_start", "term_end", "members", "into"]), json_values, max_size=8))
def test_objects_of_a_known_kind_with_random_fields_never_crash(kind: str, fields: dict[str, Any]) -> None:
    try:
        event = event_from_dict({"kind": kind, **fields})
    except InvalidEvent:
        return
    assert event.kind == kind


def test_errors_name_the_event_by_id_or_position() -> None:
    with pytest.raises(InvalidEvent) as info:
        event_from_dict({"kind": "admission", "id": "e1", "date": "1992-02-30", "org": "UN", "member": "AZE"})
    assert info.value.event == "e1" and info.value.field == "date" and "February 1992 has 29 days" in str(info.value)
    with pytest.raises(InvalidEvent) as info:
        event_from_dict({"kind": "admission", "date": "1992", "org": 5, "member": "AZE"}, position="line 7")
    assert info.value.event == "line 7" and info.value.field == "org"


def test_strict_json_refuses_what_orjson_would_let_through() -> None:
    for bad, why in [
        (b'{"a":1,"a":2}', "twice"),
        (b'{"a":NaN}', "NaN"),
        (b'{"a":Infinity}', "Infinity"),
        (b"\xef\xbb\xbf{}", "byte-order mark"),
        (b'{"a":"\xff"}', "UTF-8"),
        (b"", "empty"),
        (b"   ", "empty"),
        (b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1), "nested"),
        (b'{"a":', "not valid JSON"),
    ]:
        with pytest.raises(InvalidEvent, match=why):
            parse_json(bad, position="input")


@given(st.binary(max_size=60))
def test_random_bytes_parse_or_give_an_invalid_event(data: bytes) -> None:
    try:
        parse_json(data)
    except InvalidEvent:
        pass


def test_json_lines_and_arrays() -> None:
    line = dumps_event(Admission(org="UN", member="AZE", date="1992-03-02"))
    assert len(parse_json_objects(line + b"\n" + line + b"\n")) == 2
    assert len(parse_json_objects(b"[" + line + b"," + line + b"]")) == 2
    with pytest.raises(InvalidEvent, match="line 2"):
        parse_json_objects(line + b"\n\n" + line)
    with pytest.raises(InvalidEvent, match="no events"):
        parse_json_objects(b"")
    with pytest.raises(InvalidEvent, match="not valid JSON"):
        parse_json_objects(b'[{"a":1}')


@pytest.mark.parametrize(
    "make",
    [
        lambda: Admission(org="UN", member="AZE", name="Azerbai\ud800jan", date="1992"),
        lambda: Admission(org="U\udfffN", member="AZE", date="1992"),
        lambda: Adoption(body="UN", symbol="X", title="t", date="1992", subjects=["\ud800"]),
        lambda: Adoption(body="UN", symbol="X", title="t", date="1992", votes={"A\ud800": "yes"}),
        lambda: Adoption(body="UN", symbol="X", title="t", date="1992", tally=Tally(yes=2**64, no=0, abstain=0)),
        lambda: Election(body="UNSC", member="AZE", date="2011", term_start="2012", term_end="2013", votes=2**63),
    ],
)
def test_values_json_cannot_carry_are_refused_on_construction(make: Any) -> None:
    """Lone surrogates and integers beyond 64 bits cannot be written by the
    log; they must be refused as invalid input, not crash the append."""
    with pytest.raises(InvalidEvent):
        make()


def test_an_old_version_is_upcast_on_reading() -> None:
    @unledger.kind("test_codec_renamed_field", version=2)
    @attrs.frozen(kw_only=True)
    class Visit(Event):
        host: str = code_field()
        guest: str = code_field()

    @register_upcaster("test_codec_renamed_field", 1)
    def _v1_to_v2(fields: dict[str, Any]) -> dict[str, Any]:
        fields = dict(fields)
        fields["guest"] = fields.pop("visitor")
        return fields

    old = {"kind": "test_codec_renamed_field", "date": "1992", "host": "UN", "visitor": "AZE"}
    assert event_from_dict(old) == Visit(host="UN", guest="AZE", date="1992")
    new = event_to_dict(Visit(host="UN", guest="AZE", date="1992"))
    assert new["v"] == 2 and event_from_dict(new) == Visit(host="UN", guest="AZE", date="1992")
    with pytest.raises(InvalidEvent, match="newer than this unledger"):
        event_from_dict({**new, "v": 3})
