"""The building blocks shared by the timesheet reports: periods, keys, sums.

Private to :mod:`beebole_pandas.reports` (which documents the conventions);
split out so each module reads in one sitting.

>>> import pandas as pd
>>> period_label(pd.Timestamp("2026-10-05"), "M")
'2026-10'
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from .. import periods, schema
from ..errors import SchemaError, ValidationError
from ..frames import check_columns, column_array, is_missing, key_array, pandas_dtype
from ..load.scopes import shown
from ..schema import entity
from .totals import UNTIL, as_entries, is_totals, summed_by

#: Accepted values of ``freq``: days, ISO weeks, months, quarters, years
#: (:func:`beebole_pandas.periods.freq_of` also reads ``"month"``, ``"MS"``...).
FREQS: tuple[str, ...] = periods.FREQS
#: Accepted values of ``by``: the references of a time entry, in the schema's order
#: (the same names as ``export_parse.ENTITY_NAME_KEYS``, derived so the two cannot drift).
DIMENSIONS: tuple[str, ...] = tuple(
    dict.fromkeys(f.ref for f in entity("time_entry").fields if f.ref is not None)
)
#: Status labels in workflow order: the categories of every ``status`` column.
STATUS_ORDER: list[str] = list(schema.STATUS_ORDER)
NONE_LABEL = "(none)"

Billable: TypeAlias = pd.Series | Callable[[pd.DataFrame], Any] | Iterable[Any] | None
Frame: TypeAlias = pd.DataFrame | None


#: The days a report can cover: datetime64[ns] holds 1677-09-21 to 2262-04-11,
#: and a period (a week, a month) around a day must fit in it too.
FIRST_DAY, LAST_DAY = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")
_RANGE = f"{FIRST_DAY:%Y-%m-%d} to {LAST_DAY:%Y-%m-%d}"


def report_day(value: Any, name: str) -> pd.Timestamp | None:
    """A date argument of a report (``start``, ``end``, ``week``, ``as_of``) as a
    naive Timestamp; None stays None.

    Raises
    ------
    ValidationError
        Naming the argument: not a date (a number, NaT, text pandas cannot
        read), time-zone aware (the API has none), or outside :data:`FIRST_DAY`
        .. :data:`LAST_DAY`.

    Examples
    --------
    >>> report_day("2026-10-05", "start")
    Timestamp('2026-10-05 00:00:00')
    """
    if value is None:
        return None
    how = "use 'YYYY-MM-DD', a date or a Timestamp (or None)"
    # pandas would read a number as nanoseconds since 1970: never what is meant.
    if not isinstance(value, str | _dt.date | np.datetime64) or value is pd.NaT:
        raise ValidationError(f"{name}={shown(value)} is not a date; {how}")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError(f"{name}={shown(value)} is not a date ({exc}); {how}") from None
    if stamp is pd.NaT:
        raise ValidationError(f"{name}={shown(value)} is not a date; {how}")
    if stamp.tzinfo is not None:
        raise ValidationError(
            f"{name}={shown(value)} has a time zone, but the API has none: pass the naive "
            "local date (e.g. .tz_localize(None))"
        )
    if not FIRST_DAY <= stamp <= LAST_DAY:
        raise ValidationError(
            f"{name}={shown(value)} is outside the days a report covers ({_RANGE})"
        )
    return stamp.as_unit("ns")


def number_arg(value: Any, name: str, *, positive: bool = False) -> float:
    """A number argument of a report (hours), finite and not negative (or positive).

    >>> number_arg(7, "hours_per_day")
    7.0
    """
    bound = "above 0" if positive else "0 or more"
    # Text that reads as a number ("8") was always taken (float() of it): keep that.
    number_like = isinstance(value, int | float | np.number | str)
    if isinstance(value, bool | np.bool_) or not number_like:
        raise ValidationError(f"{name}={shown(value)} is not a number; give a number {bound}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    except ValueError:
        raise ValidationError(
            f"{name}={shown(value)} is not a number; give a number {bound}"
        ) from None
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        raise ValidationError(f"{name}={shown(value)} must be a finite number {bound}")
    return number


def _entry_dates(column: pd.Series) -> pd.Series:
    """The ``date`` column as naive datetime64[ns], or a SchemaError saying why not."""
    dtype = column.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        raise SchemaError(
            "entries column 'date' is time-zone aware, but the API has no time zones: "
            "use naive local dates (entries['date'].dt.tz_localize(None))"
        )
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        raise SchemaError(f"entries column 'date' holds numbers ({dtype}), not dates")
    if not pd.api.types.is_datetime64_dtype(dtype):
        odd = next(
            (
                v
                for v in column.tolist()
                if not isinstance(v, str | _dt.date | np.datetime64) and not is_missing(v)
            ),
            None,
        )
        if odd is not None:
            raise SchemaError(f"entries column 'date' holds {shown(odd)}, which is not a date")
    try:
        dates = pd.to_datetime(column)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SchemaError(f"entries column 'date' holds values that are not dates: {exc}") from None
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        raise SchemaError(
            "entries column 'date' holds time-zone aware values, but the API has no time "
            "zones: use naive local dates"
        )
    outside = dates.notna() & ((dates < FIRST_DAY) | (dates > LAST_DAY))
    if outside.any():
        raise SchemaError(
            f"entries column 'date' holds {dates[outside].iloc[0]}, outside the days a "
            f"report covers ({_RANGE})"
        )
    return dates.astype("datetime64[ns]")


def _typed(column: pd.Series, name: str, dtype: str) -> pd.Series:
    """One column in the dtype the reports compute with (a copy when it changes)."""
    if dtype == "datetime64[ns]":
        return _entry_dates(column)
    if dtype == "status":
        if column.dtype == pandas_dtype("status"):
            return column  # the loaders' ordered categorical of labels
        # Codes or labels, as text or in a categorical built by hand.
        array = column_array(column.astype(object).tolist(), "status", column=name)
        return pd.Series(array, index=column.index, name=column.name)
    wanted = dtype
    if column.dtype == pd.api.types.pandas_dtype(wanted):
        return column
    if wanted in ("Int64", "Float64") and pd.api.types.is_bool_dtype(column.dtype):
        raise SchemaError(f"entries column {name!r} holds True/False, not numbers")
    try:
        return column.astype(wanted)
    except (TypeError, ValueError, OverflowError) as exc:
        sample = next((v for v in column.tolist() if not is_missing(v)), None)
        raise SchemaError(
            f"entries column {name!r} expects {wanted} values, got e.g. {shown(sample)}: {exc}"
        ) from None


def check_entries(entries: pd.DataFrame, start: Any = None, end: Any = None) -> pd.DataFrame:
    """A copy with the schema's columns, clean dtypes, cut to [start, end].

    Raises
    ------
    SchemaError
        ``entries`` is not a time-entry frame: not a DataFrame, MultiIndex or
        repeated columns, a missing column, or a value of the wrong type
        (naming the column).
    ValidationError
        ``start`` or ``end`` is not a date (see :func:`report_day`).
    """
    if not isinstance(entries, pd.DataFrame):
        raise SchemaError(f"expected a time-entry DataFrame, got {type(entries).__name__}")
    if is_totals(entries):
        entries = as_entries(entries, report="report")
    spec = entity("time_entry")
    check_columns(entries, spec.columns, what="entries")
    missing = [c for c in spec.columns if c not in entries.columns]
    if missing:
        raise SchemaError(
            f"not a time-entry frame: missing column(s) {', '.join(missing)}; "
            "load one with bb.time_entries(start, end)"
        )
    first, last = report_day(start, "start"), report_day(end, "end")
    # Keep a unique index, so that a billable mask aligned with ``entries`` still aligns.
    frame = entries if entries.index.is_unique else entries.reset_index(drop=True)
    frame = frame.assign(
        **{f.column: _typed(frame[f.column], f.column, f.dtype) for f in spec.fields}
    )
    frame["hours"] = frame["hours"].fillna(0.0)
    return cut(frame, first, last)


def cut(frame: pd.DataFrame, first: pd.Timestamp | None, last: pd.Timestamp | None) -> pd.DataFrame:
    """The rows of a checked entry frame dated in [first, last] (None: no bound)."""
    if first is not None:
        frame = frame[frame["date"] >= first]
    if last is not None:
        frame = frame[frame["date"] <= last]
    return frame


def day_text(day: Any) -> str | None:
    """``YYYY-MM-DD`` of a day, None for None/NaT."""
    return None if day is None or pd.isna(day) else pd.Timestamp(day).strftime("%Y-%m-%d")


def range_text(first: Any, last: Any) -> str | None:
    """``"2026-10-01 to 2026-10-31"``, ``"from 2026-10-01"``, ``"to 2026-10-31"`` or None.

    >>> range_text(pd.Timestamp("2026-10-01"), None)
    'from 2026-10-01'
    """
    lo, hi = day_text(first), day_text(last)
    if lo and hi:
        return f"{lo} to {hi}"
    if lo:
        return f"from {lo}"
    return f"to {hi}" if hi else None


def loaded_period(entries: pd.DataFrame) -> tuple[str | None, str | None]:
    """The period a loader recorded in ``entries.attrs`` (``bb.time_entries(start, end)``).

    Only used to *name* the period a report was asked about when the frame is
    empty: attrs survive filtering, so they never decide what is counted.
    """
    info = entries.attrs.get("beebole") if isinstance(entries.attrs, dict) else None
    if not isinstance(info, dict) or info.get("entity") not in ("time_entry", "hours"):
        return None, None
    scope = info.get("scope")
    if not isinstance(scope, dict):
        return None, None
    days = []
    for name in ("start", "end"):
        try:
            days.append(day_text(report_day(scope.get(name), name)))
        except ValidationError:
            days.append(None)
    return days[0], days[1]


def report_entries(
    entries: pd.DataFrame,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    *,
    report: str,
    needs: Sequence[str] = (),
    freq: str | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], str | None]:
    """The checked entries of [start, end], what they cover, and a warning when none.

    Returns
    -------
    frame
        As :func:`check_entries` returns it, cut to [start, end].
    info
        The report's ``attrs["beebole_report"]`` so far: ``report``, ``start``
        and ``end`` (the range shown: the arguments, else the first and last
        entry dates), ``period`` (that range as text, or the period asked when
        there is no data), ``empty`` and ``data_from``/``data_to`` (the first
        and last dates of all the entries given).
    warning
        None when the range has entries; else a sentence naming the range and
        the period the entries given do cover (or that there are none at all).

    Examples
    --------
    >>> frame, info, warning = report_entries(entries, None, None, report="timesheet")  # doctest: +SKIP
    """
    totals = is_totals(entries)
    given = (
        as_entries(entries, report=report, needs=needs, freq=freq, start=start, end=end)
        if totals
        else entries
    )
    whole = check_entries(given)
    frame = cut(whole, start, end)
    dates = whole["date"].dropna()
    data_from, data_to = (dates.min(), dates.max()) if len(dates) else (None, None)
    span = span_of(frame, start, end)
    loaded = loaded_period(entries)
    asked = range_text(
        start if start is not None else loaded[0], end if end is not None else loaded[1]
    )
    info: dict[str, Any] = {
        "report": report,
        "start": day_text(span[0]) if span else day_text(start),
        "end": day_text(span[1]) if span else day_text(end),
        "period": range_text(*span) if span else asked,
        "empty": len(frame) == 0,
        "data_from": day_text(data_from),
        "data_to": day_text(data_to),
    }
    if totals:
        # Sums, not entries (bb.hours): what they were summed by; entry counts are unknown.
        info.update(input="hours", summed_by=summed_by(entries))
    if len(frame):
        return frame, info, None
    where = f" for {asked}" if asked else ""
    if len(whole) == 0:
        said = f"no time entries at all{where} (the entries frame given is empty)"
    elif data_from is None:
        said = f"no dated time entries{where} (every date of the entries given is missing)"
    else:
        said = (
            f"no time entries{where}; the entries given run from {day_text(data_from)} "
            f"to {day_text(data_to)}"
        )
    warning = (
        f"{report}: {said}, so the report is empty. Load a period that has time "
        "(bb.time_entries(start, end)) or pass start/end inside the entries' dates."
    )
    return frame, info, warning


def partial_mask(
    periods: pd.Series, freq: str, span: tuple[pd.Timestamp, pd.Timestamp] | None
) -> pd.arrays.BooleanArray:
    """True where a period runs past the range ``span`` covers (a week cut by the
    first or last day of a month): its figures hold only the days inside.

    >>> weeks = pd.Series(pd.to_datetime(["2026-09-28", "2026-10-05"]))
    >>> partial_mask(weeks, "W", (pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31"))).tolist()
    [True, False]
    """
    if span is None or freq == "D" or len(periods) == 0:
        return pd.arrays.BooleanArray(
            np.zeros(len(periods), dtype=bool), np.zeros(len(periods), dtype=bool)
        )
    lo, hi = (pd.Timestamp(d).normalize() for d in span)
    starts = pd.Series(pd.to_datetime(periods)).astype("datetime64[ns]").reset_index(drop=True)
    cut_off = (starts < lo) | (period_end(starts, freq) > hi)
    values = cut_off.to_numpy(dtype=bool)
    return pd.arrays.BooleanArray(values, np.zeros(len(values), dtype=bool))


def check_freq(freq: Any) -> str:
    """``freq`` as one of :data:`FREQS` (``"month"`` -> ``"M"``), or a ValidationError."""
    return periods.freq_of(freq)


def report_range(
    start: Any, end: Any, period: Any = None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The ``start``/``end``/``period`` arguments of a report as two days (None: no bound).

    ``period`` is any spelling of :func:`beebole_pandas.periods.span`
    (``"2026-11"``, ``"2026-Q4"``, ``"last-month"``, a ``pd.Period``, a
    ``Span``). ``start`` and ``end`` are days, or periods too: ``start`` gives
    its first day and ``end`` its last; a period ``start`` without ``end``
    covers that whole period (a *day* ``start`` without ``end`` stays open).

    >>> report_range("2026-11", None)
    (Timestamp('2026-11-01 00:00:00'), Timestamp('2026-11-30 00:00:00'))
    >>> report_range(None, None, "2026-Q4")[1]
    Timestamp('2026-12-31 00:00:00')
    """
    if period is not None:
        if start is not None or end is not None:
            raise ValidationError(
                f"give period={shown(period)} or start/end, not both "
                f"(got start={shown(start)}, end={shown(end)})"
            )
        found = periods.span(period)
        return report_day(found.start, "period"), report_day(found.end, "period")
    first = _period_bound(start, "start", last=False)
    if end is None and start is not None and _is_period(start):
        return first, _period_bound(start, "start", last=True)
    return first, _period_bound(end, "end", last=True)


def _is_period(value: Any) -> bool:
    if isinstance(value, pd.Period | periods.Span):
        return True
    return isinstance(value, str) and not periods.is_day(value)


def _period_bound(value: Any, name: str, *, last: bool) -> pd.Timestamp | None:
    if value is None or not _is_period(value):
        return report_day(value, name)
    try:
        found = periods.span(value)
    except ValidationError:
        return report_day(value, name)  # its message says how to write a date
    return report_day(found.end if last else found.start, name)


def dims_of(by: Any) -> list[str]:
    """The ``by`` argument as a list of :data:`DIMENSIONS`, each once."""
    if isinstance(by, str):
        dims: list[Any] = [by]
    elif isinstance(by, list | tuple | pd.Index | pd.Series | np.ndarray):
        dims = list(by)
    else:
        dims = []
    bad = [d for d in dims if not isinstance(d, str) or d not in DIMENSIONS] or (
        [] if dims else [by]
    )
    if bad:
        raise ValidationError(
            f"unknown by={shown(bad[0])}; valid choices are: {', '.join(DIMENSIONS)}, "
            "or a list of them"
        )
    # A dimension named twice would give two columns of one name.
    return list(dict.fromkeys(dims))


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """First day of the period (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``) holding each date.

    >>> period_start(pd.Series(pd.to_datetime(["2026-10-07"])), "W").dt.day.tolist()
    [5]
    >>> period_start(pd.Series(pd.to_datetime(["2026-11-07"])), "Q").dt.month.tolist()
    [10]
    """
    day = pd.to_datetime(dates).astype("datetime64[ns]").dt.normalize()
    if freq == "D":
        return day
    if freq == "W":
        return day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    first = day - pd.to_timedelta(day.dt.day - 1, unit="D")
    if freq == "M":
        return first
    # Quarters and years: back to the first month of the quarter (or of the year).
    back = (day.dt.month - 1) % 3 if freq == "Q" else day.dt.month - 1
    years, months = day.dt.year, day.dt.month - back
    out = pd.to_datetime(
        pd.DataFrame({"year": years, "month": months, "day": 1}), errors="coerce"
    ).astype("datetime64[ns]")
    return out if len(day) else day


def period_end(starts: pd.Series, freq: str) -> pd.Series:
    """Last day of the periods starting at ``starts``."""
    if freq == "D":
        return starts
    if freq == "W":
        return starts + pd.Timedelta(days=6)
    offset = {
        "M": pd.offsets.MonthEnd(0),
        "Q": pd.offsets.QuarterEnd(0),
        "Y": pd.offsets.YearEnd(0),
    }
    return (starts + offset[freq]).astype("datetime64[ns]")


def period_label(period: pd.Timestamp, freq: str) -> str:
    """``2026-10`` for a month, ``2026-Q4`` for a quarter, ``2026`` for a year, else the
    period's first day ``2026-10-05``."""
    if freq == "M":
        return period.strftime("%Y-%m")
    if freq == "Q":
        return f"{period.year}-Q{period.quarter}"
    if freq == "Y":
        return f"{period.year}"
    return period.strftime("%Y-%m-%d")


def periods_between(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    first = period_start(pd.Series([start]), freq).iloc[0]
    step = {"D": "D", "W": "7D", "M": "MS", "Q": "3MS", "Y": "12MS"}[freq]
    return pd.DatetimeIndex(pd.date_range(first, end, freq=step)).astype("datetime64[ns]")


def span_of(frame: pd.DataFrame, start: Any, end: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    lo = pd.Timestamp(start) if start is not None else frame["date"].min()
    # Summed hours (bb.hours) cover days up to their own last one, not only their first.
    last = frame[UNTIL] if UNTIL in frame.columns else frame["date"]
    hi = pd.Timestamp(end) if end is not None else last.max()
    return None if pd.isna(lo) or pd.isna(hi) else (lo, hi)


def weekdays_between(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Number of Monday-to-Friday days in [start, end], element-wise."""
    s = start.to_numpy(dtype="datetime64[D]")
    e = end.to_numpy(dtype="datetime64[D]") + np.timedelta64(1, "D")
    return np.busday_count(s, np.maximum(s, e))


def id_key(ids: pd.Series, xids: pd.Series) -> pd.Series:
    """Grouping key of a reference: its xid, else ``#id``, else ``""`` (none)."""
    ident = "#" + ids.astype("Int64").astype("string")
    return xids.astype("string").fillna(ident).fillna("").astype(str)


def by_name(dims: Sequence[str], *then: str) -> list[str]:
    """The columns a report sorts by: each reference by name, then xid and id (two
    projects may share a name: their order must not depend on the rows' order),
    then ``then``.

    >>> by_name(["person"], "period")
    ['person_name', 'person_xid', 'person_id', 'period']
    """
    return [*(f"{d}_{part}" for d in dims for part in ("name", "xid", "id")), *then]


def ref_key(frame: pd.DataFrame, dim: str) -> pd.Series:
    return id_key(frame[f"{dim}_id"], frame[f"{dim}_xid"])


def entity_key(frame: pd.DataFrame) -> pd.Series:
    return id_key(frame["id"], frame["xid"])


def resolve_hierarchy(entries: pd.DataFrame, projects: Frame, subprojects: Frame) -> pd.DataFrame:
    """Fill the project of subproject entries and the company of project entries.

    The per-person list path names only the entity an entry is logged on; the
    reports need its ancestors to roll hours up by project and to tell
    billable work apart.
    """
    frame = entries
    for child, parent, context in (
        ("subproject", "project", subprojects),
        ("project", "company", projects),
    ):
        if context is None or len(context) == 0 or len(frame) == 0:
            continue
        table = context.assign(_k=entity_key(context)).drop_duplicates("_k").set_index("_k")
        key = ref_key(frame, child)
        gap = frame[f"{parent}_id"].isna() & frame[f"{parent}_xid"].isna() & (key != "")
        if not gap.any():
            continue
        frame = frame.copy()
        for suffix in ("id", "xid"):
            column = f"{parent}_{suffix}"
            frame[column] = frame[column].mask(
                gap, key.map(table[column]).astype(frame[column].dtype)
            )
    return frame


def dim_table(frame: pd.DataFrame, dim: str, context: Frame = None) -> pd.DataFrame:
    """Per key of ``dim``: its id, xid and display name (index = key)."""
    cols = [f"{dim}_id", f"{dim}_xid", f"{dim}_name"]
    parts = [frame[cols].assign(_k=ref_key(frame, dim))]
    if context is not None and len(context):
        ctx = context[["id", "xid", "name"]].set_axis(cols, axis=1)
        parts.append(ctx.assign(_k=entity_key(context)))
    both = pd.concat(parts, ignore_index=True).astype(
        {cols[0]: "Int64", cols[1]: "string", cols[2]: "string"}
    )
    table = both.groupby("_k", sort=False)[cols].first()
    fallback = pd.Series(table.index, index=table.index).replace("", NONE_LABEL)
    table[cols[2]] = table[cols[2]].fillna(fallback.astype("string"))
    return table


def sum_by(
    frame: pd.DataFrame,
    dims: Sequence[str],
    values: Mapping[str, pd.Series],
    *,
    period: bool = True,
    contexts: Mapping[str, Frame] | None = None,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Sum ``values`` by dims (+ ``period`` and ``extra`` columns), with id/xid/name per dim."""
    contexts = contexts or {}
    keys = {f"_k_{d}": ref_key(frame, d) for d in dims}
    groupers = [*keys, *(["period"] if period else []), *extra]
    work = pd.DataFrame(keys, index=frame.index)
    for column in groupers[len(keys) :]:
        work[column] = frame[column]
    for name, series in values.items():
        work[name] = series.astype("Float64").fillna(0.0)
    sums = work.groupby(groupers, sort=False, dropna=False)[list(values)].sum().reset_index()
    out = pd.DataFrame(index=sums.index)
    for dim in dims:
        table = dim_table(frame, dim, contexts.get(dim))
        found = table.reindex(sums[f"_k_{dim}"].to_numpy())
        for column in table.columns:
            out[column] = found[column].to_numpy()
        out = out.astype({f"{dim}_id": "Int64", f"{dim}_xid": "string", f"{dim}_name": "string"})
    for column in groupers[len(keys) :]:
        out[column] = sums[column].to_numpy()
    if period:
        out["period"] = out["period"].astype("datetime64[ns]")
    for name in values:
        out[name] = sums[name].astype("Float64").array
    return out


def is_absence(frame: pd.DataFrame) -> pd.Series:
    return (frame["absence_id"].notna() | frame["absence_xid"].notna()).astype(bool)


def billable_mask(frame: pd.DataFrame, billable: Billable, companies: Frame) -> pd.Series | None:
    """True where an entry is billable; None when that cannot be known."""
    if billable is None and companies is None:
        return None
    if isinstance(billable, pd.Series):
        mask = billable.reindex(frame.index)
    elif callable(billable):
        mask = pd.Series(np.asarray(billable(frame)), index=frame.index)
    elif billable is not None:
        wanted = {str(v) for v in billable}
        keys = ref_key(frame, "company")
        mask = keys.isin(wanted) | keys.str.lstrip("#").isin(wanted)
        mask |= frame["company_name"].astype("string").isin(wanted).fillna(False).astype(bool)
    else:
        assert companies is not None
        customers = companies[~companies["corporate"].fillna(False).astype(bool)]
        mask = ref_key(frame, "company").isin(set(entity_key(customers)))
    return mask.fillna(False).astype(bool) & ~is_absence(frame)


def expected_per_day(persons: pd.DataFrame, hours: float | Mapping[Any, float]) -> np.ndarray:
    if not isinstance(hours, Mapping):
        return np.full(len(persons), float(hours))
    values = []
    for row in persons[["person_id", "person_xid", "person_name"]].itertuples(index=False):
        match = [hours[k] for k in row if not pd.isna(k) and k in hours]
        values.append(float(match[0]) if match else 8.0)
    return np.asarray(values, dtype=float)


def with_people(frame: pd.DataFrame, people: Frame) -> pd.DataFrame:
    """Add one zero-hour row per active person of ``people`` so that they appear."""
    if people is None or len(people) == 0:
        return frame
    active = people[people["active"].fillna(True).astype(bool)] if "active" in people else people
    extra = pd.DataFrame(
        {
            "person_id": active["id"].astype("Int64").to_numpy(),
            "person_xid": active["xid"].astype("string").to_numpy(),
            "person_name": active["name"].astype("string").to_numpy(),
            "_placeholder": True,
        }
    )
    out = pd.concat([frame.assign(_placeholder=False), extra], ignore_index=True)
    return out.astype({c: frame[c].dtype for c in frame.columns if c in out})


# --------------------------------------------------------------------------- reports


def add_keys(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with a ``<ref>_key`` column after each ``<ref>_id`` / ``<ref>_xid``
    pair: the join key of the frames (the xid, else the id, as text), so that a
    report joins to the entity frames on keys and shows every row's entity.

    >>> t = pd.DataFrame({"person_id": pd.array([7, None], dtype="Int64"),
    ...                   "person_xid": pd.array([None, "E-1"], dtype="string")})
    >>> add_keys(t)["person_key"].tolist()
    ['7', 'E-1']
    """
    for column in list(table.columns):
        if not (isinstance(column, str) and column.endswith("_xid")):
            continue
        prefix = column[: -len("_xid")]
        ids, key = f"{prefix}_id", f"{prefix}_key"
        if ids in table.columns and key not in table.columns:
            at = table.columns.get_loc(column) + 1
            table.insert(at, key, key_array(table[ids].array, table[column].array))
    return table


def keyed(report: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """A report whose table carries the join keys (:func:`add_keys`)."""

    @functools.wraps(report)
    def with_keys(*args: Any, **kwargs: Any) -> pd.DataFrame:
        return add_keys(report(*args, **kwargs))

    return with_keys


def partial_labels(out: pd.DataFrame, freq: str | None) -> list[str]:
    """The labels of the periods marked ``partial`` in a tidy report."""
    if freq is None or "partial" not in out.columns or not len(out):
        return []
    cut_off = out.loc[out["partial"].to_numpy(dtype=bool, na_value=False), "period"]
    return [period_label(p, freq) for p in sorted(cut_off.drop_duplicates())]


def expected_hours(hours: Any) -> float | Mapping[Any, float]:
    """``expected_hours_per_day``: a number, or a mapping of them, checked."""
    if not isinstance(hours, Mapping):
        return number_arg(hours, "expected_hours_per_day")
    return {k: number_arg(v, f"expected_hours_per_day[{k!r}]") for k, v in hours.items()}
