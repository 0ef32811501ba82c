"""What an export will weigh: rows and bytes expected, before anything is sent.

Pure figures, no request: the rows an export of some keys returns (entry
level with ``eventId``, else aggregated over its dimension keys), from the
probe's hours (:func:`beebole_pandas.load.export.probe_hours`) and the
account's profile (:class:`~beebole_pandas.load.estimate.Profile`); whether
an export needs that probe at all; the claim of a small aggregated job that
does not. :func:`~beebole_pandas.load.export.export_estimate` puts them
together for a list of jobs.

>>> needs_probe(None, ["eventId", "hours"])   # an entry-level export: always probed
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import export_keys
from .estimate import DEFAULT_ENTRIES_PER_HOUR, JobEstimate, Profile, budget_now

__all__ = [
    "COARSE_CLAIM",
    "FINE_KEYS",
    "PROBE_BELOW",
    "coarse_part",
    "entries_of",
    "export_rows",
    "needs_probe",
    "people_behind",
]

_RATES = frozenset({"hourlyCost", "hourlyRate", "dailyCost", "dailyRate", "budget"})
_ENTITY_OF = {
    "person": "person",
    "personId": "person",
    "company": "company",
    "companyId": "company",
    "project": "project",
    "projectId": "project",
    "subproject": "subproject",
    "subprojectId": "subproject",
    "task": "task",
    "taskId": "task",
    "absence": "absence",
    "absenceId": "absence",
    "activity": "subproject",
    "gid": "group",
}


#: Keys that make an export entry-level or day-level (large): its estimate needs the probe.
FINE_KEYS = frozenset({"eventId", "to", "date", "stime", "etime", "comment"})
#: Below this share of the day's KB free, every export is estimated with the probe.
PROBE_BELOW = 0.25
#: The claim of a small aggregated job until the account's own size is known.
COARSE_CLAIM = 32 * 1024


def needs_probe(client: Any, keys: list[str]) -> bool:
    """Whether an export of ``keys`` is estimated with the probe: an entry- or
    day-level one always, any when less than :data:`PROBE_BELOW` of the day is free."""
    if FINE_KEYS & set(keys):
        return True
    budget = budget_now(client)
    return budget.kb_free < budget.daily_kb * PROBE_BELOW


def coarse_part(client: Any, job: dict[str, Any], keys: list[str]) -> JobEstimate:
    """The claim of an aggregated job over coarse keys: its usual size on the
    account (learned), else :data:`COARSE_CLAIM`."""
    fmt = "array" if job.get("outputFormat") == "array" else "csv"
    learned = Profile(client).figure(f"bytes|{fmt}|{','.join(keys)}", COARSE_CLAIM)
    return JobEstimate(f"export {job['from']}..{job['to']} ({fmt})", 3, int(learned))


def entries_of(client: Any, probe: pd.DataFrame) -> float:
    """The expected number of time entries behind a probe's hours."""
    hours = float(probe["hours"].sum()) if len(probe) else 0.0
    return hours * Profile(client).figure("entries_per_hour", DEFAULT_ENTRIES_PER_HOUR)


def _cardinality(client: Any, entity: str, first: str, last: str, probe: pd.DataFrame) -> float:
    days = (pd.Timestamp(last) - pd.Timestamp(first)).days + 1
    if entity in ("to", "date", "stime", "etime"):
        return float(days)
    if entity == "week":
        return days / 7 + 1
    if entity == "month":
        return float(max(len(set(probe["month"].dropna())) if len(probe) else 1, 1))
    if entity == "status":
        return float(max(len(set(probe["status"].dropna())) if len(probe) else 1, 1))
    profile = Profile(client)
    return profile.figure(f"count_{entity}", float("inf"))


def export_rows(
    client: Any, keys: list[str], first: str, last: str, probe: pd.DataFrame
) -> tuple[float, str, float]:
    """Expected rows of an export with ``keys`` (entry-level with ``eventId``, else
    aggregated over its dimension keys), and the profile figure that corrects it."""
    entries = entries_of(client, probe)
    if "eventId" in keys:
        return entries, "", entries
    dims = sorted(
        {_ENTITY_OF.get(k, k) for k in keys if k not in export_keys.MEASURES and k not in _RATES}
    )
    # A subproject names its project, a project its company: those add no rows.
    implied = {"subproject": ("project", "company"), "project": ("company",)}
    counted = set(dims) - {p for d in dims for p in implied.get(d, ()) if p in dims and d != p}
    product = 1.0
    for dim in sorted(counted):
        product *= _cardinality(client, dim, first, last, probe)
    upper = min(entries, product)
    name = f"ratio|{','.join(dims)}"
    return (
        upper * Profile(client).figure(name, _first_ratio(dims, product, entries, first, last)),
        name,
        upper,
    )


#: Rows an aggregated export gives per working day of its span, per entry-level
#: row it could give (before the account's own ratio is learned).
ENTRIES_SPREAD = 1.7


def _first_ratio(dims: list[str], product: float, entries: float, first: str, last: str) -> float:
    """Rows per entry of an aggregated export before the account's own ratio is
    learned. Where the dimensions could give a row per entry, a row sums the
    entries of its span (the period, a month or a week) of one person's work
    on one thing, which a person logs on some of the span's working days: a
    row holds about the span's working days / :data:`ENTRIES_SPREAD` entries
    (measured on the sandbox, 1,000 people: by person and project, a month's
    22 working days / 15.9 entries a row = 1.4; by person, week, company,
    project, subproject, absence and status, 5 / 3.1 = 1.6; 1.7 errs on the
    safe side of both)."""
    if product <= entries or {"to", "date", "stime", "etime"} & set(dims):
        return 1.0
    days = (pd.Timestamp(last) - pd.Timestamp(first)).days + 1
    span = min(days, 7 if "week" in dims else 31 if "month" in dims else days)
    working = max(1.0, span * 5 / 7)
    return min(1.0, ENTRIES_SPREAD / working)


#: Hours a person logs on a working day (absences included), to count the
#: people behind a period's hours for ``dry_run=True``: a period's export has a
#: row per person with time. The sandbox's people log about 8 (8,878 hours in
#: October 2026 for 50 people, 22 working days); 7 errs on the safe side.
HOURS_PER_PERSON_DAY = 7.0


def people_behind(probe: pd.DataFrame, lo: str, hi: str) -> float:
    """The people whose time a probe (hours per month over [lo, hi]) holds: the
    most of any month, at :data:`HOURS_PER_PERSON_DAY` a working day (a month
    without entries yet, such as the rest of the current one, lowers nothing).

    >>> probe = pd.DataFrame({"month": ["2026-10"], "hours": [7.0 * 22 * 10]})
    >>> people_behind(probe, "2026-10-01", "2026-10-31")
    10.0
    """
    if not len(probe):
        return 0.0
    hours = probe["hours"].astype(float).groupby(probe["month"].astype(str)).sum()
    starts = pd.to_datetime(pd.Series(hours.index), format="%Y-%m", errors="coerce")
    if starts.isna().any():  # months in another format: the whole period at once
        spans = [(pd.Timestamp(lo), pd.Timestamp(hi), float(hours.sum()))]
    else:
        spans = [
            (max(start, pd.Timestamp(lo)), min(start + pd.offsets.MonthEnd(0), pd.Timestamp(hi)), h)
            for start, h in zip(starts, hours.to_numpy(float), strict=True)
        ]
    most = 0.0
    for first, last, logged in spans:
        days = max(int(np.busday_count(first.date(), (last + pd.Timedelta(days=1)).date())), 1)
        most = max(most, float(np.ceil(logged / (days * HOURS_PER_PERSON_DAY))))
    return most
