"""Hostile input (issue 8, point 4): malformed JSON and malformed events,
generated with hypothesis, through the codec and ``Ledger.append``.

Every input starts from a valid event and breaks it in one way (wrong type,
missing or unknown field, impossible date, unknown kind, huge string, deep
nesting, invalid UTF-8, NaN or infinity, duplicate key, byte-order mark,
empty line, not an object, broken JSON). Each must be refused with an
``InvalidEvent`` whose message says what is wrong, and the log file must stay
byte for byte as it was. The command-line variant is in
test_reliability_cli.py.
"""

from __future__ import annotations

from collections import Counter

import pytest
from helpers_reliability import BASES, CATEGORIES, batch_events, check_refused, feed, hostile_inputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unledger import Admission, DuplicateEventId, InvalidEvent, Ledger, Renaming, UnledgerError
from unledger.codec import event_from_dict

#: Examples per run of the generated test; the long run (scripts/crash_soak.py) tries far more.
EXAMPLES = 2000


@pytest.fixture
def populated(tmp_path):
    path = tmp_path / "log.jsonl"
    ledger = Ledger.open(path)
    ledger.append(batch_events("base", 0, 3))
    return ledger, path


def test_every_base_event_is_valid():
    """The mutations start from events that are accepted, so whatever is
    refused is refused because of the mutation."""
    ledger = Ledger.memory()
    for obj, _ in BASES:
        ledger.append(event_from_dict(dict(obj)))
    assert len(ledger) == len(BASES)


def test_generated_hostile_input_is_refused_and_changes_nothing(populated):
    ledger, path = populated
    before, seq = path.read_bytes(), ledger.seq
    tried: Counter[str] = Counter()

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(hostile=hostile_inputs())
    def run(hostile):
        tried[hostile.category] += 1
        try:
            feed(ledger, hostile.data)
        except Exception as exc:  # noqa: BLE001 - the type is what is checked
            check_refused(hostile, exc)
        else:
            raise AssertionError(f"accepted {hostile.category}: {hostile.data[:200]!r}")
        assert ledger.seq == seq

    run()
    assert path.read_bytes() == before
    assert Ledger.open(path).verify() == ledger.head
    assert set(tried) == set(CATEGORIES), f"categories never tried: {set(CATEGORIES) - set(tried)}"
    assert sum(tried.values()) >= EXAMPLES // 2


@pytest.mark.parametrize(
    "data, field",
    [
        (rb'{"kind":"renaming","date":"2001","entity":"SWZ","name":"\ud800"}', "name"),
        (rb'{"kind":"renaming","date":"2001","entity":"SWZ","name":"x","note":"\udfff tail"}', "note"),
        (rb'{"kind":"admission","date":"1992","org":"UN","member":"AZE","original":1e400}', "original"),
        (rb'{"kind":"establishment","date":"1945","entity":"EE","org":"OO","name":"n","elected_seats":1e400}', "elected_seats"),
        (rb'{"kind":"establishment","date":"1945","entity":"EE","org":"OO","name":"n","elected_seats":-0.0}', "elected_seats"),
        (rb'{"kind":"renaming","date":"2001","entity":"SWZ","name":"x","v":0}', "v"),
        (rb'{"kind":"renaming","date":"2001","entity":"SWZ","name":"x","v":99}', "v"),
        (rb'{"kind":"renaming","date":"2001","entity":"SW\u0000Z","name":"x"}', "entity"),
        (rb'{"kind":"correction","target":"base-0-3-0","reason":"r","replacement":{"kind":"renaming","date":"2001","entity":"EE","name":"x","seq":1}}', None),
        (rb'{"kind":"correction","target":"base-0-3-0","reason":"r","replacement":5}', None),
        (rb'{"kind":"correction","target":"base-0-3-0","reason":"r","replacement":{"kind":"retraction","target":"x","reason":"y"}}', "replacement"),
        (rb'[{"kind":"renaming","date":"2001","entity":"SWZ","name":"x"},"oops"]', None),
        (b'{"kind":"renaming","date":"2001","entity":"SWZ","name":"x","id":"dup"}\n{"kind":"renaming","date":"2002","entity":"SWZ","name":"y","id":"dup"}', "id"),
    ],
)
def test_edge_cases_are_refused(populated, data, field):
    ledger, path = populated
    before = path.read_bytes()
    with pytest.raises(InvalidEvent) as caught:
        feed(ledger, data)
    assert field is None or caught.value.field == field, str(caught.value)
    assert path.read_bytes() == before and ledger.seq == 3


def test_reusing_an_id_with_other_content_is_refused(populated):
    ledger, path = populated
    original = batch_events("base", 0, 3)[0]
    before = path.read_bytes()
    with pytest.raises(DuplicateEventId) as caught:
        ledger.append(Renaming(entity="OTHER", name="changed", date="2001", id=original.id))
    assert original.id in str(caught.value) and "seq 1" in str(caught.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("value", [None, "admission", 5, {"kind": "admission"}, [Admission(org="UN", member="AZE", date="1992"), "x"], b"{}"])
def test_append_refuses_what_is_not_an_event(populated, value):
    ledger, path = populated
    before = path.read_bytes()
    with pytest.raises((InvalidEvent, TypeError)) as caught:
        ledger.append(value)
    assert isinstance(caught.value, InvalidEvent) or value is None or isinstance(value, int), caught.value
    assert path.read_bytes() == before


@pytest.mark.parametrize("expected", [-1, "3", 3.0, True, [3]])
def test_expected_seq_must_be_a_whole_number(populated, expected):
    ledger, path = populated
    before = path.read_bytes()
    with pytest.raises(InvalidEvent) as caught:
        ledger.append(batch_events("x", 0, 1)[0], expected_seq=expected)
    assert caught.value.field == "expected_seq"
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"org": 5, "member": "AZE", "date": "1992"}, "org"),
        ({"org": "UN", "member": None, "date": "1992"}, "member"),
        ({"org": "UN", "member": "AZE", "date": "1992-02-30"}, "date"),
        ({"org": "UN", "member": "AZE", "date": 1992}, "date"),
        ({"org": "UN", "member": "AZE", "date": "1992", "original": "yes"}, "original"),
        ({"org": "UN", "member": "AZE", "date": "1992", "id": "has space"}, "id"),
        ({"org": "UN", "member": "AZE", "date": "1992", "name": "x" * 20001}, "name"),
    ],
)
def test_python_constructors_refuse_wrong_values(kwargs, field):
    with pytest.raises(InvalidEvent) as caught:
        Admission(**kwargs)
    assert caught.value.field == field


def test_python_constructors_refuse_unknown_and_missing_fields():
    with pytest.raises(TypeError):
        Admission(org="UN", member="AZE", date="1992", colour="red")
    with pytest.raises(TypeError):
        Admission(org="UN", date="1992")


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=st.text(min_size=1, max_size=200), note=st.text(max_size=300))
def test_any_legal_text_round_trips_without_breaking_the_line_format(tmp_path_factory, name, note):
    """Newlines, NULs, U+2028, quotes, and text that looks like a ledger line
    are all legal in a name or a note: they must come back as written and
    never split or fool the line format."""
    path = tmp_path_factory.mktemp("text") / "log.jsonl"
    ledger = Ledger.open(path)
    event = Renaming(entity="SWZ", name=name, note=note or None, date="2018", id="t-1")
    try:
        ledger.append([event, batch_events("t", 0, 1)[0]])
    except UnledgerError as exc:  # lone surrogates cannot be stored; refusing them is right
        assert isinstance(exc, InvalidEvent) and "surrogate" in str(exc)
        assert path.read_bytes() == b""
        return
    data = path.read_bytes()
    assert data.count(b"\n") == 2
    again = Ledger.open(path)
    assert again.records[0].event == event and again.verify() == ledger.head
