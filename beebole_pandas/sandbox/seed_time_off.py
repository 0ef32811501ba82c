"""Absence quotas of the ``"demo"`` seed (Beebole's time-off.mdx, "Absence Quotas").

"You can define quotas for each absence type and for a specific time period
... For example, the amount of vacation time or sick time that an employee
has per year": an administrator picks "the absence type, the date range, and
the total number of hours permitted". The demo grants every person, for each
leave year that overlaps the data:

* **Vacation**: a yearly allowance of paid days by country (France 25, Spain
  23, United Kingdom 25, United States 15), plus 0 to 2 days of seniority,
  times the person's hours per day (a part-timer's day is shorter). The leave
  year is the calendar year, except in the United Kingdom, where it runs from
  1 April to 31 March.
* **Training**: 3 days per calendar year.

Sick leave and public holidays have no quota. What a person has *taken* is not
stored: the export computes it from the absence time entries of the quota's
period (:mod:`.export_views`), so a quota stays right when entries change.
Some Americans take more vacation than their allowance: their balance is
negative, which the *Absence Quota* module allows ("allow a negative
balance").

>>> import datetime as dt
>>> leave_years("UK", dt.date(2025, 12, 1), dt.date(2026, 11, 30))
[('2025-04-01', '2026-03-31'), ('2026-04-01', '2027-03-31')]
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from beebole_pandas.sandbox.seed_demo import Worker
from beebole_pandas.sandbox.seeddata import LeaveQuota

__all__ = ["QUOTA_ID0", "TRAINING_DAYS", "VACATION_DAYS", "build_leave_quotas", "leave_years"]

QUOTA_ID0 = 60_001
#: Paid vacation days a year, by country code.
VACATION_DAYS: dict[str, int] = {"FR": 25, "ES": 23, "UK": 25, "US": 15}
TRAINING_DAYS = 3
#: The month a leave year starts in, by country code (default January).
_YEAR_STARTS: dict[str, int] = {"UK": 4}


def leave_years(country: str, first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """The leave years (first and last day, ISO) of a country that overlap ``first..last``."""
    month = _YEAR_STARTS.get(country, 1)
    out = []
    for year in range(first.year - 1, last.year + 1):
        start = dt.date(year, month, 1)
        end = dt.date(year + 1, month, 1) - dt.timedelta(days=1)
        if start <= last and end >= first:
            out.append((start.isoformat(), end.isoformat()))
    return out


def build_leave_quotas(
    rng: random.Random,
    workers: Iterable[Worker],
    absences: dict[str, int],
    *,
    first: dt.date,
    last: dt.date,
) -> list[LeaveQuota]:
    """The quotas of every worker for the leave years overlapping ``first..last``."""
    out: list[LeaveQuota] = []
    calendar = leave_years("", first, last)
    for w in workers:
        seniority = rng.choice((0, 0, 0, 1, 2))
        grants = [
            (absences["Vacation"], period, VACATION_DAYS[w.country] + seniority)
            for period in leave_years(w.country, first, last)
        ]
        grants += [(absences["Training"], period, TRAINING_DAYS) for period in calendar]
        for absence, (start, end), days in grants:
            out.append(
                LeaveQuota(id=QUOTA_ID0 + len(out), person=w.id, absence=absence, start=start,
                           end=end, hours=float(days * w.work_hours))
            )  # fmt: skip
    return out
