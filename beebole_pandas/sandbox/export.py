"""Export jobs: ``time_entry.export`` and ``time_entry.get_job_info``.

The export is computed in SQL when the job starts, on a copy of the database
taken under the backend's lock (a consistent snapshot) but read after the lock
is released, so that a large export does not stop the server; the rows are
handed out (and formatted, also outside the lock) once ``export_delay``
seconds have passed. Rows are aggregated over the dimension keys asked for
(every key that is not a measure); measures are summed (percentages and ratios
are computed from the sums).

Measures (sandbox definitions): ``hours``; ``inDays`` = hours / 8; ``cost`` =
hours x the person's hourlyCost; ``billing`` = hours x the project's
hourlyRate; ``profit`` = billing - cost; ``overtime`` = the entry's share of
its person-day's hours beyond the person's workHours; ``weeklyOvertime`` the
same per ISO week (5 x workHours); ``hoursPercent``/``billingPercent``/
``costsPercent`` = share of the export's total; ``profitPercent`` = profit /
billing x 100; ``billingRatio`` = billable hours / hours; ``profitRatio`` =
profit / cost; ``billableSplit`` = billable hours. Work-calendar measures
(``workDays``, ``workHours``, ``remWorkDays``, ``remWorkHours``) and the
``quota``/``attendance`` shows have no data in the sandbox (0 / no rows).

CSV: header labels and numbers follow the account's locale (``en``: ``7.000``;
``fr``: ``"7,000"``, as in the reference's example); booleans are
``true``/``false``. Array: labels first, then typed rows (README decision 6).
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from ..export_keys import MEASURES, SHOW_KEYS
from ..schema import STATUS_CODES
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

__all__ = ["EXPORT_KEYS", "LABELS", "MEASURES", "format_csv"]

#: Valid ``keys`` per ``show`` (Beebole's table, shipped as package data).
EXPORT_KEYS = SHOW_KEYS

#: key -> (English label, French label)
LABELS: dict[str, tuple[str, str]] = {
    "absence": ("Absence", "Absence"),
    "absenceId": ("Absence Id", "Id absence"),
    "activity": ("Activity", "Activité"),
    "address": ("Address", "Adresse"),
    "available": ("Available", "Disponible"),
    "availableInDays": ("Available (days)", "Disponible (jours)"),
    "balance": ("Balance", "Solde"),
    "balanceInDays": ("Balance (days)", "Solde (jours)"),
    "billability": ("Billability", "Facturabilité"),
    "billableSplit": ("Billable split", "Répartition facturable"),
    "billing": ("Billing", "Facturation"),
    "billingPercent": ("Billing %", "Facturation %"),
    "billingRatio": ("Billing ratio", "Ratio de facturation"),
    "budget": ("Budget", "Budget"),
    "comment": ("Comment", "Commentaire"),
    "company": ("Company", "Entreprise"),
    "companyId": ("Company Id", "Id entreprise"),
    "coords": ("Coordinates", "Coordonnées"),
    "cost": ("Cost", "Coût"),
    "costsPercent": ("Costs %", "Coûts %"),
    "dailyCost": ("Daily cost", "Coût journalier"),
    "dailyRate": ("Daily rate", "Taux journalier"),
    "date": ("Date", "Date"),
    "duration": ("Duration", "Durée"),
    "end": ("End", "Fin"),
    "etime": ("End time", "Heure de fin"),
    "eventId": ("Event Id", "Id événement"),
    "fromTo": ("Period", "Période"),
    "gid": ("Group Id", "Id groupe"),
    "hourlyCost": ("Hourly cost", "Coût horaire"),
    "hourlyRate": ("Hourly rate", "Taux horaire"),
    "hours": ("Hours", "Heures"),
    "hoursPercent": ("Hours %", "Heures %"),
    "inDays": ("In days", "En jours"),
    "isAtWork": ("At work", "Au travail"),
    "manual": ("Manual", "Manuel"),
    "month": ("Month", "Mois"),
    "overtime": ("Overtime", "Heures supplémentaires"),
    "person": ("Person", "Personne"),
    "personId": ("Person Id", "Id personne"),
    "profit": ("Profit", "Profit"),
    "profitPercent": ("Profit %", "Profit %"),
    "profitRatio": ("Profit ratio", "Ratio de profit"),
    "project": ("Project", "Projet"),
    "projectId": ("Project Id", "Id projet"),
    "quotaId": ("Quota Id", "Id quota"),
    "remWorkDays": ("Remaining work days", "Jours de travail restants"),
    "remWorkHours": ("Remaining work hours", "Heures de travail restantes"),
    "start": ("Start", "Début"),
    "status": ("Status", "Statut"),
    "stime": ("Start time", "Heure de début"),
    "subproject": ("Subproject", "Sous-projet"),
    "subprojectId": ("Subproject Id", "Id sous-projet"),
    "taken": ("Taken", "Pris"),
    "takenInDays": ("Taken (days)", "Pris (jours)"),
    "task": ("Task", "Tâche"),
    "taskId": ("Task Id", "Id tâche"),
    "to": ("Date", "Date"),
    "week": ("Week", "Semaine"),
    "weeklyOvertime": ("Weekly overtime", "Heures supplémentaires hebdomadaires"),
    "wfh": ("Working from home", "Télétravail"),
    "workDays": ("Work days", "Jours de travail"),
    "workHours": ("Work hours", "Heures de travail"),
}

#: Dimensions whose values are numbers (shown with decimals in the CSV).
NUMERIC_DIMENSIONS = frozenset({"hourlyCost", "hourlyRate", "dailyCost", "dailyRate", "budget"})
_BOOL_DIMENSIONS = frozenset({"isAtWork"})


def _week(day: str) -> str:
    """SQL for the Monday of the week of ``day`` (a column, or ``?``)."""
    return f"date({day}, 'weekday 0', '-6 days')"


_STIME = "COALESCE(te.stime, te.date || ' 09:00:00')"
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
    "isAtWork": "(te.absence IS NULL)",
    "activity": "COALESCE(t.name, a.name)",
    "billability": "CASE WHEN COALESCE(pr.hourly_rate, 0) > 0 THEN 'billable' ELSE 'non-billable' END",
    "hourlyCost": "pe.hourly_cost",
    "hourlyRate": "pr.hourly_rate",
    "dailyCost": "pe.hourly_cost * pe.work_hours",
    "dailyRate": "pr.hourly_rate * 8",
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
_NEEDS_COST = frozenset({"cost", "profit", "costsPercent", "profitPercent", "profitRatio"})
_NEEDS_BILLING = frozenset({"billing", "profit", "billingPercent", "profitPercent", "profitRatio"})
_NEEDS_BILLABLE = frozenset({"billingRatio", "billableSplit"})
_NAMED_ENTITIES = frozenset({"company", "person", "project", "subproject", "task", "absence"})
_ENTITY_FILTERS = ("company", "project", "subproject", "person", "task", "absence")


@dataclass
class Job:
    id: int
    owner: str
    ready_at: float
    keys: list[str]
    output_format: str
    locale: str
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
        measure = _measures(totals)
        dim_at = {k: i for i, k in enumerate(dims)}
        plan: list[tuple[int, Any]] = []  # (0: dimension, 1: boolean, 2: number, 3: measure), arg
        for k in keys:
            if k in MEASURES:
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

    dims = [k for k in keys if k not in MEASURES]
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
    return Query(keys, sql, [*cte_params, *params], dims)


def _zero(*_: float) -> float:
    return 0.0


def _measures(totals: list[float]) -> dict[str, Any]:
    """Measure -> f(hours, cost, billing, billable hours, overtime, weekly overtime)."""
    t_hours, t_cost, t_billing = totals

    def share(x: float, total: float) -> float:
        return 100.0 * x / total if total else 0.0

    return {
        "hours": lambda h, c, b, bh, ot, wot: h,
        "duration": lambda h, c, b, bh, ot, wot: h,
        "inDays": lambda h, c, b, bh, ot, wot: h / 8.0,
        "cost": lambda h, c, b, bh, ot, wot: c,
        "billing": lambda h, c, b, bh, ot, wot: b,
        "profit": lambda h, c, b, bh, ot, wot: b - c,
        "overtime": lambda h, c, b, bh, ot, wot: ot,
        "weeklyOvertime": lambda h, c, b, bh, ot, wot: wot,
        "hoursPercent": lambda h, c, b, bh, ot, wot: share(h, t_hours),
        "costsPercent": lambda h, c, b, bh, ot, wot: share(c, t_cost),
        "billingPercent": lambda h, c, b, bh, ot, wot: share(b, t_billing),
        "profitPercent": lambda h, c, b, bh, ot, wot: share(b - c, b),
        "billingRatio": lambda h, c, b, bh, ot, wot: bh / h if h else 0.0,
        "profitRatio": lambda h, c, b, bh, ot, wot: (b - c) / c if c else 0.0,
        "billableSplit": lambda h, c, b, bh, ot, wot: bh,
    }


def _cell(key: str, value: Any, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) or key in MEASURES or key in NUMERIC_DIMENSIONS:
        text = f"{float(value):.3f}"
        return text.replace(".", ",") if locale == "fr" else text
    return str(value)


def labels(keys: list[str], locale: str) -> list[str]:
    index = 1 if locale == "fr" else 0
    return [LABELS.get(k, (k, k))[index] for k in keys]


def format_csv(keys: list[str], rows: list[list[Any]], locale: str) -> str:
    """The CSV text of an export: localised labels, then localised values.

    >>> format_csv(["company", "hours"], [["Branch", 7.0]], "fr")
    'Entreprise,Heures\\nBranch,"7,000"\\n'
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(labels(keys, locale))
    for row in rows:
        writer.writerow([_cell(k, v, locale) for k, v in zip(keys, row, strict=True)])
    return buf.getvalue()


@service("time_entry.export")
def te_export(ctx: Ctx, req: dict[str, Any]) -> Later:
    output_format = _output_format(req.get("outputFormat"))
    query = prepare(ctx, req)
    # The rows are computed after the backend's lock is released, on a copy taken now:
    # a large export must not stop the server, nor see writes made meanwhile.
    snapshot = ctx.store.snapshot() if query.sql else None
    job_id = max(ctx.jobs, default=0) + 1
    job = ctx.jobs[job_id] = Job(
        job_id, ctx.role, time.monotonic() + ctx.export_delay, query.keys, output_format, ctx.locale
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
    keys, locale = job.keys, job.locale

    def finish() -> dict[str, Any]:  # a job's rows never change: format them without the lock
        array = fmt == "array"
        result = [labels(keys, locale), *rows] if array else format_csv(keys, rows, locale)
        return ok(job={"status": "done", "id": job_id, "result": result})

    return Later(finish)
