"""Time entries of the ``"demo"`` seed: a working year, weekday by weekday.

Built with plain loops over precomputed per-person tables (no pandas), so that
1,000 people x 24 months stays within seconds. The rules every entry obeys are
those of ``docs/internals.md``: a leaf entity, a task from the entity's
available set (every work entry, since general tasks exist), no task on an
absence, hours in [0, 24].

Statuses are relative to the last day of the data (``end``):

* before ``end``'s month - 4: locked, except that the last of those months
  is still only approved for some people (locking lags);
* then until ``end``'s month - 2: approved;
* then until two weeks before ``end``: submitted, with a few person-weeks
  rejected (with a memo);
* the week before those two weeks: submitted, except a few late people
  (draft);
* the last two weeks: draft.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, cast

from beebole_pandas.sandbox import seed_catalog as cat
from beebole_pandas.sandbox.seed_demo import Leaf, Plan, Worker
from beebole_pandas.sandbox.seeddata import SeedData, TimeEntry

TIME_ENTRY_ID0 = 100_001
_DAY = dt.timedelta(days=1)

# Status buckets of a day.
_LOCKED, _LAG, _APPROVED, _SUBMITTED, _LATE, _DRAFT = range(6)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def end_of_data(start: dt.date, months: int) -> dt.date:
    """The last day covered by ``months`` months of entries from ``start``."""
    return add_months(start, months) - _DAY


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-based; -1 for the last) given weekday of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = add_months(dt.date(year, month, 1), 1) - _DAY
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def public_holidays(country: str, year: int) -> set[dt.date]:
    """The public holidays of one country code (FR, ES, US, UK) in a year."""
    d = dt.date
    e = easter(year)
    days = {d(year, 1, 1), d(year, 12, 25)}
    if country == "FR":
        days |= {e + 1 * _DAY, d(year, 5, 1), d(year, 5, 8), e + 39 * _DAY, e + 50 * _DAY,
                 d(year, 7, 14), d(year, 8, 15), d(year, 11, 1), d(year, 11, 11)}  # fmt: skip
    elif country == "ES":
        days |= {d(year, 1, 6), e - 2 * _DAY, d(year, 5, 1), d(year, 8, 15), d(year, 10, 12),
                 d(year, 11, 1), d(year, 12, 6), d(year, 12, 8)}  # fmt: skip
    elif country == "US":
        days |= {_nth_weekday(year, 1, 0, 3), _nth_weekday(year, 2, 0, 3),
                 _nth_weekday(year, 5, 0, -1), d(year, 6, 19), d(year, 7, 4),
                 _nth_weekday(year, 9, 0, 1), _nth_weekday(year, 11, 3, 4)}  # fmt: skip
    elif country == "UK":
        days |= {e - 2 * _DAY, e + 1 * _DAY, _nth_weekday(year, 5, 0, 1),
                 _nth_weekday(year, 5, 0, -1), _nth_weekday(year, 8, 0, -1), d(year, 12, 26)}  # fmt: skip
    return days


def _absence_days(rng: random.Random, years: range) -> dict[int, str]:
    """A person's planned absences: ordinal -> V(acation), H(alf day), S(ick), T(raining)."""
    out: dict[int, str] = {}

    def block(first: dt.date, weekdays: int, kind: str) -> None:
        day = first
        while weekdays > 0:
            if day.weekday() < 5:
                out.setdefault(day.toordinal(), kind)
                weekdays -= 1
            day += _DAY

    for year in years:
        jan1 = dt.date(year, 1, 1).toordinal()
        summer = _nth_weekday(year, 7, 0, 1) + dt.timedelta(weeks=rng.randrange(7))
        block(summer, 10 if rng.random() < 0.7 else 5, "V")
        block(dt.date(year, 12, 22) + rng.randrange(3) * _DAY, rng.randint(3, 5), "V")
        if rng.random() < 0.6:
            block(_nth_weekday(year, 4, 0, 1) + dt.timedelta(weeks=rng.randrange(8)), 5, "V")
        for _ in range(4):
            block(
                dt.date.fromordinal(jan1 + rng.randrange(365)),
                1,
                "H" if rng.random() < 0.3 else "V",
            )
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            block(dt.date.fromordinal(jan1 + rng.randrange(365)), rng.randint(1, 3), "S")
        for _ in range(rng.randint(1, 2)):
            block(dt.date.fromordinal(jan1 + rng.randrange(365)), 1, "T")
    return out


def _month_leaves(rng: random.Random, worker: Worker, firsts: list[int]) -> list[list[Leaf]]:
    """Per month, the leaves a person works on, repeated by weight (main one first)."""
    out = []
    for first in firsts:
        started = [leaf for leaf in worker.pool if leaf.start <= first]
        chosen = rng.sample(started, min(len(started), rng.choice((1, 2, 2, 3))))
        weighted: list[Leaf] = []
        for rank, leaf in enumerate(chosen):
            weighted += [leaf] * (3 - rank)
        out.append(weighted)
    return out


def _buckets(end: dt.date) -> tuple[int, int, int, int, int, int]:
    """Ordinals where each status bucket starts: lag, approved, submitted, late, draft, after."""
    following = end + _DAY
    draft = (end - 13 * _DAY).toordinal()
    return (
        add_months(following, -5).toordinal(),
        add_months(following, -4).toordinal(),
        add_months(following, -2).toordinal(),
        draft - 7,
        draft,
        following.toordinal(),
    )


def build_entries(
    rng: random.Random, plan: Plan, *, start: dt.date, months: int
) -> list[TimeEntry]:
    """Every time entry of the demo account, ``months`` months from ``start``."""
    end = end_of_data(start, months)
    if end < start:
        return []
    workers = plan.workers
    lag_from, approved_from, submitted_from, late_from, draft_from, _ = _buckets(end)

    days: list[tuple[int, str, int, int, int]] = []  # ordinal, iso, month, week, bucket
    firsts: list[int] = []
    week0 = start.toordinal() - start.weekday()
    day = start
    while day <= end:
        month = (day.year - start.year) * 12 + day.month - start.month
        if month == len(firsts):
            firsts.append(day.toordinal())
        if day.weekday() < 5:
            o = day.toordinal()
            bucket = (
                _DRAFT if o >= draft_from else _LATE if o >= late_from
                else _SUBMITTED if o >= submitted_from else _APPROVED if o >= approved_from
                else _LAG if o >= lag_from else _LOCKED
            )  # fmt: skip
            days.append((o, day.isoformat(), month, (o - week0) // 7, bucket))
        day += _DAY

    years = range(start.year, end.year + 1)
    holidays = {
        code: {h.toordinal() for y in years for h in public_holidays(code, y)}
        for code in cat.COUNTRY_CODES.values()
    }
    absences = [_absence_days(rng, years) for _ in workers]
    leaves = [_month_leaves(rng, w, firsts) for w in workers]
    n = len(workers)
    lagging = {i for i in range(n) if rng.random() < 0.3}
    late = set(rng.sample(range(n), min(n, max(2, n // 20))))
    rejected: dict[tuple[int, int], str] = {}
    for week in sorted({d[3] for d in days if d[4] in (_SUBMITTED, _LATE)}):
        for i in range(n):
            if rng.random() < 0.04:
                rejected[i, week] = rng.choice(cat.REJECTION_MEMOS)
    comments = {tid: cat.COMMENTS.get(name, ()) for tid, name in plan.task_names.items()}
    absence_id = {
        "V": plan.absences["Vacation"], "H": plan.absences["Vacation"],
        "S": plan.absences["Sick leave"], "T": plan.absences["Training"],
        "P": plan.absences["Public holiday"],
    }  # fmt: skip

    rand = rng.random
    entries: list[dict[str, Any]] = []
    append = entries.append
    eid = TIME_ENTRY_ID0
    for o, iso, month, week, bucket in days:
        for i, w in enumerate(workers):
            if bucket == _LOCKED:
                status = "l"
            elif bucket == _LAG:
                status = "a" if i in lagging else "l"
            elif bucket == _APPROVED:
                status = "a"
            elif bucket == _DRAFT or (bucket == _LATE and i in late):
                status = "d"
            else:
                status = "r" if (i, week) in rejected else "s"
            memo = rejected[i, week] if status == "r" else None
            minute = w.start_minute + (15 if rand() < 0.3 else 0)
            kind = "P" if o in holidays[w.country] else absences[i].get(o)
            total = w.work_hours
            if kind is not None:
                hours = total / 2 if kind == "H" else total
                entry = {"id": eid, "person": w.id, "date": iso, "hours": hours,
                         "status": status, "absence": absence_id[kind],
                         "stime": f"{iso} {minute // 60:02d}:{minute % 60:02d}:00"}  # fmt: skip
                if memo:
                    entry["memo"] = memo
                append(entry)
                eid += 1
                if kind != "H":
                    continue
                total = hours
                minute += int(hours * 60) + 60
            else:
                r = rand()
                if r < 0.1:
                    total += 1 + int(rand() * 5) * 0.5  # overtime: +1 to +3 hours
                elif r < 0.15:
                    total -= 0.5
            quarters = int(total * 4)
            r = rand()
            # At most three entries a day, a half-day absence included.
            parts = 1 if (r < 0.6 or quarters < 12 or kind) else 2 if r < 0.9 else 3
            if parts == 1:
                split = [quarters]
            elif parts == 2:
                a = 2 + int(rand() * (quarters - 3))
                split = [a, quarters - a]
            else:
                a = 2 + int(rand() * (quarters - 7))
                b = 2 + int(rand() * (quarters - a - 3))
                split = [a, b, quarters - a - b]
            choices = leaves[i][month]
            day_entries: list[dict[str, Any]] = []
            lunch = minute >= 12 * 60
            for q in split:
                leaf = choices[int(rand() * len(choices))]
                if leaf.specifics and rand() < 0.2:
                    task = leaf.specifics[int(rand() * len(leaf.specifics))]
                else:
                    task = w.tasks[int(rand() * len(w.tasks))]
                hours = q / 4
                for previous in day_entries:  # same leaf and task: one entry
                    if previous.get(leaf.field) == leaf.id and previous["task"] == task:
                        previous["hours"] += hours
                        break
                else:
                    entry = {"id": eid, "person": w.id, "date": iso, "hours": hours,
                             "status": status, leaf.field: leaf.id, "task": task,
                             "stime": f"{iso} {minute // 60:02d}:{minute % 60:02d}:00"}  # fmt: skip
                    if memo:
                        entry["memo"] = memo
                    pool = comments[task]
                    if pool and rand() < 0.15:
                        entry["comment"] = pool[int(rand() * len(pool))]
                    day_entries.append(entry)
                    append(entry)
                    eid += 1
                minute += q * 15
                if not lunch and minute >= 12 * 60:
                    minute += 60
                    lunch = True
    return cast(list[TimeEntry], entries)


def calibrate_budgets(data: SeedData) -> None:
    """Scale project budgets (hours) to the hours logged, so reports show some
    projects under and some over budget whatever the size of the account."""
    project_of = {s["id"]: s["project"] for s in data.subprojects}
    logged: dict[int, float] = {}
    for e in data.time_entries:
        pid = e.get("project") or project_of.get(e.get("subproject", 0))
        if pid:
            logged[pid] = logged.get(pid, 0.0) + e["hours"]
    for i, project in enumerate(data.projects):
        hours = logged.get(project["id"])
        if project.get("budget") and hours:
            factor = (0.8, 1.15, 0.95, 1.4)[i % 4]
            project["budget"] = float(max(50, round(hours * factor / 50) * 50))
