"""Who is off: the absences ahead of today, per person and day or week.

Beebole records time off as time entries on an absence type (time-off.mdx:
people request it ahead, managers approve it), so the coming absences are
the absence entries dated after today. :func:`time_off_ahead` is a pure
function over such entries: a time-entry frame (``bb.time_entries`` of the
coming week), or an export of absences (``show="abs"`` with the keys
``to``, ``personId``, ``person``, ``absenceId``, ``absence``, ``hours`` and
``status``: :data:`ABSENCE_KEYS`). The export is the cheaper load: for a
week of 1,000 people, about 4 requests and 27 KB, where the week's time
entries cost about 200 requests and 570 KB (the entity lists included).

>>> week = periods.span("next-week")
>>> coming = bb.export(*week.iso(), keys=list(ABSENCE_KEYS), show="abs")   # doctest: +SKIP
>>> reports.time_off_ahead(coming, period=week, schedule=bb.work_schedule("last-month"))  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from .. import periods
from ..errors import SchemaError, ValidationError
from ..load.scopes import shown
from .tools import (
    Frame,
    check_freq,
    day_text,
    keyed,
    number_arg,
    partial_labels,
    partial_mask,
    period_start,
    range_text,
    ref_key,
    report_day,
    report_range,
    sum_by,
)

__all__ = ["ABSENCE_KEYS", "time_off_ahead"]

logger = logging.getLogger(__name__)

#: The export keys of the absences :func:`time_off_ahead` reads (``show="abs"``).
ABSENCE_KEYS: tuple[str, ...] = (
    "to",
    "personId",
    "person",
    "absenceId",
    "absence",
    "hours",
    "status",
)
_DEFAULT_DAY = 8.0
_DONE = ("approved", "locked")
_REFS = {
    "person": ("person_id", "person_xid", "person_name"),
    "absence": ("absence_id", "absence_xid", "absence_name"),
}


def _absences(entries: Any) -> pd.DataFrame:
    """The absence rows of a time-entry frame or of an absence export, in one shape."""
    if not isinstance(entries, pd.DataFrame):
        raise SchemaError(
            f"expected a DataFrame of time entries or absences, got {type(entries).__name__}"
        )
    day = next((c for c in ("date", "to") if c in entries.columns), None)
    if day is None or "hours" not in entries.columns:
        lacking = " and ".join(
            what
            for what, needed in (("a date ('date' or 'to')", day is None),
                                 ("'hours'", "hours" not in entries.columns))
            if needed
        )  # fmt: skip
        raise SchemaError(
            f"entries need {lacking} (they have {', '.join(map(str, entries.columns))}); "
            "load them with bb.time_entries(start, end)"
        )
    data: dict[str, Any] = {}
    for dim, columns in _REFS.items():
        if not any(c in entries.columns for c in columns):
            raise SchemaError(
                f"entries have no {dim} column ({', '.join(columns)}); load them with "
                "bb.time_entries(start, end)"
            )
        for column in columns:
            dtype = "Int64" if column.endswith("_id") else "string"
            if column not in entries.columns:
                data[column] = pd.array([pd.NA] * len(entries), dtype=dtype)
                continue
            try:
                data[column] = entries[column].astype(dtype)
            except (TypeError, ValueError, ArithmeticError) as exc:
                raise SchemaError(
                    f"entries column {column!r} holds values that are not {dtype} ({exc})"
                ) from None
    try:
        dates = pd.to_datetime(entries[day])
    except (TypeError, ValueError, OverflowError) as exc:
        raise SchemaError(
            f"entries column {day!r} holds values that are not dates: {exc}"
        ) from None
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        raise SchemaError(f"entries column {day!r} is time-zone aware; the API has no time zones")
    data["date"] = dates.astype("datetime64[ns]").dt.normalize()
    try:
        data["hours"] = pd.to_numeric(entries["hours"]).astype("Float64").fillna(0.0)
    except (TypeError, ValueError) as exc:
        raise SchemaError(
            f"entries column 'hours' holds values that are not numbers: {exc}"
        ) from None
    if "status" in entries.columns:
        status = entries["status"].astype("string")
        done = status.isin(_DONE) | status.isin(["a", "l"])  # labels, or a frame of codes
        data["done"] = done.astype("boolean").mask(status.isna())
    else:
        data["done"] = pd.array([pd.NA] * len(entries), dtype="boolean")
    frame = pd.DataFrame(data).reset_index(drop=True)
    off = frame[list(_REFS["absence"])].notna().any(axis=1).to_numpy(bool)
    return frame[off & frame["date"].notna().to_numpy(bool)].reset_index(drop=True)


def _per_day(
    frame: pd.DataFrame, schedule: Frame, hours_per_day: float | None
) -> tuple[np.ndarray, float]:
    """Hours per day of each row's person, and the default for everyone else."""
    if schedule is not None:
        _context(schedule, "schedule", ("person_id", "person_xid", "work_hours", "work_days"))
    info = schedule.attrs.get("beebole_schedule", {}) if schedule is not None else {}
    account = info.get("hours_per_day") if isinstance(info, dict) else None
    default = hours_per_day if hours_per_day is not None else account or _DEFAULT_DAY
    rate = np.full(len(frame), float(default))
    if schedule is not None and hours_per_day is None and len(schedule) and len(frame):
        sums = schedule.assign(_k=ref_key(schedule, "person")).groupby("_k")[
            ["work_hours", "work_days"]
        ]
        totals = sums.sum()
        own = totals["work_hours"].astype(float) / totals["work_days"].astype(float)
        found = ref_key(frame, "person").map(own[np.isfinite(own) & (own > 0)])
        rate = np.where(found.isna(), rate, found.to_numpy(dtype=float, na_value=np.nan))
    return rate, float(default)


def _context(frame: Any, name: str, columns: tuple[str, ...]) -> None:
    """Refuse a context argument that is not a frame with ``columns``, naming it."""
    how = {
        "schedule": "bb.work_schedule(start, end)",
        "people": "bb.people()",
        "absences": "bb.absences()",
    }[name]
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError(f"{name}={shown(frame)} is not a DataFrame; load one with {how}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError(f"{name} has no column(s) {', '.join(missing)}; load one with {how}")


@keyed
def time_off_ahead(
    entries: pd.DataFrame,
    *,
    period: Any = "next-week",
    start: Any = None,
    end: Any = None,
    today: Any = None,
    freq: str = "D",
    schedule: Frame = None,
    hours_per_day: float | None = None,
    people: Frame = None,
    absences: Frame = None,
) -> pd.DataFrame:
    """Who is off in a coming period: the absence time dated after today, per person,
    absence type and day (or week).

    Parameters
    ----------
    entries
        Time entries covering the period (``bb.time_entries``), or an absence
        export (``bb.export(start, end, keys=ABSENCE_KEYS, show="abs")``).
        Entries that are no absence are ignored.
    period
        The coming period (default ``"next-week"``): any spelling of
        :func:`beebole_pandas.periods.span`, relative to ``today``.
    start, end
        The period as days instead (then ``period`` is ignored).
    today
        Only absences dated after this day count (default: the current date).
    freq
        ``"D"`` (default): a row per day off; ``"W"``, ``"M"``: per week or month.
    schedule
        :func:`beebole_pandas.work_schedule`: each person's hours per day for
        ``in_days`` (a part-timer's 6-hour day is a day).
    hours_per_day
        Hours that make a day, for everyone (default: the schedule's, else 8).
    people, absences
        Names for people and absence types the entries do not name.

    Returns
    -------
    DataFrame
        ``person_id/_xid/_name, absence_id/_xid/_name, period, partial,
        first_day, last_day`` (the first and last dates off in the period),
        ``days_off`` (Int64: dates with absence time), ``hours``, ``in_days``
        (hours / the person's hours per day), ``approved`` (every entry
        approved or locked; ``<NA>`` when the entries have no status); sorted
        by period and person. ``attrs["beebole_report"]`` says the range and
        the day counted from; an empty table logs a warning naming them.

    Examples
    --------
    >>> off = time_off_ahead(coming, today="2026-11-20")             # doctest: +SKIP
    >>> off.pivot_table(index="person_name", columns="period", values="hours")  # doctest: +SKIP
    """
    step = check_freq(freq)
    now = report_day(pd.Timestamp.today().normalize() if today is None else today, "today")
    assert now is not None
    if start is not None or end is not None:
        lo, hi = report_range(start, end)
    else:
        try:
            found = periods.span(period, today=now)
        except ValidationError as exc:
            raise ValidationError(f"period={shown(period)}: {exc}") from None
        lo, hi = report_day(found.start, "period"), report_day(found.end, "period")
    if lo is not None and hi is not None and hi < lo:
        raise ValidationError(f"end ({day_text(hi)}) is before start ({day_text(lo)})")
    for name, context in (("people", people), ("absences", absences)):
        if context is not None:
            _context(context, name, ("id", "xid", "name"))
    per_day = (
        None if hours_per_day is None else number_arg(hours_per_day, "hours_per_day", positive=True)
    )
    frame = everything = _absences(entries)
    first = now + pd.Timedelta(days=1) if lo is None else max(lo, now + pd.Timedelta(days=1))
    frame = frame[frame["date"] >= first]
    if hi is not None:
        frame = frame[frame["date"] <= hi]
    frame = frame.reset_index(drop=True)
    frame["period"] = period_start(frame["date"], step)
    rates, _ = _per_day(frame, schedule, per_day)
    values = {
        "hours": frame["hours"],
        "in_days": frame["hours"] / rates,
        "_not_done": (~frame["done"]).astype("Float64"),
        "_unknown": frame["done"].isna().astype("Float64"),
    }
    out = sum_by(
        frame, ["person", "absence"], values, contexts={"person": people, "absence": absences}
    )
    keys = [ref_key(frame, "person"), ref_key(frame, "absence"), frame["period"]]
    spans = frame.groupby(keys, sort=False)["date"].agg(["min", "max", "nunique"])
    index = pd.MultiIndex.from_arrays(
        [ref_key(out, "person"), ref_key(out, "absence"), out["period"]]
    )
    spans = spans.reindex(index)
    at = out.columns.get_loc("period") + 1
    out.insert(
        at, "partial", partial_mask(out["period"], step, (first, hi) if hi is not None else None)
    )
    out.insert(at + 1, "first_day", spans["min"].to_numpy(dtype="datetime64[ns]"))
    out.insert(at + 2, "last_day", spans["max"].to_numpy(dtype="datetime64[ns]"))
    out.insert(at + 3, "days_off", pd.array(spans["nunique"].to_numpy(), dtype="Int64"))
    approved = (out["_not_done"] == 0).astype("boolean").mask(out["_unknown"] > 0)
    out = out.drop(columns=["_not_done", "_unknown"]).assign(approved=approved)
    out = out.sort_values(["period", "person_name", "absence_name"], ignore_index=True)
    asked = range_text(first, hi)
    info = {
        "report": "time_off_ahead",
        "today": day_text(now),
        "start": day_text(first),
        "end": day_text(hi),
        "period": asked,
        "freq": step,
        "empty": len(out) == 0,
        "partial_periods": partial_labels(out, step),
    }
    if not len(out):
        dates = everything["date"]
        covered = (
            f"the absences given run from {day_text(dates.min())} to {day_text(dates.max())}"
            if len(dates)
            else "the entries given hold no absence"
        )
        logger.warning(
            "time_off_ahead: no absence time %s (counting from the day after %s); %s. Load "
            "the coming period's entries with bb.time_entries(start, end)",
            f"for {asked}" if asked else "ahead",
            day_text(now),
            covered,
        )
    out.attrs["beebole_report"] = info
    return out


def __dir__() -> list[str]:
    return sorted(__all__)
