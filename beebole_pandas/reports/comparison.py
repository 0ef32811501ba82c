"""Comparisons: a report against the previous period or the same period a year before.

:func:`compare` sets two tables of one report side by side, as a tidy frame:
one row per key (person, project...) and measure, with ``current``,
``previous``, ``difference`` and ``change_pct``. :func:`compare_report` runs a
report on a period and on the period to compare it with
(:func:`beebole_pandas.periods.shift`); :func:`compare_money` does the same
with the export's money (two aggregated exports).

>>> entries = bb.time_entries("2026-10-01", "2026-11-30")             # doctest: +SKIP
>>> compare_report("timesheet", entries, "2026-11", by="project")     # doctest: +SKIP
>>> compare_money("2026-11", against="year", by="client")             # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from .. import periods
from ..errors import SchemaError, ValidationError
from ..load.scopes import flag, shown
from .formats import RATIO_COLUMNS
from .tools import check_entries, day_text

__all__ = ["RATIOS", "compare", "compare_money", "compare_report"]

logger = logging.getLogger(__name__)

#: Columns that are ratios of other columns (the ratios shown as %, and rates per
#: hour): compared as they are when each key has one row, dropped when rows must
#: be summed (a sum of ratios means nothing).
RATIOS: frozenset[str] = RATIO_COLUMNS | {"hourly_billing", "hourly_rate"}
#: Columns that say when, not what: summed over when comparing whole periods.
_WHEN = ("period", "partial", "week", "cumulative_since")
#: Report columns that are not measures even when numeric.
_NOT_MEASURES = ("threshold",)


def _keys_of(frame: pd.DataFrame) -> list[str]:
    """The columns that identify a row: join keys (``*_key``) and labels like ``status``."""
    keys = [c for c in frame.columns if str(c).endswith("_key")]
    if not keys:
        keys = [c for c in frame.columns if str(c).endswith("_id") or str(c).endswith("_xid")] or [
            c for c in frame.columns if str(c).endswith("_name")
        ]
    labels = [
        c
        for c in frame.columns
        if c not in keys
        and c not in _WHEN
        and not str(c).endswith(("_id", "_xid", "_name", "_key"))
        and (isinstance(frame[c].dtype, pd.CategoricalDtype) or frame[c].dtype == "string")
        and c != "reason"
    ]
    return [*keys, *labels]


def _measures(frame: pd.DataFrame, on: Sequence[str]) -> list[str]:
    return [
        c
        for c in frame.columns
        if c not in on
        and c not in _WHEN
        and c not in _NOT_MEASURES
        and not str(c).endswith(("_id", "_xid", "_name", "_key"))
        and pd.api.types.is_numeric_dtype(frame[c].dtype)
        and not pd.api.types.is_bool_dtype(frame[c].dtype)
    ]


def _collapse(frame: pd.DataFrame, on: list[str], values: list[str]) -> pd.DataFrame:
    """One row per ``on``: additive measures summed (ratios dropped when rows repeat)."""
    names = [c for c in frame.columns if str(c).endswith("_name") and c not in on]
    work = frame.copy()
    for column in on:
        if work[column].dtype != object and not isinstance(work[column].dtype, pd.StringDtype):
            work[column] = work[column].astype("string")
        work[column] = work[column].astype("string").fillna("")
    grouped = work.groupby(on, sort=False, dropna=False)
    sums = grouped[values].sum(min_count=1) if values else grouped.size().to_frame("_n")[[]]
    if names:
        sums = sums.join(grouped[names].first())
    return sums


def compare(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    *,
    on: Sequence[str] | None = None,
    values: Sequence[str] | None = None,
    labels: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Two tables of one report, set side by side per key and measure.

    Parameters
    ----------
    current, previous
        The same report over two periods (tidy form: a timesheet with
        ``pivot=False``). Rows of one key over several periods are summed
        first (ratios such as ``utilisation`` are then left out).
    on
        The columns that identify a row (default: the ``*_key`` columns and
        labels such as ``status``).
    values
        The measures to compare (default: every numeric column but ids).
    labels
        Names of the two periods, recorded in ``attrs`` (default: the
        tables' own ``attrs["beebole_report"]["period"]``).

    Returns
    -------
    DataFrame
        ``on`` columns, the ``*_name`` columns, ``measure``, ``current``,
        ``previous``, ``difference`` (current − previous) and ``change_pct``
        (difference / |previous|, a fraction: 0.1 is +10 %; ``<NA>`` when
        previous is 0 or missing). A key found in one table only gets 0 in
        the other for additive measures. Sorted by key then measure.

    Raises
    ------
    SchemaError
        The tables do not share the ``on`` columns or the measures.

    Examples
    --------
    >>> now = pd.DataFrame({"project_key": ["A"], "hours": [110.0]})
    >>> then = pd.DataFrame({"project_key": ["A"], "hours": [100.0]})
    >>> compare(now, then)[["measure", "difference", "change_pct"]].to_dict("records")
    [{'measure': 'hours', 'difference': 10.0, 'change_pct': 0.1}]
    """
    for name, table in (("current", current), ("previous", previous)):
        if not isinstance(table, pd.DataFrame):
            raise SchemaError(f"{name} is a {type(table).__name__}, not a report DataFrame")
    keys = list(on) if on is not None else _keys_of(current)
    missing = [c for c in keys if c not in current.columns or c not in previous.columns]
    if missing or not keys:
        raise SchemaError(
            f"cannot match the rows of the two tables on {shown(missing or keys)}; give on= "
            f"with columns both have (current has {', '.join(map(str, current.columns))})"
        )
    measures = list(values) if values is not None else _measures(current, keys)
    absent = [c for c in measures if c not in previous.columns or c not in current.columns]
    if absent:
        raise SchemaError(f"the measure(s) {', '.join(absent)} are not in both tables")
    repeated = current.duplicated(keys).any() or previous.duplicated(keys).any()
    if repeated:
        dropped = [c for c in measures if c in RATIOS]
        if dropped and values is None:
            logger.info("compare: rows repeat per key, so the ratios %s are left out", dropped)
        measures = [c for c in measures if c not in RATIOS or values is not None]
    now = _collapse(current, keys, measures)
    then = _collapse(previous, keys, measures)
    both = now.merge(
        then, how="outer", left_index=True, right_index=True, suffixes=("", "_previous")
    )
    names = [c for c in now.columns if c not in measures]
    for name in names:
        both[name] = both[name].fillna(both[f"{name}_previous"])
    rows = []
    for measure in measures:
        cur = both[measure].astype("Float64")
        old = both[f"{measure}_previous"].astype("Float64")
        additive = measure not in RATIOS
        if additive:
            cur, old = cur.fillna(0.0), old.fillna(0.0)
        part = both[names].copy()
        part["measure"] = measure
        part["current"] = cur
        part["previous"] = old
        rows.append(part)
    if rows:
        out = pd.concat(rows).reset_index()
    else:
        out = pd.DataFrame(columns=[*keys, *names, "measure", "current", "previous"])
    out = out.astype({"current": "Float64", "previous": "Float64", "measure": "string"})
    out["difference"] = out["current"] - out["previous"]
    base = out["previous"].abs()
    out["change_pct"] = out["difference"] / base.where(base > 0)
    for column in keys:
        out[column] = out[column].astype("string").replace("", pd.NA)
    out = out.sort_values([*(names[:1] or keys), "measure"], ignore_index=True, kind="stable")
    info_now = current.attrs.get("beebole_report", {}) if isinstance(current.attrs, dict) else {}
    info_then = previous.attrs.get("beebole_report", {}) if isinstance(previous.attrs, dict) else {}
    current_label, previous_label = labels or (info_now.get("period"), info_then.get("period"))
    out.attrs["beebole_report"] = {
        "report": f"compare_{info_now.get('report', 'report')}",
        "current": current_label,
        "previous": previous_label,
        "period": current_label,
        "currency": info_now.get("currency"),
        "measures": measures,
        "empty": len(out) == 0,
    }
    return out


def _report_of(report: str | Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    from . import burn, tables

    if callable(report):
        return report
    offered = {
        name: getattr(module, name)
        for module in (tables, burn)
        for name in module.__all__
        if callable(getattr(module, name)) and name != "project_hours_before"
    }
    if not isinstance(report, str) or report not in offered:
        raise ValidationError(
            f"unknown report {shown(report)}; valid choices are: {', '.join(sorted(offered))}"
        )
    return offered[report]  # type: ignore[no-any-return]


def compare_report(
    report: str | Callable[..., pd.DataFrame],
    entries: pd.DataFrame,
    period: Any,
    *,
    against: str = "previous",
    today: Any = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Run a report on ``period`` and on the period to compare it with; :func:`compare` them.

    Parameters
    ----------
    report
        A report of :mod:`beebole_pandas.reports` by name (``"timesheet"``,
        ``"utilisation"``, ``"overtime"``, ``"absence_summary"``,
        ``"approval_status"``) or the function itself.
    entries
        A time-entry frame covering both periods (load
        ``bb.time_entries(shift(period).start, period's end)``); a logged
        warning says so when it does not.
    period
        Any spelling of :func:`beebole_pandas.periods.span` (``"2026-11"``).
    against
        ``"previous"`` (the period before) or ``"year"`` (a year before).
    today
        "Today" for relative names such as ``"last-month"``.
    **kwargs
        Passed to the report (``by="project"``, ``people=...``). A timesheet
        is built tidy (``pivot=False``) over one period of the span's kind.

    Returns
    -------
    DataFrame
        As :func:`compare`, with ``attrs["beebole_report"]["current"]`` and
        ``["previous"]`` the two periods' labels.

    Examples
    --------
    >>> compare_report("utilisation", entries, "2026-11", people=bb.people())  # doctest: +SKIP
    """
    build = _report_of(report)
    now = periods.span(period, today=today)
    then = periods.shift(now, against)
    dates = check_entries(entries)["date"].dropna()
    if len(dates) and (dates.min() > then.start or dates.max() < now.start):
        logger.warning(
            "compare_report: the entries run from %s to %s, but the comparison needs %s to %s: "
            "load bb.time_entries(%r, %r)",
            day_text(dates.min()),
            day_text(dates.max()),
            day_text(then.start),
            day_text(now.end),
            day_text(then.start),
            day_text(now.end),
        )
    options = dict(kwargs)
    if getattr(build, "__name__", "") == "timesheet":
        options.setdefault("pivot", False)
        options.setdefault("freq", now.freq if now.freq and now.freq != "D" else "D")
    tables = [build(entries, start=s.start, end=s.end, **options) for s in (now, then)]
    return compare(*tables, labels=(now.label, then.label))


def compare_money(
    period: Any,
    *,
    against: str = "previous",
    by: Any = "project",
    currency: str | None = None,
    today: Any = None,
    client: Any = None,
    dry_run: bool = False,
    **kwargs: Any,
) -> Any:
    """Billing, cost, profit and hours against the previous period (or a year before).

    Two aggregated exports (:func:`beebole_pandas.reports.money`), a few
    requests and KB each.

    Parameters
    ----------
    period, against, today
        The period (any spelling of :func:`beebole_pandas.periods.span`), and
        what to compare it with: ``"previous"`` or ``"year"``.
    by, currency, client, **kwargs
        As for :func:`beebole_pandas.reports.money`.
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` only (of
        both exports) and load nothing.

    Examples
    --------
    >>> compare_money("2026-11", by="client", currency="USD")          # doctest: +SKIP
    >>> compare_money("2026-11", by="client", dry_run=True)            # doctest: +SKIP
    """
    from .finance import money

    dry_run = flag(dry_run, "dry_run")
    now = periods.span(period, today=today)
    then = periods.shift(now, against)
    if dry_run:
        current, previous = (
            money(s, by=by, currency=currency, client=client, dry_run=True, **kwargs)
            for s in (now, then)
        )
        return current + previous
    tables = [money(s, by=by, currency=currency, client=client, **kwargs) for s in (now, then)]
    for table, s in zip(tables, (now, then), strict=True):
        table.attrs["beebole_report"]["period"] = s.label
    return compare(*tables, labels=(now.label, then.label))


def change_text(value: Any) -> str:
    """``"+12.5 %"``, ``"-3.0 %"`` or ``"n/a"`` (no previous value) for a ``change_pct``.

    >>> change_text(0.125), change_text(float("nan"))
    ('+12.5 %', 'n/a')
    """
    if value is None or pd.isna(value):
        return "n/a"
    return f"{100 * float(value):+.1f} %"


def __dir__() -> list[str]:
    return sorted(__all__)
