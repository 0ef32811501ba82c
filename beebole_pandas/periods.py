"""Periods: ``"2026-11"``, ``"2026-Q4"``, ``"2026"``, ``"last-month"`` as two days.

The one place that reads how people name a stretch of time, shared by the
loaders (``bb.time_entries("2026-11")``) and the reports
(``reports.timesheet(entries, period="last-month")``). Pure: no I/O, and
"today" is an argument (``today=``), so relative names are testable.

Spellings a :func:`span` understands:

* a day: ``"2026-11-05"``, a :class:`datetime.date`, a :class:`pandas.Timestamp`;
* an ISO week ``"2026-W45"`` (Monday to Sunday), a month ``"2026-11"``, a
  quarter ``"2026-Q4"`` (or ``"2026Q4"``), a year ``"2026"``;
* a :class:`pandas.Period` of any of those frequencies;
* a name relative to today (see :data:`NAMES`): ``"today"``, ``"yesterday"``,
  ``"this-week"``, ``"last-week"``, ``"next-week"``, and the same with
  ``month``, ``quarter`` and ``year`` (``"last month"`` and ``"last_month"``
  are read alike);
* a :class:`Span` (returned as is).

``freq`` values (:data:`FREQS`) are ``"D"``, ``"W"``, ``"M"``, ``"Q"`` and
``"Y"``; :func:`freq_of` also reads ``"day"``, ``"week"``, ``"month"``,
``"quarter"``, ``"year"`` and pandas' ``"MS"``, ``"QS"``, ``"YS"``, ``"A"``.

>>> span("2026-Q4")
Span('2026-Q4': 2026-10-01 to 2026-12-31)
>>> span("last-month", today="2026-12-03").label
'2026-11'
>>> span("2026-10", "2026-11")
Span('2026-10-01 to 2026-11-30': 2026-10-01 to 2026-11-30)
>>> span("2026-11").previous().label, span("2026-11").year_before().label
('2026-10', '2025-11')
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import ValidationError

__all__ = ["FREQS", "NAMES", "Span", "bounds", "freq_of", "is_day", "shift", "span"]

#: The frequencies a report groups by: days, ISO weeks, months, quarters, years.
FREQS: tuple[str, ...] = ("D", "W", "M", "Q", "Y")
_UNITS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
#: Other spellings of :data:`FREQS` that :func:`freq_of` reads.
_FREQ_ALIASES: dict[str, str] = {
    **{k: v for k, v in _UNITS.items()},
    **{f"{k}s": v for k, v in _UNITS.items()},
    **{k + "ly": v for k, v in _UNITS.items() if k != "day"},
    "daily": "D",
    "W-MON": "W",
    "W-SUN": "W",
    "MS": "M",
    "ME": "M",
    "QS": "Q",
    "QE": "Q",
    "Q-DEC": "Q",
    "YS": "Y",
    "YE": "Y",
    "Y-DEC": "Y",
    "A": "Y",
    "AS": "Y",
    "A-DEC": "Y",
}
#: The names of periods relative to today.
NAMES: tuple[str, ...] = (
    "today",
    "yesterday",
    "tomorrow",
    *(
        f"{when}-{unit}"
        for unit in ("week", "month", "quarter", "year")
        for when in ("this", "last", "next")
    ),
)
_SPELLINGS = (
    "a day 'YYYY-MM-DD', a week 'YYYY-Www', a month 'YYYY-MM', a quarter 'YYYY-Qn', "
    "a year 'YYYY', a pandas Period, or a name: " + ", ".join(NAMES)
)
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}([T ].*)?")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def freq_of(freq: Any) -> str:
    """``freq`` as one of :data:`FREQS`.

    Raises
    ------
    ValidationError
        Naming the value and the valid choices.

    Examples
    --------
    >>> freq_of("M"), freq_of("quarter"), freq_of("YS")
    ('M', 'Q', 'Y')
    """
    if isinstance(freq, str):
        if freq in FREQS:
            return freq
        found = _FREQ_ALIASES.get(freq) or _FREQ_ALIASES.get(freq.lower())
        if found is None and freq.upper() in FREQS:
            found = freq.upper()
        if found is not None:
            return found
    raise ValidationError(
        f"unknown freq {_shown(freq)}; valid choices are: {', '.join(FREQS)} "
        "(or day, week, month, quarter, year)"
    )


@dataclass(frozen=True)
class Span:
    """A stretch of days, both included, and what it is called.

    Attributes
    ----------
    start, end
        Naive midnight Timestamps, ``start <= end``.
    freq
        The period's kind when it is one whole period (``"M"`` for
        ``"2026-11"``), else None (a range of days).
    label
        ``"2026-11"``, ``"2026-Q4"``, ``"2026"``, ``"2026-W45"``,
        ``"2026-11-05"`` or ``"2026-10-01 to 2026-11-30"``.

    Examples
    --------
    >>> s = span("2026-W45")
    >>> s.start.date(), s.end.date(), s.days
    (datetime.date(2026, 11, 2), datetime.date(2026, 11, 8), 7)
    """

    start: pd.Timestamp
    end: pd.Timestamp
    freq: str | None = None
    label: str = ""

    def __repr__(self) -> str:
        return f"Span({self.label!r}: {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d})"

    def __iter__(self) -> Any:
        # ``first, last = span("2026-11")``
        return iter((self.start, self.end))

    @property
    def days(self) -> int:
        """How many days the span holds."""
        return int((self.end - self.start).days) + 1

    def iso(self) -> tuple[str, str]:
        """``("2026-11-01", "2026-11-30")``: what the API's ``from``/``to`` take."""
        return self.start.strftime("%Y-%m-%d"), self.end.strftime("%Y-%m-%d")

    def previous(self) -> Span:
        """The period before: the month before a month, else as many days before."""
        return shift(self, "previous")

    def year_before(self) -> Span:
        """The same period a year before."""
        return shift(self, "year")

    def clip(self, today: Any = None) -> Span:
        """The part of the span up to ``today`` (the span itself when it is over)."""
        day = _today(today)
        if day >= self.end:
            return self
        if day < self.start:
            raise ValidationError(
                f"the period {self.label} starts after today ({day:%Y-%m-%d}): nothing to clip"
            )
        return _range(self.start, day)

    def is_partial(self, today: Any = None) -> bool:
        """True while today falls inside the span: its figures are not final yet."""
        day = _today(today)
        return bool(self.start <= day < self.end)


def _today(today: Any) -> pd.Timestamp:
    if today is None:
        return pd.Timestamp.today().normalize().as_unit("ns")
    found = _as_day(today)
    if found is None:
        raise ValidationError(f"today={_shown(today)} is not a date; use 'YYYY-MM-DD' or a date")
    return found


def _as_day(value: Any) -> pd.Timestamp | None:
    """A day-like value (a date, a Timestamp, ``"YYYY-MM-DD"``) as a midnight Timestamp;
    None for anything else (or a day pandas cannot hold)."""
    if isinstance(value, str):
        if not _DAY.fullmatch(value.strip()):
            return None
        value = value.strip()
    elif not isinstance(value, pd.Timestamp | _dt.date | np.datetime64) or pd.isna(value):
        return None
    try:
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is None:
            return stamp.normalize().as_unit("ns")
    except (ValueError, OverflowError):
        return None
    raise ValidationError(
        f"{_shown(value)} has a time zone, but the API has none: pass the naive local date"
    )


def is_day(value: Any) -> bool:
    """True for a single day (a date, a Timestamp, ``"YYYY-MM-DD"``), False for a
    longer period's spelling or anything else.

    >>> is_day("2026-11-05"), is_day("2026-11"), is_day("last-week")
    (True, False, False)
    """
    if isinstance(value, _dt.date | np.datetime64):
        return not pd.isna(value)
    return isinstance(value, str) and _DAY.fullmatch(value.strip()) is not None


def _whole(start: pd.Timestamp, freq: str) -> Span:
    """The whole period of kind ``freq`` that starts on ``start``."""
    if freq == "D":
        return Span(start, start, "D", f"{start:%Y-%m-%d}")
    if freq == "W":
        iso = start.isocalendar()
        return Span(start, start + pd.Timedelta(days=6), "W", f"{iso[0]}-W{iso[1]:02d}")
    if freq == "M":
        return Span(start, start + pd.offsets.MonthEnd(0), "M", f"{start:%Y-%m}")
    if freq == "Q":
        end = start + pd.offsets.QuarterEnd(0)
        return Span(start, end, "Q", f"{start.year}-Q{start.quarter}")
    return Span(start, start + pd.offsets.YearEnd(0), "Y", f"{start.year}")


def _start_of(day: pd.Timestamp, freq: str) -> pd.Timestamp:
    if freq == "D":
        return day
    if freq == "W":
        return day - pd.Timedelta(days=day.day_of_week)
    if freq == "M":
        return day.replace(day=1)
    if freq == "Q":
        return day.replace(month=3 * (day.quarter - 1) + 1, day=1)
    return day.replace(month=1, day=1)


def _step(start: pd.Timestamp, freq: str, n: int) -> pd.Timestamp:
    """The start of the period ``n`` periods of kind ``freq`` away from ``start``."""
    if freq == "D":
        return start + pd.Timedelta(days=n)
    if freq == "W":
        return start + pd.Timedelta(weeks=n)
    months = {"M": 1, "Q": 3, "Y": 12}[freq] * n
    return start + pd.DateOffset(months=months)


def _range(start: pd.Timestamp, end: pd.Timestamp) -> Span:
    """The days from ``start`` to ``end``; a whole year, quarter, month or ISO week
    (``2026-10-01`` to ``2026-10-31``) is that period, so it compares as one."""
    if end < start:
        raise ValidationError(f"end ({end:%Y-%m-%d}) is before start ({start:%Y-%m-%d})")
    for freq in ("Y", "Q", "M", "W"):
        whole = _whole(start, freq)
        if _start_of(start, freq) == start and whole.end == end:
            return whole
    label = f"{start:%Y-%m-%d}" if start == end else f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    return Span(start, end, "D" if start == end else None, label)


def _named(name: str, today: Any) -> Span | None:
    text = re.sub(r"[\s_]+", "-", name.strip().lower())
    if text not in NAMES:
        return None
    day = _today(today)
    if text in ("today", "yesterday", "tomorrow"):
        offset = {"today": 0, "yesterday": -1, "tomorrow": 1}[text]
        return _whole(day + pd.Timedelta(days=offset), "D")
    when, unit = text.split("-")
    freq = _UNITS[unit]
    start = _step(_start_of(day, freq), freq, {"this": 0, "last": -1, "next": 1}[when])
    return _whole(start, freq)


def _parse(value: Any, today: Any) -> Span:
    """One spelling (see the module docstring) as a :class:`Span`."""
    if isinstance(value, Span):
        return value
    if isinstance(value, pd.Period):
        base = freq_of(value.freqstr.split("-")[0] if value.freqstr[0] != "W" else "W")
        start = _start_of(pd.Timestamp(value.start_time).normalize().as_unit("ns"), base)
        return _whole(start, base)
    day = _as_day(value)
    if day is not None:
        return _whole(day, "D")
    if isinstance(value, str):
        text = value.strip()
        try:
            if _YEAR.fullmatch(text):
                return _whole(pd.Timestamp(int(text), 1, 1).as_unit("ns"), "Y")
            if match := _QUARTER.fullmatch(text):
                year, q = int(match[1]), int(match[2])
                return _whole(pd.Timestamp(year, 3 * q - 2, 1).as_unit("ns"), "Q")
            if (match := _MONTH.fullmatch(text)) and 1 <= int(match[2]) <= 12:
                return _whole(pd.Timestamp(int(match[1]), int(match[2]), 1).as_unit("ns"), "M")
            if match := _WEEK.fullmatch(text):
                monday = _dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
                return _whole(pd.Timestamp(monday).as_unit("ns"), "W")
        except (ValueError, OverflowError):
            pass
        named = _named(text, today)
        if named is not None:
            return named
    raise ValidationError(f"{_shown(value)} is not a period; use {_SPELLINGS}")


def span(value: Any, end: Any = None, *, today: Any = None) -> Span:
    """The days of a period, or of a range from one period's start to another's end.

    Parameters
    ----------
    value
        Any spelling of the module docstring.
    end
        Optional: the range runs to the *last* day of this period
        (``span("2026-10", "2026-12")`` is October to December).
    today
        "Today" for the relative names (default: the current date).

    Returns
    -------
    Span

    Raises
    ------
    ValidationError
        A value that is no period (naming it and the spellings), or an end
        before the start.

    Examples
    --------
    >>> span("2026-11").iso()
    ('2026-11-01', '2026-11-30')
    >>> span(pd.Period("2026Q4", freq="Q")).label
    '2026-Q4'
    >>> span("this-week", today="2026-11-05").iso()
    ('2026-11-02', '2026-11-08')
    """
    first = _parse(value, today)
    if end is None:
        return first
    last = _parse(end, today)
    if last == first:
        return first
    return _range(first.start, last.end)


def bounds(start: Any, end: Any = None, *, today: Any = None) -> tuple[str, str]:
    """``(first, last)`` as ``YYYY-MM-DD``: :func:`span` for the loaders.

    >>> bounds("2026-Q4")
    ('2026-10-01', '2026-12-31')
    """
    return span(start, end, today=today).iso()


def shift(period: Any, against: str = "previous", *, today: Any = None) -> Span:
    """The period to compare ``period`` with.

    Parameters
    ----------
    period
        Any spelling of :func:`span`.
    against
        ``"previous"``: the period just before (the month before a month, the
        quarter before a quarter; a range of days, as many days before);
        ``"year"``: the same days a year before (a week: the same ISO week).

    Examples
    --------
    >>> shift("2026-Q1").label, shift("2026-W01", "year").label
    ('2025-Q4', '2025-W01')
    >>> shift(span("2026-11-10", "2026-11-16")).label
    '2026-11-03 to 2026-11-09'
    """
    now = span(period, today=today)
    if against not in ("previous", "year"):
        raise ValidationError(
            f"against={_shown(against)} is not a comparison; valid choices are: previous, year"
        )
    if now.freq is not None:
        if against == "previous":
            return _whole(_step(now.start, now.freq, -1), now.freq)
        if now.freq == "W":
            iso = now.start.isocalendar()
            week = min(iso[1], _dt.date(iso[0] - 1, 12, 28).isocalendar()[1])
            monday = _dt.date.fromisocalendar(iso[0] - 1, week, 1)
            return _whole(pd.Timestamp(monday).as_unit("ns"), "W")
        return _whole(now.start - pd.DateOffset(years=1), now.freq)
    if against == "previous":
        return _range(now.start - pd.Timedelta(days=now.days), now.start - pd.Timedelta(days=1))
    return _range(now.start - pd.DateOffset(years=1), now.end - pd.DateOffset(years=1))


def __dir__() -> list[str]:
    return sorted(__all__)
