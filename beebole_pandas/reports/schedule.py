"""Contracted hours: what a person is expected to log, from the account's work schedule.

Beebole computes each person's *business days* and *business hours* of a time
frame from the work schedule assigned to them (work-schedules.mdx; the
export's ``workDays``/``workHours``, reporting.mdx). :func:`beebole_pandas.work_schedule`
loads them per person and period; :func:`contracted_hours` lines them up with
the rows of a report (person and period), so that :func:`~.tables.utilisation`
and :func:`~.tables.overtime` compare logged time with the contracted hours
(a part-timer's 6-hour days, a 35-hour week, the holidays) rather than with
8 hours per weekday.

A schedule frame says nothing of people without time in a period (the
export lists those who logged time); they are expected the period's
business days (the most common among the others) times the account's hours
per day, both read from the same exports (``attrs["beebole_schedule"]``).

>>> schedule = bb.work_schedule("2026-11", freq="W")               # doctest: +SKIP
>>> reports.utilisation(entries, schedule=schedule, freq="W")      # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..load.scopes import shown
from .tools import ref_key

__all__ = ["Contracted", "contracted_hours", "schedule_freq"]

_HOW = "load one with bb.work_schedule(start, end, freq=...)"


@dataclass(frozen=True)
class Contracted:
    """The contracted hours of a report's rows (NaN where the schedule is silent)."""

    #: Per row: the business hours of the row's person and period.
    hours: np.ndarray
    #: Per row: the business days of the row's period (NaN: unknown).
    business_days: np.ndarray
    #: The account's hours per day (None: unknown).
    hours_per_day: float | None

    def expected(self, days: np.ndarray, per_day: np.ndarray | float) -> np.ndarray:
        """The hours of each row: the schedule's, else its business days (else ``days``)
        times the account's hours per day (else ``per_day``)."""
        days = np.where(np.isnan(self.business_days), days, self.business_days)
        rate = per_day if self.hours_per_day is None else self.hours_per_day
        return np.where(np.isnan(self.hours), days * rate, self.hours)


def schedule_freq(schedule: pd.DataFrame) -> str | None:
    """The ``freq`` a schedule frame was loaded with (None: one period, or unknown)."""
    info = schedule.attrs.get("beebole") if isinstance(schedule.attrs, dict) else None
    scope = info.get("scope") if isinstance(info, dict) else None
    freq = scope.get("freq") if isinstance(scope, dict) else None
    return freq if isinstance(freq, str) else None


def _checked(schedule: Any) -> pd.DataFrame:
    if not isinstance(schedule, pd.DataFrame):
        raise ValidationError(f"schedule={shown(schedule)} is not a DataFrame; {_HOW}")
    missing = [c for c in ("person_id", "person_xid", "work_hours") if c not in schedule.columns]
    if missing:
        raise ValidationError(
            f"schedule has no column(s) {', '.join(missing)} (it has "
            f"{', '.join(map(str, schedule.columns)) or 'none'}); {_HOW}"
        )
    return schedule


def contracted_hours(
    schedule: Any, rows: pd.DataFrame, *, freq: str | None, report: str
) -> Contracted:
    """The contracted hours of each row of a report (``person_id``, ``person_xid`` and,
    with ``freq``, ``period``), from a :func:`beebole_pandas.work_schedule` frame.

    Parameters
    ----------
    schedule
        A work schedule frame; without ``freq``, also the older form
        ``bb.export(start, end, keys=["personId", "workHours"])`` (hours per
        person over the whole range).
    rows
        The report's rows.
    freq
        The report's periods (None: one period, the whole range).
    report
        The report's name, for messages.

    Raises
    ------
    ValidationError
        Not a schedule frame, or one of other periods than the report's (the
        message says how to load the right one).

    Examples
    --------
    >>> contracted_hours(schedule, table, freq="W", report="overtime").hours  # doctest: +SKIP
    """
    schedule = _checked(schedule)
    loaded = schedule_freq(schedule)
    has_periods = "period" in schedule.columns
    if freq is not None and (not has_periods or loaded != freq):
        said = f"freq={loaded!r}" if has_periods else "no periods"
        raise ValidationError(
            f"{report}(freq={freq!r}) needs a schedule per {freq} period, but the schedule "
            f"given has {said}; load one with bb.work_schedule(start, end, freq={freq!r})"
        )
    if freq is None and has_periods and loaded is not None:
        raise ValidationError(
            f"{report}() without freq needs a schedule over the whole range, but the "
            f"schedule given is per {loaded} period; load one with "
            "bb.work_schedule(start, end) (no freq), or give the report freq="
            f"{loaded!r}"
        )
    info = schedule.attrs.get("beebole_schedule") or {}
    per_day = info.get("hours_per_day")
    keys = ref_key(schedule, "person")
    hours = schedule["work_hours"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    mine = ref_key(rows, "person")
    if freq is not None:
        keys = keys + "|" + _day(schedule["period"])
        mine = mine + "|" + _day(rows["period"])
    table = pd.Series(hours, index=keys.to_numpy()).groupby(level=0).sum(min_count=1)
    found = mine.map(table).to_numpy(dtype=float, na_value=np.nan)
    days = info.get("business_days") or {}
    if freq is not None:
        business = _day(rows["period"]).map(days).astype(float).to_numpy()
    else:
        only = [d for d in days.values() if d is not None]
        business = np.full(len(rows), float(only[0]) if len(only) == 1 else np.nan)
    return Contracted(
        hours=found,
        business_days=business,
        hours_per_day=float(per_day) if isinstance(per_day, int | float) else None,
    )


def _day(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column).dt.strftime("%Y-%m-%d").astype(object)


def __dir__() -> list[str]:
    return sorted(__all__)
