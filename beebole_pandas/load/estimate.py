"""What a load will cost before it is sent: requests and KB against today's budget.

An estimate is built from cheap probes and from the account's own figures:

* the **probe**: one aggregated export of hours per month and status over the
  period (a few hundred bytes, cached like any export result), times the
  account's entries per hour, gives the rows an entry-level export returns;
* the **profile** (``profile.json`` in the client's cache directory, one
  entry per account): bytes per row of each export key in each output
  format, entries per hour, requests per job, and entity counts, learned from
  every load (defaults measured on the sandbox until then);
* entity lists already in the cache cost nothing.

:func:`estimate` (``bb.estimate``) adds up the estimates of several loads,
each given as the ``dry_run=True`` result of a loader or as a call to make.

>>> import beebole_pandas as bb
>>> bb.time_entries("2026-10-01", "2026-10-31", dry_run=True)        # doctest: +SKIP
Estimate(5 requests, 1702.4 KB (0.83 days of budget); fits: 2048.0 KB free today)
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..api.budget import Budget, meter_of
from ..api.client import resolve_client
from ..errors import BudgetExceeded

__all__ = [
    "DEFAULT_ENTRIES_PER_HOUR",
    "Estimate",
    "JobEstimate",
    "Profile",
    "estimate",
    "refuse_unless_fits",
]

logger = logging.getLogger(__name__)

#: Bytes per row each export key adds, measured on the sandbox (150 people, a
#: month of entries); the account's own figures replace them once learned.
#: ``week`` is the week's number (reporting.mdx), one or two digits.
DEFAULT_KEY_BYTES: dict[str, dict[str, float]] = {
    "csv": {
        "eventId": 8.0, "to": 11.0, "date": 11.0, "personId": 5.5, "person": 14.3,
        "companyId": 5.2, "company": 16.5, "projectId": 6.6, "project": 12.5,
        "subprojectId": 4.0, "subproject": 5.0, "taskId": 5.5, "task": 9.7,
        "absenceId": 1.2, "absence": 1.4, "hours": 6.0, "status": 2.0, "comment": 3.2,
        "month": 8.0, "week": 3.0, "stime": 20.0, "etime": 20.0, "gid": 5.0,
    },
    "array": {
        "eventId": 9.0, "to": 13.0, "date": 13.0, "personId": 6.0, "person": 16.3,
        "companyId": 6.1, "company": 18.6, "projectId": 8.2, "project": 14.9,
        "subprojectId": 6.2, "subproject": 7.9, "taskId": 6.5, "task": 11.8,
        "absenceId": 5.0, "absence": 5.3, "hours": 4.3, "status": 4.0, "comment": 6.9,
        "month": 10.0, "week": 5.0, "stime": 22.0, "etime": 22.0, "gid": 6.0,
    },
}  # fmt: skip
_OTHER_KEY_BYTES = {"csv": 7.0, "array": 8.0}
#: Time entries per hour logged (the sandbox's figure: about 6 hours an entry).
DEFAULT_ENTRIES_PER_HOUR = 0.163
#: Requests of one export job: the start and the polls until it is done.
DEFAULT_JOB_REQUESTS = 3.0
#: Bytes of the answers of a job besides its result (start, running polls).
JOB_FIXED_BYTES = 400
#: Bytes per row of each entity list, and its fixed bytes per request.
ENTITY_ROW_BYTES = {
    "company": 97.0,
    "person": 195.0,
    "project": 216.0,
    "subproject": 104.0,
    "task": 92.0,
    "absence": 155.0,
}
LIST_FIXED_BYTES = 45
_LEARN = 0.5  # weight of the newest measure in the profile's running figures


@dataclass(frozen=True)
class JobEstimate:
    """The expected cost of one part of a load (an export job, an entity list).

    Attributes
    ----------
    label
        What it is (``"export eventId,to,... 2026-10-01..2026-10-31 (csv)"``).
    requests, nbytes, rows
        Expected requests, response bytes and rows.
    cached
        Served by the cache: costs nothing.
    """

    label: str
    requests: int
    nbytes: int
    rows: int = 0
    cached: bool = False


@dataclass(frozen=True)
class Estimate:
    """The expected cost of one or more loads, and whether it fits today.

    Attributes
    ----------
    jobs
        The parts (:class:`JobEstimate`); cached parts cost 0.
    budget
        Today's :class:`~beebole_pandas.api.budget.Budget` when estimated.
    probe_requests, probe_kb
        What the probes of this estimate spent (already counted in ``budget``).

    Examples
    --------
    >>> est = bb.time_entries("2026-01-01", "2026-12-31", dry_run=True)   # doctest: +SKIP
    >>> est.kb, est.requests, est.fits, est.days                          # doctest: +SKIP
    (19850.2, 5, False, 9.7)
    """

    jobs: tuple[JobEstimate, ...] = ()
    budget: Budget | None = None
    probe_requests: int = 0
    probe_kb: float = 0.0
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def requests(self) -> int:
        """Expected requests (cached parts excluded)."""
        return sum(j.requests for j in self.jobs if not j.cached)

    @property
    def kb(self) -> float:
        """Expected KB of responses (cached parts excluded)."""
        return sum(j.nbytes for j in self.jobs if not j.cached) / 1024

    @property
    def rows(self) -> int:
        """Expected rows of the export jobs."""
        return sum(j.rows for j in self.jobs if j.label.startswith("export"))

    @property
    def days(self) -> float:
        """Days of budget the load takes (the larger of KB and requests shares)."""
        daily_kb = self.budget.daily_kb if self.budget else 2048.0
        daily_requests = self.budget.daily_requests if self.budget else 4000
        return max(self.kb / daily_kb, self.requests / daily_requests)

    @property
    def fits(self) -> bool:
        """Whether it fits in what is free today (True when no budget is known)."""
        if self.budget is None:
            return True
        return self.kb <= self.budget.kb_free and self.requests <= self.budget.requests_free

    def __add__(self, other: Estimate) -> Estimate:
        return replace(
            self,
            jobs=self.jobs + other.jobs,
            budget=other.budget or self.budget,
            probe_requests=self.probe_requests + other.probe_requests,
            probe_kb=self.probe_kb + other.probe_kb,
        )

    def summary(self) -> str:
        """One line: requests, KB, days of budget and whether it fits today."""
        text = f"{self.requests} requests, {self.kb:.1f} KB ({self.days:.2f} days of budget)"
        if self.budget is not None:
            verdict = "fits" if self.fits else "does NOT fit"
            text += (
                f"; {verdict}: {self.budget.requests_free} requests and "
                f"{self.budget.kb_free:.1f} KB free today"
            )
        return text

    def frame(self) -> pd.DataFrame:
        """The parts as a frame: label, requests, kb, rows, cached."""
        return pd.DataFrame(
            {
                "label": pd.array([j.label for j in self.jobs], dtype="string"),
                "requests": pd.array([j.requests for j in self.jobs], dtype="Int64"),
                "kb": pd.array([j.nbytes / 1024 for j in self.jobs], dtype="Float64"),
                "rows": pd.array([j.rows for j in self.jobs], dtype="Int64"),
                "cached": pd.array([j.cached for j in self.jobs], dtype="boolean"),
            }
        )

    def __repr__(self) -> str:
        return f"Estimate({self.summary()})"

    def _repr_html_(self) -> str:
        return f"<p><b>Beebole estimate</b>: {self.summary()}</p>" + self.frame().to_html(
            index=False
        )


# -- the account's profile --------------------------------------------------------

_PROFILE_LOCK = threading.Lock()


class Profile:
    """The account's own figures, kept in ``profile.json`` beside the cache.

    Parameters
    ----------
    client
        A client: the profile is that account's (by fingerprint).

    Examples
    --------
    >>> Profile(client).row_bytes(["eventId", "hours"], "csv")   # doctest: +SKIP
    14.0
    """

    def __init__(self, client: Any) -> None:
        self.path = Path(client.cache_dir) / "profile.json"
        self.account = str(client.fingerprint)

    def _read_all(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def read(self) -> dict[str, Any]:
        """This account's figures (a dict; empty when nothing was learned yet)."""
        found = self._read_all().get(self.account)
        return found if isinstance(found, dict) else {}

    def update(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Apply ``change`` to this account's figures and write the file atomically."""
        with _PROFILE_LOCK:
            data = self._read_all()
            mine = data.get(self.account)
            mine = mine if isinstance(mine, dict) else {}
            change(mine)
            data[self.account] = mine
            tmp = self.path.with_name(f".profile-{os.getpid()}-{threading.get_ident()}.tmp")
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(data, out)
                os.replace(tmp, self.path)
            except OSError as exc:
                logger.debug("profile not saved (%s)", exc)
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def row_bytes(self, keys: Sequence[str], fmt: str) -> float:
        """Bytes per row of an export with ``keys`` in ``fmt`` (``"csv"``/``"array"``)."""
        mine = self.read()
        learned = (mine.get("keysets") or {}).get(_keyset(keys, fmt))
        if isinstance(learned, int | float) and learned > 0:
            return float(learned)
        scale = (mine.get("scale") or {}).get(fmt, 1.0)
        table = DEFAULT_KEY_BYTES[fmt]
        return float(scale) * sum(table.get(k, _OTHER_KEY_BYTES[fmt]) for k in keys)

    def figure(self, name: str, default: float) -> float:
        value = self.read().get(name)
        return float(value) if isinstance(value, int | float) and value > 0 else default

    def learn_export(
        self, keys: Sequence[str], fmt: str, rows: int, nbytes: int, requests: int
    ) -> None:
        """Learn from a job that returned ``rows`` rows in ``nbytes`` bytes and ``requests`` requests."""
        if rows < 20 or nbytes <= 0:
            return
        per_row = max(nbytes - requests * 100, 1) / rows
        default = sum(DEFAULT_KEY_BYTES[fmt].get(k, _OTHER_KEY_BYTES[fmt]) for k in keys)

        def change(mine: dict[str, Any]) -> None:
            keysets = mine.setdefault("keysets", {})
            keysets[_keyset(keys, fmt)] = _blend(keysets.get(_keyset(keys, fmt)), per_row)
            scale = mine.setdefault("scale", {})
            scale[fmt] = _blend(scale.get(fmt), per_row / default)
            mine["job_requests"] = _blend(mine.get("job_requests"), float(requests))

        self.update(change)

    def learn(self, name: str, value: float) -> None:
        """Blend ``value`` into the running figure ``name``."""
        if value > 0:
            self.update(lambda mine: mine.__setitem__(name, _blend(mine.get(name), value)))


def _blend(old: Any, new: float) -> float:
    if not isinstance(old, int | float) or old <= 0:
        return float(new)
    return float(old) * (1 - _LEARN) + float(new) * _LEARN


def _keyset(keys: Sequence[str], fmt: str) -> str:
    return f"{fmt}|{','.join(keys)}"


# -- estimating the parts -----------------------------------------------------------


def job_estimate(
    client: Any, keys: Sequence[str], fmt: str, rows: float, label: str, *, cached: bool = False
) -> JobEstimate:
    """The cost of one export job returning ``rows`` rows of ``keys`` in ``fmt``."""
    profile = Profile(client)
    per_row = profile.row_bytes(keys, fmt)
    requests = round(profile.figure("job_requests", DEFAULT_JOB_REQUESTS))
    header = sum(len(k) + 3 for k in keys)
    nbytes = int(JOB_FIXED_BYTES + header + rows * per_row)
    return JobEstimate(label, max(requests, 2), nbytes, round(rows), cached)


def list_estimate(kind: str, rows: float, requests: int, *, cached: bool) -> JobEstimate:
    """The cost of loading one entity list of ``rows`` rows in ``requests`` calls."""
    nbytes = int(rows * ENTITY_ROW_BYTES.get(kind, 120.0) + requests * LIST_FIXED_BYTES)
    return JobEstimate(f"list {kind}", requests, nbytes, round(rows), cached)


def months_of(first: str, last: str) -> list[tuple[str, str]]:
    """The calendar months of [first, last], clipped to it, as (first, last) pairs.

    >>> months_of("2026-01-15", "2026-03-02")
    [('2026-01-15', '2026-01-31'), ('2026-02-01', '2026-02-28'), ('2026-03-01', '2026-03-02')]
    """
    start, end = _dt.date.fromisoformat(first), _dt.date.fromisoformat(last)
    out: list[tuple[str, str]] = []
    day = start
    while day <= end:
        following = (day.replace(day=1) + _dt.timedelta(days=32)).replace(day=1)
        stop = min(following - _dt.timedelta(days=1), end)
        out.append((day.isoformat(), stop.isoformat()))
        day = following
    return out


def refuse_unless_fits(est: Estimate, *, what: str, choices: str = "") -> None:
    """Raise :class:`~beebole_pandas.errors.BudgetExceeded` when ``est`` does not fit
    today: nothing of the load has been sent; the message gives the figures and
    the choices."""
    if est.fits:
        return
    budget = est.budget
    assert budget is not None
    raise BudgetExceeded(
        f"{what} not started: it needs about {est.requests} requests and {est.kb:,.1f} KB "
        f"({est.days:.2f} days of budget), and {budget.requests_free} requests and "
        f"{budget.kb_free:,.1f} KB are free today ({budget.summary()}). Nothing of it was sent. "
        "Choices: a smaller period; fewer columns (columns=[...]); aggregated hours "
        "(bb.hours(start, end, by=[...])); or resume=True (bb.sync), which fetches what fits "
        f"each day and keeps it on disk.{(' ' + choices) if choices else ''}",
        details={"estimate": est, "budget": budget},
    )


def budget_now(client: Any) -> Budget:
    """Today's budget of ``client`` (claims of running work deducted in ``kb_free``)."""
    return meter_of(client).snapshot()


def estimate(loads: Iterable[Any], *, client: Any = None) -> Estimate:
    """The summed cost of several loads, each estimated without loading.

    Parameters
    ----------
    loads
        :class:`Estimate` objects (``bb.time_entries(..., dry_run=True)``), or
        callables taking ``dry_run`` (``functools.partial(bb.hours, "2026-10-01",
        "2026-10-31")``), or ``(function, args, kwargs)`` triples.
    client
        A client, or None for the default one (for today's budget).

    Examples
    --------
    >>> bb.estimate([bb.time_entries("2026-10-01", "2026-10-31", dry_run=True),
    ...              bb.people(dry_run=True)])                                 # doctest: +SKIP
    Estimate(17 requests, 1,893.0 KB (0.92 days of budget); fits: ...)
    """
    total = Estimate()
    for load in loads:
        if isinstance(load, Estimate):
            part = load
        elif isinstance(load, tuple) and len(load) == 3 and callable(load[0]):
            fn, args, kwargs = load
            part = fn(*args, **{**kwargs, "dry_run": True})
        elif callable(load):
            part = load(dry_run=True)
        else:
            raise TypeError(
                f"estimate() takes Estimates, callables or (function, args, kwargs), "
                f"not {type(load).__name__}"
            )
        if not isinstance(part, Estimate):
            raise TypeError(f"{load!r} gave {type(part).__name__}, not an Estimate")
        total = total + part
    return replace(total, budget=budget_now(resolve_client(client)))


#: Entity counts assumed until the account's own are known.
_DEFAULT_COUNTS = {"task": 15.0, "absence": 5.0}
#: The share of projects with subprojects until the account's own is learned
#: (a third on the sandbox's demo).
SUBPROJECT_SHARE = 0.5


def lists_estimate(
    client: Any, kinds: Iterable[str], *, people: float, load: Callable[..., pd.DataFrame]
) -> list[JobEstimate]:
    """The cost of the entity lists ``kinds``: 0 for those the cache holds.

    The companies (one request, cached for hours) are the entity-count probe:
    their ``projects_count`` and the account's profile give the other counts;
    ``people`` is the head count to assume when none was learned yet;
    ``load`` is :func:`~beebole_pandas.load.entities.load_entity`.
    """
    from .. import schema
    from .scopes import refs_of_frame

    load_entity = load

    companies = load_entity("company", client=client)
    profile = Profile(client)
    projects = float(pd.to_numeric(companies.get("projects_count"), errors="coerce").sum())
    out: list[JobEstimate] = []
    for kind in kinds:
        if kind == "company":
            continue
        spec = schema.entity(kind)
        # As the loader does: a parent whose count says it has none is not asked.
        parents: list[Any] = refs_of_frame(_with_children(companies, kind))
        if spec.scope == "project":
            # The projects are the parents: their refs when their lists are cached
            # (no request), else their count times the share that has some.
            # Only the companies whose count says they have projects are asked.
            askers = refs_of_frame(_with_children(companies, "project"))
            if all(client.recall("project.list", company=r) is not None for r in askers):
                parents = refs_of_frame(_with_children(load_entity("project", client=client), kind))
            else:
                share = profile.figure("share_projects_with_subprojects", SUBPROJECT_SHARE)
                parents = [None] * max(round(projects * share), 1)
        cached = all(
            p is not None and client.recall(spec.list_service, **{str(spec.scope): p}) is not None
            for p in parents
        )
        default = {"person": people, "project": projects, "subproject": projects}.get(
            kind, _DEFAULT_COUNTS.get(kind, 10.0)
        )
        rows = profile.figure(f"count_{kind}", default)
        out.append(list_estimate(kind, rows, len(parents), cached=cached))
    return out


def _with_children(parents: pd.DataFrame, kind: str) -> pd.DataFrame:
    """The parents whose ``<kind>s_count`` does not say they have none (the
    loader lists only those); all of them without that column."""
    counter = f"{kind}s_count"
    if counter not in parents.columns:
        return parents
    return parents[parents[counter].fillna(1).gt(0).to_numpy(bool)]


def learn_counts(client: Any, frames: dict[str, pd.DataFrame]) -> None:
    """Remember the entity counts of loaded frames (for later estimates)."""
    profile = Profile(client)

    def change(mine: dict[str, Any]) -> None:
        for kind, frame in frames.items():
            mine[f"count_{kind}"] = float(len(frame))
        projects = frames.get("project")
        if projects is not None and len(projects) and "subprojects_count" in projects.columns:
            share = len(_with_children(projects, "subproject")) / len(projects)
            mine["share_projects_with_subprojects"] = float(share)

    profile.update(change)


def entity_estimate(
    kind: str, *, load: Callable[..., pd.DataFrame], client: Any = None
) -> Estimate:
    """The cost of loading every ``kind`` entity (``bb.people(dry_run=True)``):
    0 when the cache holds it; else from the entity counts (the companies
    list, one cached request, and the account's profile).

    Examples
    --------
    >>> entity_estimate("person", load=load_entity)     # doctest: +SKIP
    Estimate(46 requests, 193.9 KB (0.09 days of budget); fits: ...)
    """
    client = resolve_client(client)
    if kind == "company":
        cached = client.recall("company.list") is not None
        rows = Profile(client).figure("count_company", 10.0)
        jobs = [list_estimate("company", rows, 1, cached=cached)]
    else:
        people = Profile(client).figure("count_person", 50.0)
        jobs = lists_estimate(client, [kind], people=people, load=load)
    return Estimate(jobs=tuple(jobs), budget=budget_now(client))
