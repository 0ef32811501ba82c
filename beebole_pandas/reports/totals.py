"""Hours summed by the server (``bb.hours``) as the input of a report.

Every report that needs only totals (timesheet, utilisation, overtime,
absences, approval status, the chase and the burn) takes, instead of one row
per time entry, the frame :func:`beebole_pandas.hours` returns: hours summed
over the dimensions asked for. A month of 1,000 people summed by person,
week, month, company, project, subproject, absence type and status is 386 KB
of export on the sandbox, instead of 1,375 KB of entries (without comments
and tasks).

The sums must hold what the report reads, so a report refuses, naming what
is missing and the ``by=`` that gives it:

* a **dimension** it groups or decides by (``absence`` tells absence from
  work; ``company`` decides what is billable; ``status`` the approval);
* **periods** it can split: each row covers a day (``date``), a week, a
  month, or both (the days of a week inside one month), or the whole period;
  weekly figures need ``week`` or ``date``, monthly ones ``month`` or
  ``date``, and a ``start``/``end`` inside the period must not cut a row.

Entry counts (``entries`` columns) cannot be known from sums: they are
``<NA>``.

>>> import beebole_pandas as bb
>>> from beebole_pandas import reports
>>> sums = bb.hours("2026-10", by=PACK_BY)                       # doctest: +SKIP
>>> reports.timesheet(sums, freq="W")                            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError
from ..frames import missing_array
from ..schema import entity

__all__ = ["PACK_BY", "REFERENCES", "as_entries", "is_totals", "summed_by"]

#: The references an hours frame may be summed by (see ``bb.hours``'s ``by``).
REFERENCES = ("person", "company", "project", "subproject", "task", "absence")
#: The time dimensions of an hours frame, finest first.
TIMES = ("date", "week", "month")
#: What the monthly report pack asks ``bb.hours`` for: everything the reports
#: read, by week and month (a week cut by a month's end is two rows).
PACK_BY = (
    "person",
    "week",
    "month",
    "company",
    "project",
    "subproject",
    "absence",
    "status",
)
#: Why a report needs a dimension (said when it is missing).
_WHY = {
    "absence": "to tell absences from work",
    "company": "to tell billable work (customer companies) from internal work",
    "status": "to sum hours by approval status",
    "project": "to sum hours by project",
    "person": "to sum hours by person",
}
#: Column of the segment's last day in the entry-shaped frame (see ``span_of``).
UNTIL = "_until"
_UNIT = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def is_totals(frame: Any) -> bool:
    """Whether ``frame`` holds summed hours rather than time entries: it has
    ``hours`` but no entry ``id`` (an entry frame without ids is read as
    daily sums, which it is)."""
    if not isinstance(frame, pd.DataFrame) or "hours" not in frame.columns:
        return False
    if "id" in frame.columns:
        return False
    info = frame.attrs.get("beebole") if isinstance(frame.attrs, dict) else None
    if isinstance(info, dict) and info.get("entity") == "hours":
        return True
    return any(_has(frame, d) for d in (*REFERENCES, *TIMES, "status"))


def summed_by(frame: pd.DataFrame) -> list[str]:
    """The dimensions an hours frame was summed by, from its columns."""
    return [d for d in (*REFERENCES, *TIMES, "status") if _has(frame, d)]


def _has(frame: pd.DataFrame, dim: str) -> bool:
    if dim in (*TIMES, "status"):
        return dim in frame.columns
    return any(f"{dim}_{s}" in frame.columns for s in ("id", "xid", "key", "name"))


def _scope(frame: pd.DataFrame) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The period the hours were summed over, from ``bb.hours``'s record."""
    info = frame.attrs.get("beebole") if isinstance(frame.attrs, dict) else None
    scope = info.get("scope") if isinstance(info, dict) else None
    if not isinstance(scope, dict):
        return None, None
    out = []
    for name in ("start", "end"):
        try:
            out.append(pd.Timestamp(scope.get(name)).normalize())
        except (TypeError, ValueError):
            out.append(None)
    return out[0], out[1]


def _days(column: pd.Series, name: str) -> pd.Series:
    """A time column (``2026-10-05``, ``2026-10``, a Period) as naive first days."""
    values = column
    if isinstance(values.dtype, pd.PeriodDtype):
        values = values.dt.start_time
    try:
        days = pd.to_datetime(values.astype(object).where(values.notna(), None))
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"hours column {name!r} holds values that are not dates: {exc}") from None
    if isinstance(days.dtype, pd.DatetimeTZDtype):
        raise SchemaError(f"hours column {name!r} is time-zone aware; the API has no time zones")
    return days.astype("datetime64[ns]").dt.normalize()


def _segments(
    frame: pd.DataFrame, lo: pd.Timestamp | None, hi: pd.Timestamp | None
) -> tuple[pd.Series, pd.Series, str]:
    """First and last day each row covers, and its grain in words."""
    if "date" in frame.columns:
        day = _days(frame["date"], "date")
        return day, day, "day"
    first = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    last = first.copy()
    grains = []
    if "week" in frame.columns:
        monday = _days(frame["week"], "week")
        first, last = monday, monday + pd.Timedelta(days=6)
        grains.append("week")
    if "month" in frame.columns:
        month = _days(frame["month"], "month")
        month = month - pd.to_timedelta(month.dt.day - 1, unit="D")
        end = (month + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")
        first = month if not grains else first.where(first >= month, month)
        last = end if not grains else last.where(last <= end, end)
        grains.append("month")
    if not grains:
        if lo is None or hi is None:
            raise SchemaError(
                "these hours are summed over a whole period without a time column "
                "(date, week or month) and do not say which period: load them with "
                "bb.hours(start, end, ...) or pass start= and end= to the report"
            )
        first = pd.Series(lo, index=frame.index, dtype="datetime64[ns]")
        last = pd.Series(hi, index=frame.index, dtype="datetime64[ns]")
        return first, last, "the whole period"
    if lo is not None:
        first = first.where(first >= lo, lo)
    if hi is not None:
        last = last.where(last <= hi, hi)
    return first, last, " within a ".join(grains)


def _by_hint(frame: pd.DataFrame, wanted: Sequence[str]) -> str:
    dims = summed_by(frame)
    by = [*dims, *(d for d in wanted if d not in dims)]
    return "bb.hours(start, end, by=[" + ", ".join(repr(d) for d in by) + "])"


def as_entries(
    frame: pd.DataFrame,
    *,
    report: str,
    needs: Sequence[str] = (),
    freq: str | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """An hours frame as a time-entry frame the reports read: one row per sum,
    dated by the first day it covers, with the last in column ``_until``.

    Parameters
    ----------
    frame
        What :func:`beebole_pandas.hours` returns (or any frame of sums with
        ``hours`` and the ``<ref>_id``/``_xid``/``_key``/``_name`` columns).
    report
        The report's name, for the messages.
    needs
        The dimensions the report reads (``"absence"``, ``"status"``, ...).
    freq
        The report's periods (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``), or
        None for one figure over the whole range.
    start, end
        The report's range: it must not cut a row.

    Raises
    ------
    SchemaError
        A dimension is missing, a row spans two of the report's periods, or
        ``start``/``end`` cut a row; the message gives the ``bb.hours`` call
        that fits.

    Examples
    --------
    >>> as_entries(bb.hours("2026-10", by=PACK_BY), report="timesheet", freq="W")  # doctest: +SKIP
    """
    missing = [d for d in dict.fromkeys(needs) if not _has(frame, d)]
    if missing:
        said = "; ".join(f"{d} ({_WHY.get(d, 'to group by it')})" for d in missing)
        raise SchemaError(
            f"{report}: these hours are summed by {', '.join(summed_by(frame)) or 'nothing'}, "
            f"without {said}. Load them with {_by_hint(frame, missing)}, or pass the "
            "time entries (bb.time_entries)."
        )
    lo, hi = _scope(frame)
    first, last, grain = _segments(
        frame, lo if lo is not None else start, hi if hi is not None else end
    )
    _check_cuts(frame, first, last, grain, report=report, start=start, end=end)
    if freq is not None:
        _check_freq(frame, first, last, grain, report=report, freq=freq)
    spec = entity("time_entry")
    data: dict[str, Any] = {}
    for column in spec.columns:
        if column == "date":
            data[column] = first.to_numpy()
        elif column in frame.columns:
            data[column] = frame[column].to_numpy()
        else:
            data[column] = missing_array(spec.dtypes[column], len(frame))
    data[UNTIL] = last.to_numpy()
    out = pd.DataFrame(data, index=frame.index)
    out.attrs["beebole_totals"] = {"by": summed_by(frame), "grain": grain}
    return out


def _check_cuts(
    frame: pd.DataFrame,
    first: pd.Series,
    last: pd.Series,
    grain: str,
    *,
    report: str,
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> None:
    """Refuse a ``start``/``end`` that falls inside a row's days (its sum cannot be split)."""
    for bound, name, cut in (
        (start, "start", (first < start) & (last >= start) if start is not None else None),
        (end, "end", (first <= end) & (last > end) if end is not None else None),
    ):
        if cut is None or not cut.fillna(False).to_numpy(bool).any():
            continue
        at = int(np.flatnonzero(cut.fillna(False).to_numpy(bool))[0])
        raise SchemaError(
            f"{report}: {name}={pd.Timestamp(bound).date()} falls inside a row summed by "
            f"{grain} ({first.iloc[at].date()} to {last.iloc[at].date()}), whose hours "
            f"cannot be split. Pass {name} on a boundary of those rows, or load the hours "
            f"by day: {_by_hint(frame, ['date'])}."
        )


def _check_freq(
    frame: pd.DataFrame,
    first: pd.Series,
    last: pd.Series,
    grain: str,
    *,
    report: str,
    freq: str,
) -> None:
    """Refuse sums that span two of the report's periods (a week across two months)."""
    valid = first.notna() & last.notna()
    if not valid.any():
        return
    # ISO weeks run Monday to Sunday: pandas' weeks ending on Sunday.
    step = {"W": "W-SUN"}.get(freq, freq)
    spans = (first[valid].dt.to_period(step) != last[valid].dt.to_period(step)).to_numpy(bool)
    if not spans.any():
        return
    at = int(np.flatnonzero(spans)[0])
    unit = _UNIT.get(freq, freq)
    fit = {"D": "date", "W": "week", "M": "month", "Q": "month", "Y": "month"}[freq]
    raise SchemaError(
        f"{report}: freq={freq!r} needs hours per {unit}, but these are summed by {grain}, "
        f"and a row ({first[valid].iloc[at].date()} to {last[valid].iloc[at].date()}) spans "
        f"two {unit}s. Load them with {_by_hint(frame, [fit])}, or ask a freq they fit."
    )
