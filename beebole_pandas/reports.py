"""Timesheet reports: pure functions over a time-entry frame.

Every function takes a frame with the columns of
``schema.entity("time_entry").columns`` (what :func:`beebole_pandas.time_entries`
returns) plus, where useful, the account's entity frames for context
(``people``, ``projects``, ``subprojects``, ``companies``), and returns a tidy
DataFrame with nullable dtypes. Nothing here talks to the server.

Conventions shared by every report
----------------------------------
* **Who.** A person is identified by ``person_id`` and ``person_xid`` (either
  may be ``<NA>``: an entity created with an xid shows no id) and displayed by
  ``person_name``. A missing name is taken from ``people=`` when given, else
  the xid or ``#id`` stands in. Projects, companies, tasks and absence types
  follow the same rule. Entries without the reference (an absence has no
  project) fall under ``(none)``.
* **When.** ``freq`` is ``"D"`` (days), ``"W"`` (ISO weeks, Monday to Sunday,
  labelled by their Monday) or ``"M"`` (calendar months). ``period`` holds
  the first day of each period, a naive ``datetime64[ns]`` (the API has no
  time zones).
* **Worked vs absence.** An entry on an absence type is absence time; every
  other entry is worked time.
* **Billable.** Worked time on a company, project or subproject that belongs to
  a *customer* company (``companies.corporate == False``) is billable. Time on
  the account's own corporate companies (internal work) and absences are not.
  Without ``companies=`` or an explicit ``billable=``, billable figures are
  ``<NA>``: never guessed.
* **Expected hours.** ``expected_hours_per_day`` (default 8) on each weekday,
  Monday to Friday; a per-person mapping when the schedules differ.

>>> import beebole_pandas as bb
>>> from beebole_pandas import reports, sandbox
>>> with sandbox.serve(seed="demo") as server:          # doctest: +SKIP
...     bb.connect(server.token, url=server.url)
...     entries = bb.time_entries("2026-10-01", "2026-10-31")
...     reports.timesheet(entries, freq="W")
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from .errors import SchemaError, ValidationError
from .schema import STATUS_CODES, STATUS_LABELS, entity

__all__ = [
    "DIMENSIONS",
    "FREQS",
    "STATUS_ORDER",
    "absence_summary",
    "approval_status",
    "missing_submissions",
    "overtime",
    "project_burn",
    "timesheet",
    "utilisation",
]

logger = logging.getLogger(__name__)

#: Accepted values of ``freq``.
FREQS: tuple[str, ...] = ("D", "W", "M")
#: Accepted values of ``by``: the references of a time entry.
DIMENSIONS: tuple[str, ...] = ("person", "company", "project", "subproject", "task", "absence")
#: Status labels in workflow order: the categories of every ``status`` column.
STATUS_ORDER: list[str] = [STATUS_LABELS[c] for c in STATUS_CODES]
NONE_LABEL = "(none)"

Billable: TypeAlias = pd.Series | Callable[[pd.DataFrame], Any] | Iterable[Any] | None
Frame: TypeAlias = pd.DataFrame | None


# --------------------------------------------------------------------------- helpers


def _check_entries(entries: pd.DataFrame, start: Any = None, end: Any = None) -> pd.DataFrame:
    """A copy with the schema's columns, clean dtypes, cut to [start, end]."""
    if not isinstance(entries, pd.DataFrame):
        raise SchemaError(f"expected a time-entry DataFrame, got {type(entries).__name__}")
    missing = [c for c in entity("time_entry").columns if c not in entries.columns]
    if missing:
        raise SchemaError(
            f"not a time-entry frame: missing column(s) {', '.join(missing)}; "
            "load one with bb.time_entries(start, end)"
        )
    # Keep a unique index, so that a billable mask aligned with ``entries`` still aligns.
    frame = entries if entries.index.is_unique else entries.reset_index(drop=True)
    frame = frame.assign(
        date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"),
        hours=frame["hours"].astype("Float64").fillna(0.0),
    )
    if start is not None:
        frame = frame[frame["date"] >= pd.Timestamp(start)]
    if end is not None:
        frame = frame[frame["date"] <= pd.Timestamp(end)]
    return frame


def _check_freq(freq: str) -> str:
    if freq not in FREQS:
        raise ValidationError(f"unknown freq {freq!r}; valid choices are: {', '.join(FREQS)}")
    return freq


def _dims(by: str | Sequence[str]) -> list[str]:
    dims = [by] if isinstance(by, str) else list(by)
    bad: list[Any] = [d for d in dims if d not in DIMENSIONS] or ([] if dims else [by])
    if bad:
        raise ValidationError(f"unknown by={bad[0]!r}; valid choices are: {', '.join(DIMENSIONS)}")
    return dims


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """First day of the period (``"D"``, ``"W"``, ``"M"``) holding each date.

    >>> period_start(pd.Series(pd.to_datetime(["2026-10-07"])), "W").dt.day.tolist()
    [5]
    """
    day = pd.to_datetime(dates).astype("datetime64[ns]").dt.normalize()
    if freq == "D":
        return day
    if freq == "W":
        return day - pd.to_timedelta(day.dt.day_of_week, unit="D")
    return day - pd.to_timedelta(day.dt.day - 1, unit="D")


def period_end(starts: pd.Series, freq: str) -> pd.Series:
    """Last day of the periods starting at ``starts``."""
    if freq == "D":
        return starts
    if freq == "W":
        return starts + pd.Timedelta(days=6)
    return (starts + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")


def period_label(period: pd.Timestamp, freq: str) -> str:
    """``2026-10`` for a month, else the period's first day ``2026-10-05``."""
    return period.strftime("%Y-%m") if freq == "M" else period.strftime("%Y-%m-%d")


def _periods(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    first = period_start(pd.Series([start]), freq).iloc[0]
    step = {"D": "D", "W": "7D", "M": "MS"}[freq]
    return pd.DatetimeIndex(pd.date_range(first, end, freq=step)).astype("datetime64[ns]")


def _range(frame: pd.DataFrame, start: Any, end: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    lo = pd.Timestamp(start) if start is not None else frame["date"].min()
    hi = pd.Timestamp(end) if end is not None else frame["date"].max()
    return None if pd.isna(lo) or pd.isna(hi) else (lo, hi)


def _weekdays(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Number of Monday-to-Friday days in [start, end], element-wise."""
    s = start.to_numpy(dtype="datetime64[D]")
    e = end.to_numpy(dtype="datetime64[D]") + np.timedelta64(1, "D")
    return np.busday_count(s, np.maximum(s, e))


def _key(ids: pd.Series, xids: pd.Series) -> pd.Series:
    """Grouping key of a reference: its xid, else ``#id``, else ``""`` (none)."""
    ident = "#" + ids.astype("Int64").astype("string")
    return xids.astype("string").fillna(ident).fillna("").astype(str)


def _ref_key(frame: pd.DataFrame, dim: str) -> pd.Series:
    return _key(frame[f"{dim}_id"], frame[f"{dim}_xid"])


def _entity_key(frame: pd.DataFrame) -> pd.Series:
    return _key(frame["id"], frame["xid"])


def _resolve(entries: pd.DataFrame, projects: Frame, subprojects: Frame) -> pd.DataFrame:
    """Fill the project of subproject entries and the company of project entries.

    The per-person list path names only the entity an entry is logged on; the
    reports need its ancestors to roll hours up by project and to tell
    billable work apart.
    """
    frame = entries
    for child, parent, context in (
        ("subproject", "project", subprojects),
        ("project", "company", projects),
    ):
        if context is None or len(context) == 0 or len(frame) == 0:
            continue
        table = context.assign(_k=_entity_key(context)).drop_duplicates("_k").set_index("_k")
        key = _ref_key(frame, child)
        gap = frame[f"{parent}_id"].isna() & frame[f"{parent}_xid"].isna() & (key != "")
        if not gap.any():
            continue
        frame = frame.copy()
        for suffix in ("id", "xid"):
            column = f"{parent}_{suffix}"
            frame[column] = frame[column].mask(
                gap, key.map(table[column]).astype(frame[column].dtype)
            )
    return frame


def _dim_table(frame: pd.DataFrame, dim: str, context: Frame = None) -> pd.DataFrame:
    """Per key of ``dim``: its id, xid and display name (index = key)."""
    cols = [f"{dim}_id", f"{dim}_xid", f"{dim}_name"]
    parts = [frame[cols].assign(_k=_ref_key(frame, dim))]
    if context is not None and len(context):
        ctx = context[["id", "xid", "name"]].set_axis(cols, axis=1)
        parts.append(ctx.assign(_k=_entity_key(context)))
    both = pd.concat(parts, ignore_index=True).astype(
        {cols[0]: "Int64", cols[1]: "string", cols[2]: "string"}
    )
    table = both.groupby("_k", sort=False)[cols].first()
    fallback = pd.Series(table.index, index=table.index).replace("", NONE_LABEL)
    table[cols[2]] = table[cols[2]].fillna(fallback.astype("string"))
    return table


def _sum_by(
    frame: pd.DataFrame,
    dims: Sequence[str],
    values: Mapping[str, pd.Series],
    *,
    period: bool = True,
    contexts: Mapping[str, Frame] | None = None,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Sum ``values`` by dims (+ ``period`` and ``extra`` columns), with id/xid/name per dim."""
    contexts = contexts or {}
    keys = {f"_k_{d}": _ref_key(frame, d) for d in dims}
    groupers = [*keys, *(["period"] if period else []), *extra]
    work = pd.DataFrame(keys, index=frame.index)
    for column in groupers[len(keys) :]:
        work[column] = frame[column]
    for name, series in values.items():
        work[name] = series.astype("Float64").fillna(0.0)
    sums = work.groupby(groupers, sort=False, dropna=False)[list(values)].sum().reset_index()
    out = pd.DataFrame(index=sums.index)
    for dim in dims:
        table = _dim_table(frame, dim, contexts.get(dim))
        found = table.reindex(sums[f"_k_{dim}"].to_numpy())
        for column in table.columns:
            out[column] = found[column].to_numpy()
        out = out.astype({f"{dim}_id": "Int64", f"{dim}_xid": "string", f"{dim}_name": "string"})
    for column in groupers[len(keys) :]:
        out[column] = sums[column].to_numpy()
    if period:
        out["period"] = out["period"].astype("datetime64[ns]")
    for name in values:
        out[name] = sums[name].astype("Float64").array
    return out


def _is_absence(frame: pd.DataFrame) -> pd.Series:
    return (frame["absence_id"].notna() | frame["absence_xid"].notna()).astype(bool)


def _billable_mask(frame: pd.DataFrame, billable: Billable, companies: Frame) -> pd.Series | None:
    """True where an entry is billable; None when that cannot be known."""
    if billable is None and companies is None:
        return None
    if isinstance(billable, pd.Series):
        mask = billable.reindex(frame.index)
    elif callable(billable):
        mask = pd.Series(np.asarray(billable(frame)), index=frame.index)
    elif billable is not None:
        wanted = {str(v) for v in billable}
        keys = _ref_key(frame, "company")
        mask = keys.isin(wanted) | keys.str.lstrip("#").isin(wanted)
        mask |= frame["company_name"].astype("string").isin(wanted).fillna(False).astype(bool)
    else:
        assert companies is not None
        customers = companies[~companies["corporate"].fillna(False).astype(bool)]
        mask = _ref_key(frame, "company").isin(set(_entity_key(customers)))
    return mask.fillna(False).astype(bool) & ~_is_absence(frame)


def _expected_per_day(persons: pd.DataFrame, hours: float | Mapping[Any, float]) -> np.ndarray:
    if not isinstance(hours, Mapping):
        return np.full(len(persons), float(hours))
    values = []
    for row in persons[["person_id", "person_xid", "person_name"]].itertuples(index=False):
        match = [hours[k] for k in row if not pd.isna(k) and k in hours]
        values.append(float(match[0]) if match else 8.0)
    return np.asarray(values, dtype=float)


def _with_people(frame: pd.DataFrame, people: Frame) -> pd.DataFrame:
    """Add one zero-hour row per active person of ``people`` so that they appear."""
    if people is None or len(people) == 0:
        return frame
    active = people[people["active"].fillna(True).astype(bool)] if "active" in people else people
    extra = pd.DataFrame(
        {
            "person_id": active["id"].astype("Int64").to_numpy(),
            "person_xid": active["xid"].astype("string").to_numpy(),
            "person_name": active["name"].astype("string").to_numpy(),
            "_placeholder": True,
        }
    )
    out = pd.concat([frame.assign(_placeholder=False), extra], ignore_index=True)
    return out.astype({c: frame[c].dtype for c in frame.columns if c in out})


# --------------------------------------------------------------------------- reports


def timesheet(
    entries: pd.DataFrame,
    *,
    by: str | Sequence[str] = "person",
    freq: str = "W",
    totals: bool = True,
    pivot: bool = True,
    start: Any = None,
    end: Any = None,
    people: Frame = None,
    projects: Frame = None,
    subprojects: Frame = None,
    companies: Frame = None,
) -> pd.DataFrame:
    """Hours per person (or project, company, task...) and period.

    Parameters
    ----------
    entries
        A time-entry frame.
    by
        One of :data:`DIMENSIONS` or a list of them (``["person", "project"]``).
    freq
        ``"D"``, ``"W"`` (default) or ``"M"``.
    totals
        Add a ``total`` column and a ``Total`` row (pivot form only).
    pivot
        True (default): one row per ``by`` value with its id/xid/name columns,
        then one ``Float64`` column per period labelled ``YYYY-MM-DD`` (its first
        day; ``YYYY-MM`` for months). False: the tidy form, one row per ``by``
        value and ``period`` with ``hours``.
    start, end
        The range shown: every period in it gets a column, even without hours;
        entries outside are dropped. Default: first and last entry dates.
    people, projects, subprojects, companies
        Optional entity frames: names the entries lack, and the project of
        subproject entries (so ``by="project"`` counts their hours).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> timesheet(entries, freq="M")                     # doctest: +SKIP
       person_id person_xid   person_name  2026-10  total
    0          3       <NA>  Ada Lovelace    168.0  168.0
    """
    dims = _dims(by)
    _check_freq(freq)
    frame = _resolve(_check_entries(entries, start, end), projects, subprojects)
    frame["period"] = period_start(frame["date"], freq)
    contexts = {"person": people, "project": projects, "company": companies}
    tidy = _sum_by(frame, dims, {"hours": frame["hours"]}, contexts=contexts)
    tidy = tidy.sort_values([*(f"{d}_name" for d in dims), "period"], ignore_index=True)
    if not pivot:
        return tidy
    id_cols = [c for d in dims for c in (f"{d}_id", f"{d}_xid", f"{d}_name")]
    span = _range(frame, start, end)
    periods = _periods(*span, freq) if span else pd.DatetimeIndex([], dtype="datetime64[ns]")
    labels = [period_label(p, freq) for p in periods]
    keys = [f"_k_{d}" for d in dims]
    tidy_keys = tidy.assign(**{k: _ref_key(tidy, d) for k, d in zip(keys, dims, strict=True)})
    wide = (
        tidy_keys.pivot_table(
            index=keys, columns="period", values="hours", aggfunc="sum", sort=False
        )
        if len(tidy)
        else pd.DataFrame(
            columns=periods, index=pd.MultiIndex.from_arrays([[]] * len(keys), names=keys)
        )
    )
    wide = wide.reindex(columns=periods).astype("Float64").fillna(0.0)
    wide.columns = labels
    ids = tidy_keys.drop_duplicates(keys).set_index(keys)[id_cols]
    out = ids.join(wide).reset_index(drop=True)
    if totals:
        out["total"] = out[labels].sum(axis=1) if labels else 0.0
        total_row: dict[str, Any] = {c: pd.NA for c in id_cols}
        total_row[f"{dims[0]}_name"] = "Total"
        total_row.update({c: out[c].sum() for c in [*labels, "total"]})
        out = pd.concat([out, pd.DataFrame([total_row])], ignore_index=True)
    dtypes = {c: ("Int64" if c.endswith("_id") else "string") for c in id_cols}
    dtypes.update({c: "Float64" for c in out.columns if c not in id_cols})
    out = out.astype(dtypes)
    out.attrs["beebole_report"] = {"report": "timesheet", "by": dims, "freq": freq}
    return out


def utilisation(
    entries: pd.DataFrame,
    *,
    expected_hours_per_day: float | Mapping[Any, float] = 8.0,
    schedule: pd.DataFrame | None = None,
    billable: Billable = None,
    companies: Frame = None,
    projects: Frame = None,
    subprojects: Frame = None,
    people: Frame = None,
    freq: str | None = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Worked hours against expected hours per person, and the billable share.

    Parameters
    ----------
    entries
        A time-entry frame.
    expected_hours_per_day
        Hours expected on each weekday (Monday to Friday): a number, or a
        mapping from person id, xid or name to hours (others get 8).
    schedule
        The account's own work schedule, which wins where it says something: a
        frame with ``person_id``, ``person_xid`` and ``work_hours`` (the hours
        expected of each person over the whole range), such as
        ``bb.export(start, end, keys=["personId", "workHours"], show="work")``.
        People it gives no positive hours for keep the weekday rule. Only
        without ``freq`` (a total cannot be split into periods).
    billable
        Which worked entries are billable: a boolean Series aligned with
        ``entries``, a callable ``frame -> mask``, or company ids/xids/names.
        Default: entries on customer companies of ``companies=`` (see the
        module docstring); ``<NA>`` when neither is given.
    companies, projects, subprojects
        Context to find each entry's company (``companies`` has ``corporate``).
    people
        Active people without entries get a row with 0 worked hours.
    freq
        None (default): one row per person over the whole range; ``"D"``,
        ``"W"`` or ``"M"``: one row per person and period.
    start, end
        The range whose weekdays are expected (default: first and last entry).

    Returns
    -------
    DataFrame
        ``person_id, person_xid, person_name, [period], expected_hours,
        worked_hours, absence_hours, billable_hours, utilisation`` (worked /
        expected), ``billable_share`` (billable / worked) and
        ``billable_utilisation`` (billable / (expected - absence)).

    Examples
    --------
    >>> utilisation(entries, companies=bb.companies(), projects=bb.projects())  # doctest: +SKIP
    """
    frame = _resolve(_check_entries(entries, start, end), projects, subprojects)
    span = _range(frame, start, end)
    mask = _billable_mask(frame, billable, companies)
    absence = _is_absence(frame)
    frame = frame.assign(
        worked_hours=frame["hours"].where(~absence, 0.0),
        absence_hours=frame["hours"].where(absence, 0.0),
        billable_hours=frame["hours"].where(mask if mask is not None else ~absence & False, 0.0),
    )
    step = _check_freq(freq) if freq else None
    frame["period"] = period_start(frame["date"], step) if step else pd.Timestamp(0)
    values = ["worked_hours", "absence_hours", "billable_hours"]
    sums = _sum_by(frame, ["person"], {v: frame[v] for v in values}, contexts={"person": people})
    persons = _dim_table(_with_people(frame, people), "person", people).reset_index(drop=True)
    if span is None:
        periods = pd.DatetimeIndex([], dtype="datetime64[ns]")
    else:
        periods = (
            _periods(*span, step) if step else pd.DatetimeIndex([span[0]]).astype("datetime64[ns]")
        )
    if not step:
        sums["period"] = periods[0] if len(periods) else pd.NaT
    grid = persons.merge(pd.DataFrame({"period": periods}), how="cross")
    out = grid.merge(sums, on=["person_id", "person_xid", "person_name", "period"], how="left")
    out[values] = out[values].astype("Float64").fillna(0.0)
    if span is not None:
        lo, hi = span
        first = out["period"].clip(lower=lo)
        last = (
            period_end(out["period"], step).clip(upper=hi)
            if step
            else pd.Series(hi, index=out.index)
        )
        days = _weekdays(first, last)
    else:
        days = np.zeros(len(out))
    expected = days * _expected_per_day(out, expected_hours_per_day)
    if schedule is not None and len(schedule) and not step:
        keys = _ref_key(schedule, "person")
        totals = schedule["work_hours"].astype(float).groupby(keys.to_numpy()).sum()
        scheduled = _ref_key(out, "person").map(totals).to_numpy(dtype=float, na_value=np.nan)
        expected = np.where(scheduled > 0, scheduled, expected)
    out["expected_hours"] = pd.array(expected, dtype="Float64")
    if mask is None:
        out["billable_hours"] = pd.array([pd.NA] * len(out), dtype="Float64")
    available = out["expected_hours"] - out["absence_hours"]
    out["utilisation"] = out["worked_hours"] / out["expected_hours"].where(
        out["expected_hours"] > 0
    )
    out["billable_share"] = out["billable_hours"] / out["worked_hours"].where(
        out["worked_hours"] > 0
    )
    out["billable_utilisation"] = out["billable_hours"] / available.where(available > 0)
    columns = [
        "person_id",
        "person_xid",
        "person_name",
        *(["period"] if step else []),
        "expected_hours",
        "worked_hours",
        "absence_hours",
        "billable_hours",
        "utilisation",
        "billable_share",
        "billable_utilisation",
    ]
    out = out[columns].sort_values(
        ["person_name", *(["period"] if step else [])], ignore_index=True
    )
    return out.astype({c: "Float64" for c in columns[columns.index("expected_hours") :]})


def overtime(
    entries: pd.DataFrame,
    *,
    freq: str = "W",
    threshold: float | None = None,
    hours_per_day: float = 8.0,
    include_absences: bool = True,
    people: Frame = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Hours above the contractual threshold per person and period.

    Parameters
    ----------
    entries
        A time-entry frame.
    freq
        ``"W"`` (default), ``"D"`` or ``"M"``.
    threshold
        Hours per period before overtime starts. Default: ``hours_per_day``
        per weekday of the period (40 for a week, 8 for a weekday, 0 for a
        weekend day, 8 × weekdays for a month).
    hours_per_day
        Used for the default threshold.
    include_absences
        Absence hours count towards the threshold (default: a paid day off
        is not a day of undertime).
    people
        Names for people the entries do not name.
    start, end
        Keep entries in this range only.

    Returns
    -------
    DataFrame
        One row per person and period with hours: ``person_id, person_xid,
        person_name, period, hours, threshold, overtime_hours`` (hours above
        the threshold, 0 when below), sorted by person and period.

    Examples
    --------
    >>> overtime(entries, freq="W").query("overtime_hours > 0")   # doctest: +SKIP
    """
    _check_freq(freq)
    frame = _check_entries(entries, start, end)
    frame["period"] = period_start(frame["date"], freq)
    counted = frame["hours"] if include_absences else frame["hours"].where(~_is_absence(frame), 0.0)
    out = _sum_by(frame, ["person"], {"hours": counted}, contexts={"person": people})
    if threshold is None:
        limit = _weekdays(out["period"], period_end(out["period"], freq)) * float(hours_per_day)
    else:
        limit = np.full(len(out), float(threshold))
    out["threshold"] = pd.array(limit, dtype="Float64")
    out["overtime_hours"] = (out["hours"] - out["threshold"]).clip(lower=0.0).astype("Float64")
    return out.sort_values(["person_name", "period"], ignore_index=True)


def absence_summary(
    entries: pd.DataFrame,
    *,
    hours_per_day: float = 8.0,
    people: Frame = None,
    absences: Frame = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Absence hours and days per person and absence type.

    Parameters
    ----------
    entries
        A time-entry frame (only absence entries are counted).
    hours_per_day
        Hours that make a day (``days = hours / hours_per_day``).
    people, absences
        Names for people and absence types the entries do not name.
    start, end
        Keep entries in this range only.

    Returns
    -------
    DataFrame
        ``person_id, person_xid, person_name, absence_id, absence_xid,
        absence_name, entries`` (Int64), ``hours``, ``days``; sorted by person
        and absence type.

    Examples
    --------
    >>> absence_summary(entries).pivot_table(index="person_name", columns="absence_name",
    ...                                      values="days", aggfunc="sum")   # doctest: +SKIP
    """
    if hours_per_day <= 0:
        raise ValidationError(f"hours_per_day must be positive, got {hours_per_day!r}")
    frame = _check_entries(entries, start, end)
    frame = frame[_is_absence(frame)].reset_index(drop=True)
    ones = pd.Series(1.0, index=frame.index)
    out = _sum_by(
        frame,
        ["person", "absence"],
        {"entries": ones, "hours": frame["hours"]},
        period=False,
        contexts={"person": people, "absence": absences},
    )
    out["entries"] = out["entries"].astype("Int64")
    out["days"] = (out["hours"] / float(hours_per_day)).astype("Float64")
    return out.sort_values(["person_name", "absence_name"], ignore_index=True)


def project_burn(
    entries: pd.DataFrame,
    projects: pd.DataFrame,
    *,
    freq: str = "W",
    subprojects: Frame = None,
    prior_hours: pd.DataFrame | Mapping[Any, float] | None = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Hours and cost per project over time, cumulated and set against the budget.

    Parameters
    ----------
    entries
        A time-entry frame. Entries on a subproject count for its project
        (pass ``subprojects=`` when the entries lack ``project_id``).
    projects
        The projects frame: ``budget`` (hours) and ``hourly_rate`` where set.
    freq
        ``"W"`` (default), ``"D"`` or ``"M"``.
    subprojects
        The subprojects frame, to find the project of subproject entries.
    prior_hours
        Hours each project had already used before the first entry of
        ``entries``, so that ``cumulative_hours`` and ``budget_used`` count the
        whole life of the project while loading only a month of entries: a
        mapping from project id, xid or name to hours, or a frame with
        ``project_id``, ``project_xid`` and ``hours`` (such as
        ``bb.export(project_start, day_before, keys=["project", "hours"])``).
        Default: cumulate from the first entry.
    start, end
        The range: every period in it appears for each project with hours.

    Returns
    -------
    DataFrame
        One row per project with hours and period: ``project_id, project_xid,
        project_name, period, hours, cumulative_hours, budget_hours,
        budget_used`` (cumulative / budget), ``remaining_hours``,
        ``hourly_rate``, ``cost``, ``cumulative_cost``, ``budget_cost``
        (budget × rate). Budget and cost columns are ``<NA>`` where the project
        has no budget or rate.

    Examples
    --------
    >>> project_burn(entries, bb.projects(), subprojects=bb.subprojects())   # doctest: +SKIP
    """
    _check_freq(freq)
    frame = _resolve(_check_entries(entries, start, end), projects, subprojects)
    frame = frame[_ref_key(frame, "project") != ""].reset_index(drop=True)
    frame["period"] = period_start(frame["date"], freq)
    sums = _sum_by(frame, ["project"], {"hours": frame["hours"]}, contexts={"project": projects})
    columns = ["project_id", "project_xid", "project_name"]
    span = _range(frame, start, end)
    if span is not None and len(sums):
        grid = (
            sums[columns]
            .drop_duplicates()
            .merge(pd.DataFrame({"period": _periods(*span, freq)}), how="cross")
        )
        sums = grid.merge(sums, on=[*columns, "period"], how="left")
        sums["hours"] = sums["hours"].astype("Float64").fillna(0.0)
    out = sums.sort_values(["project_name", "period"], ignore_index=True)
    out["cumulative_hours"] = out.groupby(columns, dropna=False, sort=False)["hours"].cumsum()
    out["cumulative_hours"] += _prior(out, prior_hours)
    table = projects.assign(_k=_entity_key(projects)).drop_duplicates("_k").set_index("_k")
    keys = _ref_key(out, "project")
    out["budget_hours"] = keys.map(table["budget"]).astype("Float64")
    out["budget_used"] = out["cumulative_hours"] / out["budget_hours"].where(
        out["budget_hours"] > 0
    )
    out["remaining_hours"] = out["budget_hours"] - out["cumulative_hours"]
    out["hourly_rate"] = keys.map(table["hourly_rate"]).astype("Float64")
    out["cost"] = out["hours"] * out["hourly_rate"]
    out["cumulative_cost"] = out["cumulative_hours"] * out["hourly_rate"]
    out["budget_cost"] = out["budget_hours"] * out["hourly_rate"]
    floats = [c for c in out.columns if c not in (*columns, "period")]
    return out.astype({c: "Float64" for c in floats})


def _prior(out: pd.DataFrame, prior: pd.DataFrame | Mapping[Any, float] | None) -> np.ndarray:
    """Hours used before the range, per row of ``out`` (a project burn frame)."""
    if prior is None:
        return np.zeros(len(out))
    if isinstance(prior, pd.DataFrame):
        keys = _ref_key(prior, "project")
        prior = prior["hours"].astype(float).groupby(keys.to_numpy()).sum().to_dict()
    values = []
    for row in out[["project_id", "project_xid", "project_name"]].itertuples(index=False):
        candidates = [k for k in row if not pd.isna(k)]
        candidates += [f"#{row[0]}"] if not pd.isna(row[0]) else []
        values.append(next((float(prior[k]) for k in candidates if k in prior), 0.0))
    return np.asarray(values, dtype=float)


def _status_labels(frame: pd.DataFrame) -> pd.Series:
    codes = frame["status"].astype("string")
    return pd.Categorical(codes.map(STATUS_LABELS), categories=STATUS_ORDER)


def approval_status(
    entries: pd.DataFrame,
    *,
    freq: str = "W",
    as_of: Any = None,
    people: Frame = None,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Entries and hours per person, period and approval status.

    Parameters
    ----------
    entries
        A time-entry frame.
    freq
        ``"W"`` (default), ``"D"`` or ``"M"``.
    as_of
        Ignore entries dated after this day (default: keep all).
    people
        Names for people the entries do not name.
    start, end
        Keep entries in this range only.

    Returns
    -------
    DataFrame
        ``person_id, person_xid, person_name, period, status`` (categorical of
        the labels draft, submitted, approved, rejected, locked), ``entries``
        (Int64) and ``hours``; one row per combination that has entries.

    Examples
    --------
    >>> approval_status(entries).pivot_table(index="person_name", columns="status",
    ...                                      values="hours", observed=True)   # doctest: +SKIP
    """
    _check_freq(freq)
    frame = _check_entries(entries, start, as_of if as_of is not None else end)
    if as_of is not None and end is not None:
        frame = frame[frame["date"] <= pd.Timestamp(end)].reset_index(drop=True)
    frame["period"] = period_start(frame["date"], freq)
    frame["status"] = _status_labels(frame)
    ones = pd.Series(1.0, index=frame.index)
    out = _sum_by(
        frame,
        ["person"],
        {"entries": ones, "hours": frame["hours"]},
        contexts={"person": people},
        extra=["status"],
    )
    out["status"] = pd.Categorical(out["status"], categories=STATUS_ORDER)
    out["entries"] = out["entries"].astype("Int64")
    return out.sort_values(["person_name", "period", "status"], ignore_index=True)


def missing_submissions(
    entries: pd.DataFrame,
    *,
    week: Any = None,
    as_of: Any = None,
    people: Frame = None,
) -> pd.DataFrame:
    """Who has not submitted their timesheet for a week.

    A person is listed when, in the week, they have draft or rejected entries
    (not yet sent for approval) or, when ``people=`` is given, no entries at
    all although they are active.

    Parameters
    ----------
    entries
        A time-entry frame covering the week.
    week
        Any day of the week to check. Default: the last full week before
        ``as_of``.
    as_of
        "Today" for the default week (default: the current date).
    people
        Active people expected to log time; without it, only people with
        entries are considered.

    Returns
    -------
    DataFrame
        ``person_id, person_xid, person_name, week, hours, draft_hours,
        rejected_hours, unsubmitted_entries`` (Int64) and ``reason``
        (``"no time logged"``, ``"draft"``, ``"rejected"`` or
        ``"draft, rejected"``); empty when everybody submitted.

    Examples
    --------
    >>> missing_submissions(entries, people=bb.people(), as_of="2026-11-04")  # doctest: +SKIP
    """
    if week is None:
        today = pd.Timestamp(as_of) if as_of is not None else pd.Timestamp.today()
        monday = period_start(pd.Series([today]), "W").iloc[0] - pd.Timedelta(days=7)
    else:
        monday = period_start(pd.Series([pd.Timestamp(week)]), "W").iloc[0]
    sunday = monday + pd.Timedelta(days=6)
    frame = _check_entries(entries, monday, sunday)
    frame["period"] = monday
    codes = frame["status"].astype("string")
    pending = codes.isin(["d", "r"]).fillna(False).astype(bool)
    values = {
        "hours": frame["hours"],
        "draft_hours": frame["hours"].where(codes == "d", 0.0),
        "rejected_hours": frame["hours"].where(codes == "r", 0.0),
        "unsubmitted_entries": pending.astype(float),
    }
    sums = _sum_by(frame, ["person"], values, contexts={"person": people})
    persons = _dim_table(_with_people(frame, people), "person", people).reset_index(drop=True)
    out = persons.merge(sums.drop(columns="period"), how="left", on=list(persons.columns))
    floats = ["hours", "draft_hours", "rejected_hours", "unsubmitted_entries"]
    out[floats] = out[floats].astype("Float64").fillna(0.0)
    out["unsubmitted_entries"] = out["unsubmitted_entries"].astype("Int64")
    reasons = []
    for hours, draft, rejected in zip(
        out["hours"], out["draft_hours"], out["rejected_hours"], strict=True
    ):
        parts = [name for name, v in (("draft", draft), ("rejected", rejected)) if v > 0]
        reasons.append(", ".join(parts) if parts else ("no time logged" if hours == 0 else ""))
    out["reason"] = pd.array(reasons, dtype="string")
    out.insert(3, "week", pd.Series(monday, index=out.index).astype("datetime64[ns]"))
    out = out[out["reason"] != ""].sort_values("person_name", ignore_index=True)
    return out
