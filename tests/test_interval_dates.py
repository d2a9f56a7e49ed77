"""Interval dates ``START/END`` (EDTF level 1): "between 1951 and 1955".

The earliest day is the first day of the start, the latest day the last day
of the end; the certainty rule of docs/concepts.md applies at both edges, and
ordering is by earliest day, then latest day.
"""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import partial_dates

from unledger.dates import Certainty, PartialDate, parse_date, to_day
from unledger.errors import InvalidEvent


@st.composite
def intervals(draw: st.DrawFn) -> tuple[PartialDate, PartialDate, PartialDate]:
    a = draw(partial_dates(min_year=2, max_year=9000))
    b = draw(partial_dates(min_year=2, max_year=9000))
    start, end = sorted((a, b), key=lambda d: (d.earliest_day, d.latest_day))
    if start.latest_day > end.latest_day or start == end:
        end = parse_date(f"{int(start.latest.year) + 1:04d}")
    return start, end, parse_date(f"{start}/{end}")


@given(intervals())
def test_interval_ends_come_from_its_two_dates(triple: tuple[PartialDate, PartialDate, PartialDate]) -> None:
    start, end, interval = triple
    assert interval.earliest_day == start.earliest_day
    assert interval.latest_day == end.latest_day
    assert interval.precision == "interval"
    assert str(interval) == f"{start}/{end}"
    assert parse_date(str(interval)) == interval
    assert pickle.loads(pickle.dumps(interval)) == interval


@given(intervals())
def test_certainty_rule_at_both_edges_of_an_interval(triple: tuple[PartialDate, PartialDate, PartialDate]) -> None:
    _, _, date = triple
    lo, hi = date.earliest_day, date.latest_day
    assert date.certainty(lo - 1) is Certainty.NOT_YET
    assert date.certainty(lo) is Certainty.UNCERTAIN
    assert date.certainty(hi - 1) is Certainty.UNCERTAIN
    assert date.certainty(hi) is Certainty.CERTAIN
    assert date.certainty(hi + 1) is Certainty.CERTAIN


@given(st.lists(intervals(), min_size=2, max_size=12))
def test_intervals_sort_by_earliest_then_latest_day(triples: list[tuple[PartialDate, PartialDate, PartialDate]]) -> None:
    dates = [t[2] for t in triples]
    ordered = sorted(dates)
    keys = [(d.earliest_day, d.latest_day) for d in ordered]
    assert keys == sorted(keys)


def test_between_1951_and_1955() -> None:
    date = parse_date("1951/1955")
    assert date.certainty(to_day("1950-12-31")) is Certainty.NOT_YET
    assert date.certainty(parse_date("1951-01-01").earliest_day) is Certainty.UNCERTAIN
    assert date.certainty(to_day("1955-12-30")) is Certainty.UNCERTAIN
    assert date.certainty(to_day("1955")) is Certainty.CERTAIN
    assert parse_date("1951") < date < parse_date("1952")
    assert to_day(date) == to_day("1955")


@pytest.mark.parametrize("text", ["1955/1951", "1951/", "/1955", "1951/1952/1953", "1951/1951", "1951-13/1952", "1952/1951-06"])
def test_bad_intervals_are_refused(text: str) -> None:
    with pytest.raises(InvalidEvent):
        parse_date(text)
