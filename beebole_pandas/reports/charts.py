"""What every chart shares, and the charts of money, comparisons and submissions.

* **Stable colours**: :func:`colours_for` gives a project, person or absence
  type the same colour in every report (a hash of its key into
  :data:`PALETTE`; two keys of one chart that hash alike take the next free
  colour).
* **Slide size**: figures are :data:`SLIDE_WIDTH` inches wide and at most
  :data:`SLIDE_HEIGHT` tall (16:9); long tables keep their top rows and sum
  the rest into one "others (n)" row (:func:`top_rows`).
* **No data**: :func:`no_data_figure` says so in words, with no axes, ticks
  or legend that would suggest figures.
* **Periods**: :func:`period_ticks` puts the ticks on the data's own periods.

matplotlib is imported inside the functions.

>>> colours_for(["P-1", "P-2"]) == colours_for(["P-2", "P-1"])
True
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .comparison import change_text
from .formats import column_kind
from .tools import NONE_LABEL, period_label, ref_key

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "PALETTE",
    "SLIDE_HEIGHT",
    "SLIDE_WIDTH",
    "colours_for",
    "new_figure",
    "no_data_figure",
    "period_ticks",
    "plot_comparison",
    "plot_money",
    "plot_submissions",
    "show_in_notebooks",
    "top_rows",
]

#: 20 colours told apart on screen and projector: Okabe-Ito, then Tableau's.
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
    "#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F",
    "#BCBD22", "#17BECF", "#AEC7E8", "#98DF8A",
)  # fmt: skip
#: The colour of the "others" row.
OTHERS_COLOUR = "#C8C8C8"
SLIDE_WIDTH, SLIDE_HEIGHT = 10.0, 5.625
_ROW_INCHES = 0.22


def _slot(key: str) -> int:
    return int(hashlib.md5(key.encode("utf-8")).hexdigest()[:8], 16) % len(PALETTE)


def colours_for(keys: Iterable[Any]) -> dict[str, str]:
    """A colour per key (id, xid or name), the same in every chart.

    Keys are placed in the order of their hash, each on its own slot of
    :data:`PALETTE` or the next free one, so a key keeps its colour whatever
    the order it comes in; beyond 20 keys colours repeat.

    >>> colours = colours_for(["Website", "Mobile App"])
    >>> colours["Website"] == colours_for(["Website"])["Website"]
    True
    """
    unique = list(dict.fromkeys(str(k) for k in keys))
    taken: set[int] = set()
    out: dict[str, str] = {}
    for key in sorted(unique, key=lambda k: (_slot(k), k)):
        if key.startswith("others ("):
            out[key] = OTHERS_COLOUR
            continue
        slot = _slot(key)
        if len(taken) < len(PALETTE):
            while slot in taken:
                slot = (slot + 1) % len(PALETTE)
        taken.add(slot)
        out[key] = PALETTE[slot]
    return out


def show_in_notebooks() -> None:
    """Let IPython display a returned Figure as PNG.

    The charts are plain :class:`~matplotlib.figure.Figure` objects, not pyplot
    figures (no global state, no double display, safe in threads and under
    Agg). IPython only learns to render those once pyplot's inline backend has
    been activated, so register the PNG formatter when it is missing.
    """
    ipython_module = sys.modules.get("IPython")
    shell = ipython_module.get_ipython() if ipython_module is not None else None  # type: ignore[attr-defined]
    formatter = getattr(getattr(shell, "display_formatter", None), "formatters", {}).get(
        "image/png"
    )
    if formatter is None:
        return
    from matplotlib.figure import Figure

    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        from IPython.core.pylabtools import print_figure

        formatter.for_type(Figure, lambda fig: print_figure(fig, "png"))


def new_figure(rows: int = 12, *, height: float | None = None) -> Figure:
    """A figure the width of a slide, as tall as ``rows`` bars need, at most a slide."""
    from matplotlib.figure import Figure

    show_in_notebooks()
    tall = height if height is not None else 1.3 + _ROW_INCHES * rows
    return Figure(
        figsize=(SLIDE_WIDTH, float(np.clip(tall, 2.8, SLIDE_HEIGHT))), layout="constrained"
    )


def no_data_figure(message: str, title: str) -> Figure:
    """A figure that says ``message`` in words: no axes, ticks or legend.

    >>> fig = no_data_figure("no data for 2026-12-01 to 2026-12-31", "Timesheet")
    >>> fig.axes[0].get_xticks().tolist(), fig.axes[0].axison
    ([], False)
    """
    fig = new_figure(height=2.8)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, loc="left", fontweight="bold")
    ax.text(0.5, 0.55, message, ha="center", va="center", fontsize=15, color="#555555",
            transform=ax.transAxes)  # fmt: skip
    ax.text(0.5, 0.3, "Nothing to draw: choose a period that has time logged.",
            ha="center", va="center", fontsize=9, color="#888888", transform=ax.transAxes)  # fmt: skip
    return fig


def top_rows(table: pd.DataFrame, top: int, *, what: str = "") -> pd.DataFrame:
    """The ``top - 1`` rows of largest total, then one ``"others (n)"`` row summing the rest.

    >>> t = pd.DataFrame({"h": [5.0, 1.0, 3.0, 2.0]}, index=list("abcd"))
    >>> top_rows(t, 3)["h"].to_dict()
    {'a': 5.0, 'c': 3.0, 'others (2)': 3.0}
    """
    order = table.sum(axis=1, numeric_only=True).sort_values(ascending=False, kind="stable").index
    table = table.loc[order]
    if len(table) <= top:
        return table
    kept, rest = table.iloc[: top - 1], table.iloc[top - 1 :]
    label = f"others ({len(rest)}{' ' + what if what else ''})"
    others = pd.DataFrame([rest.sum(numeric_only=True)], index=[label])
    return pd.concat([kept, others])


def period_ticks(
    ax: Axes, days: Sequence[Any], freq: str | None, *, partial: Collection[str] = frozenset()
) -> None:  # type: ignore[assignment]
    """Ticks on the data's own periods (at most 14, evenly thinned), labelled as the
    reports label them; a partial period's label ends with ``*``."""
    stamps = sorted({pd.Timestamp(d) for d in days if not pd.isna(d)})
    if not stamps:
        return
    step = int(np.ceil(len(stamps) / 14))
    chosen = stamps[::step]
    labels = []
    for day in chosen:
        text = period_label(day, freq or "D")
        labels.append(f"{text}*" if text in partial or f"{day:%Y-%m-%d}" in partial else text)
    ax.set_xticks(
        chosen,
        labels,
        rotation=45 if len(chosen) > 6 else 0,
        ha="right" if len(chosen) > 6 else "center",
    )
    ax.minorticks_off()


def _label_of(frame: pd.DataFrame, dim: str) -> pd.Series:
    names = frame[f"{dim}_name"].astype("string") if f"{dim}_name" in frame else None
    keys = ref_key(frame, dim) if f"{dim}_id" in frame and f"{dim}_xid" in frame else None
    if names is None:
        return keys if keys is not None else pd.Series(NONE_LABEL, index=frame.index)
    base = names.fillna(keys.replace("", NONE_LABEL) if keys is not None else NONE_LABEL)
    if keys is None:
        return base.astype(str)
    repeated = keys.groupby(base.to_numpy()).transform("nunique") > 1
    return base.where(~repeated, base + " (" + keys + ")").astype(str)


def _dim_of(table: pd.DataFrame) -> str:
    for dim in ("company", "project", "subproject", "person", "task", "absence"):
        if f"{dim}_name" in table.columns or f"{dim}_key" in table.columns:
            return dim
    return "person"


def _money_axis(ax: Axes, currency: str | None) -> None:
    from matplotlib.ticker import FuncFormatter

    unit = f" {currency}" if currency else ""
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}{unit}"))


def plot_money(table: pd.DataFrame, *, top: int = 12, title: str | None = None) -> Figure:
    """Billing and cost per client, project or person, with the profit margin.

    Parameters
    ----------
    table
        What :func:`beebole_pandas.reports.finance.money_table` returns (periods summed).
    top
        Rows shown: the ``top - 1`` largest by billing, then "others (n)".
    title
        Default ``"Billing, cost and margin per <dimension>"``.

    Examples
    --------
    >>> plot_money(money_table(raw, by="company", currency="USD"))   # doctest: +SKIP
    """
    dim = _dim_of(table)
    info = table.attrs.get("beebole_report", {}) if isinstance(table.attrs, dict) else {}
    currency = info.get("currency")
    heading = title or f"Billing, cost and margin per {'client' if dim == 'company' else dim}"
    if not len(table) or float(table["billing"].abs().sum() + table["cost"].abs().sum()) == 0:
        return no_data_figure(
            f"no billing or cost for {info.get('period') or 'this period'}", heading
        )
    sums = (
        table.assign(_label=_label_of(table, dim))
        .groupby("_label")[["billing", "cost"]]
        .sum()
        .astype(float)
    )
    sums = top_rows(sums, top, what="more")
    fig = new_figure(len(sums))
    ax = fig.add_subplot()
    y = np.arange(len(sums))
    ax.barh(y - 0.2, sums["billing"], height=0.38, color="#0072B2", label="billing")
    ax.barh(y + 0.2, sums["cost"], height=0.38, color="#E69F00", label="cost")
    right = float(max(sums["billing"].max(), sums["cost"].max(), 1.0))
    for yy, (billing, cost) in zip(y, sums[["billing", "cost"]].to_numpy(), strict=True):
        margin = (billing - cost) / billing if billing else np.nan
        text = "no billing" if np.isnan(margin) else f"margin {100 * margin:.0f} %"
        colour = "#B00000" if not np.isnan(margin) and margin < 0 else "#333333"
        ax.text(
            max(billing, cost) + right * 0.01,
            float(yy),
            text,
            va="center",
            fontsize=7,
            color=colour,
        )
    ax.set_yticks(y, list(sums.index))
    ax.set_ylim(len(sums) - 0.5, -0.5)
    ax.set_xlim(0, right * 1.18)
    _money_axis(ax, currency)
    ax.grid(axis="x", color="#E5E5E5")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.set_xlabel(
        f"Amount{f' ({currency})' if currency else ''}, from the export's billing and cost"
    )
    ax.set_title(heading, loc="left", fontweight="bold")
    if info.get("period"):
        ax.set_title(str(info["period"]), loc="right", fontsize=8, color="#555555")
    return fig


def plot_comparison(
    comparison: pd.DataFrame, *, measure: str | None = None, top: int = 15, title: str | None = None
) -> Figure:
    """One measure of a comparison: current against previous per row, with the change in %.

    Parameters
    ----------
    comparison
        What :func:`beebole_pandas.reports.compare` returns.
    measure
        The measure to draw (default: ``hours`` if present, else the first).
    top
        Rows shown: the largest by current value.

    Examples
    --------
    >>> plot_comparison(compare_money("2026-11", by="client"), measure="billing")  # doctest: +SKIP
    """
    info = comparison.attrs.get("beebole_report", {}) if isinstance(comparison.attrs, dict) else {}
    now, then = info.get("current") or "current", info.get("previous") or "previous"
    measures = list(dict.fromkeys(comparison["measure"].astype(str))) if len(comparison) else []
    chosen = measure or ("hours" if "hours" in measures else (measures[0] if measures else "hours"))
    heading = title or f"{chosen.replace('_', ' ').capitalize()}: {now} against {then}"
    rows = (
        comparison[comparison["measure"].astype(str) == chosen] if len(comparison) else comparison
    )
    if (
        not len(rows)
        or float(rows[["current", "previous"]].abs().to_numpy(float, na_value=0).sum()) == 0
    ):
        return no_data_figure(f"no {chosen} in {now} nor {then}", heading)
    dim = _dim_of(rows)
    table = (
        rows.assign(_label=_label_of(rows, dim))
        .groupby("_label")[["current", "previous"]]
        .sum()
        .astype(float)
    )
    table = top_rows(table, top, what="more")
    fig = new_figure(len(table))
    ax = fig.add_subplot()
    y = np.arange(len(table))
    ax.barh(y - 0.2, table["previous"], height=0.38, color="#BBBBBB", label=str(then))
    ax.barh(y + 0.2, table["current"], height=0.38, color="#0072B2", label=str(now))
    right = float(max(table.to_numpy().max(), 1.0))
    for yy, (cur, old) in zip(y, table[["current", "previous"]].to_numpy(), strict=True):
        change = (cur - old) / abs(old) if old else np.nan
        colour = "#009E73" if change > 0 else "#D55E00" if change < 0 else "#555555"
        ax.text(max(cur, old) + right * 0.01, float(yy), change_text(change), va="center",
                fontsize=7, color=colour)  # fmt: skip
    ax.set_yticks(y, list(table.index))
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlim(0, right * 1.15)
    kind = column_kind(chosen)
    if kind == "money":
        _money_axis(ax, info.get("currency"))
    elif kind == "ratio":
        from matplotlib.ticker import PercentFormatter

        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f} h"))
    ax.grid(axis="x", color="#E5E5E5")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.set_title(heading, loc="left", fontweight="bold")
    return fig


#: Colours of the reasons a week is chased.
REASON_COLOURS = {
    "no time logged": "#E69F00",
    "draft": "#999999",
    "rejected": "#D55E00",
    "draft, rejected": "#CC79A7",
}


def plot_submissions(chase: pd.DataFrame, *, top: int = 20, title: str | None = None) -> Figure:
    """Who to chase, week by week: a grid of people × weeks coloured by the reason.

    Parameters
    ----------
    chase
        What :func:`beebole_pandas.reports.missing_submissions` returns (a range of weeks).
    top
        People shown: those with the most weeks to chase.

    Examples
    --------
    >>> plot_submissions(reports.missing_submissions(entries, period="2026-11"))  # doctest: +SKIP
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    info = chase.attrs.get("beebole_report", {}) if isinstance(chase.attrs, dict) else {}
    heading = title or "Timesheets to chase, per person and week"
    if not len(chase):
        return no_data_figure(
            f"everybody submitted for {info.get('period') or 'this period'}", heading
        )
    labelled = chase.assign(_label=_label_of(chase, "person"))
    weeks = sorted({pd.Timestamp(w) for w in info.get("weeks") or []} | set(labelled["week"]))
    counts = labelled.groupby("_label").size().sort_values(ascending=False, kind="stable")
    people = list(counts.index[:top])
    reasons = list(REASON_COLOURS)
    grid = np.full((len(people), len(weeks)), np.nan)
    position = {w: j for j, w in enumerate(weeks)}
    row_of = {p: i for i, p in enumerate(people)}
    for label, week, reason in labelled[["_label", "week", "reason"]].itertuples(index=False):
        if label in row_of and str(reason) in reasons:
            grid[row_of[label], position[pd.Timestamp(week)]] = reasons.index(str(reason))
    fig = new_figure(len(people))
    ax = fig.add_subplot()
    cmap = ListedColormap([REASON_COLOURS[r] for r in reasons]).with_extremes(bad="#F4F4F4")
    ax.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap=cmap, vmin=-0.5,
              vmax=len(reasons) - 0.5, interpolation="none")  # fmt: skip
    ax.set_yticks(np.arange(len(people)), people, fontsize=8)
    partial = set()
    if "partial" in chase.columns:
        flags = chase["partial"].astype("boolean").fillna(False).to_numpy(bool)
        partial = {f"{pd.Timestamp(w):%Y-%m-%d}" for w in chase.loc[flags, "week"]}
    ax.set_xticks(np.arange(len(weeks)), [f"{w:%Y-%m-%d}{'*' if f'{w:%Y-%m-%d}' in partial else ''}"
                                          for w in weeks], fontsize=8)  # fmt: skip
    ax.set_xticks(np.arange(len(weeks) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(people) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    used = sorted({int(v) for v in grid[~np.isnan(grid)]})
    ax.legend(
        handles=[Patch(color=REASON_COLOURS[reasons[i]], label=reasons[i]) for i in used],
        loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8, title="Reason",
    )  # fmt: skip
    more = f" (top {len(people)} of {len(counts)})" if len(counts) > len(people) else ""
    ax.set_xlabel("Week starting" + (" (* partial: cut by the period)" if partial else ""))
    ax.set_title(heading + more, loc="left", fontweight="bold")
    return fig


def __dir__() -> list[str]:
    return sorted(__all__)
