"""Timesheet reports: pure functions over a time-entry frame.

Every function takes a frame with the columns of
``schema.entity("time_entry").columns`` (what :func:`beebole_pandas.time_entries`
returns) plus, where useful, the account's entity frames for context
(``people``, ``projects``, ``subprojects``, ``companies``), and returns a tidy
DataFrame with nullable dtypes. Nothing here talks to the server (the burn,
which may load, is in :mod:`.burn`; money in :mod:`.finance`).

Conventions shared by every report
----------------------------------
* **Who.** A person is identified by ``person_id`` and ``person_xid`` (either
  may be ``<NA>``: an entity created with an xid shows no id) and displayed by
  ``person_name``. A missing name is taken from ``people=`` when given, else
  the xid or ``#id`` stands in. Projects, companies, tasks and absence types
  follow the same rule. Entries without the reference (an absence has no
  project) fall under ``(none)``.
* **When.** ``freq`` is ``"D"`` (days), ``"W"`` (ISO weeks, Monday to Sunday,
  labelled by their Monday), ``"M"`` (calendar months), ``"Q"`` or ``"Y"``. ``period`` holds
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
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ValidationError
from ..frames import column_array, pandas_dtype
from ..load.scopes import shown
from .schedule import contracted_hours
from .tools import (
    DIMENSIONS,
    FREQS,
    STATUS_ORDER,
    Billable,
    Frame,
    billable_mask,
    by_name,
    check_freq,
    day_text,
    dim_table,
    dims_of,
    expected_hours,
    expected_per_day,
    is_absence,
    keyed,
    number_arg,
    partial_labels,
    partial_mask,
    period_end,
    period_label,
    period_start,
    periods_between,
    range_text,
    ref_key,
    report_day,
    report_entries,
    report_range,
    resolve_hierarchy,
    span_of,
    sum_by,
    weekdays_between,
    with_people,
)

__all__ = [
    "DIMENSIONS",
    "FREQS",
    "STATUS_ORDER",
    "absence_summary",
    "approval_status",
    "missing_submissions",
    "overtime",
    "timesheet",
    "utilisation",
]

logger = logging.getLogger(__name__)


@keyed
def timesheet(
    entries: pd.DataFrame,
    *,
    by: str | Sequence[str] = "person",
    freq: str = "W",
    margins: bool = False,
    margins_name: str = "Total",
    pivot: bool = True,
    start: Any = None,
    end: Any = None,
    period: Any = None,
    people: Frame = None,
    projects: Frame = None,
    subprojects: Frame = None,
    companies: Frame = None,
    totals: bool | None = None,
) -> pd.DataFrame:
    """Hours per person (or project, company, task...) and period.

    The table holds data only: no total row or column unless ``margins=True``
    asks for them, as :meth:`pandas.DataFrame.pivot_table` does, so that
    ``table[periods].sum()`` is the hours logged, never twice that.

    Parameters
    ----------
    entries
        A time-entry frame.
    by
        One of :data:`DIMENSIONS` or a list of them (``["person", "project"]``).
    freq
        ``"D"``, ``"W"`` (default) or ``"M"``.
    margins
        Add a ``margins_name`` column (each row's total) and a last row named
        ``margins_name`` in ``<by>_name`` with ids ``<NA>`` (each period's
        total), like ``pivot_table(margins=True)``. Pivot form only: for
        display, not for further sums.
    margins_name
        The label of the margins (default ``"Total"``).
    pivot
        True (default): one row per ``by`` value with its id/xid/name columns,
        then one ``Float64`` column per period labelled ``YYYY-MM-DD`` (its first
        day; ``YYYY-MM`` for months). False: the tidy form, one row per ``by``
        value and ``period`` with ``hours`` and ``partial``.
    start, end, period
        The range shown: every period in it gets a column, even without hours;
        entries outside are dropped. Default: first and last entry dates. A
        period that runs past them (the week of 28 September for October) is
        *partial*: the tidy form says so in ``partial``, the pivot form in
        ``attrs["beebole_report"]["partial_periods"]``.
    people, projects, subprojects, companies
        Optional entity frames: names the entries lack, and the project of
        subproject entries (so ``by="project"`` counts their hours).
    totals
        Deprecated spelling of ``margins`` (its default used to be True).

    Returns
    -------
    DataFrame
        ``attrs["beebole_report"]`` says what it covers (``period``,
        ``partial_periods``, ``empty``...). A range without entries gives an
        empty table and a logged warning naming the dates the entries do cover.

    Raises
    ------
    ValidationError
        ``margins`` not a bool, with ``pivot=False``, or ``margins_name`` that
        is not a non-empty text or names a column of the table.

    Examples
    --------
    >>> timesheet(entries, freq="M")                     # doctest: +SKIP
       person_id person_xid   person_name  2026-10
    0          3       <NA>  Ada Lovelace    168.0
    >>> timesheet(entries, freq="M", margins=True)       # doctest: +SKIP
       person_id person_xid   person_name  2026-10  Total
    0          3       <NA>  Ada Lovelace    168.0  168.0
    1       <NA>       <NA>         Total    168.0  168.0
    """
    dims = dims_of(by)
    freq = check_freq(freq)
    margins = _margins(margins, totals, pivot)
    start, end = report_range(start, end, period)
    frame, info, warning = report_entries(
        entries, start, end, report="timesheet", needs=dims, freq=freq
    )
    if warning:
        logger.warning(warning)
    frame = resolve_hierarchy(frame, projects, subprojects)
    frame["period"] = period_start(frame["date"], freq)
    contexts = {"person": people, "project": projects, "company": companies}
    tidy = sum_by(frame, dims, {"hours": frame["hours"]}, contexts=contexts)
    tidy = tidy.sort_values(by_name(dims, "period"), ignore_index=True)
    span = span_of(frame, start, end)
    info.update(by=dims, freq=freq)
    if not pivot:
        tidy.insert(
            tidy.columns.get_loc("period") + 1, "partial", partial_mask(tidy["period"], freq, span)
        )
        partial = tidy.loc[tidy["partial"].to_numpy(dtype=bool), "period"].drop_duplicates()
        info["partial_periods"] = [period_label(p, freq) for p in partial.sort_values()]
        tidy.attrs["beebole_report"] = info
        return tidy
    id_cols = [c for d in dims for c in (f"{d}_id", f"{d}_xid", f"{d}_name")]
    periods = periods_between(*span, freq) if span else pd.DatetimeIndex([], dtype="datetime64[ns]")
    labels = [period_label(p, freq) for p in periods]
    name = _margins_name(margins_name, [*id_cols, *labels]) if margins else None
    keys = [f"_k_{d}" for d in dims]
    tidy_keys = tidy.assign(**{k: ref_key(tidy, d) for k, d in zip(keys, dims, strict=True)})
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
    if name is not None:
        out[name] = out[labels].sum(axis=1) if labels else 0.0
        margin_row: dict[str, Any] = {c: pd.NA for c in id_cols}
        margin_row[f"{dims[0]}_name"] = name
        margin_row.update({c: out[c].sum() for c in [*labels, name]})
        out = pd.concat([out, pd.DataFrame([margin_row])], ignore_index=True)
    dtypes = {c: ("Int64" if c.endswith("_id") else "string") for c in id_cols}
    dtypes.update({c: "Float64" for c in out.columns if c not in id_cols})
    out = out.astype(dtypes)
    flags = partial_mask(pd.Series(periods), freq, span)
    info.update(
        margins=name is not None,
        margins_name=name,
        periods=labels,
        partial_periods=[lab for lab, cut_off in zip(labels, flags, strict=True) if cut_off],
    )
    out.attrs["beebole_report"] = info
    return out


def _margins(margins: Any, totals: Any, pivot: bool) -> bool:
    """``margins`` checked, with the deprecated ``totals`` folded in."""
    if totals is not None:
        warnings.warn(
            "timesheet(totals=...) is deprecated: use margins=... (a Total row and column, "
            "like pivot_table; off by default, so the data holds no total)",
            DeprecationWarning,
            stacklevel=3,
        )
        if not isinstance(totals, bool | np.bool_):
            raise ValidationError(f"totals={shown(totals)} is not True or False")
        # totals=True used to be ignored by the tidy form: keep that.
        margins = bool(totals) and bool(pivot)
    if not isinstance(margins, bool | np.bool_):
        raise ValidationError(f"margins={shown(margins)} is not True or False")
    if margins and not pivot:
        raise ValidationError(
            "margins=True needs pivot=True: the tidy form has no total row; "
            "sum its hours column instead"
        )
    return bool(margins)


def _margins_name(name: Any, columns: Sequence[str]) -> str:
    """``margins_name``: text that names no other column of the table."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            f"margins_name={shown(name)} is not a label; give a non-empty text such as 'Total'"
        )
    if name in columns:
        raise ValidationError(
            f"margins_name={shown(name)} is already a column of the table "
            f"({', '.join(columns)}); choose another label such as 'Total'"
        )
    return name


@keyed
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
    period: Any = None,
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
        The contracted hours: :func:`beebole_pandas.work_schedule` over the
        same range and ``freq`` (each person's business hours from the work
        schedule assigned to them: part-time days, holidays). People it has no
        row for are expected its business days times the account's hours per
        day (see :mod:`.schedule`). Without ``freq``, also a frame with
        ``person_id``, ``person_xid`` and ``work_hours`` (hours over the whole
        range), such as ``bb.export(start, end, keys=["personId", "workHours"])``.
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
    start, end, period
        The range whose weekdays are expected (default: first and last entry).

    Returns
    -------
    DataFrame
        ``person_id, person_xid, person_name, [period, partial], expected_hours,
        worked_hours, absence_hours, billable_hours, utilisation`` (worked /
        expected), ``billable_share`` (billable / worked) and
        ``billable_utilisation`` (billable / (expected - absence)). With
        ``freq``, ``partial`` is True for a period that runs past the range
        (its expected hours count only its weekdays inside).

    Examples
    --------
    >>> utilisation(entries, companies=bb.companies(), projects=bb.projects())  # doctest: +SKIP
    """
    step = check_freq(freq) if freq is not None else None
    start, end = report_range(start, end, period)
    expected_hours_per_day = expected_hours(expected_hours_per_day)
    by_company = billable is None and companies is not None
    by_company = by_company or not (billable is None or callable(billable))
    by_company = by_company and not isinstance(billable, pd.Series)
    needs = ("person", "absence", *(("company",) if by_company else ()))
    frame, info, warning = report_entries(
        entries, start, end, report="utilisation", needs=needs, freq=step
    )
    if warning:
        logger.warning(warning)
    frame = resolve_hierarchy(frame, projects, subprojects)
    span = span_of(frame, start, end)
    mask = billable_mask(frame, billable, companies)
    absence = is_absence(frame)
    frame = frame.assign(
        worked_hours=frame["hours"].where(~absence, 0.0),
        absence_hours=frame["hours"].where(absence, 0.0),
        billable_hours=frame["hours"].where(mask if mask is not None else ~absence & False, 0.0),
    )
    frame["period"] = period_start(frame["date"], step) if step else pd.Timestamp(0)
    values = ["worked_hours", "absence_hours", "billable_hours"]
    sums = sum_by(frame, ["person"], {v: frame[v] for v in values}, contexts={"person": people})
    persons = dim_table(with_people(frame, people), "person", people).reset_index(drop=True)
    if span is None:
        periods = pd.DatetimeIndex([], dtype="datetime64[ns]")
    else:
        periods = (
            periods_between(*span, step)
            if step
            else pd.DatetimeIndex([span[0]]).astype("datetime64[ns]")
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
        days = weekdays_between(first, last)
    else:
        days = np.zeros(len(out))
    expected = days * expected_per_day(out, expected_hours_per_day)
    if schedule is not None:
        contract = contracted_hours(schedule, out, freq=step, report="utilisation")
        expected = contract.expected(days, expected_per_day(out, expected_hours_per_day))
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
    if step:
        out["partial"] = partial_mask(out["period"], step, span)
    columns = [
        "person_id",
        "person_xid",
        "person_name",
        *(["period", "partial"] if step else []),
        "expected_hours",
        "worked_hours",
        "absence_hours",
        "billable_hours",
        "utilisation",
        "billable_share",
        "billable_utilisation",
    ]
    out = out[columns].sort_values(
        by_name(["person"], *(["period"] if step else [])), ignore_index=True
    )
    out = out.astype({c: "Float64" for c in columns[columns.index("expected_hours") :]})
    info.update(freq=step, partial_periods=partial_labels(out, step))
    out.attrs["beebole_report"] = info
    return out


@keyed
def overtime(
    entries: pd.DataFrame,
    *,
    freq: str = "W",
    threshold: float | None = None,
    hours_per_day: float = 8.0,
    schedule: pd.DataFrame | None = None,
    include_absences: bool | None = None,
    people: Frame = None,
    start: Any = None,
    end: Any = None,
    period: Any = None,
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
        weekend day, 8 × weekdays for a month), counting only the weekdays
        inside [``start``, ``end``] when they cut a period, as
        :func:`utilisation` does.
    hours_per_day
        Used for the default threshold.
    schedule
        The contracted hours: :func:`beebole_pandas.work_schedule` with the
        same ``freq`` and range. The threshold of a person's period is then
        their business hours (their schedule's hours per day on its working
        days, holidays excluded: 30 h for a part-timer's week of 6-hour days,
        35 h in a 35-hour account); people it has no row for get its business
        days times the account's hours per day. Not with ``threshold``.
    include_absences
        Absence hours count towards the threshold. Default: yes without a
        schedule (a paid day off is not a day of undertime); no with one
        (worked hours only, as Beebole's own overtime: the business hours
        already leave the holidays out, and a holiday logged as an absence
        would count twice).
    people
        Names for people the entries do not name.
    start, end, period
        Keep entries in this range only; a period they cut gets the default
        threshold of its days inside the range. Without them, whole periods count.

    Returns
    -------
    DataFrame
        One row per person and period with hours: ``person_id, person_xid,
        person_name, period, partial, hours, threshold, overtime_hours`` (hours
        above the threshold, 0 when below), sorted by person and period.
        ``partial`` is True for a period that runs past the range (``start``/
        ``end``, else the first and last entry dates): its hours are only
        those of its days inside (its default threshold is cut to them only
        when ``start``/``end`` cut it).

    Examples
    --------
    >>> overtime(entries, freq="W").query("overtime_hours > 0")   # doctest: +SKIP
    """
    freq = check_freq(freq)
    start, end = report_range(start, end, period)
    per_day = number_arg(hours_per_day, "hours_per_day")
    limit_given = None if threshold is None else number_arg(threshold, "threshold")
    if include_absences is None:
        include_absences = schedule is None
    elif not isinstance(include_absences, bool | np.bool_):
        raise ValidationError(f"include_absences={shown(include_absences)} is not True or False")
    needs = ("person",) if include_absences else ("person", "absence")
    frame, info, warning = report_entries(
        entries, start, end, report="overtime", needs=needs, freq=freq
    )
    if warning:
        logger.warning(warning)
    frame["period"] = period_start(frame["date"], freq)
    counted = frame["hours"] if include_absences else frame["hours"].where(~is_absence(frame), 0.0)
    out = sum_by(frame, ["person"], {"hours": counted}, contexts={"person": people})
    if limit_given is None:
        # A period cut by start/end expects only its weekdays inside the range, as in
        # utilisation: October's share of the week of 2026-09-28 is Thursday and Friday.
        first, last = out["period"], period_end(out["period"], freq)
        if start is not None:
            first = first.clip(lower=start)
        if end is not None:
            last = last.clip(upper=end)
        limit = weekdays_between(first, last) * per_day
        if schedule is not None:
            contract = contracted_hours(schedule, out, freq=freq, report="overtime")
            limit = contract.expected(weekdays_between(first, last), per_day)
    elif schedule is not None:
        raise ValidationError(
            f"give threshold={shown(threshold)} or schedule=, not both: the schedule "
            "sets each person's threshold"
        )
    else:
        limit = np.full(len(out), limit_given)
    out["threshold"] = pd.array(limit, dtype="Float64")
    out["overtime_hours"] = (out["hours"] - out["threshold"]).clip(lower=0.0).astype("Float64")
    out.insert(
        out.columns.get_loc("period") + 1,
        "partial",
        partial_mask(out["period"], freq, span_of(frame, start, end)),
    )
    out = out.sort_values(by_name(["person"], "period"), ignore_index=True)
    info.update(freq=freq, partial_periods=partial_labels(out, freq))
    out.attrs["beebole_report"] = info
    return out


@keyed
def absence_summary(
    entries: pd.DataFrame,
    *,
    hours_per_day: float = 8.0,
    people: Frame = None,
    absences: Frame = None,
    start: Any = None,
    end: Any = None,
    period: Any = None,
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
    start, end, period
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
    per_day = number_arg(hours_per_day, "hours_per_day", positive=True)
    start, end = report_range(start, end, period)
    frame, info, warning = report_entries(
        entries, start, end, report="absence_summary", needs=("person", "absence")
    )
    if warning:
        logger.warning(warning)
    frame = frame[is_absence(frame)].reset_index(drop=True)
    ones = pd.Series(1.0, index=frame.index)
    out = sum_by(
        frame,
        ["person", "absence"],
        {"entries": ones, "hours": frame["hours"]},
        period=False,
        contexts={"person": people, "absence": absences},
    )
    out["entries"] = _counts(out["entries"], info)
    out["days"] = (out["hours"] / per_day).astype("Float64")
    out = out.sort_values(by_name(["person", "absence"]), ignore_index=True)
    out.attrs["beebole_report"] = info
    return out


def _counts(column: pd.Series, info: Mapping[str, Any]) -> pd.Series:
    """Entry counts as Int64; ``<NA>`` when the report was given sums (bb.hours), whose
    rows are not entries."""
    counts = column.astype("Int64")
    return (
        counts.where(pd.Series(False, index=counts.index))
        if info.get("input") == "hours"
        else counts
    )


def _status_labels(frame: pd.DataFrame) -> pd.Series:
    # Frames hold labels; a frame built by hand may hold the API's codes.
    column = frame["status"]
    if column.dtype == pandas_dtype("status"):
        return column.array
    return column_array(column.tolist(), "status", column="status")


@keyed
def approval_status(
    entries: pd.DataFrame,
    *,
    freq: str = "W",
    as_of: Any = None,
    people: Frame = None,
    start: Any = None,
    end: Any = None,
    period: Any = None,
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
    start, end, period
        Keep entries in this range only.

    Returns
    -------
    DataFrame
        ``person_id, person_xid, person_name, period, partial, status``
        (categorical of the labels draft, submitted, approved, rejected,
        locked), ``entries`` (Int64) and ``hours``; one row per combination
        that has entries. ``partial`` is True for a period that runs past the
        range (``start`` to ``end`` or ``as_of``, else the entries' dates).

    Examples
    --------
    >>> approval_status(entries).pivot_table(index="person_name", columns="status",
    ...                                      values="hours", observed=True)   # doctest: +SKIP
    """
    freq = check_freq(freq)
    start, end = report_range(start, end, period)
    as_of = report_day(as_of, "as_of")
    # Entries after as_of are ignored: the range ends at the earlier of as_of and end.
    last = end if as_of is None else (as_of if end is None else min(as_of, end))
    frame, info, warning = report_entries(
        entries, start, last, report="approval_status", needs=("person", "status"), freq=freq
    )
    if warning:
        logger.warning(warning)
    frame = frame.reset_index(drop=True)
    frame["period"] = period_start(frame["date"], freq)
    frame["status"] = _status_labels(frame)
    ones = pd.Series(1.0, index=frame.index)
    out = sum_by(
        frame,
        ["person"],
        {"entries": ones, "hours": frame["hours"]},
        contexts={"person": people},
        extra=["status"],
    )
    out["status"] = pd.Categorical(out["status"], dtype=pandas_dtype("status"))
    out["entries"] = _counts(out["entries"], info)
    out.insert(
        out.columns.get_loc("period") + 1,
        "partial",
        partial_mask(out["period"], freq, span_of(frame, start, last)),
    )
    out = out.sort_values(by_name(["person"], "period", "status"), ignore_index=True)
    info.update(freq=freq, partial_periods=partial_labels(out, freq))
    out.attrs["beebole_report"] = info
    return out


@keyed
def missing_submissions(
    entries: pd.DataFrame,
    *,
    week: Any = None,
    as_of: Any = None,
    people: Frame = None,
    start: Any = None,
    end: Any = None,
    period: Any = None,
) -> pd.DataFrame:
    """Who has not submitted their timesheet, per person and week.

    A person is listed for a week when, in it, they have draft or rejected
    entries (not yet sent for approval) or, when ``people=`` is given, no
    entries at all although they are active.

    Parameters
    ----------
    entries
        A time-entry frame covering the week(s).
    week
        Any day of the one week to check. Default: the last full week before
        ``as_of`` (unless ``start``/``end``/``period`` name a range).
    as_of
        "Today": the default week, and with a range, the weeks already over
        (their Sunday before ``as_of``) are the ones chased. Default: the
        current date for the default week; every week of a range.
    people
        Active people expected to log time; without it, only people with
        entries are considered.
    start, end, period
        A range to chase week by week (``period="2026-11"``: every week that
        overlaps November, cut to November's days; ``partial`` says which).

    Returns
    -------
    DataFrame
        ``person_id, person_xid, person_name, week, partial, hours,
        draft_hours, rejected_hours, unsubmitted_entries`` (Int64) and
        ``reason`` (``"no time logged"``, ``"draft"``, ``"rejected"`` or
        ``"draft, rejected"``); one row per person and week to chase, sorted
        by person and week; empty when everybody submitted.

    Examples
    --------
    >>> missing_submissions(entries, people=bb.people(), as_of="2026-11-04")  # doctest: +SKIP
    >>> missing_submissions(entries, period="2026-11", people=bb.people())   # doctest: +SKIP
    """
    day, as_of = report_day(week, "week"), report_day(as_of, "as_of")
    first, last = report_range(start, end, period)
    ranged = first is not None or last is not None
    if ranged and day is not None:
        raise ValidationError(f"give week={shown(week)} or a range (start/end/period), not both")
    if ranged:
        frame_all = check_entries_dates(entries)
        lo = first if first is not None else frame_all.min()
        hi = last if last is not None else frame_all.max()
        if pd.isna(lo) or pd.isna(hi):
            mondays = pd.DatetimeIndex([], dtype="datetime64[ns]")
        else:
            mondays = periods_between(lo, hi, "W")
        if as_of is not None:
            mondays = mondays[mondays + pd.Timedelta(days=6) < as_of]
        span: tuple[pd.Timestamp, pd.Timestamp] | None = (lo, hi) if len(mondays) else None
    else:
        if day is None:
            today = as_of if as_of is not None else pd.Timestamp.today()
            monday = period_start(pd.Series([today]), "W").iloc[0] - pd.Timedelta(days=7)
        else:
            monday = period_start(pd.Series([day]), "W").iloc[0]
        mondays = pd.DatetimeIndex([monday]).astype("datetime64[ns]")
        span = (monday, monday + pd.Timedelta(days=6))
    if len(mondays):
        lo = max(mondays[0], span[0]) if span else mondays[0]
        hi = min(mondays[-1] + pd.Timedelta(days=6), span[1]) if span else mondays[-1]
    else:
        lo = hi = pd.Timestamp("2000-01-03")  # no week to chase: an empty cut
    frame, info, warning = report_entries(
        entries, lo, hi, report="missing_submissions", needs=("person", "status"), freq="W"
    )
    if warning and len(mondays):
        logger.warning(warning)
    if not len(mondays):
        frame = frame.iloc[:0]
    frame["period"] = period_start(frame["date"], "W")
    status = pd.Series(_status_labels(frame), index=frame.index).astype("string")
    pending = status.isin(["draft", "rejected"]).fillna(False).astype(bool)
    values = {
        "hours": frame["hours"],
        "draft_hours": frame["hours"].where(status == "draft", 0.0),
        "rejected_hours": frame["hours"].where(status == "rejected", 0.0),
        "unsubmitted_entries": pending.astype(float),
    }
    sums = sum_by(frame, ["person"], values, contexts={"person": people})
    persons = dim_table(with_people(frame, people), "person", people).reset_index(drop=True)
    grid = persons.merge(pd.DataFrame({"period": mondays}), how="cross")
    out = grid.merge(sums, how="left", on=[*persons.columns, "period"])
    floats = ["hours", "draft_hours", "rejected_hours", "unsubmitted_entries"]
    out[floats] = out[floats].astype("Float64").fillna(0.0)
    out["unsubmitted_entries"] = _counts(out["unsubmitted_entries"], info)
    reasons = []
    for hours, draft, rejected in zip(
        out["hours"], out["draft_hours"], out["rejected_hours"], strict=True
    ):
        parts = [name for name, v in (("draft", draft), ("rejected", rejected)) if v > 0]
        reasons.append(", ".join(parts) if parts else ("no time logged" if hours == 0 else ""))
    out["reason"] = pd.array(reasons, dtype="string")
    out["week"] = out.pop("period").astype("datetime64[ns]")
    out["partial"] = partial_mask(out["week"], "W", (lo, hi) if len(mondays) else None)
    columns = ["person_id", "person_xid", "person_name", "week", "partial", *floats, "reason"]
    out = out.loc[out["reason"] != "", columns]
    out = out.sort_values(by_name(["person"], "week"), ignore_index=True)
    said: dict[str, Any] = {
        "report": "missing_submissions",
        "start": day_text(lo) if len(mondays) else None,
        "end": day_text(hi) if len(mondays) else None,
        "period": range_text(lo, hi) if len(mondays) else None,
        "weeks": [day_text(m) for m in mondays],
        "empty": len(frame) == 0,
        **{k: info[k] for k in ("input", "summed_by") if k in info},
    }
    out.attrs["beebole_report"] = said
    return out


def check_entries_dates(entries: pd.DataFrame) -> pd.Series:
    """The dates of a time-entry frame (checked), to find the range it covers."""
    from .tools import check_entries

    return check_entries(entries)["date"].dropna()
