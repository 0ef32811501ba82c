"""One matplotlib chart per report of :mod:`beebole_pandas.reports`.

Every function takes the frame the matching report returns and gives back the
:class:`matplotlib.figure.Figure` (its axes are ``fig.axes``). Charts are made
to stay readable with 50 people: people on the vertical axis as horizontal
bars, sorted, the figure growing with the number of rows, legends outside the
plotting area, hours formatted as ``1,234 h``.

matplotlib is imported inside the functions, so ``import beebole_pandas`` does
not pay for it; the functions never call ``plt.show()`` and never switch the
backend, so they work under Agg (scripts, tests, CI) as in Jupyter.

>>> from beebole_pandas import plotting, reports
>>> fig = plotting.plot_timesheet(reports.timesheet(entries))   # doctest: +SKIP
>>> fig.savefig("timesheet.png")                                 # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import reports  # the package: every report function, wherever it lives
from ..errors import SchemaError
from .charts import (
    SLIDE_HEIGHT,
    colours_for,
    no_data_figure,
    period_ticks,
    plot_comparison,
    plot_money,
    plot_submissions,
    show_in_notebooks,
    top_rows,
)
from .tables import STATUS_ORDER
from .tools import NONE_LABEL, period_label, ref_key

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PLOTS",
    "STATUS_COLOURS",
    "plot_absences",
    "plot_approval_status",
    "plot_comparison",
    "plot_entries",
    "plot_money",
    "plot_overtime",
    "plot_project_burn",
    "plot_report",
    "plot_submissions",
    "plot_timesheet",
    "plot_utilisation",
]

#: Colours of the approval statuses: grey draft, blue submitted, green
#: approved, red rejected, dark slate locked (colour-blind safe Okabe-Ito hues).
STATUS_COLOURS: dict[str, str] = {
    "draft": "#BBBBBB",
    "submitted": "#0072B2",
    "approved": "#009E73",
    "rejected": "#D55E00",
    "locked": "#3B3B58",
}
_ROW_INCHES = 0.21
_WIDTH = 10.0
#: Rows a bar chart shows before it sums the rest into "others (n)": a slide's worth.
TOP = 20
#: A period column of the timesheet's pivot form: ``2026-10-05``, ``2026-10``,
#: ``2026-Q4`` or ``2026``.
_PERIOD_LABEL = re.compile(r"\d{4}(-\d{2}(-\d{2})?|-Q[1-4])?")


def _hours(value: float, _pos: object = None) -> str:
    return f"{value:,.0f} h"


def _new_figure(height: float) -> Figure:
    from matplotlib.figure import Figure

    show_in_notebooks()
    return Figure(figsize=(_WIDTH, height), layout="constrained")


def _figure(rows: int, *, min_height: float = 3.0) -> tuple[Figure, Axes]:
    """A figure whose height grows with the number of bars, so 50 names stay legible."""
    # 20 rows (the default top) fill a 16:9 slide; more rows, asked with top=, grow it.
    height = max(min_height, 1.2 + _ROW_INCHES * rows)
    fig = _new_figure(height)
    ax = fig.add_subplot()
    ax.tick_params(axis="y", labelsize=8 if rows > 25 else 9)
    ax.grid(axis="x", color="#E5E5E5", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _legend_outside(ax: Axes, title: str | None = None, ncol: int = 1) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles,
            labels,
            title=title,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=8,
            title_fontsize=9,
            ncol=ncol,
        )


def _nothing(table: pd.DataFrame, what: str) -> str:
    """What an empty chart says: ``"no data for 2026-12-01 to 2026-12-31"`` when the
    report had no entries in its range, else ``"no <what> for <range>"``."""
    info = table.attrs.get("beebole_report", {}) if isinstance(table.attrs, dict) else {}
    period = info.get("period") if isinstance(info, dict) else None
    where = f"for {period}" if period else "in this range"
    if isinstance(info, dict) and info.get("empty"):
        return f"no data {where}"
    return f"no {what} {where}"


def _partial_labels(table: pd.DataFrame) -> set[str]:
    """The labels (``YYYY-MM-DD``) of the periods a report marked partial."""
    info = table.attrs.get("beebole_report", {}) if isinstance(table.attrs, dict) else {}
    labels = set(info.get("partial_periods") or []) if isinstance(info, dict) else set()
    if "partial" in table.columns and "period" in table.columns and len(table):
        flags = table["partial"].astype("boolean").fillna(False).to_numpy(dtype=bool)
        labels |= {p.strftime("%Y-%m-%d") for p in table.loc[flags, "period"]}
    return labels


def _period_legend(label: str, partial: set[str]) -> str:
    return f"{label} (partial)" if label in partial else label


def _colours(n: int, cmap: str = "viridis") -> list[Any]:
    from matplotlib import colormaps

    if n <= 0:
        return []
    if n <= 8 and cmap == "qualitative":
        return list(colormaps["tab10"].colors[:n])  # type: ignore[attr-defined]
    if cmap == "qualitative":
        cmap = "tab20"
        return [colormaps[cmap](i % 20) for i in range(n)]
    return [colormaps[cmap](x) for x in np.linspace(0.15, 0.85, n)]


def _bars(
    ax: Axes,
    y: np.ndarray,
    left: np.ndarray,
    width: np.ndarray,
    colour: Any,
    label: str,
    *,
    hatch: str | None = None,
) -> None:
    """Horizontal bars as one PolyCollection: 50 people × 5 weeks as 250 separate
    Rectangle patches cost seconds to add; one collection per colour costs milliseconds.
    ``hatch`` marks a partial period (its hours are only those of its days in range)."""
    from matplotlib.collections import PolyCollection

    half = 0.75 / 2
    verts = [
        [(lo, yy - half), (lo + w, yy - half), (lo + w, yy + half), (lo, yy + half)]
        for yy, lo, w in zip(y, left, width, strict=True)
        if w > 0
    ]
    bars = PolyCollection(
        verts,
        facecolors=colour,
        edgecolors="white" if hatch else "none",
        linewidths=0.0,
        label=label,
    )
    if hatch:
        bars.set_hatch(hatch)
    ax.add_collection(bars)


def _set_rows(ax: Axes, labels: list[str], right: float) -> None:
    """Row labels top to bottom (first row at the top) and the x range of the data."""
    y = np.arange(len(labels))
    ax.set_yticks(y, labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_xlim(0, right * 1.04 if right > 0 else 1.0)


def _stacked_barh(
    ax: Axes, table: pd.DataFrame, colours: list[Any], partial: set[str] | None = None
) -> None:
    """Horizontal stacked bars: rows of ``table`` are bars, columns are segments;
    the columns named in ``partial`` (partial periods) are hatched and labelled so."""
    partial = partial or set()
    left = np.zeros(len(table))
    y = np.arange(len(table))
    for column, colour in zip(table.columns, colours, strict=True):
        values = table[column].astype(float).fillna(0.0).to_numpy()
        cut_off = str(column) in partial
        label = _period_legend(str(column), partial)
        _bars(ax, y, left, values, colour, label, hatch="////" if cut_off else None)
        left = left + values
    _set_rows(ax, [str(i) for i in table.index], float(left.max()) if len(left) else 0.0)


def _name_column(frame: pd.DataFrame) -> str:
    names = [c for c in frame.columns if str(c).endswith("_name")]
    return names[0] if names else frame.columns[0]


def _labels(frame: pd.DataFrame, dim: str) -> pd.Series:
    """The display label of each row's ``dim`` (person, project...): its name, made unique.

    Charts group by this label, so it must tell ids apart: where two ids share a
    name (two people called Alex Martin), each gets its xid or ``#id`` in
    brackets, ``"Alex Martin (#1002)"``, instead of both landing in one bar.

    >>> frame = pd.DataFrame({"person_id": [1, 2, 3], "person_xid": [None, "E-2", None],
    ...                       "person_name": ["Alex", "Alex", "Bo"]})
    >>> _labels(frame, "person").tolist()
    ['Alex (#1)', 'Alex (E-2)', 'Bo']
    """
    column = f"{dim}_name"
    if column not in frame.columns:
        return frame[_name_column(frame)].astype("string").fillna(NONE_LABEL).astype(str)
    names = frame[column].astype("string")
    if f"{dim}_id" not in frame.columns or f"{dim}_xid" not in frame.columns:
        return names.fillna(NONE_LABEL).astype(str)
    keys = ref_key(frame, dim)
    names = names.fillna(keys.replace("", NONE_LABEL).astype("string")).astype(str)
    repeated = keys.groupby(names.to_numpy()).transform("nunique") > 1
    return names.where(~repeated, names + " (" + keys + ")")


def _heatmap(ax: Axes, table: pd.DataFrame, partial: set[str]) -> None:
    """Rows × periods as a grid of shades (one colour scale, so 14 weeks stay apart:
    position tells the period, shade the hours); partial periods' labels end with ``*``."""
    values = table.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", cmap="Blues", vmin=0, interpolation="none")
    ax.set_yticks(np.arange(len(table)), [str(i) for i in table.index])
    labels = [f"{c}*" if str(c) in partial else str(c) for c in table.columns]
    ax.set_xticks(np.arange(len(table.columns)), labels, rotation=45, ha="right", fontsize=8)
    ax.grid(False)
    if values.size <= 240:
        top = float(np.nanmax(values)) if values.size else 0.0
        for (i, j), v in np.ndenumerate(values):
            if v > 0:
                ax.text(j, i, f"{v:,.0f}", ha="center", va="center", fontsize=6,
                        color="white" if v > top * 0.6 else "#333333")  # fmt: skip
    colourbar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.01)
    colourbar.set_label("Hours", fontsize=8)


def plot_timesheet(timesheet: pd.DataFrame, *, title: str | None = None, top: int = TOP) -> Figure:
    """Hours per person (or project) and period: stacked bars, or a grid for many periods.

    Up to 6 periods are stacked horizontal bars (a shade per period, partial
    periods hatched); more periods are drawn as a grid of rows × periods
    (14 weeks cannot be told apart by shade), ticks on the data's periods.
    Rows beyond ``top`` are summed into one "others (n)" row.

    Parameters
    ----------
    timesheet
        What :func:`beebole_pandas.reports.timesheet` returns, pivot or tidy.
    title
        Default ``"Hours per person and period"`` (or the ``by`` name).
    top
        Rows shown (the largest by hours; the rest as "others").

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_timesheet(reports.timesheet(entries, freq="W")).savefig("ts.png")  # doctest: +SKIP
    """
    name = _name_column(timesheet)
    who = str(name).removesuffix("_name")
    info = timesheet.attrs.get("beebole_report", {}) if isinstance(timesheet.attrs, dict) else {}
    freq = info.get("freq") if isinstance(info, dict) else None
    if "period" in timesheet.columns:  # the tidy form
        table = (
            timesheet.assign(_label=_labels(timesheet, who)).pivot_table(
                index="_label", columns="period", values="hours", aggfunc="sum"
            )
            if len(timesheet)
            else pd.DataFrame()
        )
        table.columns = [_period_text(p, freq) for p in table.columns]
    else:
        margin = (info.get("margins_name") or "Total") if isinstance(info, dict) else "Total"
        # A margins row (margins=True) has no id: a person really named "Total" stays.
        total = timesheet[name].astype("string").isin([margin, "Total"]).fillna(False)
        total = total.astype(bool)
        if f"{who}_id" in timesheet.columns and f"{who}_xid" in timesheet.columns:
            total &= timesheet[f"{who}_id"].isna() & timesheet[f"{who}_xid"].isna()
        body = timesheet[~total]
        # Period columns are labelled by their first day; anything else (ids, names,
        # join keys, the margins column) is not a period.
        periods = [c for c in timesheet.columns if _PERIOD_LABEL.fullmatch(str(c))]
        table = (
            body.assign(_label=_labels(body, who)).groupby("_label")[periods].sum()
            if len(body)
            else pd.DataFrame(columns=periods)
        )
    table = table.astype(float)
    unit = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}.get(
        str(freq), "period"
    )
    heading = title or f"Hours per {who} and {unit}"
    if len(table) == 0 or table.to_numpy().sum() == 0:
        return no_data_figure(_nothing(timesheet, "hours"), heading)
    table = top_rows(table, top, what=f"{who}s" if who != "person" else "people")
    partial = _partial_labels(timesheet)
    fig, ax = _figure(len(table))
    from matplotlib.ticker import FuncFormatter

    if len(table.columns) > 6:
        _heatmap(ax, table, partial)
        ax.set_xlabel(f"{unit.capitalize()} starting" + (" (* partial)" if partial else ""))
    else:
        _stacked_barh(ax, table, _colours(len(table.columns), "viridis"), partial)
        title_note = "Period starting" + (" (hatched: partial)" if partial else "")
        _legend_outside(ax, title=title_note)
        ax.xaxis.set_major_formatter(FuncFormatter(_hours))
        ax.set_xlabel("Hours logged")
    ax.set_ylabel(who.capitalize())
    ax.set_title(heading, loc="left", fontweight="bold")
    return fig


def _period_text(period: Any, freq: str | None) -> str:
    if isinstance(period, str):
        return period
    return (
        period_label(pd.Timestamp(period), freq)
        if freq in ("M", "Q", "Y")
        else f"{period:%Y-%m-%d}"
    )


def plot_utilisation(
    utilisation: pd.DataFrame, *, title: str | None = None, top: int = TOP
) -> Figure:
    """Utilisation per person (worked / expected), with its billable part.

    People beyond ``top`` are pooled into one "others (n people)" row (their
    worked hours over their expected hours).

    Parameters
    ----------
    utilisation
        What :func:`beebole_pandas.reports.utilisation` returns (without
        ``freq``; with it, the periods are summed first).
    title
        Default ``"Utilisation (worked / expected hours)"``.
    top
        Rows shown.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_utilisation(reports.utilisation(entries, companies=companies))  # doctest: +SKIP
    """
    heading = title or "Utilisation (worked / expected hours)"
    columns = ["expected_hours", "worked_hours", "absence_hours", "billable_hours"]
    sums = utilisation.groupby(_labels(utilisation, "person").to_numpy())[columns].sum(min_count=1)
    if len(sums) == 0:
        return no_data_figure(_nothing(utilisation, "people"), heading)
    sums = sums.astype(float)
    ratio = sums["worked_hours"] / sums["expected_hours"].replace(0.0, np.nan)
    sums = sums.loc[ratio.fillna(0.0).sort_values(ascending=False, kind="stable").index]
    if len(sums) > top:
        rest = sums.iloc[top - 1 :]
        pooled = rest.sum(min_count=1).rename(f"others ({len(rest)} people)")
        sums = pd.concat([sums.iloc[: top - 1], pooled.to_frame().T])
    expected = sums["expected_hours"].replace(0.0, np.nan)
    worked = (sums["worked_hours"] / expected).fillna(0.0)
    billable = sums["billable_hours"] / expected
    absent = (sums["absence_hours"] / expected).fillna(0.0)
    order = list(sums.index)
    fig, ax = _figure(len(order))
    y = np.arange(len(order))
    zero = np.zeros(len(order))
    work = worked.to_numpy() * 100
    _bars(ax, y, zero, work, "#9ECAE1", "worked (non-billable)")
    if billable.notna().any():
        _bars(ax, y, zero, billable.fillna(0.0).to_numpy() * 100, "#08519C", "billable")
    away = absent.to_numpy() * 100
    _bars(ax, y, work, away, "#FDAE6B", "absence")
    ax.axvline(100, color="#333333", linestyle="--", linewidth=1, label="expected (100 %)")
    _set_rows(ax, [str(i) for i in order], max(float((work + away).max()), 100.0))
    _legend_outside(ax)
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_xlabel("Share of expected hours (the account's work schedule, else weekdays × 8 h)")
    ax.set_ylabel("Person")
    ax.set_title(heading, loc="left", fontweight="bold")
    return fig


def plot_overtime(overtime: pd.DataFrame, *, title: str | None = None, top: int = TOP) -> Figure:
    """Overtime hours per person, stacked by period; only people with overtime.

    Parameters
    ----------
    overtime
        What :func:`beebole_pandas.reports.overtime` returns.
    title
        Default ``"Overtime per person"``.
    top
        Rows shown (the rest summed into "others").

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_overtime(reports.overtime(entries, freq="W"))   # doctest: +SKIP
    """
    heading = title or "Overtime per person"
    over = overtime[overtime["overtime_hours"].astype(float) > 0]
    if len(over) == 0:
        return no_data_figure(_nothing(overtime, "overtime"), heading)
    table = over.assign(_label=_labels(over, "person")).pivot_table(
        index="_label", columns="period", values="overtime_hours", aggfunc="sum"
    )
    table.columns = [p.strftime("%Y-%m-%d") for p in table.columns]
    table = top_rows(table.astype(float).fillna(0.0), top, what="people")
    fig, ax = _figure(len(table))
    partial = _partial_labels(overtime)
    _stacked_barh(ax, table, _colours(len(table.columns), "plasma"), partial)
    _legend_outside(ax, title="Period starting" + (" (hatched: partial)" if partial else ""))
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(_hours))
    ax.set_xlabel("Hours above the threshold")
    ax.set_ylabel("Person")
    ax.set_title(heading, loc="left", fontweight="bold")
    return fig


def plot_absences(absences: pd.DataFrame, *, title: str | None = None, top: int = TOP) -> Figure:
    """Absence days per person, stacked by absence type (a stable colour per type).

    Parameters
    ----------
    absences
        What :func:`beebole_pandas.reports.absence_summary` returns.
    title
        Default ``"Absences per person"``.
    top
        Rows shown (the rest summed into "others").

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_absences(reports.absence_summary(entries))   # doctest: +SKIP
    """
    heading = title or "Absences per person"
    if len(absences) == 0:
        return no_data_figure(_nothing(absences, "absences"), heading)
    labelled = absences.assign(
        _label=_labels(absences, "person"), _type=_labels(absences, "absence")
    )
    table = labelled.pivot_table(index="_label", columns="_type", values="days", aggfunc="sum")
    table = top_rows(table.astype(float).fillna(0.0), top, what="people")
    # The colour follows the absence type's key, so "Vacation" is one colour in every report.
    keys = labelled.drop_duplicates("_type").set_index("_type")
    key_of = (
        ref_key(keys, "absence").str.lstrip("#")
        if "absence_id" in keys
        else pd.Series(keys.index, keys.index)
    )
    colours = colours_for(key_of.to_numpy())
    fig, ax = _figure(len(table))
    _stacked_barh(ax, table, [colours[str(key_of.get(c, c))] for c in table.columns])
    _legend_outside(ax, title="Absence type")
    ax.set_xlabel("Days (hours / hours per day)")
    ax.set_ylabel("Person")
    ax.set_title(heading, loc="left", fontweight="bold")
    return fig


def plot_project_burn(burn: pd.DataFrame, *, top: int = 12, title: str | None = None) -> Figure:
    """Cumulative share of budget used per project over time.

    Projects with a budget are drawn as ``cumulative hours / budget`` (a 100 %
    line marks the budget); when none has a budget, cumulative hours are drawn.
    Only the ``top`` projects by hours are shown; each project keeps its colour
    in every report (a hash of its key). Ticks fall on the periods of the
    data (the weekly points); partial periods are hollow points and their tick
    labels end with ``*``; the top right says what the burn counts.

    Parameters
    ----------
    burn
        What :func:`beebole_pandas.reports.project_burn` returns.
    top
        How many projects to draw (the ones with most hours).
    title
        Default ``"Project burn"``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_project_burn(reports.project_burn(entries, projects))   # doctest: +SKIP
    """
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    heading = title or "Project burn"
    budgeted = burn[burn["budget_hours"].notna()] if len(burn) else burn
    use_budget = len(budgeted) > 0
    data = budgeted if use_budget else burn
    if not len(data) or float(data["hours"].astype(float).sum()) == 0:
        return no_data_figure(_nothing(burn, "project hours"), heading)
    # The key as the frames write it (the xid, else the id), so colours match across reports.
    data = data.assign(
        _label=_labels(data, "project"), _key=ref_key(data, "project").str.lstrip("#")
    )
    column = "budget_used" if use_budget else "cumulative_hours"
    totals = data.groupby("_label")["hours"].sum().sort_values(ascending=False, kind="stable")
    chosen = list(totals.index[:top])
    keys = data.drop_duplicates("_label").set_index("_label")["_key"]
    colours = colours_for(keys[chosen].to_numpy())
    scale = 100.0 if use_budget else 1.0
    fig = _new_figure(SLIDE_HEIGHT)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(color="#E5E5E5", linewidth=0.8)
    any_partial, partial_days = False, set()
    for name in chosen:
        colour = colours[str(keys[name])]
        rows = data[data["_label"] == name].sort_values("period")
        values = rows[column].astype(float) * scale
        ax.plot(rows["period"], values, marker="o", markersize=3, color=colour,
                label=str(name), linewidth=1.6)  # fmt: skip
        if "partial" in rows.columns:
            # A partial period (cut by the range) is drawn hollow: its hours are
            # only those of its days in range.
            cut_off = rows["partial"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            if cut_off.any():
                any_partial = True
                partial_days |= {f"{p:%Y-%m-%d}" for p in rows["period"][cut_off]}
                ax.plot(rows["period"][cut_off], values[cut_off], linestyle="none", marker="o",
                        markersize=6, markerfacecolor="white", markeredgecolor=colour,
                        label="_partial")  # fmt: skip
    info = burn.attrs.get("beebole_report", {}) if isinstance(burn.attrs, dict) else {}
    freq = info.get("freq") if isinstance(info, dict) else None
    period_ticks(ax, list(data["period"]), freq if freq in ("M", "Q", "Y") else "D",
                 partial=partial_days)  # fmt: skip
    if use_budget:
        ax.set_ylabel("Budget used (cumulative hours / budget)")
        ax.axhline(100, color="#333333", linestyle="--", linewidth=1, label="budget (100 %)")
        ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    else:
        ax.set_ylabel("Cumulative hours")
        ax.yaxis.set_major_formatter(FuncFormatter(_hours))
    unit = {"W": "Week starting", "M": "Month", "Q": "Quarter", "Y": "Year"}.get(
        str(freq), "Period"
    )
    ax.set_xlabel(unit + (" (hollow points, *: partial period)" if any_partial else ""))
    covers = info.get("covers") if isinstance(info, dict) else None
    if covers == "project life" and info.get("since"):
        ax.set_title(f"hours since {info['since']}", loc="right", fontsize=8, color="#555555")
    elif covers == "period only":
        # The reader must not take a month's share of the budget for the project's.
        ax.set_title(f"period only: hours before {info.get('since')} NOT counted",
                     loc="right", fontsize=8, color="#B00000")  # fmt: skip
    _legend_outside(ax, title=f"Project (top {len(chosen)} by hours)")
    ax.set_title(heading, loc="left", fontweight="bold")
    return fig


def plot_approval_status(
    status: pd.DataFrame, *, title: str | None = None, top: int = TOP
) -> Figure:
    """Hours per person by approval status (draft, submitted, approved, ...).

    People with the most hours not yet sent for approval come first; beyond
    ``top`` the rest are summed into "others".

    Parameters
    ----------
    status
        What :func:`beebole_pandas.reports.approval_status` returns (periods
        are summed).
    title
        Default ``"Approval status"``.
    top
        Rows shown.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_approval_status(reports.approval_status(entries))   # doctest: +SKIP
    """
    heading = title or "Approval status"
    if len(status) == 0:
        return no_data_figure(_nothing(status, "entries"), heading)
    table = status.assign(_label=_labels(status, "person")).pivot_table(
        index="_label", columns="status", values="hours", aggfunc="sum", observed=True
    )
    table = table.reindex(columns=[s for s in STATUS_ORDER if s in table.columns]).astype(float)
    table = table.fillna(0.0)
    order = pd.DataFrame(
        {
            "unsent": table.reindex(columns=["draft", "rejected"]).fillna(0.0).sum(axis=1),
            "total": table.sum(axis=1),
        }
    ).sort_values(["unsent", "total"], ascending=False, kind="stable")
    table = table.loc[order.index]
    if len(table) > top:
        rest = table.iloc[top - 1 :]
        table = pd.concat(
            [table.iloc[: top - 1], rest.sum().rename(f"others ({len(rest)} people)").to_frame().T]
        )
    fig, ax = _figure(len(table))
    _stacked_barh(ax, table, [STATUS_COLOURS[str(c)] for c in table.columns])
    _legend_outside(ax, title="Status")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(_hours))
    ax.set_xlabel("Hours logged")
    ax.set_ylabel("Person")
    ax.set_title(heading, loc="left", fontweight="bold")
    return fig


#: Report kind → (the function of :mod:`beebole_pandas.reports` that builds the
#: table, the chart function of this module): what ``df.beebole.plot(kind)`` draws.
PLOTS: dict[str, tuple[str, str]] = {
    "timesheet": ("timesheet", "plot_timesheet"),
    "utilisation": ("utilisation", "plot_utilisation"),
    "overtime": ("overtime", "plot_overtime"),
    "absence_summary": ("absence_summary", "plot_absences"),
    "project_burn": ("project_burn", "plot_project_burn"),
    "approval_status": ("approval_status", "plot_approval_status"),
}


def _plot_of(kind: str) -> tuple[str, str]:
    try:
        return PLOTS[kind]
    except KeyError:
        raise SchemaError(
            f"unknown plot kind {kind!r}; valid kinds are: {', '.join(PLOTS)}"
        ) from None


def plot_report(kind: str, table: pd.DataFrame, *, title: str | None = None) -> Figure:
    """The chart of a report table, chosen by the report's name.

    Parameters
    ----------
    kind
        One of :data:`PLOTS`: ``"timesheet"``, ``"utilisation"``, ``"overtime"``,
        ``"absence_summary"``, ``"project_burn"``, ``"approval_status"``.
    table
        What that report returned.
    title
        The chart's title (default: the chart's own).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_report("overtime", reports.overtime(entries))   # doctest: +SKIP
    """
    draw = globals()[_plot_of(kind)[1]]
    return draw(table, title=title)  # type: ignore[no-any-return]


def plot_entries(
    entries: pd.DataFrame, kind: str = "timesheet", *, title: str | None = None, **kwargs: Any
) -> Figure:
    """Build one report of a time-entry frame and chart it (``df.beebole.plot``).

    Parameters
    ----------
    entries
        A time-entry frame.
    kind
        The report, one of :data:`PLOTS` (default ``"timesheet"``).
    title
        The chart's title.
    **kwargs
        Passed to the report (``freq="M"``, ``people=...``, ``client=...`` for
        ``project_burn``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> plot_entries(entries, "utilisation", freq="W")   # doctest: +SKIP
    """
    report = getattr(reports, _plot_of(kind)[0])
    return plot_report(kind, report(entries, **kwargs), title=title)


def __dir__() -> list[str]:
    # Tab completion offers the public names only, not the imports.
    return sorted(__all__)
