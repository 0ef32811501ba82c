"""Run a ``time_entry.export`` job to its end, keep its result in the cache,
and :func:`export`: any export as a typed frame (``bb.export``).

An export is two services: ``time_entry.export`` starts a job and
``time_entry.get_job_info`` reports on it. Neither can be cached as such (the
first creates a job, the second changes state), so the *finished result* is
kept in the client's response cache under the key of the export request
(``client.remember``), as if ``time_entry.export`` were a read. That entry is an ordinary cache entry of
the account: it expires like time entries (days for closed months, minutes
for the current one), a write of a time entry or a ``client.invalidate``
drops it, and offline mode serves it. A second identical export costs no
request.

Polling: a first look after 0.2 s (small exports are ready almost at once),
then every 1.6x longer up to 5 s between polls (the reference suggests 5 s),
for at most :data:`TIMEOUT` seconds. A ``tqdm.auto`` display appears once a
job has run for more than a second.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd

from ..api.budget import meter_of
from ..api.client import resolve_client
from ..errors import BeeboleError, NotFound, ServerError, TransportError, ValidationError
from ..export_keys import check_keys
from ..frames import provenance
from . import parse as export_parse
from .entities import load_entity
from .estimate import (
    Estimate,
    JobEstimate,
    Profile,
    budget_now,
    job_estimate,
    refuse_unless_fits,
)
from .export_size import coarse_part, entries_of, export_rows, needs_probe
from .scopes import check_scope, flag, period, resolve, shown, statuses

__all__ = [
    "PROBE_KEYS",
    "TIMEOUT",
    "entries_of",
    "export",
    "export_estimate",
    "probe_hours",
    "run_export",
]

logger = logging.getLogger(__name__)

#: Longest wait for one export job, in seconds.
TIMEOUT = 300.0
FIRST_POLL = 0.2
MAX_POLL = 5.0
_GROWTH = 1.6
_PROGRESS_AFTER = 1.0
_SERVICE = "time_entry.export"


# -- the result cache ----------------------------------------------------------


def _recall(client: Any, params: dict[str, Any]) -> Any | None:
    answer = client.recall(_SERVICE, **params)
    if not isinstance(answer, dict):
        return None
    job = answer.get("job")
    if not isinstance(job, dict) or "result" not in job:
        return None
    return job["result"]


def _remember(client: Any, params: dict[str, Any], job: dict[str, Any], generation: int) -> None:
    # since_generation: a time-entry write that landed while the job ran makes
    # this result stale, so it must not be cached.
    client.remember(_SERVICE, {"status": "ok", "job": job}, since_generation=generation, **params)


# -- polling ---------------------------------------------------------------------


class _Progress:
    """A tqdm.auto display, created only once the wait passes a second."""

    def __init__(self, job_id: Any) -> None:
        self.job_id = job_id
        self.bar: Any = None

    def update(self, waited: float) -> None:
        if self.bar is None:
            if waited < _PROGRESS_AFTER:
                return
            from tqdm.auto import tqdm

            self.bar = tqdm(
                desc=f"Beebole export job {self.job_id}: running",
                bar_format="{desc} ({elapsed})",
                leave=False,
            )
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _wait(client: Any, job_id: Any, params: dict[str, Any], timeout: float) -> dict[str, Any]:
    started = time.monotonic()
    delay = FIRST_POLL
    progress = _Progress(job_id)
    poll: dict[str, Any] = {"id": job_id}
    if "outputFormat" in params:
        poll["outputFormat"] = params["outputFormat"]
    try:
        while True:
            waited = time.monotonic() - started
            remaining = timeout - waited
            if remaining <= 0:
                raise TransportError(
                    f"{_SERVICE}: job {job_id} still running after {waited:.0f} s. Export a "
                    "shorter period, or raise beebole_pandas.load.export.TIMEOUT.",
                    service=_SERVICE,
                )
            time.sleep(min(delay, remaining))
            delay = min(delay * _GROWTH, MAX_POLL)
            job = client.call("time_entry.get_job_info", **poll).get("job") or {}
            state = job.get("status")
            if state == "done" and "result" in job:
                return job
            if state == "error":
                said = job.get("message") or job.get("error") or "no reason given"
                raise ServerError(
                    f"{_SERVICE}: job {job_id} failed on the server: {said}. Check the "
                    "keys and filters, then run the export again.",
                    service=_SERVICE,
                    server_message=str(said),
                )
            progress.update(time.monotonic() - started)
    finally:
        progress.close()


def run_export(
    client: Any,
    params: dict[str, Any],
    *,
    refresh: bool = False,
    timeout: float | None = None,
    expected: JobEstimate | None = None,
) -> Any:
    """Start an export job with ``params``, wait for it and return ``job.result``.

    Parameters
    ----------
    client
        A :class:`beebole_pandas.Client`.
    params
        The members of the ``time_entry.export`` request.
    refresh
        Ignore a cached result and run the job again.
    timeout
        Longest wait in seconds (default :data:`TIMEOUT`).
    expected
        The job's expected cost: its requests and bytes are claimed from
        today's budget before the job starts (so parallel jobs cannot pass
        the limit together), and the job is refused with nothing sent
        (:class:`~beebole_pandas.errors.BudgetExceeded`) when they do not fit.
        What the job really spent teaches the account's profile.

    Examples
    --------
    >>> run_export(client, {"from": "2024-01-01", "to": "2024-01-31", "show": "all",
    ...                     "keys": ["company", "hours"], "outputFormat": "array"})  # doctest: +SKIP
    [['Company', 'Hours'], ['Acme', 63.0]]
    """
    if not refresh:
        cached = _recall(client, params)
        if cached is not None:
            logger.debug("%s: served from the cache", _SERVICE)
            return cached
    if expected is None:
        return _run(client, params, timeout)
    meter = meter_of(client)
    claim = meter.claim(nbytes=expected.nbytes, requests=expected.requests, label=expected.label)
    try:
        with meter.holding(claim):
            result = _run(client, params, timeout)
        requests, nbytes = meter.spent(claim)
    finally:
        meter.release_claim(claim)
    rows = len(result) - 1 if isinstance(result, list) else str(result).count("\n")
    fmt = "array" if params.get("outputFormat") == "array" else "csv"
    Profile(client).learn_export(list(params.get("keys") or ()), fmt, rows, nbytes, requests)
    logger.info(
        "%s: %d rows, %d requests, %.1f KB (expected %d requests, %.1f KB)",
        expected.label,
        rows,
        requests,
        nbytes / 1024,
        expected.requests,
        expected.nbytes / 1024,
    )
    return result


def _run(client: Any, params: dict[str, Any], timeout: float | None) -> Any:
    limit = TIMEOUT if timeout is None else float(timeout)
    for attempt in (1, 2):
        generation = client.generation()
        started = client.call(_SERVICE, **params).get("job") or {}
        job_id = started.get("id")
        if job_id is None:
            raise ServerError(
                f"{_SERVICE}: the server started no job (no job id in its answer).",
                service=_SERVICE,
            )
        try:
            job = _wait(client, job_id, params, limit)
        except NotFound:
            # A job can vanish (server restart); one fresh job is worth a try.
            if attempt == 2:
                raise
            logger.info("%s: job %s vanished; starting a new one", _SERVICE, job_id)
            continue
        try:
            _remember(client, params, job, generation)
        except (BeeboleError, OSError, ValueError, AttributeError) as exc:
            logger.warning("%s: could not cache the result (%s)", _SERVICE, exc)
        return job["result"]
    raise AssertionError("unreachable")


# -- the export loader -------------------------------------------------------------


_SHOWS = ("all", "work", "abs", "quota", "attendance")
_FILTERS = ("company", "project", "subproject", "person", "task", "absence")


def _key_list(keys: Any) -> list[str]:
    """``keys`` as a list of key names, checked for shape (``check_keys`` checks the names)."""
    if isinstance(keys, str):
        key_list: list[Any] = [keys]
    elif isinstance(keys, list | tuple | pd.Series | pd.Index | np.ndarray):
        key_list = list(keys)
    else:
        raise ValidationError(
            f"keys={shown(keys)} is not an export key nor a list of them, e.g. ['person', 'hours']"
        )
    if not key_list:
        raise ValidationError("keys must name at least one export key, e.g. ['person', 'hours']")
    for key in key_list:
        if not isinstance(key, str):
            raise ValidationError(
                f"keys={shown(keys)}: {shown(key)} is not an export key (a str), "
                "e.g. ['person', 'hours']"
            )
    return key_list


def export(
    start: Any,
    end: Any = None,
    *,
    keys: Any,
    show: str = "all",
    status: Any = None,
    groups: Any = None,
    company: Any = None,
    project: Any = None,
    subproject: Any = None,
    person: Any = None,
    task: Any = None,
    absence: Any = None,
    output: str = "array",
    client: Any = None,
    refresh: bool = False,
    dry_run: bool = False,
) -> Any:
    """Run a ``time_entry.export`` job and return its rows as a typed frame.

    Rows are aggregated by the server over the dimension keys you ask for
    (ask for ``eventId`` to get one row per entry). Each key becomes typed
    columns (see :mod:`beebole_pandas.load.parse`): names ``company_name``,
    ids ``company_id`` + ``company_xid``, measures Float64, dates datetime64,
    ``status`` categorical.

    Parameters
    ----------
    start, end
        The period, both included: two days, or one period alone as ``start``
        (``"2026-11"``, ``"2026-Q4"``: see :func:`~beebole_pandas.load.scopes.period`).
    keys
        Export keys, e.g. ``["person", "project", "hours"]``.
    show
        ``"all"``, ``"work"``, ``"abs"``, ``"quota"`` or ``"attendance"``.
    status
        Status code(s) or label(s) to keep (``statusFilters``).
    groups
        Group(s) of people to keep (ids, xids or names; ``gids``).
    company, project, subproject, person, task, absence
        At most one entity filter (the API takes one). A list runs one job per value.
    output
        ``"array"`` (typed JSON, the default) or ``"csv"`` (localised text,
        parsed here; about 20% fewer bytes).
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` of the
        export (from a probe of a few hundred bytes) instead of running it.

    Every job's expected bytes are claimed before it starts; an export whose
    estimate does not fit in what is free today raises
    :class:`~beebole_pandas.errors.BudgetExceeded` with nothing of it sent.

    Examples
    --------
    >>> bb.export("2024-01-01", "2024-01-31", keys=["person", "hours"])   # doctest: +SKIP
    >>> bb.export("2024-01-01", "2024-12-31", keys=["eventId", "hours"], dry_run=True)  # doctest: +SKIP
    """
    # Every argument is checked before anything is looked up or sent.
    first, last = period(start, end)
    if not isinstance(show, str) or show not in _SHOWS:
        raise ValidationError(f"show={shown(show)} is not one of {', '.join(map(repr, _SHOWS))}")
    if not isinstance(output, str) or output not in ("array", "csv"):
        raise ValidationError(f"output={shown(output)} is not 'array' or 'csv'")
    key_list = _key_list(keys)
    check_keys(key_list, show)
    codes = statuses(status)
    refresh = flag(refresh, "refresh")
    dry_run = flag(dry_run, "dry_run")
    check_scope("group", groups, name="groups")
    given = {
        k: v
        for k, v in zip(
            _FILTERS, (company, project, subproject, person, task, absence), strict=True
        )
        if v is not None
    }
    if len(given) > 1:
        raise ValidationError(
            f"give at most one entity filter (the API takes one); got {', '.join(given)}"
        )
    for kind, value in given.items():
        check_scope(kind, value)

    def frame_of(kind: str) -> Any:
        return lambda: load_entity(kind, client=client, refresh=refresh)

    client = resolve_client(client)
    params: dict[str, Any] = {"from": first, "to": last, "show": show, "keys": key_list}
    if output == "array":
        params["outputFormat"] = "array"
    if codes is not None:
        params["statusFilters"] = codes
    group_refs = resolve("group", groups, frame_of("group"), name="groups")
    if group_refs is not None:
        params["gids"] = [r.get("id", r.get("xid")) for r in group_refs]
    jobs: list[dict[str, Any]] = [params]
    for kind, value in given.items():
        refs = resolve(kind, value, frame_of(kind)) or []
        jobs = [{**params, kind: ref} for ref in refs]
    if dry_run or needs_probe(client, key_list):
        est, parts, learn = export_estimate(client, jobs, key_list, refresh=refresh)
        if dry_run:
            return est
        refuse_unless_fits(est, what=f"export of {first}..{last}")
    else:
        # Aggregated over coarse keys with plenty free: a small job; claim its
        # usual size rather than spend a probe on it.
        parts = [coarse_part(client, job, key_list) for job in jobs]
        learn = {}
    frames = []
    for job, part in zip(jobs, parts, strict=True):
        result = run_export(client, job, refresh=refresh, expected=part)
        frames.append(
            export_parse.parse_export(
                result, key_list, export_format=client.export_format, period=(first, last)
            )
        )
        ratio, upper = learn.get(part.label, ("", 0))
        if ratio and upper >= 1 and not part.cached:
            Profile(client).learn(ratio, len(frames[-1]) / upper)
    if not frames:
        frame = export_parse.parse_export([], key_list)
    elif len(frames) == 1:
        frame = frames[0]
    else:
        frame = pd.concat(frames, ignore_index=True)
    frame.attrs["beebole"] = provenance(
        "export",
        {
            "start": first,
            "end": last,
            "keys": key_list,
            "show": show,
            **given,
            "status": codes,
            "groups": groups,
            "output": output,
        },
    )
    return frame


# -- estimates ---------------------------------------------------------------------

#: The probe of every estimate: hours per month and status (a few hundred bytes).
PROBE_KEYS: tuple[str, ...] = ("month", "status", "hours")
_PROBE_BYTES = 1024


def probe_hours(
    client: Any,
    first: str,
    last: str,
    *,
    params: dict[str, Any] | None = None,
    refresh: bool = False,
) -> pd.DataFrame:
    """Hours per month and status over [first, last]: one aggregated export of
    a few hundred bytes (cached like any export), the probe behind every estimate.

    ``params`` adds the load's filters (``statusFilters``, an entity, ``gids``).

    Examples
    --------
    >>> probe_hours(client, "2026-01-01", "2026-12-31")    # doctest: +SKIP
         month     status  hours
    0  2026-01-01  locked  31872.0
    """
    extra = {k: v for k, v in (params or {}).items() if k not in ("keys", "outputFormat", "show")}
    job = {**extra, "from": first, "to": last, "show": "all", "keys": list(PROBE_KEYS)}
    # The array output (as small as CSV here) lets the cache keep a settled probe for days.
    job["outputFormat"] = "array"
    expected = JobEstimate(f"probe {first}..{last}", 3, _PROBE_BYTES)
    result = run_export(client, job, refresh=refresh, expected=expected)
    return export_parse.parse_export(
        result, PROBE_KEYS, export_format=client.export_format, period=(first, last)
    )


def export_estimate(
    client: Any,
    jobs: list[dict[str, Any]],
    keys: list[str],
    *,
    refresh: bool = False,
    label: str = "export",
) -> tuple[Estimate, list[JobEstimate], dict[str, Any]]:
    """The estimate of export ``jobs`` (each a ``time_entry.export`` request), from
    one probe per job; returns the estimate, each job's part and what to learn from."""
    meter = meter_of(client)
    before = meter.snapshot()
    parts: list[JobEstimate] = []
    learn: dict[str, Any] = {}
    for job in jobs:
        fmt = "array" if job.get("outputFormat") == "array" else "csv"
        cached = not refresh and _recall(client, job) is not None
        probe = probe_hours(client, job["from"], job["to"], params=job, refresh=refresh)
        rows, ratio, upper = export_rows(client, keys, job["from"], job["to"], probe)
        text = f"{label} {job['from']}..{job['to']} ({fmt})"
        parts.append(job_estimate(client, keys, fmt, rows, text, cached=cached))
        learn[text] = (ratio, upper)
    after = meter.snapshot()
    est = Estimate(
        jobs=tuple(parts),
        budget=budget_now(client),
        probe_requests=after.requests_used - before.requests_used,
        probe_kb=(after.bytes_used - before.bytes_used) / 1024,
    )
    return est, parts, learn
