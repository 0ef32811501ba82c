"""Export jobs: ``time_entry.export`` and ``time_entry.get_job_info``.

The export is computed in SQL when the job starts, on a copy of the database
taken under the backend's lock (a consistent snapshot) but read after the lock
is released, so that a large export does not stop the server; the rows are
handed out (and formatted, also outside the lock, by :mod:`.export_format`)
once ``export_delay`` seconds have passed. Rows are aggregated over the
dimension keys asked for (every key that is not a measure); measures are
summed (percentages and ratios are computed from the sums).

Measures follow reporting.mdx ("Data available in the Reports module"); see
:func:`_measures`: ``inDays`` = hours / the account's hours per day;
``cost``/``billing`` from the person's hourly cost and the project's rate;
``hourlyCost``/``hourlyRate``/``dailyCost``/``dailyRate`` are the row's
averages; ``*Percent``, ``billingRatio``, ``profitRatio`` and ``billability``
(billable utilisation of the row's people) are percentages; ``billableSplit``
is the text "billable"/"non-billable"; ``workDays``/``workHours`` count the
range's working days minus holidays (account schedule) per person of the row,
at each person's hours per day (:func:`day_hours`: part-timers have an
individual schedule), ``remWork*`` subtract what was worked; ``isAtWork`` is
true for a person clocked in now (an open time-clock record: the sandbox's
only running timer).

Overtime (reporting.mdx, "Tracking Overtime": set "Hours per day" and "Hours
per week", then the columns "Overtime/day" and "Overtime/week" "automatically
include any hours worked on weekends or holidays"; entities.mdx: hours
recorded on public holidays "will be included in Overtime"), by the calling
account's schedule (:mod:`.workdays`), counting worked hours only (entries
not on an absence):

* ``overtime`` (Overtime/day): per person and day, the hours above the hours
  per day on a working day, all the hours on a weekend day or a holiday;
* ``weeklyOvertime`` (Overtime/week): per person and week (weeks begin on the
  account's ``week_start``, and are counted whole whatever the range), the
  hours of its working days above the weekly hours, plus all its hours on
  weekend days and holidays.

Each entry carries its share of its day's (week's) overtime, in proportion to
its hours; entries on weekend days and holidays carry all their hours.

The ``quota`` and ``attendance`` views are in :mod:`.export_views`.
``stime``/``etime`` are empty for entries logged without times and ``week``
is the ISO week number, in both modes.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from ..export_keys import MEASURES, SHOW_KEYS
from ..schema import STATUS_CODES
from .accounts import default_settings
from .export_format import (
    BOOL_DIMENSIONS,
    NUMERIC_DIMENSIONS,
    ROW_MEASURES,
    format_array,
    format_csv,
)
from .export_labels import LABELS, labels
from .export_views import Filters, ViewQuery, attendance_query, quota_query
from .services import (
    Ctx,
    Later,
    NotFoundError,
    ServiceError,
    as_int,
    date_range,
    need,
    ok,
    ref_id,
    resolve,
    service,
)
from .services_groups import descendants
from .workdays import business_days, iso_week_sql, overtime_sql

__all__ = ["EXPORT_KEYS", "LABELS", "MEASURES", "format_array", "format_csv", "labels"]

#: Valid ``keys`` per ``show`` (Beebole's table, shipped as package data).
EXPORT_KEYS = SHOW_KEYS

#: Both modes follow reporting.mdx: "Time Start"/"Time End" exist only for entries
#: logged with times (no made-up 09:00), and "Week" is "the week number" (ISO 8601).
_DIMENSION_SQL: dict[str, str] = {
    "company": "c.name",
    "companyId": "COALESCE(c.xid, c.id)",
    "person": "pe.name",
    "personId": "COALESCE(pe.xid, pe.id)",
    "project": "pr.name",
    "projectId": "COALESCE(pr.xid, pr.id)",
    "subproject": "s.name",
    "subprojectId": "COALESCE(s.xid, s.id)",
    "task": "t.name",
    "taskId": "COALESCE(t.xid, t.id)",
    "absence": "a.name",
    "absenceId": "COALESCE(a.xid, a.id)",
    "status": "te.status",
    "month": "substr(te.date, 1, 7)",
    "week": iso_week_sql("te.date"),
    "to": "te.date",
    "date": "te.date",
    "eventId": "te.id",
    "stime": "te.stime",
    "etime": "datetime(te.stime, '+' || CAST(round(te.hours * 60) AS INTEGER) || ' minutes')",
    "comment": "te.comment",
    "gid": "(SELECT COALESCE(g.xid, g.id) FROM group_assign ga JOIN grp g ON g.id=ga.gid "
    "WHERE ga.kind='person' AND ga.eid=te.person ORDER BY ga.gid LIMIT 1)",
    # reporting.mdx: "Is working": "True" if the employee currently has a timer running; in the
    # sandbox, a time-clock record still open (clocked in, not out: see .export_views).
    "isAtWork": "te.person IN (SELECT person FROM clock WHERE end_time IS NULL)",
    # reporting.mdx: "a concatenation of the company name, project name, and subproject name
    # or the absence name"
    "activity": "COALESCE(a.name, c.name || COALESCE(' / ' || pr.name, '') "
    "|| COALESCE(' / ' || s.name, ''))",
    # reporting.mdx: "Billable / Non-Billable" displays "billable" or "non-billable"
    "billableSplit": "CASE WHEN COALESCE(pr.hourly_rate, 0) > 0 THEN 'billable' "
    "ELSE 'non-billable' END",
    "budget": "pr.budget",
}

_JOINS = {
    "pe": "LEFT JOIN person pe ON pe.id=te.person",
    "c": "LEFT JOIN company c ON c.id=te.company",
    "pr": "LEFT JOIN project pr ON pr.id=te.project",
    "s": "LEFT JOIN subproject s ON s.id=te.subproject",
    "t": "LEFT JOIN task t ON t.id=te.task",
    "a": "LEFT JOIN absence a ON a.id=te.absence",
}
_ALIAS = re.compile(r"\b(pe|c|pr|s|t|a)\.")
_NEEDS_COST = frozenset(
    {"cost", "profit", "costsPercent", "profitPercent", "profitRatio", "hourlyCost", "dailyCost"}
)
_NEEDS_BILLING = frozenset(
    {
        "billing",
        "profit",
        "billingPercent",
        "profitPercent",
        "profitRatio",
        "hourlyRate",
        "dailyRate",
    }
)
_NEEDS_BILLABLE = frozenset({"billingRatio"})
_NAMED_ENTITIES = frozenset({"company", "person", "project", "subproject", "task", "absence"})
_ENTITY_FILTERS = ("company", "project", "subproject", "person", "task", "absence")


@dataclass
class Job:
    id: int
    owner: str
    ready_at: float
    keys: list[str]
    output_format: str
    settings: dict[str, Any]  # the account's, when the job started (see .accounts)
    literal: bool
    rows: list[list[Any]] | None = None  # None until computed
    failed: bool = False


def _str_list(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ServiceError(f"'{name}' must be a list of strings, not {value!r}")
    return list(value)


def _check_keys(req: dict[str, Any]) -> tuple[str, list[str]]:
    show = req.get("show", "all")
    if not isinstance(show, str) or show not in EXPORT_KEYS:
        raise ServiceError(f"unknown show {show!r}; valid values are: {', '.join(EXPORT_KEYS)}")
    keys = _str_list(need(req, "keys"), "keys")
    if not keys:
        raise ServiceError("'keys' must name at least one column")
    valid = EXPORT_KEYS[show]
    for k in keys:
        if k not in valid:
            raise ServiceError(
                f"unknown export key {k!r} for show {show!r}; valid keys are: {', '.join(valid)}"
            )
    return show, keys


def _output_format(value: Any) -> str:
    if value is None:
        return "csv"
    if value not in ("csv", "array"):
        raise ServiceError(f"'outputFormat' must be 'array' or 'csv', not {value!r}")
    return str(value)


@dataclass(frozen=True)
class Query:
    """An export's checked request as SQL, and how to turn its raw rows into export rows."""

    keys: list[str]
    sql: str | None  # None: a show without data in the sandbox
    params: list[Any]
    dims: list[str]
    hours_per_day: float = 8.0  # the account's (work-schedules.mdx): "days" and daily rates
    business_days: int = 0  # days of the range on working weekdays, minus holidays
    #: person id -> hours per day of an individual schedule; None when no key needs it
    #: (the SQL's last column then is no list of the row's people)
    individual: dict[int, float] | None = None

    def run(self, conn: sqlite3.Connection) -> list[list[Any]]:
        """The aggregated rows (without labels), read from ``conn``."""
        if self.sql is None:
            return []
        keys, dims = self.keys, self.dims
        cur = conn.cursor()
        cur.row_factory = None  # plain tuples: an export can have hundreds of thousands of rows
        n = len(dims)
        raw = [r for r in cur.execute(self.sql, self.params) if r[n] is not None]
        individual, per_day = self.individual, self.hours_per_day
        if individual is not None:  # the row's people, then their hours per day summed
            raw = [
                (*r[:-1], sum(individual.get(int(p), per_day) for p in str(r[-1]).split(",")))
                for r in raw
            ]
        totals = [sum(r[n + i] or 0 for r in raw) for i in range(3)]
        measure = _measures(totals, self.hours_per_day, self.business_days)
        dim_at = {k: i for i, k in enumerate(dims)}
        plan: list[tuple[int, Any]] = []  # (0: dimension, 1: boolean, 2: number, 3: measure), arg
        for k in keys:
            if k in ROW_MEASURES:
                plan.append((3, measure.get(k, _zero)))
            else:
                plan.append(
                    (1 if k in BOOL_DIMENSIONS else 2 if k in NUMERIC_DIMENSIONS else 0, dim_at[k])
                )
        out = []
        for r in raw:
            base = [float(x or 0) for x in r[n:]]
            if individual is None:
                base.append(base[-1] * per_day)  # everyone on the account's schedule
            row: list[Any] = []
            for how, arg in plan:
                if how == 0:
                    row.append(r[arg])
                elif how == 3:
                    row.append(round(arg(*base), 6))
                elif how == 1:
                    row.append(bool(r[arg]))
                else:
                    row.append(None if r[arg] is None else float(r[arg]))
            out.append(row)
        return out


def _filters(ctx: Ctx, req: dict[str, Any]) -> Filters:
    """The request's ``statusFilters``, ``gids`` (with their subgroups) and entity filter."""
    statuses = req.get("statusFilters")
    if statuses is not None:
        statuses = _str_list(statuses, "statusFilters")
        bad = [s for s in statuses if s not in STATUS_CODES]
        if bad:
            raise ServiceError(
                f"unknown status {bad[0]!r} in 'statusFilters'; valid statuses are: "
                f"{', '.join(STATUS_CODES)}"
            )
    groups = None
    if req.get("gids") is not None:
        gids = req["gids"]
        if not isinstance(gids, list):
            raise ServiceError(f"'gids' must be a list of group ids, not {gids!r}")
        resolved = [
            resolve(ctx.store, "group", xid=g, member="gids")
            if isinstance(g, str)
            else resolve(ctx.store, "group", id=g, member="gids")
            for g in gids
        ]
        groups = sorted(descendants(ctx, resolved))
    filters = [k for k in _ENTITY_FILTERS if req.get(k) is not None]
    if len(filters) > 1:
        raise ServiceError(
            f"give at most one entity filter ({', '.join(_ENTITY_FILTERS)}); got {', '.join(filters)}"
        )
    entity = None
    if filters:
        kind = filters[0]
        entity = (kind, ref_id(ctx, req[kind], kind, kind))
    return Filters(statuses, groups, entity)


def prepare(ctx: Ctx, req: dict[str, Any]) -> Query | ViewQuery:
    """Check an export request and write its SQL (ids and groups resolved against the store)."""
    show, keys = _check_keys(req)
    start, end = date_range(req)
    filters = _filters(ctx, req)
    settings = ctx.settings or default_settings(ctx.locale)
    if show == "quota":
        return quota_query(keys, start, end, filters, settings)
    if show == "attendance":
        return attendance_query(keys, start, end, filters, settings, literal=ctx.literal)
    where = ["te.date BETWEEN ? AND ?"]
    params: list[Any] = [start, end]
    if filters.statuses is not None:
        where.append(f"te.status IN ({','.join('?' * len(filters.statuses))})")
        params += filters.statuses
    if filters.groups is not None:
        where.append(
            "te.person IN (SELECT eid FROM group_assign WHERE kind='person' "
            f"AND gid IN ({','.join('?' * len(filters.groups))}))"
        )
        params += filters.groups
    if filters.entity is not None:
        where.append(f"te.{filters.entity[0]}=?")
        params.append(filters.entity[1])
    if show == "work":
        where.append("te.absence IS NULL")
    elif show == "abs":
        where.append("te.absence IS NOT NULL")

    dims = [k for k in keys if k not in ROW_MEASURES]
    select = [_DIMENSION_SQL.get(k, "NULL") for k in dims]
    wanted = set(keys)
    # Sum only what the keys need: every join costs a lookup per entry.
    sums = [
        "SUM(te.hours)",
        "SUM(te.hours * COALESCE(pe.hourly_cost, 0))" if wanted & _NEEDS_COST else "0",
        "SUM(te.hours * COALESCE(pr.hourly_rate, 0))" if wanted & _NEEDS_BILLING else "0",
        "SUM(CASE WHEN COALESCE(pr.hourly_rate, 0) > 0 THEN te.hours ELSE 0 END)"
        if wanted & _NEEDS_BILLABLE
        else "0",
    ]
    ctes, joins, cte_params = [], "", []
    for cte, join, total, extra in overtime_sql(keys, start, end, settings):
        ctes += [cte] if cte else []
        joins += join
        cte_params += extra
        sums.append(total)
    if "billability" in keys:
        # reporting.mdx: "Billable Utilization %: the % of billable hours for an employee"
        ctes.append(
            "ut AS (SELECT x.person, SUM(CASE WHEN COALESCE(y.hourly_rate, 0) > 0 THEN x.hours "
            "ELSE 0 END) / SUM(x.hours) AS ratio FROM time_entry x LEFT JOIN project y "
            "ON y.id=x.project WHERE x.date BETWEEN ? AND ? GROUP BY x.person)"
        )
        cte_params += [start, end]
        joins += " LEFT JOIN ut ON ut.person=te.person"
        sums.append("SUM(te.hours * COALESCE(ut.ratio, 0))")
    else:
        sums.append("0")
    sums.append("COUNT(DISTINCT te.person)")
    individual = None
    if wanted & {"workHours", "remWorkHours"}:
        individual = day_hours(ctx.store)
        sums.append("GROUP_CONCAT(DISTINCT te.person)")
    aliases = set(_ALIAS.findall(" ".join([*select, *sums, *where])))
    sql = (
        ("WITH " + ", ".join(ctes) + " " if ctes else "")
        + f"SELECT {', '.join([*select, *sums])} FROM time_entry te "
        + " ".join(_JOINS[a] for a in _JOINS if a in aliases)
        + f"{joins} WHERE {' AND '.join(where)}"
    )
    if dims:
        # A name groups per entity, not per spelling: two people called alike stay two rows.
        hidden = [f"te.{k}" for k in dict.fromkeys(dims) if k in _NAMED_ENTITIES]
        order = ", ".join([*(str(i + 1) for i in range(len(dims))), *hidden])
        sql += f" GROUP BY {order} ORDER BY {order}"
    hours_per_day = float(settings.get("hours_per_day", 8.0))
    return Query(
        keys,
        sql,
        [*cte_params, *params],
        dims,
        hours_per_day,
        business_days(start, end, settings),
        individual,
    )


#: The hours per day of the default schedule (work-schedules.mdx: "8 hours per day").
DEFAULT_DAY_HOURS = 8.0


def day_hours(store: Any) -> dict[int, float]:
    """Person id -> hours per day, for the people on an individual schedule.

    work-schedules.mdx: schedules are assigned "to individual employees, branches, or
    your entire organization" and are "used to calculate ... business hours/business
    hours remaining in reports". The sandbox keeps a person's schedule as the person's
    ``work_hours`` (undocumented in the API, hidden in literal mode): a person whose
    ``work_hours`` differ from the default 8 h (the demo's part-timers work 6 h a day)
    has an individual schedule of that many hours on the account's working days; every
    other person follows the account's schedule (its ``hours_per_day``).
    """
    rows = store.all(
        "SELECT id, work_hours FROM person WHERE work_hours <> ?", (DEFAULT_DAY_HOURS,)
    )
    return {int(r["id"]): float(r["work_hours"]) for r in rows}


def _zero(*_: float) -> float:
    return 0.0


def _measures(totals: list[float], per_day: float, days: int) -> dict[str, Any]:
    """Measure -> f(hours, cost, billing, billable hours, overtime, weekly overtime,
    billable-utilisation hours, people, scheduled hours per day of those people) for one
    row (reporting.mdx's definitions).

    ``*Percent`` and the ratios are percentages; the rates are the row's averages; ``inDays``
    divides by the account's hours per day; business days and hours count the range's
    working days (minus holidays) once per person of the row, business hours at each
    person's hours per day (:func:`day_hours`).
    """
    t_hours, t_cost, t_billing = totals

    def share(x: float, total: float) -> float:
        return 100.0 * x / total if total else 0.0

    def per(x: float, h: float) -> float:
        return x / h if h else 0.0

    return {
        "hours": lambda h, c, b, bh, ot, wot, ut, n, sd: h,
        "duration": lambda h, c, b, bh, ot, wot, ut, n, sd: h,
        "inDays": lambda h, c, b, bh, ot, wot, ut, n, sd: h / per_day,
        "cost": lambda h, c, b, bh, ot, wot, ut, n, sd: c,
        "billing": lambda h, c, b, bh, ot, wot, ut, n, sd: b,
        "profit": lambda h, c, b, bh, ot, wot, ut, n, sd: b - c,
        "overtime": lambda h, c, b, bh, ot, wot, ut, n, sd: ot,
        "weeklyOvertime": lambda h, c, b, bh, ot, wot, ut, n, sd: wot,
        "hoursPercent": lambda h, c, b, bh, ot, wot, ut, n, sd: share(h, t_hours),
        "costsPercent": lambda h, c, b, bh, ot, wot, ut, n, sd: share(c, t_cost),
        "billingPercent": lambda h, c, b, bh, ot, wot, ut, n, sd: share(b, t_billing),
        "profitPercent": lambda h, c, b, bh, ot, wot, ut, n, sd: share(b - c, b),
        "billingRatio": lambda h, c, b, bh, ot, wot, ut, n, sd: share(bh, h),
        "profitRatio": lambda h, c, b, bh, ot, wot, ut, n, sd: share(b - c, c),
        "billability": lambda h, c, b, bh, ot, wot, ut, n, sd: share(ut, h),
        "hourlyCost": lambda h, c, b, bh, ot, wot, ut, n, sd: per(c, h),
        "hourlyRate": lambda h, c, b, bh, ot, wot, ut, n, sd: per(b, h),
        "dailyCost": lambda h, c, b, bh, ot, wot, ut, n, sd: per(c, h) * per_day,
        "dailyRate": lambda h, c, b, bh, ot, wot, ut, n, sd: per(b, h) * per_day,
        "workDays": lambda h, c, b, bh, ot, wot, ut, n, sd: float(days * n),
        "workHours": lambda h, c, b, bh, ot, wot, ut, n, sd: days * sd,
        "remWorkDays": lambda h, c, b, bh, ot, wot, ut, n, sd: days * n - h / per_day,
        "remWorkHours": lambda h, c, b, bh, ot, wot, ut, n, sd: days * sd - h,
    }


@service("time_entry.export")
def te_export(ctx: Ctx, req: dict[str, Any]) -> Later:
    output_format = _output_format(req.get("outputFormat"))
    query = prepare(ctx, req)
    # The rows are computed after the backend's lock is released, on a copy taken now:
    # a large export must not stop the server, nor see writes made meanwhile.
    snapshot = ctx.store.snapshot() if query.sql else None
    job_id = max(ctx.jobs, default=0) + 1
    job = ctx.jobs[job_id] = Job(
        job_id,
        ctx.role,
        time.monotonic() + ctx.export_delay,
        query.keys,
        output_format,
        ctx.settings or default_settings(ctx.locale),
        ctx.literal,
    )

    def finish() -> dict[str, Any]:
        try:
            job.rows = query.run(snapshot) if snapshot is not None else []
        except BaseException:
            job.failed = True
            raise
        finally:
            if snapshot is not None:
                snapshot.close()
        return ok(job={"status": "running", "id": job_id})

    return Later(finish)


@service("time_entry.get_job_info")
def te_get_job_info(ctx: Ctx, req: dict[str, Any]) -> dict[str, Any] | Later:
    job_id = as_int(need(req, "id"), "id")
    job = ctx.jobs.get(job_id)
    if job is None or job.owner != ctx.role:
        raise NotFoundError(f"job {job_id} not found")
    if job.failed:
        return ok(job={"status": "error", "id": job_id})
    rows = job.rows
    if rows is None or time.monotonic() < job.ready_at:
        return ok(job={"status": "running", "id": job_id})
    fmt = _output_format(req.get("outputFormat")) if req.get("outputFormat") else job.output_format
    keys, settings, literal = job.keys, job.settings, job.literal

    def finish() -> dict[str, Any]:  # a job's rows never change: format them without the lock
        result: Any
        if fmt == "array":
            result = format_array(keys, rows, settings, literal=literal)
        else:
            result = format_csv(keys, rows, settings)
        return ok(job={"status": "done", "id": job_id, "result": result})

    return Later(finish)
