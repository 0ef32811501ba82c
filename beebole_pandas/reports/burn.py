"""Project burn: the hours a project has used against its budget, over its life.

:func:`project_burn` counts the hours before the report's period too (one
aggregated export, :func:`project_hours_before`), and says what it covers;
split from :mod:`.tables`, whose other reports need only the entries given.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import BeeboleError, SchemaError, ValidationError
from ..load.scopes import flag
from .tools import (
    Frame,
    add_keys,
    by_name,
    check_entries,
    check_freq,
    day_text,
    entity_key,
    partial_labels,
    partial_mask,
    period_start,
    periods_between,
    ref_key,
    report_day,
    report_entries,
    report_range,
    resolve_hierarchy,
    span_of,
    sum_by,
)

__all__ = ["HISTORY_START", "project_burn", "project_hours_before"]

logger = logging.getLogger(__name__)


#: Where the hours before a burn's period are counted from when one of its
#: projects has no start date (Beebole does not require one): early enough for
#: any account, and an aggregated export costs the same whatever its length.
HISTORY_START = pd.Timestamp("2000-01-01")


def project_hours_before(
    day: Any,
    projects: Frame = None,
    *,
    client: Any = None,
    since: Any = None,
    dry_run: bool = False,
) -> Any:
    """Hours per project before ``day``, since the projects started: one aggregated export.

    What :func:`project_burn` fetches to count a project's whole life while
    the entries cover one month: ``time_entry.export`` with the keys
    ``projectId`` and ``hours`` (``show="work"``), one row per project
    whatever the length of the history (a few hundred bytes, 2 or 3
    requests counted in ``client.budget``; its result is cached).

    Parameters
    ----------
    day
        The first day of the period: hours up to the day before are counted.
    projects
        The projects that matter: the search starts at their earliest
        ``start_date``, or at :data:`HISTORY_START` when one of them has none
        (or none are given).
    client
        The client to send the export with (default: the default client).
    since
        The first day to count, instead of the one ``projects`` give.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only (of
        the export: from a probe of a few hundred bytes; nothing when the
        projects all start on or after ``day``) and load nothing.

    Returns
    -------
    DataFrame
        ``project_id, project_xid, hours`` (a row without a project holds the
        hours logged on companies), and ``attrs["beebole_report"]`` with
        ``since`` and ``until``: the days counted. No request, and no rows,
        when the projects all start on or after ``day``.

    Raises
    ------
    BeeboleError
        From the export (no client, offline without the answer cached, budget...).

    Examples
    --------
    >>> prior = project_hours_before("2026-11-01", bb.projects())      # doctest: +SKIP
    >>> project_burn(entries, bb.projects(), prior_hours=prior)         # doctest: +SKIP
    """
    first = report_day(day, "day")
    if first is None:
        raise ValidationError("day=None is not a date; give the first day of the period")
    begin = report_day(since, "since") if since is not None else _history_start(projects)
    until = first - pd.Timedelta(days=1)
    if flag(dry_run, "dry_run"):
        from ..api.client import resolve_client
        from ..load.estimate import Estimate, budget_now
        from ..load.export import export

        if begin > until:
            return Estimate(budget=budget_now(resolve_client(client)))  # nothing to load
        return export(
            begin, until, keys=["projectId", "hours"], show="work", client=client, dry_run=True
        )
    if begin > until:
        out = pd.DataFrame(
            {
                "project_id": pd.array([], dtype="Int64"),
                "project_xid": pd.array([], dtype="string"),
                "hours": pd.array([], dtype="Float64"),
            }
        )
    else:
        from ..load.export import export

        out = export(begin, until, keys=["projectId", "hours"], show="work", client=client)
    out.attrs["beebole_report"] = {
        "report": "project_hours_before",
        "since": day_text(begin),
        "until": day_text(until),
    }
    return out


def _history_start(projects: Frame) -> pd.Timestamp:
    """The first day that can hold hours of ``projects``: their earliest start date."""
    if projects is None or not len(projects) or "start_date" not in projects.columns:
        return HISTORY_START
    starts = pd.to_datetime(projects["start_date"], errors="coerce")
    if starts.isna().any():
        return HISTORY_START
    return pd.Timestamp(starts.min()).normalize().as_unit("ns")


def project_burn(
    entries: pd.DataFrame,
    projects: pd.DataFrame | None = None,
    *,
    client: Any = None,
    freq: str = "W",
    subprojects: Frame = None,
    prior_hours: pd.DataFrame | Mapping[Any, float] | None = None,
    start: Any = None,
    end: Any = None,
    period: Any = None,
    dry_run: bool = False,
) -> Any:
    """Hours and cost per project over time, cumulated and set against the budget.

    A budget is spent over a project's whole life, while ``entries`` usually
    cover a month: so, unless ``prior_hours`` is given, the hours each project
    used before the period are fetched through ``client`` with one aggregated
    export (:func:`project_hours_before`: a few hundred bytes, counted in the
    client's budget). When they cannot be fetched (no client, offline,
    budget spent) the burn counts the period only and a warning says so.
    Either way the result says what it counts: ``cumulative_since`` and
    ``attrs["beebole_report"]["covers"]``.

    Parameters
    ----------
    entries
        A time-entry frame. Entries on a subproject count for its project
        (pass ``subprojects=`` when the entries lack ``project_id``).
    projects
        The projects frame: ``budget`` (hours), ``hourly_rate`` and
        ``start_date`` where set. Default: loaded with
        :func:`beebole_pandas.projects` through ``client``.
    client
        The client that loads ``projects`` when it is not given, and the
        hours before the period (default: the default client, if connected).
    freq
        ``"W"`` (default), ``"D"`` or ``"M"``.
    subprojects
        The subprojects frame, to find the project of subproject entries.
    prior_hours
        The hours each project used before the first day of the period, to
        give them instead of fetching them: a mapping from project id, xid or
        name to hours, or a frame with ``project_id``, ``project_xid`` and
        ``hours`` (such as :func:`project_hours_before` returns).
    start, end, period
        The range: every period in it appears for each project with hours.
        The period starts at ``start``, else at the first entry date.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only of
        what the burn would load through ``client`` (the projects when
        ``projects`` is None, the hours before the period when
        ``prior_hours`` is None) and load nothing; ``entries`` only give the
        first day when ``start`` does not.

    Returns
    -------
    DataFrame
        One row per project with hours and period: ``project_id, project_xid,
        project_name, period, partial, hours, cumulative_hours, budget_hours,
        budget_used`` (cumulative / budget), ``remaining_hours``,
        ``hourly_rate``, ``cost``, ``cumulative_cost``, ``budget_cost``
        (budget × rate), ``cumulative_since`` (the first day whose hours
        ``cumulative_hours`` counts; ``NaT`` when ``prior_hours`` was given
        without saying). Budget and cost columns are ``<NA>`` where the
        project has no budget or rate. ``attrs["beebole_report"]`` holds
        ``covers`` (``"project life"``, ``"period only"`` or ``"given"``) and
        ``note``, a sentence saying what the burn counts.

    Examples
    --------
    >>> project_burn(entries, bb.projects(), subprojects=bb.subprojects())   # doctest: +SKIP
    >>> project_burn(entries, client=client)     # loads the projects   # doctest: +SKIP
    >>> burn.attrs["beebole_report"]["note"]                            # doctest: +SKIP
    "cumulative hours since 2000-01-01: the hours before 2026-11-01 (one aggregated export) ..."
    """
    freq = check_freq(freq)
    start, end = report_range(start, end, period)
    if flag(dry_run, "dry_run"):
        return _burn_estimate(entries, projects, client, prior_hours, start)
    if projects is None:
        from ..load.entities import projects as load_projects

        projects = load_projects(client=client)
    frame, info, warning = report_entries(
        entries, start, end, report="project_burn", needs=("project",), freq=freq
    )
    if warning:
        logger.warning(warning)
    frame = resolve_hierarchy(frame, projects, subprojects)
    frame = frame[ref_key(frame, "project") != ""].reset_index(drop=True)
    frame["period"] = period_start(frame["date"], freq)
    sums = sum_by(frame, ["project"], {"hours": frame["hours"]}, contexts={"project": projects})
    columns = ["project_id", "project_xid", "project_name"]
    span = span_of(frame, start, end)
    if span is not None and len(sums):
        grid = (
            sums[columns]
            .drop_duplicates()
            .merge(pd.DataFrame({"period": periods_between(*span, freq)}), how="cross")
        )
        sums = grid.merge(sums, on=[*columns, "period"], how="left")
        sums["hours"] = sums["hours"].astype("Float64").fillna(0.0)
    out = sums.sort_values(by_name(["project"], "period"), ignore_index=True)
    out.insert(
        out.columns.get_loc("period") + 1, "partial", partial_mask(out["period"], freq, span)
    )
    out["cumulative_hours"] = out.groupby(columns, dropna=False, sort=False)["hours"].cumsum()
    table = projects.assign(_k=entity_key(projects)).drop_duplicates("_k").set_index("_k")
    keys = ref_key(out, "project")
    first = span[0].normalize() if span is not None else None
    covers = _burn_prior(entries, out, keys, table, first, prior_hours, client)
    out["cumulative_hours"] += _prior(out, covers.pop("prior"))
    out["budget_hours"] = keys.map(table["budget"]).astype("Float64")
    out["budget_used"] = out["cumulative_hours"] / out["budget_hours"].where(
        out["budget_hours"] > 0
    )
    out["remaining_hours"] = out["budget_hours"] - out["cumulative_hours"]
    out["hourly_rate"] = keys.map(table["hourly_rate"]).astype("Float64")
    out["cost"] = out["hours"] * out["hourly_rate"]
    out["cumulative_cost"] = out["cumulative_hours"] * out["hourly_rate"]
    out["budget_cost"] = out["budget_hours"] * out["hourly_rate"]
    out["cumulative_since"] = pd.Series(covers["since"], index=out.index, dtype="datetime64[ns]")
    floats = [
        c for c in out.columns if c not in (*columns, "period", "partial", "cumulative_since")
    ]
    out = out.astype({c: "Float64" for c in floats})
    info.update(
        freq=freq,
        partial_periods=partial_labels(out, freq),
        covers=covers["covers"],
        since=day_text(covers["since"]),
        note=covers["note"],
    )
    out.attrs["beebole_report"] = info
    return add_keys(out)


def _burn_estimate(
    entries: Any,
    projects: pd.DataFrame | None,
    client: Any,
    prior_hours: Any,
    start: pd.Timestamp | None,
) -> Any:
    """``project_burn(dry_run=True)``: the projects list when not given, and
    the export of the hours before the period when ``prior_hours`` is None
    (its first day: ``start``, else the first entry date, else today). The
    entries are not checked: a burn whose entries hold no project hours
    loads no prior hours, which the estimate counts anyway."""
    from ..api.client import resolve_client
    from ..load.entities import load_entity
    from ..load.entities import projects as load_projects
    from ..load.estimate import Estimate, budget_now

    client = resolve_client(client)
    total = Estimate()
    known = projects
    if projects is None:
        total = total + load_projects(client=client, dry_run=True)
        if all(j.cached for j in total.jobs):  # the lists are in the cache: free
            known = load_entity("project", client=client)
    if prior_hours is None:
        first = start if start is not None else _first_date(entries)
        total = total + project_hours_before(first, known, client=client, dry_run=True)
    return replace(total, budget=budget_now(client))


def _first_date(entries: Any) -> pd.Timestamp:
    """The first entry date (or first day of the sums, from ``bb.hours``), when
    ``entries`` show one; else today."""
    try:
        found = check_entries(entries)["date"].min()
    except BeeboleError:
        found = pd.NaT
    if pd.isna(found):
        return pd.Timestamp.today().normalize()
    return pd.Timestamp(found).normalize()


def _burn_prior(
    entries: pd.DataFrame,
    out: pd.DataFrame,
    keys: pd.Series,
    table: pd.DataFrame,
    first: pd.Timestamp | None,
    prior_hours: pd.DataFrame | Mapping[Any, float] | None,
    client: Any,
) -> dict[str, Any]:
    """The hours before the period of a burn, and what the burn then counts.

    Returns ``prior`` (for :func:`_prior`), ``covers``, ``since`` (the first
    day counted, or NaT) and ``note``, and logs what a reader must know.
    """
    when = day_text(first)
    made = (
        prior_hours.attrs.get("beebole_report", {}) if isinstance(prior_hours, pd.DataFrame) else {}
    )
    fetched = made.get("report") == "project_hours_before"
    day_before = day_text(first - pd.Timedelta(days=1)) if first is not None else None
    if fetched and made.get("until") != day_before and len(out):
        logger.warning(
            "project_burn: prior_hours count the hours up to %s, but the period starts on %s: "
            "hours in between are missed or counted twice; use "
            "project_hours_before(%r, projects)",
            made.get("until"),
            when,
            when,
        )
        fetched = False
    if prior_hours is not None and not fetched:
        since = _given_since(prior_hours)
        note = (
            f"cumulative hours since {day_text(since) or 'a day not given'}: the prior_hours "
            f"given, then the entries from {when}"
        )
        return {"prior": prior_hours, "covers": "given", "since": since, "note": note}
    period_only = {
        "prior": None,
        "covers": "period only",
        "since": first if first is not None else pd.NaT,
    }
    prior: pd.DataFrame
    if isinstance(prior_hours, pd.DataFrame):
        prior = prior_hours  # what project_hours_before fetched for the caller
    elif not len(out) or first is None:
        return {**period_only, "note": "no project hours in the range"}
    else:
        burnt = table.reindex(keys.drop_duplicates().to_numpy())
        try:
            prior = project_hours_before(first, burnt, client=client)
        except (SchemaError, ValidationError):
            raise
        except BeeboleError as exc:
            note = (
                f"cumulative hours of the entries given only, from {when}: the hours the "
                f"projects used before are NOT counted, so budget_used is understated "
                f"(could not fetch them: {exc})"
            )
            logger.warning("project_burn: %s. Pass client= or prior_hours= to count them.", note)
            return {**period_only, "note": note}
    since = pd.Timestamp(prior.attrs["beebole_report"]["since"])
    until = prior.attrs["beebole_report"].get("until")
    whole = (
        f"over each project's whole life (every hour since {day_text(since)}, as some "
        "project has no start date)"
        if since == HISTORY_START
        else f"since {day_text(since)} (the projects' earliest start date)"
    )
    note = (
        f"cumulative hours {whole}: the hours up to {until} from one aggregated export, "
        f"then the entries given from {when}"
    )
    logger.info("project_burn: %s", note)
    scope = (
        entries.attrs.get("beebole", {}).get("scope") if isinstance(entries.attrs, dict) else None
    )
    narrowed = [
        f"{k}={v!r}"
        for k, v in (scope or {}).items()
        if k in ("person", "status") and v is not None
    ]
    if narrowed:
        logger.warning(
            "project_burn: the entries given were loaded with %s, but the hours before %s "
            "count every person and status of the projects: the burn mixes the two",
            ", ".join(narrowed),
            when,
        )
    return {"prior": prior, "covers": "project life", "since": since, "note": note}


def _given_since(prior: pd.DataFrame | Mapping[Any, float]) -> pd.Timestamp:
    """The first day prior hours given by the caller count, when their frame says it."""
    attrs = prior.attrs if isinstance(prior, pd.DataFrame) else {}
    for found in (
        attrs.get("beebole_report", {}).get("since"),
        (attrs.get("beebole", {}).get("scope") or {}).get("start"),
    ):
        if found:
            try:
                day = report_day(found, "since")
            except ValidationError:
                continue
            if day is not None:
                return day
    return pd.NaT


def _prior(out: pd.DataFrame, prior: pd.DataFrame | Mapping[Any, float] | None) -> np.ndarray:
    """Hours used before the range, per row of ``out`` (a project burn frame)."""
    if prior is None:
        return np.zeros(len(out))
    if isinstance(prior, pd.DataFrame):
        missing = [c for c in ("project_id", "project_xid", "hours") if c not in prior.columns]
        if missing:
            raise SchemaError(
                f"prior_hours lacks the column(s) {', '.join(missing)}; give a frame with "
                "project_id, project_xid and hours (project_hours_before returns one), "
                "or a mapping from project id, xid or name to hours"
            )
        keys = ref_key(prior, "project")
        prior = prior["hours"].astype(float).groupby(keys.to_numpy()).sum().to_dict()
    values = []
    for row in out[["project_id", "project_xid", "project_name"]].itertuples(index=False):
        candidates = [k for k in row if not pd.isna(k)]
        candidates += [f"#{row[0]}"] if not pd.isna(row[0]) else []
        values.append(next((float(prior[k]) for k in candidates if k in prior), 0.0))
    return np.asarray(values, dtype=float)
