"""Export jobs: ``time_entry.export`` and ``time_entry.get_job_info``.

The export is computed in SQL when the job starts, on a copy of the database
taken under the backend's lock (a consistent snapshot) but read after the lock
is released, so that a large export does not stop the server; the rows are
handed out (and formatted, also outside the lock) once ``export_delay``
seconds have passed. Rows are aggregated over the dimension keys asked for
(every key that is not a measure); measures are summed (percentages and ratios
are computed from the sums).

Measures follow reporting.mdx ("Data available in the Reports module"); see
:func:`_measures`: ``inDays`` = hours / the account's hours per day;
``cost``/``billing`` from the person's hourly cost and the project's rate;
``hourlyCost``/``hourlyRate``/``dailyCost``/``dailyRate`` are the row's
averages; ``*Percent``, ``billingRatio``, ``profitRatio`` and ``billability``
(billable utilisation of the row's people) are percentages; ``billableSplit``
is the text "billable"/"non-billable"; ``workDays``/``workHours`` count the
range's working days minus holidays (account schedule) per person of the row,
``remWork*`` subtract what was worked; ``isAtWork`` is false (no timers);
``overtime`` = the entry's share of its person-day's hours beyond the person's
workHours, ``weeklyOvertime`` the same per ISO week (5 x workHours). The
``quota``/``attendance`` shows have no data in the sandbox (no rows). In
literal mode ``stime``/``etime`` are empty for entries logged without times
and ``week`` is the ISO week number.

CSV: labels, numbers, dates, times and the field separator follow the
account's settings (:mod:`.accounts`, :mod:`.localise`; ``admin_fr``:
``"7,000"``, as in the reference's example); booleans are ``true``/``false``.
Array: labels first, then typed rows with localised dates (README decision
6); literal mode: the CSV's text cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from ..export_keys import MEASURES, SHOW_KEYS
from ..schema import STATUS_CODES
from .accounts import default_settings
from .export_labels import LABELS, labels
from .localise import format_date, format_datetime, format_number
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

__all__ = ["EXPORT_KEYS", "LABELS", "MEASURES", "format_array", "format_csv", "labels"]

#: Valid ``keys`` per ``show`` (Beebole's table, shipped as package data).
EXPORT_KEYS = SHOW_KEYS

#: Dimensions whose values are numbers (shown with decimals in the CSV).
NUMERIC_DIMENSIONS = frozenset({"budget"})
#: What the sandbox computes per row (reporting.mdx): the shared measures, but
#: ``billableSplit`` is a text ("billable"/"non-billable") and the rates are averages for
#: the row ("Hourly Cost: the average cost per hour for a row"), not grouping keys, and
#: ``billability`` is the billable utilisation % of the row's people.
ROW_MEASURES = (MEASURES - {"billableSplit"}) | {
    "hourlyCost",
    "hourlyRate",
    "dailyCost",
    "dailyRate",
    "billability",
}
_BOOL_DIMENSIONS = frozenset({"isAtWork"})


def _week(day: str) -> str:
    """SQL for the Monday of the week of ``day`` (a column, or ``?``)."""
    return f"date({day}, 'weekday 0', '-6 days')"


_STIME = "COALESCE(te.stime, te.date || ' 09:00:00')"
#: Literal mode follows reporting.mdx to the letter: "Time Start"/"Time End" exist only for
#: entries logged with times (no made-up 09:00), and "Week" is "the week number".
_LITERAL_SQL: dict[str, str] = {
    "stime": "te.stime",
    "etime": "datetime(te.stime, '+' || CAST(round(te.hours * 60) AS INTEGER) || ' minutes')",
    # ISO week number: the day of year of the week's Thursday, in weeks
    "week": "(CAST(strftime('%j', date(te.date, '-3 days', 'weekday 4')) AS INTEGER) - 1) / 7 + 1",
}
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
    "week": _week("te.date"),
    "to": "te.date",
    "date": "te.date",
    "eventId": "te.id",
    "stime": _STIME,
    "etime": f"datetime({_STIME}, '+' || CAST(round(te.hours * 60) AS INTEGER) || ' minutes')",
    "comment": "te.comment",
    "gid": "(SELECT COALESCE(g.xid, g.id) FROM group_assign ga JOIN grp g ON g.id=ga.gid "
    "WHERE ga.kind='person' AND ga.eid=te.person ORDER BY ga.gid LIMIT 1)",
    # reporting.mdx: "Is working": "True" if the employee currently has a timer running; the
    # sandbox has no timers.
    "isAtWork": "0",
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

    def run(self, conn: sqlite3.Connection) -> list[list[Any]]:
        """The aggregated rows (without labels), read from ``conn``."""
        if self.sql is None:
            return []
        keys, dims = self.keys, self.dims
        cur = conn.cursor()
        cur.row_factory = None  # plain tuples: an export can have hundreds of thousands of rows
        n = len(dims)
        raw = [r for r in cur.execute(self.sql, self.params) if r[n] is not None]
        totals = [sum(r[n + i] or 0 for r in raw) for i in range(3)]
        measure = _measures(totals, self.hours_per_day, self.business_days)
        dim_at = {k: i for i, k in enumerate(dims)}
        plan: list[tuple[int, Any]] = []  # (0: dimension, 1: boolean, 2: number, 3: measure), arg
        for k in keys:
            if k in ROW_MEASURES:
                plan.append((3, measure.get(k, _zero)))
            else:
                plan.append(
                    (1 if k in _BOOL_DIMENSIONS else 2 if k in NUMERIC_DIMENSIONS else 0, dim_at[k])
                )
        out = []
        for r in raw:
            base = [float(x or 0) for x in r[n:]]
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


def prepare(ctx: Ctx, req: dict[str, Any]) -> Query:
    """Check an export request and write its SQL (ids and groups resolved against the store)."""
    show, keys = _check_keys(req)
    start, end = date_range(req)
    where = ["te.date BETWEEN ? AND ?"]
    params: list[Any] = [start, end]
    statuses = req.get("statusFilters")
    if statuses is not None:
        statuses = _str_list(statuses, "statusFilters")
        bad = [s for s in statuses if s not in STATUS_CODES]
        if bad:
            raise ServiceError(
                f"unknown status {bad[0]!r} in 'statusFilters'; valid statuses are: "
                f"{', '.join(STATUS_CODES)}"
            )
        where.append(f"te.status IN ({','.join('?' * len(statuses))})")
        params += statuses
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
        where.append(
            "te.person IN (SELECT eid FROM group_assign WHERE kind='person' "
            f"AND gid IN ({','.join('?' * len(groups))}))"
        )
        params += groups
    filters = [k for k in _ENTITY_FILTERS if req.get(k) is not None]
    if len(filters) > 1:
        raise ServiceError(
            f"give at most one entity filter ({', '.join(_ENTITY_FILTERS)}); got {', '.join(filters)}"
        )
    if filters:
        kind = filters[0]
        where.append(f"te.{kind}=?")
        params.append(ref_id(ctx, req[kind], kind, kind))
    if show == "work":
        where.append("te.absence IS NULL")
    elif show == "abs":
        where.append("te.absence IS NOT NULL")
    elif show in ("quota", "attendance"):
        return Query(keys, None, [], [])  # no quota or punch-clock data in the sandbox
    settings = ctx.settings or default_settings(ctx.locale)

    dims = [k for k in keys if k not in ROW_MEASURES]
    select = [(_LITERAL_SQL if ctx.literal else {}).get(k) or _DIMENSION_SQL.get(k, "NULL")
              for k in dims]  # fmt: skip
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
    if "overtime" in keys:
        ctes.append(
            "day AS (SELECT person, date, SUM(hours) AS tot FROM time_entry "
            "WHERE date BETWEEN ? AND ? GROUP BY person, date)"
        )
        cte_params += [start, end]
        joins += " LEFT JOIN day ON day.person=te.person AND day.date=te.date"
        sums.append(
            "SUM(CASE WHEN day.tot > 0 THEN te.hours * MAX(0, day.tot - pe.work_hours) / day.tot ELSE 0 END)"
        )
    else:
        sums.append("0")
    if "weeklyOvertime" in keys:
        # Whole weeks: an entry's weekly overtime must not depend on where the range cuts its week.
        ctes.append(
            f"wk AS (SELECT person, {_week('date')} AS week, SUM(hours) AS tot FROM time_entry "
            f"WHERE date BETWEEN {_week('?')} AND date(?, 'weekday 0') GROUP BY person, week)"
        )
        cte_params += [start, end]
        joins += f" LEFT JOIN wk ON wk.person=te.person AND wk.week={_week('te.date')}"
        sums.append(
            "SUM(CASE WHEN wk.tot > 0 THEN te.hours * MAX(0, wk.tot - 5 * pe.work_hours) / wk.tot ELSE 0 END)"
        )
    else:
        sums.append("0")
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
        keys, sql, [*cte_params, *params], dims, hours_per_day, business_days(start, end, settings)
    )


def business_days(start: str, end: str, settings: dict[str, Any]) -> int:
    """Working days from ``start`` to ``end``: "the number of days in the timeframe minus the
    weekends and holidays" (reporting.mdx, "Business days"), by the account's schedule.

    >>> business_days("2026-12-21", "2026-12-27", {"working_days": [1, 2, 3, 4, 5],
    ...               "holidays": ["2026-12-25"]})
    4
    """
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    working = set(settings.get("working_days", (1, 2, 3, 4, 5)))
    holidays = set(settings.get("holidays", ()))
    return sum(
        1
        for n in range((last - first).days + 1)
        if (day := first + dt.timedelta(days=n)).isoweekday() in working
        and day.isoformat() not in holidays
    )


def _zero(*_: float) -> float:
    return 0.0


def _measures(totals: list[float], per_day: float, days: int) -> dict[str, Any]:
    """Measure -> f(hours, cost, billing, billable hours, overtime, weekly overtime,
    billable-utilisation hours, people) for one row (reporting.mdx's definitions).

    ``*Percent`` and the ratios are percentages; the rates are the row's averages; ``inDays``
    divides by the account's hours per day; business days and hours count the range's
    working days (minus holidays) once per person of the row.
    """
    t_hours, t_cost, t_billing = totals

    def share(x: float, total: float) -> float:
        return 100.0 * x / total if total else 0.0

    def per(x: float, h: float) -> float:
        return x / h if h else 0.0

    return {
        "hours": lambda h, c, b, bh, ot, wot, ut, n: h,
        "duration": lambda h, c, b, bh, ot, wot, ut, n: h,
        "inDays": lambda h, c, b, bh, ot, wot, ut, n: h / per_day,
        "cost": lambda h, c, b, bh, ot, wot, ut, n: c,
        "billing": lambda h, c, b, bh, ot, wot, ut, n: b,
        "profit": lambda h, c, b, bh, ot, wot, ut, n: b - c,
        "overtime": lambda h, c, b, bh, ot, wot, ut, n: ot,
        "weeklyOvertime": lambda h, c, b, bh, ot, wot, ut, n: wot,
        "hoursPercent": lambda h, c, b, bh, ot, wot, ut, n: share(h, t_hours),
        "costsPercent": lambda h, c, b, bh, ot, wot, ut, n: share(c, t_cost),
        "billingPercent": lambda h, c, b, bh, ot, wot, ut, n: share(b, t_billing),
        "profitPercent": lambda h, c, b, bh, ot, wot, ut, n: share(b - c, b),
        "billingRatio": lambda h, c, b, bh, ot, wot, ut, n: share(bh, h),
        "profitRatio": lambda h, c, b, bh, ot, wot, ut, n: share(b - c, c),
        "billability": lambda h, c, b, bh, ot, wot, ut, n: share(ut, h),
        "hourlyCost": lambda h, c, b, bh, ot, wot, ut, n: per(c, h),
        "hourlyRate": lambda h, c, b, bh, ot, wot, ut, n: per(b, h),
        "dailyCost": lambda h, c, b, bh, ot, wot, ut, n: per(c, h) * per_day,
        "dailyRate": lambda h, c, b, bh, ot, wot, ut, n: per(b, h) * per_day,
        "workDays": lambda h, c, b, bh, ot, wot, ut, n: float(days * n),
        "workHours": lambda h, c, b, bh, ot, wot, ut, n: days * n * per_day,
        "remWorkDays": lambda h, c, b, bh, ot, wot, ut, n: days * n - h / per_day,
        "remWorkHours": lambda h, c, b, bh, ot, wot, ut, n: days * n * per_day - h,
    }


#: Keys holding a date, and a date-time: written in the account's formats (settings.mdx).
_DATE_KEYS = frozenset({"to", "date"})
_DATETIME_KEYS = frozenset({"stime", "etime", "start", "end"})


def _cell(key: str, value: Any, settings: dict[str, Any]) -> str:
    """One CSV cell: localised numbers, dates and date-times; ``true``/``false``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) or key in ROW_MEASURES or key in NUMERIC_DIMENSIONS:
        return format_number(float(value), settings)
    if key in _DATE_KEYS:
        return str(format_date(str(value), settings))
    if key in _DATETIME_KEYS:
        return str(format_datetime(str(value), settings))
    return str(value)


def _typed_cell(key: str, value: Any, settings: dict[str, Any]) -> Any:
    """One cell of the array output (default mode): numbers stay numbers, dates are localised."""
    if value is None or isinstance(value, bool | float | int):
        return value
    if key in _DATE_KEYS:
        return format_date(str(value), settings)
    if key in _DATETIME_KEYS:
        return format_datetime(str(value), settings)
    return value


def _settings_of(locale_or_settings: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(locale_or_settings, dict):
        return locale_or_settings
    return default_settings("fr" if locale_or_settings == "fr" else "en")


def format_csv(keys: list[str], rows: list[list[Any]], settings: str | dict[str, Any]) -> str:
    """The CSV text of an export: localised labels, then localised values.

    ``settings`` are an account's (:mod:`.accounts`), or a language
    (``"en"``/``"fr"``) for the historical defaults. Fields are separated by
    the account's list separator (settings.mdx, "Localization").

    >>> format_csv(["company", "hours"], [["Branch", 7.0]], "fr")
    'Entreprise,Heures\\nBranch,"7,000"\\n'
    """
    settings = _settings_of(settings)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=settings.get("list_separator", ","), lineterminator="\n")
    writer.writerow(labels(keys, settings.get("language", "en")))
    for row in rows:
        writer.writerow([_cell(k, v, settings) for k, v in zip(keys, row, strict=True)])
    return buf.getvalue()


def format_array(
    keys: list[str], rows: list[list[Any]], settings: dict[str, Any], *, literal: bool = False
) -> list[list[Any]]:
    """The array output: the labels, then one list per row (README decision 6).

    The default mode keeps numbers as JSON numbers and writes dates in the
    account's format; literal mode gives the very text of the CSV cells, the
    in-app export module's output (time-export.mdx: the service "wraps the in
    app export module functionality").
    """
    head = labels(keys, settings.get("language", "en"))
    cell = _cell if literal else _typed_cell
    return [head, *([cell(k, v, settings) for k, v in zip(keys, r, strict=True)] for r in rows)]


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
