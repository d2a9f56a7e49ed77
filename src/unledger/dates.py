"""Partial dates (EDTF level 0, and level 1 intervals) and the two clocks of the ledger.

A :class:`PartialDate` is written with the precision its source gives:
``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``. Each denotes an interval of days,
``[earliest, latest]``. A fact known only to lie between two such dates is
written as an EDTF interval of them, ``1951/1955`` ("between 1951 and
1955"): its earliest day is the first day of the start, its latest day the
last day of the end, and the same certainty rule applies. Days are kept as proleptic Gregorian ordinals
(``datetime.date.toordinal``) because the fold compares them millions of
times: an ``int`` comparison is the cheapest thing Python has.

Derived dates (an entry into force computed from partial dates) may be a
general interval; they are written ``YYYY-MM-DD/YYYY-MM-DD``, the EDTF level 0
interval form. Events accept the three single-date forms and intervals of
them (``1951/1955``, ``1951-03/1952``); the start may not end after the end.

The certainty rule (docs/concepts.md#partial-dates-and-certainty): a fact dated ``d`` is *certain* on day ``D`` if
``latest(d) <= D``, *uncertain* if ``earliest(d) <= D < latest(d)`` and not yet
true if ``D < earliest(d)``.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
import time as _time
from enum import StrEnum
from functools import lru_cache
from typing import Final, TypeAlias

from .errors import ClockError, InvalidEvent

__all__ = [
    "PartialDate",
    "Certainty",
    "parse_date",
    "to_day",
    "first_day",
    "day_to_iso",
    "today",
    "utc_now",
    "format_timestamp",
    "now_timestamp",
    "next_timestamp",
    "CLOCK_TOLERANCE",
    "parse_timestamp",
]

# ASCII digits only: ``\d`` would also take "１９９２" and keep it as the text.
_DATE_RE: Final = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


class Certainty(StrEnum):
    """Where a day stands against a partial date."""

    CERTAIN = "certain"
    UNCERTAIN = "uncertain"
    NOT_YET = "not yet"


class PartialDate:
    """An immutable EDTF level-0 date: a year, a month or a day.

    Create one with :func:`parse_date` (or :meth:`PartialDate.parse`); compare
    with ``<`` and ``==``. Ordering is by earliest day, then latest day, so a
    day sorts before the month and the year that start on it.
    """

    __slots__ = ("text", "earliest_day", "latest_day", "precision")

    text: str
    earliest_day: int
    latest_day: int
    precision: str  # "year", "month", "day" or "interval"

    def __init__(self, text: str, earliest_day: int, latest_day: int, precision: str) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "earliest_day", earliest_day)
        object.__setattr__(self, "latest_day", latest_day)
        object.__setattr__(self, "precision", precision)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("PartialDate is immutable")

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (parse_date, (self.text,))  # derived spans and intervals parse back too

    @staticmethod
    def parse(text: str) -> PartialDate:
        return parse_date(text)

    @classmethod
    def span(cls, earliest_day: int, latest_day: int) -> PartialDate:
        """The interval of days ``[earliest_day, latest_day]`` (ordinals)."""
        if earliest_day == latest_day:
            return day_date(earliest_day)
        if earliest_day > latest_day:
            raise ValueError("an interval cannot end before it starts")
        text = f"{day_to_iso(earliest_day)}/{day_to_iso(latest_day)}"
        return cls(text, earliest_day, latest_day, "interval")

    @property
    def earliest(self) -> _dt.date:
        return _dt.date.fromordinal(self.earliest_day)

    @property
    def latest(self) -> _dt.date:
        return _dt.date.fromordinal(self.latest_day)

    @property
    def exact(self) -> bool:
        """True when the date names a single day."""
        return self.earliest_day == self.latest_day

    def certainty(self, day: int) -> Certainty:
        """Where ``day`` (an ordinal) stands against this date (docs/concepts.md#partial-dates-and-certainty)."""
        if self.latest_day <= day:
            return Certainty.CERTAIN
        if self.earliest_day <= day:
            return Certainty.UNCERTAIN
        return Certainty.NOT_YET

    def certain_on(self, day: int) -> bool:
        return self.latest_day <= day

    def shift_days(self, days: int) -> PartialDate:
        """The same interval moved by ``days`` (keeps single days single)."""
        return PartialDate.span(self.earliest_day + days, self.latest_day + days)

    def following(self) -> PartialDate:
        """The period right after this one at the same precision.

        ``1992-12-31`` gives ``1993-01-01``, ``1992-12`` gives ``1993-01`` and
        ``1992`` gives ``1993``. Used for facts dated by their last day (a
        state that "ceased to exist on 31 December 1992").
        """
        if self.precision == "day":
            return day_date(self.latest_day + 1)
        if self.precision == "month":
            y, m = int(self.text[:4]), int(self.text[5:7])
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            return parse_date(f"{y:04d}-{m:02d}")
        if self.precision == "year":
            return parse_date(f"{int(self.text[:4]) + 1:04d}")
        return self.shift_days(1)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is PartialDate:
            return self.text == other.text  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.text)

    def _key(self) -> tuple[int, int, str]:
        return (self.earliest_day, self.latest_day, self.text)

    def __lt__(self, other: PartialDate) -> bool:
        return self._key() < other._key()

    def __le__(self, other: PartialDate) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: PartialDate) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: PartialDate) -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"PartialDate({self.text!r})"


def parse_date(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; refuse impossible dates.

    Raises :class:`~unledger.errors.InvalidEvent` (with ``field`` unset: the
    caller knows which field it parsed) naming what is wrong.
    """
    if text.__class__ is not str:
        if isinstance(text, PartialDate):
            return text
        raise InvalidEvent(f"expected a date string like '1992-03-02', got {type(text).__name__}")
    return _parse(text)


@lru_cache(maxsize=65536)
def _parse(text: str) -> PartialDate:
    if len(text) == 10 and text[4] == "-" == text[7] and text.isascii() and text[:4].isdigit():
        # A day, the commonest case, read by the C parser (the full path
        # below gives the same value and words any refusal).
        try:
            ordinal = _dt.date.fromisoformat(text).toordinal()
        except ValueError:
            pass
        else:
            return PartialDate(text, ordinal, ordinal, "day")
    return _parse_full(text)


def _parse_full(text: str) -> PartialDate:
    if "/" in text:
        return _parse_interval(text)
    m = _DATE_RE.fullmatch(text)
    if m is None:
        raise InvalidEvent(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(m.group(1))
    if year == 0:
        raise InvalidEvent(f"{text!r} is not a date: there is no year 0000")
    month_s, day_s = m.group(2), m.group(3)
    if month_s is None:
        lo = _dt.date(year, 1, 1).toordinal()
        return PartialDate(text, lo, _dt.date(year, 12, 31).toordinal(), "year")
    month = int(month_s)
    if not 1 <= month <= 12:
        raise InvalidEvent(f"{text!r} is not a date: month {month_s} does not exist")
    last = calendar.monthrange(year, month)[1]
    if day_s is None:
        lo = _dt.date(year, month, 1).toordinal()
        return PartialDate(text, lo, lo + last - 1, "month")
    day = int(day_s)
    if not 1 <= day <= last:
        raise InvalidEvent(f"{text!r} is not a date: {_dt.date(year, month, 1):%B %Y} has {last} days")
    ordinal = _dt.date(year, month, day).toordinal()
    return PartialDate(text, ordinal, ordinal, "day")


def _parse_interval(text: str) -> PartialDate:
    """``START/END``, each a level-0 date: the days from the first of START
    to the last of END (EDTF level 1 interval, both ends known)."""
    parts = text.split("/")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise InvalidEvent(f"{text!r} is not a date interval: write START/END, e.g. 1951/1955")
    start, end = _parse(parts[0]), _parse(parts[1])
    if start.earliest_day > end.earliest_day or start.latest_day > end.latest_day:
        raise InvalidEvent(f"{text!r} is not a date interval: {start} is not before {end}")
    if start == end:
        raise InvalidEvent(f"{text!r} is not a date interval: both ends are {start}; write {start}")
    return PartialDate(text, start.earliest_day, end.latest_day, "interval")


def day_date(day: int) -> PartialDate:
    """The single-day :class:`PartialDate` of an ordinal."""
    return parse_date(day_to_iso(day))


def day_to_iso(day: int) -> str:
    return _dt.date.fromordinal(day).isoformat()


def today() -> int:
    """Today's ordinal in UTC (the default ``as_of``)."""
    return _dt.datetime.now(_dt.UTC).date().toordinal()


DateLike: TypeAlias = str | int | _dt.date | PartialDate
"""What a query accepts as a day or a moment (``as_of``, ``known_at``,
``start``, ``end``): an ISO date, possibly partial (``"1992"``,
``"1992-03"``, ``"1992-03-02"``), a :class:`PartialDate`, a
:class:`datetime.date` or :class:`datetime.datetime`, or an ``int``, which
is a year (``1992`` is 31 December 1992 as ``as_of``, 1 January 1992 as a
``start``; ``True`` and ``False`` are refused). A ``known_at`` string may
also be an ISO timestamp."""


def later_of(a: PartialDate, b: PartialDate) -> PartialDate:
    """The later of two partial dates, bound by bound (a span when they overlap)."""
    if a.earliest_day == b.earliest_day and a.latest_day == b.latest_day:
        return a
    return PartialDate.span(max(a.earliest_day, b.earliest_day), max(a.latest_day, b.latest_day))


def earlier_of(a: PartialDate | None, b: PartialDate) -> PartialDate:
    """The earlier of two partial dates, bound by bound (``b`` when ``a`` is ``None``)."""
    if a is None:
        return b
    if a.earliest_day <= b.earliest_day and a.latest_day <= b.latest_day:
        return a
    return PartialDate.span(min(a.earliest_day, b.earliest_day), min(a.latest_day, b.latest_day))


#: The last day a date can name (31 December 9999): "as of the end of
#: time", to see everything the record holds. A :class:`datetime.date`, as
#: queries take it (an ``int`` would be read as a year).
END_OF_TIME: Final[_dt.date] = _dt.date.max


def this_year() -> int:
    """The current year in UTC."""
    return _dt.date.fromordinal(today()).year


def year_of_day(day: int) -> int:
    """The year of an ordinal day."""
    return _dt.date.fromordinal(day).year


def as_year(value: object) -> int:
    """A year bound of a range: an ``int`` is a year already; anything
    else is read as a date (:func:`first_day`) and gives its year."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return year_of_day(first_day(value))


def to_day(value: object) -> int:
    """Resolve an ``as_of`` value to the ordinal of one day.

    ``None`` is today (UTC); a partial date means the *last* day of its period
    (``"1992"`` is 31 December 1992, docs/concepts.md#partial-dates-and-certainty); a
    :class:`datetime.date` is that day; an ``int`` is a year, like the
    string (``1992`` is 31 December 1992). ``True`` and ``False`` are refused.
    """
    if value is None:
        return today()
    if isinstance(value, PartialDate):
        return value.latest_day
    if isinstance(value, str):
        return parse_date(value).latest_day
    if isinstance(value, _dt.datetime):
        return value.date().toordinal()
    if isinstance(value, _dt.date):
        return value.toordinal()
    return _year(value, "as_of").latest_day


def _year(value: object, field: str) -> PartialDate:
    """An ``int`` as the year it names; anything else is refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidEvent(f"cannot read {value!r} as a date", field=field)
    if not 1 <= value <= 9999:
        raise InvalidEvent(f"{value} is not a year from 1 to 9999", field=field)
    return parse_date(f"{value:04d}")


def first_day(value: object) -> int:
    """Resolve the *start* of a date range to an ordinal: a partial date
    means the first day of its period (``"1993"`` is 1 January 1993);
    everything else as in :func:`to_day`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _year(value, "start").earliest_day
    if isinstance(value, str):
        return parse_date(value).earliest_day
    if isinstance(value, PartialDate):
        return value.earliest_day
    return to_day(value)


# --- transaction time -----------------------------------------------------
#
# Recorded timestamps are fixed-width UTC strings, so that comparing two of
# them as strings compares them as instants; the log never parses them on the
# hot path.

_TS_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC)


#: The last second :func:`now_timestamp` formatted, and its text (one tuple,
#: read and replaced whole, so that threads never mix two seconds).
_second: tuple[int, str] = (-1, "")


def now_timestamp() -> str:
    """:func:`format_timestamp` of :func:`utc_now`, formatting each second
    once: every append asks for it, and only the microseconds change often
    (docs/performance.md, "Second round: appends")."""
    global _second
    seconds, nanos = divmod(_time.time_ns(), 1_000_000_000)
    cached = _second
    if cached[0] != seconds:
        moment = _dt.datetime.fromtimestamp(seconds, _dt.UTC)
        cached = _second = (seconds, f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S"))
    return f"{cached[1]}.{nanos // 1000:06d}Z"


#: How far in this machine's future a recorded time may lie before a writer
#: refuses to follow it (clocks of machines sharing a log disagree a little).
CLOCK_TOLERANCE: Final = _dt.timedelta(minutes=5)


def next_timestamp(last: str) -> str:
    """The ``recorded`` time of an append after one recorded at ``last``:
    now, or ``last`` itself when this clock is behind it (times never go
    back), unless ``last`` lies more than :data:`CLOCK_TOLERANCE` in the
    future: then ``ClockError``, as following it would stamp every later
    append with that future time."""
    now = now_timestamp()
    if now > last:
        return now
    limit = format_timestamp(_dt.datetime.fromisoformat(now.replace("Z", "+00:00")) + CLOCK_TOLERANCE)
    if last > limit:
        raise ClockError(
            f"the log's last line was recorded at {last}, more than {CLOCK_TOLERANCE} after this machine's clock ({now}): "
            "this clock is behind, or that time was forged; appending would stamp every new event with it"
        )
    return last


def format_timestamp(moment: _dt.datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidEvent("a timestamp needs a time zone (use UTC)", field="known_at")
    moment = moment.astimezone(_dt.UTC)
    # strftime's %Y does not pad years before 1000, which would break the
    # fixed width that makes string order time order.
    return f"{moment.year:04d}" + moment.strftime(_TS_FORMAT[2:])


def parse_timestamp(value: object) -> str:
    """Normalise a ``known_at`` value to the log's timestamp format.

    Accepts an aware :class:`datetime.datetime`, an ISO 8601 string with an
    offset or ``Z``, or a date (``"2026-11-24"`` or a partial date), which
    means the end of that period in UTC; an ``int`` is a year (the end of
    its last day). ``True`` and ``False`` are refused.
    """
    if isinstance(value, int):
        return f"{day_to_iso(_year(value, 'known_at').latest_day)}T23:59:59.999999Z"
    if isinstance(value, _dt.datetime):
        return format_timestamp(value)
    if isinstance(value, _dt.date):
        return f"{value.isoformat()}T23:59:59.999999Z"
    if isinstance(value, str):
        if "T" not in value and " " not in value:
            return f"{day_to_iso(parse_date(value).latest_day)}T23:59:59.999999Z"
        try:
            moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidEvent(f"{value!r} is not an ISO 8601 timestamp", field="known_at") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=_dt.UTC)
        return format_timestamp(moment)
    raise InvalidEvent(f"cannot read {value!r} as a timestamp", field="known_at")


def parse_recorded(text: str) -> _dt.datetime:
    """A ``recorded`` timestamp of the log as an aware UTC datetime."""
    return _dt.datetime.strptime(text, _TS_FORMAT).replace(tzinfo=_dt.UTC)
