"""The work schedule: business days and hours per person and period (``bb.work_schedule``).

Beebole's reports give, for a time frame, each person's **business days**
("the number of days in the timeframe minus the weekends and holidays") and
**business hours** (reporting.mdx), from the work schedule that applies to
them (work-schedules.mdx: schedules are assigned "to individual employees,
branches, or your entire organization", and are "used to calculate overtime
and business hours"). Those are the contracted hours a utilisation or an
overtime report compares logged time with: a part-timer's 6-hour days, the
French account's 35-hour week, the account's holidays. The API has no
service for schedules; the export's ``workDays`` and ``workHours`` keys are
how they can be read.

The export computes business days and hours for the *whole* time frame of
the request, so a schedule per week or month is one export per period
(:func:`work_schedule` runs them a few at a time). Each export is aggregated
by person (a row per person with time in the period; ids, names and four
numbers: about 60 bytes a person) and costs about three requests.

>>> import beebole_pandas as bb
>>> bb.work_schedule("2026-11", freq="W").head()        # doctest: +SKIP
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pandas as pd

from .. import periods
from ..api.client import resolve_client
from ..frames import provenance
from .entities import load_entity
from .estimate import Estimate, Profile, budget_now, job_estimate
from .export import export, probe_hours
from .export_size import people_behind
from .scopes import check_scope, fan_out, flag, resolve
from .scopes import period as period_days

__all__ = ["SCHEDULE_COLUMNS", "SCHEDULE_KEYS", "business_days", "work_schedule"]

logger = logging.getLogger(__name__)

#: The keys of each period's export (``show="all"``: work and absences).
SCHEDULE_KEYS: tuple[str, ...] = ("personId", "person", "hours", "inDays", "workDays", "workHours")
#: The columns of :func:`work_schedule`, in order.
SCHEDULE_COLUMNS: tuple[str, ...] = (
    "person_id",
    "person_xid",
    "person_name",
    "period",
    "first_day",
    "last_day",
    "work_days",
    "work_hours",
    "hours_per_day",
    "hours",
)
_PANDAS_FREQ = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC", "Y": "Y-DEC"}


def _periods(first: str, last: str, freq: str | None) -> list[tuple[pd.Timestamp, str, str]]:
    """(period start, first day inside, last day inside) of each period of [first, last]."""
    if freq is None:
        return [(pd.Timestamp(first), first, last)]
    lo, hi = pd.Timestamp(first), pd.Timestamp(last)
    out = []
    for p in pd.period_range(lo, hi, freq=_PANDAS_FREQ[freq]):
        start = p.start_time.normalize()
        end = p.end_time.normalize()
        out.append((start, max(start, lo).strftime("%Y-%m-%d"), min(end, hi).strftime("%Y-%m-%d")))
    return out


def work_schedule(
    start: Any,
    end: Any = None,
    *,
    freq: Any = None,
    person: Any = None,
    groups: Any = None,
    names: bool = True,
    client: Any = None,
    refresh: bool = False,
    dry_run: bool = False,
) -> Any:
    """Each person's business days and hours, over a period or per day, week or month.

    Parameters
    ----------
    start, end
        The period, both included: days, or periods (``"2026-11"``,
        ``"2026-Q4"``, ``"last-month"``); ``start`` alone is that period.
    freq
        None (default): one row per person over the whole period; ``"D"``,
        ``"W"`` (ISO weeks), ``"M"``, ``"Q"`` or ``"Y"``: one row per person and
        period, each cut to [start, end] (one export per period).
    person, groups
        Only these people, or the people of these groups (ids, xids or names).
    names
        Ask for the people's names too (False saves about a third of the bytes
        when the names come from elsewhere, such as the entries).
    client, refresh
        The client (default: the connected one); ignore cached exports.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only (one
        export job per period, from the probes of
        :func:`~beebole_pandas.load.export.export`) and load nothing.

    Returns
    -------
    DataFrame
        :data:`SCHEDULE_COLUMNS`: the person's ``_id``/``_xid``/``_name``;
        ``period`` (the first day of the week, month...: the ``period`` of the
        reports; the period's start without ``freq``); ``first_day`` and
        ``last_day`` (the days of it inside [start, end]); ``work_days`` and
        ``work_hours`` (the business days and hours of the person's schedule
        over those days); ``hours_per_day`` (their ratio: 6 for a part-timer
        on 6-hour days); ``hours`` (the hours logged, absences included).
        Only people with time in a period have a row for it (that is what the
        export reports). ``attrs["beebole_schedule"]`` holds what the reports
        use for everyone else: ``hours_per_day`` (the account's, from its
        conversion of hours to days) and ``business_days`` (per period start,
        ``YYYY-MM-DD`` -> days, the most common among the people).

    Examples
    --------
    >>> schedule = bb.work_schedule("2026-11", freq="W")        # doctest: +SKIP
    >>> reports.utilisation(entries, schedule=schedule, freq="W")  # doctest: +SKIP
    >>> bb.work_schedule("2026-Q4", freq="M", dry_run=True)        # doctest: +SKIP
    """
    first, last = period_days(start, end)
    step = None if freq is None else periods.freq_of(freq)
    names = flag(names, "names")
    refresh = flag(refresh, "refresh")
    dry_run = flag(dry_run, "dry_run")
    check_scope("person", person)
    check_scope("group", groups, name="groups")
    client = resolve_client(client)
    keys = [k for k in SCHEDULE_KEYS if names or k != "person"]
    spans = _periods(first, last, step)
    if dry_run:
        return _estimate(client, spans, keys, person, groups, refresh)

    def one(span: tuple[pd.Timestamp, str, str]) -> pd.DataFrame:
        begin, lo, hi = span
        frame = export(lo, hi, keys=keys, person=person, groups=groups, client=client,
                       refresh=refresh)  # fmt: skip
        return frame.assign(period=begin, first_day=pd.Timestamp(lo), last_day=pd.Timestamp(hi))

    parts = fan_out(one, spans)
    raw = pd.concat(parts, ignore_index=True)
    hours, in_days = raw["hours"].astype(float).sum(), raw["in_days"].astype(float).sum()
    out = _typed(raw, names)
    # The account's conversion of hours to days (reporting.mdx, "Days"), to the minute: a
    # schedule is set in hours and minutes, and the days are written with three decimals.
    per_day = round(hours / in_days * 60) / 60 if hours > 0 and in_days > 0 else None
    out.attrs["beebole_schedule"] = {
        "hours_per_day": per_day,
        "business_days": business_days(out, [s[0] for s in spans]),
    }
    out.attrs["beebole"] = provenance(
        "work_schedule",
        {"start": first, "end": last, "freq": step, "person": person, "groups": groups},
    )
    logger.debug("work schedule %s..%s (%s): %d rows", first, last, step, len(out))
    return out


def _estimate(
    client: Any,
    spans: list[tuple[pd.Timestamp, str, str]],
    keys: list[str],
    person: Any,
    groups: Any,
    refresh: bool,
) -> Estimate:
    """``work_schedule(dry_run=True)``: the export estimate of every period
    (:func:`~beebole_pandas.load.export.export` with ``dry_run=True``: a probe
    of hours per month each), its rows capped at the people who can have a
    row: one per job with ``person`` (a job per person), else the people
    behind the period's hours (the probe's, from the cache) or the account's
    head count when known."""
    total = Estimate()
    gids = None
    if groups is not None:  # the probe's filter, as the export sends it (resolved: cached)
        refs = resolve("group", groups, lambda: load_entity("group", client=client), name="groups")
        gids = [r.get("id", r.get("xid")) for r in refs or []]
    known = Profile(client).figure("count_person", float("inf"))
    for _begin, lo, hi in spans:
        est = export(lo, hi, keys=keys, person=person, groups=groups, client=client,
                     refresh=refresh, dry_run=True)  # fmt: skip
        if person is not None:
            most = 1.0
        else:
            probe = probe_hours(client, lo, hi, params={"gids": gids} if gids else None)
            most = min(people_behind(probe, lo, hi), known)
        jobs = tuple(
            job_estimate(client, keys, "array", most, j.label, cached=j.cached)
            if j.rows > most
            else j
            for j in est.jobs
        )
        total = total + replace(est, jobs=jobs)
    return replace(total, budget=budget_now(client))


def _typed(frame: pd.DataFrame, names: bool) -> pd.DataFrame:
    if not names:
        frame = frame.assign(person_name=pd.array([pd.NA] * len(frame), dtype="string"))
    days = frame["work_days"].astype("Float64")
    out = frame.assign(hours_per_day=frame["work_hours"].astype("Float64") / days.where(days > 0))
    out = out.astype(
        {
            "period": "datetime64[ns]",
            "first_day": "datetime64[ns]",
            "last_day": "datetime64[ns]",
            **{c: "Float64" for c in ("work_days", "work_hours", "hours_per_day", "hours")},
        }
    )
    out = out.sort_values(["period", "person_name", "person_id", "person_xid"], ignore_index=True)
    return out[list(SCHEDULE_COLUMNS)]


def business_days(schedule: pd.DataFrame, starts: Any = ()) -> dict[str, float | None]:
    """Per period start (``YYYY-MM-DD``), the business days most people of a schedule have.

    Among equally common counts, the largest (people on a full week); None for a
    period of ``starts`` without rows.

    >>> frame = pd.DataFrame({"period": pd.to_datetime(["2026-11-02"] * 3),
    ...                       "work_days": [5.0, 5.0, 4.0]})
    >>> business_days(frame)
    {'2026-11-02': 5.0}
    """
    days: dict[str, float | None] = {pd.Timestamp(s).strftime("%Y-%m-%d"): None for s in starts}
    for begin, group in schedule.groupby("period", sort=True):
        counts = group["work_days"].dropna().astype(float).value_counts()
        if len(counts):
            top = counts[counts == counts.max()].index.max()
            days[pd.Timestamp(begin).strftime("%Y-%m-%d")] = float(top)
    return days


def __dir__() -> list[str]:
    return sorted(__all__)
