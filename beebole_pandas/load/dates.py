"""Localised dates and times of an export, read for the whole export at once.

Beebole writes dates with the account's date format (settings.mdx,
"Localization"): ``2026-10-03``, ``03/10/2026`` or ``10/03/2026``, with
``/``, ``-`` or ``.`` between the parts; times on a 24-hour (``14:30``) or
12-hour (``2:30 PM``) clock, after the date or alone.

Nothing is guessed silently. The order of day and month is decided for the
whole export: by the format the client knows, else by the data (a first part
above 12 is a day, a second part above 12 is a day), else by the requested
period (one reading puts every date in it, the other does not); when nothing
decides, :class:`~beebole_pandas.errors.SchemaError` says so and how to set
the format. Each distinct text is parsed once, with Arrow's C regular
expressions, then spread by index; ISO values take Arrow's own parser.

>>> import pyarrow as pa
>>> days, fmt = read_dates({"to": pa.array(["03/10/2026", "13/10/2026"])})
>>> str(days["to"][0])[:10], fmt.date
('2026-10-03', 'DD/MM/YYYY')
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..api.formats import ExportFormat
from ..errors import SchemaError

__all__ = ["arrow_text", "read_dates"]

_READABLE = (
    "dates YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY (separators '/', '-' or '.'), "
    "optionally followed by a time 14:30[:00] or 2:30[:00] PM, or a time alone"
)
_STAMP = (
    r"^\s*(?:(?P<a>\d{1,4})[./-](?P<b>\d{1,2})[./-](?P<c>\d{1,4}))?"
    r"(?:(?:T|\s+|,\s*)?(?P<h>\d{1,2})[:h](?P<m>\d{2})(?::(?P<s>\d{2})(?P<f>[.,]\d{1,9})?)?"
    r"\s*(?:(?P<p>[AaPp])\.?\s*[Mm]\.?)?)?\s*$"
)
#: What datetime64[ns] can hold.
_FIRST_DAY, _LAST_DAY = np.datetime64("1677-09-22", "D"), np.datetime64("2262-04-11", "D")
#: How far before and after the requested period a key's dates may fall: a
#: ``week`` is its Monday, an ``etime`` (a clock record's ``end``) may end after midnight.
_SLACK = {"week": (6, 0), "etime": (0, 1), "end": (0, 1)}
_FIX_IT = (
    "Tell the package the account's date format (Beebole: Settings > Localization): "
    "bb.connect(..., export_format='DD/MM/YYYY') or client.export_format = 'MM/DD/YYYY'"
)


def arrow_text(values: Any, key: str, what: str = "") -> pa.Array:
    """``values`` (an Arrow array, or the cells of an array export) as Arrow text;
    a cell that is neither text nor missing is refused, naming the key and
    ``what`` was expected (default: a date)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if pa.types.is_large_string(values.type) else values.cast(pa.large_string())
    odd = next((v for v in values if v is not None and not isinstance(v, str)), None)
    if odd is not None:
        expected = what or f"a date ({_READABLE})"
        raise SchemaError(f"export key {key!r}: {odd!r} is not text: expected {expected}")
    return pa.array(values, type=pa.large_string())


# -- week numbers ------------------------------------------------------------------------

_WEEK_NUMBER = re.compile(r"\s*[Ww]?(\d{1,2})\s*")


def _week_numbers(values: Any, period: tuple[Any, Any] | None) -> np.ndarray | None:
    """The Mondays of a ``week`` column that holds week numbers (reporting.mdx:
    "Week: the week number"), or None when it holds dates.

    A number names a week only with its year: the ISO 8601 week of that number
    that meets the requested period is taken. A period longer than a year
    can meet two, and a number that meets none is no ISO week number: both
    raise, saying which assumption failed.
    """
    cells = values.to_pylist() if isinstance(values, pa.Array | pa.ChunkedArray) else values
    read: dict[Any, int | None] = {None: None, "": None}
    for cell in set(cells):  # a few distinct values over many rows
        if cell in read:
            continue
        if isinstance(cell, int | np.integer) and not isinstance(cell, bool):
            read[cell] = int(cell)
        elif isinstance(cell, str) and (found := _WEEK_NUMBER.fullmatch(cell)):
            read[cell] = int(found.group(1))
        elif isinstance(cell, float) and cell.is_integer():
            read[cell] = int(cell)
        else:
            return None  # a date: some accounts (and older sandboxes) give the Monday
    numbers = [read[cell] for cell in cells]
    if all(n is None for n in numbers):
        return None
    if period is None:
        raise SchemaError(
            "export key 'week' holds week numbers, which name a week only with a year: "
            "parse the export with its period (from, to)"
        )
    first, last = (pd.Timestamp(p).date() for p in period)
    years = range(first.isocalendar()[0], last.isocalendar()[0] + 1)
    mondays: dict[int, np.datetime64] = {}
    for number in {n for n in numbers if n is not None}:
        meets = []
        for year in years:
            try:
                monday = _dt.date.fromisocalendar(year, number, 1)
            except ValueError:
                continue  # no week 53 that year
            if monday <= last and monday + _dt.timedelta(days=6) >= first:
                meets.append(monday)
        if len(meets) != 1:
            why = (
                "meets the period in several years: ask a year at a time, or group by "
                "'month' or 'date' instead"
                if meets
                else "is no ISO 8601 week of the period (the package reads week numbers as "
                "ISO 8601 weeks, Monday first)"
            )
            raise SchemaError(f"export key 'week': week {number} {why} ({first} to {last})")
        mondays[number] = np.datetime64(meets[0], "ns")
    nat = np.datetime64("NaT", "ns")
    return np.array([nat if n is None else mondays[n] for n in numbers], dtype="datetime64[ns]")


# -- dates -------------------------------------------------------------------------------


@dataclass
class _Column:
    """The distinct texts of one date column, split into parts."""

    key: str
    texts: list[str]
    codes: np.ndarray  # per row: index into texts, -1 where missing
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    dated: np.ndarray  # a date part is present
    year_first: np.ndarray  # a has 3-4 digits: YYYY-MM-DD
    offset: np.ndarray  # the time of day, in seconds (int64) + ns fraction
    timed: np.ndarray
    twelve: bool  # an AM/PM was seen


def _ints(field: pa.Array) -> np.ndarray:
    return np.asarray(
        pc.if_else(pc.equal(field, ""), "0", field).cast(pa.int64()).to_numpy(zero_copy_only=False)
    )


def _split(key: str, column: pa.Array) -> _Column:
    encoded = column.dictionary_encode()
    texts = encoded.dictionary
    found = pc.extract_regex(texts, _STAMP)
    matched = np.asarray(found.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    part = {name: found.field(name).fill_null("") for name in "abchmsfp"}
    has_a = np.asarray(pc.not_equal(part["a"], "").fill_null(False).to_numpy(zero_copy_only=False))
    has_h = np.asarray(pc.not_equal(part["h"], "").fill_null(False).to_numpy(zero_copy_only=False))
    bad = ~matched | ~(has_a | has_h)
    if bad.any():
        raise SchemaError(
            f"export key {key!r}: {texts[int(bad.argmax())].as_py()!r} is not a date the "
            f"package reads ({_READABLE})"
        )
    a_len = np.asarray(pc.utf8_length(part["a"]).to_numpy(zero_copy_only=False))
    h, m, s = _ints(part["h"]), _ints(part["m"]), _ints(part["s"])
    pm = np.asarray(
        pc.match_substring(part["p"], "p", ignore_case=True).to_numpy(zero_copy_only=False)
    )
    am = np.asarray(
        pc.match_substring(part["p"], "a", ignore_case=True).to_numpy(zero_copy_only=False)
    )
    wrong = has_h & (((am | pm) & ((h < 1) | (h > 12))) | (h > 23) | (m > 59) | (s > 59))
    if wrong.any():
        raise SchemaError(
            f"export key {key!r}: {texts[int(wrong.argmax())].as_py()!r} holds no valid time of day"
        )
    hours = np.where(am & (h == 12), 0, np.where(pm & (h < 12), h + 12, h))
    fraction = pc.replace_substring(part["f"], ",", ".").to_pylist()
    nanos = np.array([round(float(f) * 1e9) if f else 0 for f in fraction], dtype=np.int64)
    indices = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return _Column(
        key=key,
        texts=texts.to_pylist(),
        codes=np.asarray(indices, dtype=np.int64),
        a=_ints(part["a"]),
        b=_ints(part["b"]),
        c=_ints(part["c"]),
        dated=has_a,
        year_first=a_len >= 3,
        offset=(hours * 3600 + m * 60 + s) * 1_000_000_000 + nanos,
        timed=has_h,
        twelve=bool((am | pm).any()),
    )


def _days(col: _Column, order: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The day of each distinct text (datetime64[D]; NaT without a date part),
    and which texts name no real day (31/02)."""
    ymd = col.year_first
    if order == "mdy":
        month, day = np.where(ymd, col.b, col.a), np.where(ymd, col.c, col.b)
    else:  # dmy, or year-first values only
        month, day = col.b, np.where(ymd, col.c, col.a)
    year = np.where(ymd, col.a, np.where(col.c < 100, col.c + 2000, col.c))
    month_ok = (month >= 1) & (month <= 12)
    first = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    days = first.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    invalid = col.dated & (~month_ok | (day < 1) | (days.astype("datetime64[M]") != first))
    return np.where(col.dated, days, np.datetime64("NaT", "D")), invalid


def _orders(col: _Column) -> set[str]:
    """The day/month orders the column's values allow (year-first values allow any)."""
    other = col.dated & ~col.year_first
    orders = {"dmy", "mdy"}
    if (other & (col.a > 12)).any():
        orders.discard("mdy")
    if (other & (col.b > 12)).any():
        orders.discard("dmy")
    return orders


def _example(columns: list[_Column], where: str) -> tuple[str, str]:
    for col in columns:
        mask = col.dated & ~col.year_first
        if where == "a>12":
            mask &= col.a > 12
        elif where == "b>12":
            mask &= col.b > 12
        elif where == "ambiguous":
            mask &= (col.a <= 12) & (col.b <= 12) & (col.a != col.b)
        if mask.any():
            return col.key, col.texts[int(mask.argmax())]
    return "?", "?"


def _fits(columns: list[_Column], order: str, period: tuple[Any, Any]) -> bool:
    """Whether reading the dates in ``order`` puts every one of them in the period."""
    start = np.datetime64(pd.Timestamp(period[0]).date(), "D")
    end = np.datetime64(pd.Timestamp(period[1]).date(), "D")
    for col in columns:
        before, after = _SLACK.get(col.key, (0, 0))
        first, last = start - np.timedelta64(before, "D"), end + np.timedelta64(after, "D")
        days, invalid = _days(col, order)
        used = np.zeros(len(col.texts), dtype=bool)
        used[col.codes[col.codes >= 0]] = True
        shown = days[used & col.dated]
        if invalid[used].any() or ((shown < first) | (shown > last)).any():
            return False
    return True


def _order(columns: list[_Column], fmt: ExportFormat, period: tuple[Any, Any] | None) -> str | None:
    """The export's day/month order: ``"dmy"``, ``"mdy"`` or None (no such dates)."""
    undecided = [c for c in columns if (c.dated & ~c.year_first).any()]
    if not undecided:
        return None
    orders = {"dmy", "mdy"}
    for col in undecided:
        orders &= _orders(col)
    if not orders:
        (k1, v1), (k2, v2) = _example(undecided, "a>12"), _example(undecided, "b>12")
        raise SchemaError(
            f"export dates are not in one format: {v1!r} (key {k1!r}) is DD/MM/YYYY and "
            f"{v2!r} (key {k2!r}) is MM/DD/YYYY"
        )
    wanted = fmt.order
    if wanted in ("dmy", "mdy"):
        if wanted not in orders:
            key, value = _example(undecided, "a>12" if wanted == "mdy" else "b>12")
            raise SchemaError(
                f"export key {key!r}: {value!r} is not a {fmt.date} date, the format set on "
                f"the client; set the account's format instead (export_format="
                f"{'DD/MM/YYYY' if wanted == 'mdy' else 'MM/DD/YYYY'!r}?)"
            )
        return wanted
    if len(orders) == 1:
        return orders.pop()
    if not any(((c.a != c.b) & c.dated & ~c.year_first).any() for c in undecided):
        return "dmy"  # every day equals its month: both readings agree
    fitting = [o for o in ("dmy", "mdy") if period is not None and _fits(undecided, o, period)]
    if len(fitting) == 1:
        return fitting[0]
    key, value = _example(undecided, "ambiguous")
    why = "no day is above 12"
    if period is not None:
        fit = "both readings fit" if fitting else "neither reading fits"
        why += f" and {fit} the period {period[0]} to {period[1]}"
    if fmt.order == "ymd":
        why = f"the client's format is {fmt.date}, which these dates are not"
    raise SchemaError(
        f"export key {key!r}: dates such as {value!r} read as DD/MM/YYYY or as MM/DD/YYYY, "
        f"and nothing in the export decides ({why}). {_FIX_IT}."
    )


def read_dates(
    columns: Mapping[str, Any],
    *,
    export_format: ExportFormat | None = None,
    period: tuple[Any, Any] | None = None,
) -> tuple[dict[str, np.ndarray], ExportFormat]:
    """The date and date-time columns of one export as ``datetime64[ns]``.

    Parameters
    ----------
    columns
        Key -> its cells (Arrow text, or the Python values of an array
        export), for every date key of the export: they share one format.
    export_format
        What the client knows of the account's format (None: nothing).
    period
        The export's ``from`` and ``to``: a date order that puts a date outside
        it (by more than a week) is ruled out.

    Returns
    -------
    tuple
        Key -> datetime64[ns] array, and the format found (``date``, ``time``).
        A time alone (``2:30 PM``) is placed on the day of the ``to`` (else
        ``date``) column of the same export.

    Raises
    ------
    SchemaError
        A value is no date; dates of two orders; or an order nothing decides.

    Examples
    --------
    >>> import pyarrow as pa
    >>> out, fmt = read_dates({"to": pa.array(["10/13/2026"]), "stime": pa.array(["1:05 PM"])})
    >>> str(out["stime"][0]), fmt.describe()
    ('2026-10-13T13:05:00.000000000', 'dates MM/DD/YYYY, times 12h')
    """
    fmt = export_format or ExportFormat()
    out: dict[str, np.ndarray] = {}
    parsed: list[_Column] = []
    iso = iso_times = False
    for key, values in columns.items():
        if key == "week" and (mondays := _week_numbers(values, period)) is not None:
            out[key] = mondays
            continue
        text = arrow_text(values, key)
        try:  # ISO dates and date-times: Arrow's C parser, no regular expression
            # (a failing cast is slow: a sample tells first; the second cast
            # refuses dates beyond datetime64[ns], such as 9999-12-31)
            _iso(text[:200])
            out[key] = _iso(text)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
            parsed.append(_split(key, text))
            continue
        if text.null_count < len(text):
            iso = True
            iso_times = iso_times or bool(pc.any(pc.match_substring(text, ":")).as_py())
    order = _order(parsed, fmt, period)
    times = [c for c in parsed if c.timed.any()]
    found = ExportFormat(
        date={"dmy": "DD/MM/YYYY", "mdy": "MM/DD/YYYY"}.get(order or "")
        or ("YYYY-MM-DD" if iso or any(c.year_first.any() for c in parsed) else None),
        time="12h" if any(c.twelve for c in times) else "24h" if times or iso_times else None,
    )
    later: list[_Column] = []
    for col in parsed:
        days, invalid = _days(col, order)
        if invalid.any():
            bad = col.texts[int(invalid.argmax())]
            raise SchemaError(f"export key {col.key!r}: {bad!r} names no day of the calendar")
        beyond = col.dated & ((days < _FIRST_DAY) | (days > _LAST_DAY))
        if beyond.any():
            raise SchemaError(
                f"export key {col.key!r}: {col.texts[int(beyond.argmax())]!r} is outside the "
                f"dates a frame can hold ({_FIRST_DAY} to {_LAST_DAY})"
            )
        if (col.timed & ~col.dated).any():
            later.append(col)
            continue
        stamps = days.astype("datetime64[ns]") + col.offset.astype("timedelta64[ns]")
        out[col.key] = _spread(stamps, col.codes)
    for col in later:  # times of day alone: on the entry's date
        day_key = next((k for k in ("to", "date") if k in out), None)
        if day_key is None:
            raise SchemaError(
                f"export key {col.key!r} holds times of day without a date (e.g. "
                f"{col.texts[int((col.timed & ~col.dated).argmax())]!r}); add the key 'to' "
                "(the entry's date) to the keys so that they become date-times"
            )
        days, _ = _days(col, order)
        on = out[day_key].astype("datetime64[D]")
        own = _spread(days, col.codes)
        base = np.where(np.isnat(own), on, own).astype("datetime64[ns]")
        offset = _spread(col.offset.astype("timedelta64[ns]"), col.codes)
        out[col.key] = base + offset
    return out, found


def _iso(text: pa.Array) -> np.ndarray:
    return np.asarray(
        text.cast(pa.timestamp("s")).cast(pa.timestamp("ns")).to_numpy(zero_copy_only=False)
    )


def _spread(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]`` with NaT where a code is -1 (a missing cell)."""
    if len(values) == 0:
        return np.full(len(codes), np.datetime64("NaT"), dtype=values.dtype)
    out = values[np.maximum(codes, 0)]
    out[codes < 0] = np.datetime64("NaT") if out.dtype.kind == "M" else np.timedelta64("NaT")
    return out
