"""Working days, weeks and holidays of an account's schedule, in Python and in SQL.

The schedule is the account's (:mod:`.accounts`): ``working_days`` (ISO
weekdays, "non-working days on Saturday and Sunday" by default,
work-schedules.mdx), ``holidays`` (entities.mdx, "How to Define Public
Holidays"), ``hours_per_day``, ``weekly_hours`` and ``week_start`` (a
schedule "will begin on a Monday by default", work-schedules.mdx). Exports
use it for business days, overtime and the attendance balance.

The SQL helpers inline the schedule as literals (the settings are checked by
:func:`.accounts.checked`, and dates are re-checked here), so that the
statements they go into keep simple positional parameters.

>>> schedule = {"working_days": [1, 2, 3, 4, 5], "holidays": ["2026-12-25"]}
>>> business_days("2026-12-21", "2026-12-27", schedule)
4
>>> off_day_sql("d", schedule, "2026-12-01", "2026-12-31")
"(CAST(strftime('%w', d) AS INTEGER) NOT IN (1,2,3,4,5) OR d IN ('2026-12-25'))"
>>> week_start_sql("d", 1)
"date(d, '-' || ((CAST(strftime('%w', d) AS INTEGER) + 6) % 7) || ' days')"
"""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = [
    "business_days",
    "iso_week_sql",
    "monday_sql",
    "off_day_sql",
    "overtime_sql",
    "week_bounds",
    "week_start_sql",
]


def business_days(start: str, end: str, settings: dict[str, Any]) -> int:
    """Working days from ``start`` to ``end``: "the number of days in the timeframe minus the
    weekends and holidays" (reporting.mdx, "Business days"), by the account's schedule."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    working = set(settings.get("working_days", (1, 2, 3, 4, 5)))
    holidays = set(settings.get("holidays", ()))
    return sum(
        1
        for n in range((last - first).days + 1)
        if (day := first + dt.timedelta(days=n)).isoweekday() in working
        and day.isoformat() not in holidays
    )


def off_day_sql(column: str, settings: dict[str, Any], start: str, end: str) -> str:
    """SQL true when the date ``column`` is a weekend day or a holiday of the account.

    Only the holidays from ``start`` to ``end`` are written out: the caller's range.
    """
    # SQLite's %w counts from Sunday = 0; ISO weekdays from Monday = 1 to Sunday = 7.
    working = sorted({int(d) % 7 for d in settings.get("working_days", (1, 2, 3, 4, 5))})
    weekday = f"CAST(strftime('%w', {column}) AS INTEGER)"
    off = f"{weekday} NOT IN ({','.join(map(str, working))})" if working else "1"
    holidays = [
        dt.date.fromisoformat(str(d)).isoformat()
        for d in settings.get("holidays", ())
        if start <= str(d) <= end
    ]
    if holidays:
        off += f" OR {column} IN ({','.join(repr(d) for d in holidays)})"
    return f"({off})"


def week_start_sql(column: str, week_start: int) -> str:
    """SQL for the first day of the week of ``column`` when weeks start on ISO weekday
    ``week_start`` (1 = Monday, 7 = Sunday)."""
    back = (7 - int(week_start) % 7) % 7  # days to subtract when %w is 0
    return f"date({column}, '-' || ((CAST(strftime('%w', {column}) AS INTEGER) + {back}) % 7) || ' days')"


def monday_sql(column: str) -> str:
    """SQL for the Monday of the week of ``column``."""
    return f"date({column}, 'weekday 0', '-6 days')"


def iso_week_sql(column: str) -> str:
    """SQL for the ISO week number of ``column`` (the day of year of its week's Thursday)."""
    return f"(CAST(strftime('%j', date({column}, '-3 days', 'weekday 4')) AS INTEGER) - 1) / 7 + 1"


def week_bounds(start: str, end: str, week_start: int) -> tuple[str, str]:
    """The first day of ``start``'s week and the last day of ``end``'s week.

    >>> week_bounds("2026-03-01", "2026-03-03", 1)  # Sunday 1 March to Tuesday 3 March
    ('2026-02-23', '2026-03-08')
    >>> week_bounds("2026-03-01", "2026-03-03", 7)  # weeks from Sunday
    ('2026-03-01', '2026-03-07')
    """
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    first -= dt.timedelta(days=(first.isoweekday() - week_start) % 7)
    last += dt.timedelta(days=6 - (last.isoweekday() - week_start) % 7)
    return first.isoformat(), last.isoformat()


def overtime_sql(
    keys: list[str], start: str, end: str, settings: dict[str, Any]
) -> list[tuple[str, str, str, list[Any]]]:
    """For ``overtime`` then ``weeklyOvertime``: a CTE, its join, the per-row sum and the
    CTE's parameters (``("", "", "0", [])`` for a key not asked for).

    Worked hours only (no absence), by the account's hours per day, weekly hours,
    working days, holidays and first day of the week; see :mod:`.export`.
    """
    per_day = float(settings.get("hours_per_day", 8.0))
    weekly = float(settings.get("weekly_hours", 40.0))
    week_start = int(settings.get("week_start", 1))
    first, last = week_bounds(start, end, week_start)
    off = off_day_sql("date", settings, first, last)
    out: list[tuple[str, str, str, list[Any]]] = [("", "", "0", []), ("", "", "0", [])]
    if "overtime" in keys:
        out[0] = (
            f"day AS (SELECT person, date, SUM(hours) AS tot, {off} AS off FROM time_entry "
            "WHERE absence IS NULL AND date BETWEEN ? AND ? GROUP BY person, date)",
            " LEFT JOIN day ON day.person=te.person AND day.date=te.date AND te.absence IS NULL",
            "SUM(CASE WHEN day.person IS NULL THEN 0 WHEN day.off THEN te.hours "
            f"WHEN day.tot > {per_day!r} THEN te.hours * (day.tot - {per_day!r}) / day.tot "
            "ELSE 0 END)",
            [start, end],
        )
    if "weeklyOvertime" in keys:
        # Whole weeks: an entry's weekly overtime must not depend on where the range cuts its week.
        week = week_start_sql("date", week_start)
        out[1] = (
            f"wk AS (SELECT person, {week} AS week, SUM(CASE WHEN {off} THEN 0 ELSE hours END) "
            "AS tot FROM time_entry WHERE absence IS NULL AND date BETWEEN ? AND ? "
            "GROUP BY person, week)",
            f" LEFT JOIN wk ON wk.person=te.person AND wk.week={week_start_sql('te.date', week_start)} "
            "AND te.absence IS NULL",
            "SUM(CASE WHEN wk.person IS NULL THEN 0 "
            f"WHEN {off_day_sql('te.date', settings, first, last)} THEN te.hours "
            f"WHEN wk.tot > {weekly!r} THEN te.hours * (wk.tot - {weekly!r}) / wk.tot ELSE 0 END)",
            [first, last],
        )
    return out
