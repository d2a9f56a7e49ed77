"""The snapshot cache's value codec: every world a fold can build reads back
equal, and anything else stored where a value belongs is refused."""

from __future__ import annotations

import immutables
import orjson
import pytest
from hypothesis import given, settings
from strategies import History, histories

from unledger.cache_codec import StoredMap, decode, encode, encode_map
from unledger.dates import parse_date
from unledger.errors import IntegrityError
from unledger.reducers import fold
from unledger.world import _WORLD_FIELDS
from unledger.world import Spell, Term


def _round_trip(value):
    return decode(orjson.loads(orjson.dumps(encode(value))))


@settings(max_examples=60, deadline=None)
@given(histories(max_events=40))
def test_every_map_of_a_folded_world_reads_back_equal(history: History) -> None:
    world = fold(history.events)
    for name in _WORLD_FIELDS:
        value = getattr(world, name)
        assert _round_trip(value) == value, name


def test_class_fields_are_stored_by_their_declared_kind():
    spell = Spell(parse_date("1945-10-24"), parse_date("1945"), "admission", None, parse_date("1965-03"), "withdrawal", None)
    stored = encode(spell)
    assert stored == ["c", "Spell", "1945-10-24", "1945", "admission", None, "1965-03", "withdrawal", None]
    back = decode(stored)
    assert back == spell and back.end.precision == "month"
    term = Term(parse_date("1950-10-02/1950-10-07"), parse_date("1951-01-01"), parse_date("1952-12-31"), "A/PV.1")
    assert _round_trip(term) == term


@pytest.mark.parametrize(
    "stored",
    [
        ["c", "Spell", ["t"], None, "admission", None, None, None, None],  # a tuple where a date belongs
        ["c", "Spell", 19451024, None, "admission", None, None, None, None],  # a number where a date belongs
        ["c", "Spell", "1945-02-30", None, "admission", None, None, None, None],  # no such day
        ["c", "Spell", None, None, ["t", "x"], None, None, None, None],  # a tuple where a scalar belongs
        ["c", "Spell", None, None, {"a": 1}, None, None, None, None],  # an object where a scalar belongs
        ["c", "Spell", None, None, "admission", None, None, None],  # one field short
        ["c", "Spell", None, None, "admission", None, None, None, None, None],  # one field too many
        ["c", "Pickle", "os.system"],  # no such class
        ["m", "UN"],  # a key without a value
        ["m", ["t"], 1],  # a key that is not a string or a number
        ["x", 1],  # no such tag
        {"c": "Spell"},  # not a tagged list
    ],
)
def test_a_value_that_no_world_holds_is_refused(stored):
    with pytest.raises((ValueError, KeyError)):
        decode(stored)


@settings(max_examples=40, deadline=None)
@given(histories(max_events=40))
def test_a_stored_map_behaves_as_the_folded_map(history: History) -> None:
    world = fold(history.events)
    for name in _WORLD_FIELDS:
        value = getattr(world, name)
        keys = list(value.keys())
        lazy = StoredMap(encode_map(value))
        assert len(lazy) == len(value)
        for key in keys:  # looked up one key at a time, before anything builds the whole map
            assert key in lazy and lazy[key] == value[key] and lazy.get(key) == value.get(key)
        assert "no such key" not in lazy and lazy.get("no such key", 7) == 7
        with pytest.raises(KeyError):
            lazy["no such key"]
        assert lazy == value and value == lazy and hash(lazy) == hash(value)
        assert list(lazy) == list(value) and dict(lazy.items()) == dict(value.items())
        fresh = StoredMap(encode_map(value))
        assert fresh.set("k", 1) == value.set("k", 1)
        if keys:
            assert fresh.delete(keys[0]) == value.delete(keys[0])


def test_a_stored_map_reads_only_the_key_asked_for():
    value = immutables.Map({"UN": immutables.Map({"FRA": 1}), "NATO": immutables.Map({"DEU": 2})})
    data = encode_map(value)
    # Spoil NATO's value (a stored map is HMAC-checked as a whole before it
    # is read, so only its own writer can do this): UN still reads.
    spoiled = data.replace(b'["m","DEU",2]', b'["q","DEU",2]')  # no such tag
    assert spoiled != data
    lazy = StoredMap(spoiled)
    assert lazy["UN"] == value["UN"] and "NATO" in lazy
    with pytest.raises(IntegrityError):
        lazy["NATO"]


@pytest.mark.parametrize(
    "data",
    [
        b'["UN",6]\n["m"]',  # shorter than its index says
        b'["UN",5]\n["m"]x',  # longer
        b'["UN",-1]\n',  # a negative length
        b'["UN",1,"UN",1]\n11',  # a key twice
        b'[["t"],5]\n["m"]',  # a key that is not a string or a number
        b'["UN"]\n',  # a key without a length
        b'{"UN":5}\n["m"]',  # not an index
        b'["UN",5]',  # no index line
    ],
)
def test_a_malformed_stored_map_is_refused(data):
    with pytest.raises((ValueError, TypeError)):
        StoredMap(data)
