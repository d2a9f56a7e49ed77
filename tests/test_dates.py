"""Partial dates (docs/concepts.md#partial-dates-and-certainty) and the two clocks.

Checks that a partial date prints as it was written, that only real
calendar dates parse, that its interval of days is right, that ordering
agrees with earliest and latest days, the certainty rule at both edges of the
interval, ``as_of`` resolution (a partial date means its last day) and the
recorded timestamps (fixed width, so string order is time order).
"""

from __future__ import annotations

import calendar
import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import date_texts, partial_dates

from unledger.dates import (
    Certainty,
    PartialDate,
    day_to_iso,
    format_timestamp,
    parse_date,
    parse_timestamp,
    to_day,
)
from unledger.errors import InvalidEvent


@given(date_texts())
def test_format_of_parse_is_identity(text: str) -> None:
    date = parse_date(text)
    assert str(date) == text
    assert date.text == text
    assert parse_date(str(date)) == date


@given(st.integers(1, 9999), st.integers(0, 13), st.integers(0, 32))
def test_parse_accepts_exactly_the_real_calendar_days(year: int, month: int, day: int) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        real = dt.date(year, month, day)
    except ValueError:
        with pytest.raises(InvalidEvent):
            parse_date(text)
    else:
        parsed = parse_date(text)
        assert parsed.earliest == parsed.latest == real
        assert parsed.exact


@given(st.integers(1, 9999), st.integers(0, 13))
def test_parse_accepts_exactly_the_real_months(year: int, month: int) -> None:
    text = f"{year:04d}-{month:02d}"
    if 1 <= month <= 12:
        parsed = parse_date(text)
        assert parsed.earliest == dt.date(year, month, 1)
        assert parsed.latest == dt.date(year, month, calendar.monthrange(year, month)[1])
        assert parsed.precision == "month"
    else:
        with pytest.raises(InvalidEvent):
            parse_date(text)


@given(st.integers(1, 9999))
def test_a_year_runs_from_january_to_december(year: int) -> None:
    parsed = parse_date(f"{year:04d}")
    assert (parsed.earliest, parsed.latest) == (dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert parsed.latest_day - parsed.earliest_day + 1 == (366 if calendar.isleap(year) else 365)


@pytest.mark.parametrize(
    "text",
    ["1992-02-30", "1992-13", "1992-00", "1900-02-29", "0000", "92", "1992-1-01", "1992-01-1", "", " 1992", "1992 ",
     "1992-03-02T10:00", "1992/03/02", "+1992", "1992-W10", "19920302", "１９９２"],
)
def test_impossible_or_malformed_dates_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InvalidEvent) as info:
        parse_date(text)
    assert repr(text) in str(info.value) or "no year 0000" in str(info.value)


def test_leap_days_follow_the_gregorian_calendar() -> None:
    assert parse_date("2000-02-29").exact
    assert parse_date("1996-02-29").exact
    with pytest.raises(InvalidEvent, match="29 days|28 days"):
        parse_date("1900-02-29")


def test_a_non_string_is_refused() -> None:
    with pytest.raises(InvalidEvent, match="expected a date string"):
        parse_date(1992)  # type: ignore[arg-type]
    assert parse_date(parse_date("1992")) == parse_date("1992")


@given(partial_dates(), partial_dates())
def test_ordering_agrees_with_earliest_and_latest_days(a: PartialDate, b: PartialDate) -> None:
    if a.latest_day < b.earliest_day or (a.earliest_day < b.earliest_day):
        assert a < b and b > a and a <= b and not a >= b
    if a < b:
        assert (a.earliest_day, a.latest_day) <= (b.earliest_day, b.latest_day)
    assert (a == b) == (a.text == b.text)
    assert (a == b) == (not a < b and not b < a)
    if a == b:
        assert hash(a) == hash(b)


@given(st.lists(partial_dates(), min_size=2, max_size=20))
def test_sorting_puts_earliest_days_first(dates: list[PartialDate]) -> None:
    ordered = sorted(dates)
    assert [d.earliest_day for d in ordered] == sorted(d.earliest_day for d in dates)


def test_a_day_sorts_before_the_month_and_year_starting_on_it() -> None:
    assert parse_date("1992-01-01") < parse_date("1992-01") < parse_date("1992") < parse_date("1992-01-02")
    assert parse_date("1991-12-31") < parse_date("1992")


@given(partial_dates(min_year=2, max_year=9998))
def test_certainty_rule_at_the_interval_edges(date: PartialDate) -> None:
    lo, hi = date.earliest_day, date.latest_day
    assert date.certainty(lo - 1) is Certainty.NOT_YET
    assert date.certainty(hi) is Certainty.CERTAIN
    assert date.certainty(hi + 1) is Certainty.CERTAIN
    if date.exact:
        assert date.certainty(lo) is Certainty.CERTAIN
    else:
        assert date.certainty(lo) is Certainty.UNCERTAIN
        assert date.certainty(hi - 1) is Certainty.UNCERTAIN
    for day in (lo - 1, lo, hi - 1, hi, hi + 1):
        assert date.certain_on(day) == (date.certainty(day) is Certainty.CERTAIN)


def test_certainty_of_admitted_1992() -> None:
    admitted = parse_date("1992")
    assert admitted.certainty(to_day("1991-12-31")) is Certainty.NOT_YET
    assert admitted.certainty(to_day("1992-06-01")) is Certainty.UNCERTAIN
    assert admitted.certainty(to_day("1992-12-30")) is Certainty.UNCERTAIN
    assert admitted.certainty(to_day("1992-12-31")) is Certainty.CERTAIN


@given(partial_dates(max_year=9998))
def test_following_is_the_next_period_of_the_same_precision(date: PartialDate) -> None:
    nxt = date.following()
    assert nxt.earliest_day == date.latest_day + 1
    assert nxt.precision == date.precision


@given(partial_dates(min_year=3, max_year=9998), st.integers(-400, 400))
def test_shift_days_moves_both_edges(date: PartialDate, days: int) -> None:
    moved = date.shift_days(days)
    assert (moved.earliest_day, moved.latest_day) == (date.earliest_day + days, date.latest_day + days)
    assert moved.exact == date.exact


def test_span_prints_as_an_edtf_interval() -> None:
    span = PartialDate.span(to_day("1945-10-24"), to_day("1945-10-30"))
    assert str(span) == "1945-10-24/1945-10-30"
    assert PartialDate.span(to_day("1945-10-24"), to_day("1945-10-24")) == parse_date("1945-10-24")
    with pytest.raises(ValueError):
        PartialDate.span(10, 9)


@given(partial_dates())
def test_partial_dates_are_immutable_and_pickle(date: PartialDate) -> None:
    with pytest.raises(AttributeError):
        date.text = "2000"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(date)) == date


@given(partial_dates())
def test_as_of_a_partial_date_is_its_last_day(date: PartialDate) -> None:
    assert to_day(date.text) == date.latest_day
    assert to_day(date) == date.latest_day
    assert day_to_iso(to_day(date.text)) == date.latest.isoformat()


def test_to_day_reads_dates_datetimes_years_and_none() -> None:
    assert to_day(dt.date(1992, 3, 2)) == dt.date(1992, 3, 2).toordinal()
    assert to_day(dt.datetime(1992, 3, 2, 23, 0, tzinfo=dt.UTC)) == dt.date(1992, 3, 2).toordinal()
    assert to_day(1992) == to_day("1992") == dt.date(1992, 12, 31).toordinal()
    with pytest.raises(InvalidEvent):
        to_day(727000)  # not a year
    assert to_day(None) == dt.datetime.now(dt.UTC).date().toordinal()
    with pytest.raises(InvalidEvent):
        to_day(True)
    with pytest.raises(InvalidEvent):
        to_day(1.5)


@given(st.datetimes(timezones=st.just(dt.UTC)), st.datetimes(timezones=st.just(dt.UTC)))
def test_timestamp_strings_sort_as_instants(a: dt.datetime, b: dt.datetime) -> None:
    sa, sb = format_timestamp(a), format_timestamp(b)
    assert len(sa) == len(sb)
    assert (sa < sb) == (a < b)
    assert parse_timestamp(sa) == sa


def test_known_at_a_date_means_the_end_of_that_day_utc() -> None:
    assert parse_timestamp("2026-11-24") == "2026-11-24T23:59:59.999999Z"
    assert parse_timestamp("2026") == "2026-12-31T23:59:59.999999Z"
    assert parse_timestamp(dt.date(2026, 1, 2)) == "2026-01-02T23:59:59.999999Z"
    assert parse_timestamp("2026-11-24T12:00:00+02:00") == "2026-11-24T10:00:00.000000Z"
    with pytest.raises(InvalidEvent):
        format_timestamp(dt.datetime(2026, 1, 1))
    with pytest.raises(InvalidEvent):
        parse_timestamp("2026-11-24Tnoon")


def _outcome(parse, text):
    try:
        date = parse(text)
    except InvalidEvent as exc:
        return ("refused", str(exc))
    return (date.text, date.earliest_day, date.latest_day, date.precision)


_DAY_SHAPED = st.builds(
    "{}-{}-{}".format,
    st.integers(0, 9999).map("{:04d}".format) | st.text("0123456789+-W٠١٢", min_size=4, max_size=4),
    st.integers(0, 99).map("{:02d}".format) | st.text("0123456789W ", min_size=2, max_size=2),
    st.integers(0, 99).map("{:02d}".format) | st.text("0123456789 ", min_size=2, max_size=2),
)


@given(_DAY_SHAPED | date_texts() | st.text(max_size=12))
def test_the_day_fast_path_parses_exactly_as_the_full_parser(text):
    # The full parser is the specification: the C reader of YYYY-MM-DD must
    # accept the same days, give the same value, and leave every refusal to it.
    from unledger.dates import _parse, _parse_full

    assert _outcome(_parse.__wrapped__, text) == _outcome(_parse_full, text)


def test_the_day_fast_path_covers_leap_days_and_the_calendars_ends():
    from unledger.dates import _parse, _parse_full

    for text in ("2000-02-29", "1900-02-29", "0001-01-01", "9999-12-31", "0000-01-01", "2023-04-31", "2023-W01-1"):
        assert _outcome(_parse.__wrapped__, text) == _outcome(_parse_full, text)
