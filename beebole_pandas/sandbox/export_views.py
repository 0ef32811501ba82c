"""The ``quota`` and ``attendance`` views of ``time_entry.export``.

Both are computed in SQL over the account's absence quotas and time-clock
records (loaded by :mod:`.store` from :mod:`.seed_time_off` and
:mod:`.seed_clock`), aggregated over the dimension keys asked for like the
other views (measures are summed).

``show: "quota"`` (time-off.mdx, "Absence Quotas": quotas "for each absence
type and for a specific time period"; "this balance is also visible in
reports"): one row per quota whose period overlaps ``from``..``to``.

* ``available``: the hours granted for the period; ``taken``: the hours of the
  person's time entries on that absence type dated within the *whole* quota
  period (``statusFilters`` apply to them); ``balance`` = available - taken
  (negative when more was taken); ``*InDays``: divided by the account's hours
  per day (reporting.mdx: "Days ... The conversion between hours and days is
  done in the Timesheet Settings module").
* ``fromTo``: the period, ``"<first day> - <last day>"`` in the account's date
  format; ``stime``/``etime``: its first and last day (dates); ``quotaId``:
  the quota's id; ``company``: the person's company; ``gid``: the person's
  group, as in the other views.
* Filters: ``person``, ``absence``, ``company`` (the person's) and ``gids``;
  a ``project``, ``subproject`` or ``task`` filter matches no quota.

``show: "attendance"`` (time-clock.mdx: "Clock in" and "Clock out", or "a
start and end time" entered by hand): one row per clock record dated within
``from``..``to``.

* ``start``/``end``: clock-in and clock-out date-times (``end`` empty while
  clocked in); ``date``, ``month``, ``week`` as in the other views;
  ``duration``: end - start in hours; ``hours``: the duration minus the break
  deducted automatically (work-schedules.mdx: "time automatically deducted for
  mandatory breaks"); an open record counts 0 until clocked out;
  ``inDays`` = hours / hours per day.
* ``balance``: hours minus the scheduled hours of the record's day (the
  account's hours per day on a working day that is no holiday, else 0;
  shared equally by the records of one person-day), so a row's balance is its
  hours minus its days' schedule.
* ``isAtWork``: the record is open (clocked in, not yet out); ``manual``: typed
  in rather than clocked; ``wfh``: worked from home; ``address``/``coords``:
  where the mobile app clocked in (``"latitude,longitude"``, text).
* Filters: ``person``, ``company`` (the person's) and ``gids``; other entity
  filters match no record; clock records have no workflow status, so
  ``statusFilters`` do not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .export_format import BOOL_DIMENSIONS, PERIOD_SEPARATOR
from .workdays import iso_week_sql, off_day_sql

__all__ = ["Filters", "ViewQuery", "attendance_query", "quota_query"]


@dataclass(frozen=True)
class Filters:
    """The checked filters of an export request."""

    statuses: list[str] | None = None
    groups: list[int] | None = None  # group ids, subgroups included
    entity: tuple[str, int] | None = None  # (kind, internal id)


Measure = Callable[[Sequence[float]], float]


@dataclass(frozen=True)
class ViewQuery:
    """A view's SQL: the dimensions, then the sums its measures are computed from, then a count."""

    keys: list[str]
    sql: str | None  # None: nothing can match
    params: list[Any]
    dims: list[str]
    measures: dict[str, Measure] = field(default_factory=dict)

    def run(self, conn: Any) -> list[list[Any]]:
        """The aggregated rows (without labels), read from ``conn``."""
        if self.sql is None:
            return []
        n = len(self.dims)
        at = {k: i for i, k in enumerate(self.dims)}
        out = []
        for r in conn.execute(self.sql, self.params):
            if not r[-1]:
                continue  # an aggregate over nothing
            sums = [float(x or 0) for x in r[n:-1]]
            row: list[Any] = []
            for k in self.keys:
                if k in self.measures:
                    row.append(round(self.measures[k](sums), 6))
                elif k in BOOL_DIMENSIONS:
                    row.append(bool(r[at[k]]))
                else:
                    row.append(r[at[k]])
            out.append(row)
        return out


def _people_in(column: str, groups: list[int]) -> str:
    return (
        f"{column} IN (SELECT eid FROM group_assign WHERE kind='person' "
        f"AND gid IN ({','.join(str(int(g)) for g in groups)}))"
    )


def _gid(column: str) -> str:
    return (
        "(SELECT COALESCE(g.xid, g.id) FROM group_assign ga JOIN grp g ON g.id=ga.gid "
        f"WHERE ga.kind='person' AND ga.eid={column} ORDER BY ga.gid LIMIT 1)"
    )


def _aggregate(
    keys: list[str],
    dims: list[str],
    select: dict[str, str],
    sums: list[str],
    source: str,
    hidden: dict[str, str],
) -> str:
    """``SELECT dims, sums, COUNT(*) FROM source GROUP BY dims ORDER BY dims``.

    ``hidden``: key -> the entity id a name stands for, grouped on as well, so that two
    people called alike stay two rows.
    """
    columns = [select[k] for k in dims]
    sql = f"SELECT {', '.join([*columns, *sums, 'COUNT(*)'])} FROM {source}"
    if dims:
        extra = [hidden[k] for k in dict.fromkeys(dims) if k in hidden]
        order = ", ".join([*(str(i + 1) for i in range(len(dims))), *extra])
        sql += f" GROUP BY {order} ORDER BY {order}"
    return sql


def quota_query(
    keys: list[str], start: str, end: str, filters: Filters, settings: dict[str, Any]
) -> ViewQuery:
    """The ``quota`` view (see the module docstring)."""
    measures = _quota_measures(float(settings.get("hours_per_day", 8.0)))
    dims = [k for k in keys if k not in measures]
    where = ["q.start <= ?", "q.end_date >= ?"]
    params: list[Any] = [end, start]
    taken = "te.person=q.person AND te.absence=q.absence AND te.date BETWEEN q.start AND q.end_date"
    taken_params: list[Any] = []
    if filters.statuses is not None:
        taken += f" AND te.status IN ({','.join('?' * len(filters.statuses))})"
        taken_params += filters.statuses
    if filters.groups is not None:
        where.append(_people_in("q.person", filters.groups))
    if filters.entity is not None:
        kind, eid = filters.entity
        column = {"person": "q.person", "absence": "q.absence", "company": "pe.company"}.get(kind)
        if column is None:
            return ViewQuery(keys, None, [], dims, measures)
        where.append(f"{column}=?")
        params.append(eid)
    select = {
        "absence": "a.name",
        "absenceId": "COALESCE(a.xid, a.id)",
        "company": "c.name",
        "companyId": "COALESCE(c.xid, c.id)",
        "person": "pe.name",
        "personId": "COALESCE(pe.xid, pe.id)",
        "quotaId": "q.id",
        "fromTo": f"q.start || '{PERIOD_SEPARATOR}' || q.end_date",
        "stime": "q.start",
        "etime": "q.end_date",
        "gid": _gid("q.person"),
    }
    source = (
        f"(SELECT q.*, (SELECT COALESCE(SUM(te.hours), 0) FROM time_entry te WHERE {taken}) "
        "AS taken FROM leave_quota q LEFT JOIN person pe ON pe.id=q.person "
        f"WHERE {' AND '.join(where)}) q "
        "LEFT JOIN person pe ON pe.id=q.person LEFT JOIN absence a ON a.id=q.absence "
        "LEFT JOIN company c ON c.id=pe.company"
    )
    hidden = {"person": "q.person", "absence": "q.absence", "company": "pe.company"}
    sql = _aggregate(keys, dims, select, ["SUM(q.hours)", "SUM(q.taken)"], source, hidden)
    return ViewQuery(keys, sql, [*taken_params, *params], dims, measures)


def _quota_measures(per_day: float) -> dict[str, Measure]:
    return {
        "available": lambda s: s[0],
        "taken": lambda s: s[1],
        "balance": lambda s: s[0] - s[1],
        "availableInDays": lambda s: s[0] / per_day,
        "takenInDays": lambda s: s[1] / per_day,
        "balanceInDays": lambda s: (s[0] - s[1]) / per_day,
    }


def attendance_query(
    keys: list[str],
    start: str,
    end: str,
    filters: Filters,
    settings: dict[str, Any],
    *,
    literal: bool = False,
) -> ViewQuery:
    """The ``attendance`` view (see the module docstring)."""
    per_day = float(settings.get("hours_per_day", 8.0))
    measures: dict[str, Measure] = {
        "duration": lambda s: s[0],
        "hours": lambda s: s[1],
        "inDays": lambda s: s[1] / per_day,
        "balance": lambda s: s[1] - s[2],
    }
    dims = [k for k in keys if k not in measures]
    where = ["k.date BETWEEN ? AND ?"]
    params: list[Any] = [start, end]
    if filters.groups is not None:
        where.append(_people_in("k.person", filters.groups))
    if filters.entity is not None:
        kind, eid = filters.entity
        column = {"person": "k.person", "company": "pe.company"}.get(kind)
        if column is None:
            return ViewQuery(keys, None, [], dims, measures)
        where.append(f"{column}=?")
        params.append(eid)
    off = off_day_sql("k.date", settings, start, end)
    seconds = "(strftime('%s', k.end_time) - strftime('%s', k.start))"
    source = (
        "(SELECT k.*, CASE WHEN k.end_time IS NULL THEN 0.0 ELSE "
        f"{seconds} / 3600.0 END AS dur, "
        f"(CASE WHEN {off} THEN 0.0 ELSE {per_day!r} END) "
        "/ COUNT(*) OVER (PARTITION BY k.person, k.date) AS sched "
        f"FROM clock k LEFT JOIN person pe ON pe.id=k.person WHERE {' AND '.join(where)}) k "
        "LEFT JOIN person pe ON pe.id=k.person"
    )
    select = {
        "address": "k.address",
        "comment": "k.comment",
        "coords": "k.coords",
        "date": "k.date",
        "start": "k.start",
        "end": "k.end_time",
        "isAtWork": "k.end_time IS NULL",
        "manual": "k.manual",
        "wfh": "k.wfh",
        "month": "substr(k.date, 1, 7)",
        "week": iso_week_sql("k.date"),
        "person": "pe.name",
        "personId": "COALESCE(pe.xid, pe.id)",
    }
    sums = [
        "SUM(k.dur)",
        "SUM(CASE WHEN k.end_time IS NULL THEN 0.0 ELSE k.dur - k.break_hours END)",
        "SUM(k.sched)",
    ]
    sql = _aggregate(keys, dims, select, sums, source, {"person": "k.person"})
    return ViewQuery(keys, sql, params, dims, measures)
