"""Money: billing, cost and profit per client, project, person and period.

The figures are Beebole's own, from the measures of ``time_entry.export``
(``billing``, ``cost``, ``profit``: the rates, standard costs and currency
conversions the account configured, reporting.mdx), never rates guessed
locally. Beebole shows amounts "in the currency configured for your account"
(reporting.mdx); the API does not say which currency that is, so give it as
``currency="EUR"`` to have it written beside the amounts.

:func:`money_export` is the load (one aggregated export job: a few requests,
a few KB, whatever the number of entries); :func:`money_table` is the pure
roll-up of such an export by any of its dimensions, so one load serves the
per-client, per-project and per-person tables.

>>> raw = money_export("2026-11")                                  # doctest: +SKIP
>>> money_table(raw, by="company", currency="USD")                 # doctest: +SKIP
>>> money("last-month", by=["project"], freq="W")                  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SchemaError, ValidationError
from ..load.scopes import shown
from .tools import (
    Frame,
    check_freq,
    day_text,
    keyed,
    partial_mask,
    period_label,
    period_start,
    range_text,
    report_range,
    sum_by,
)

__all__ = [
    "MONEY",
    "MONEY_DIMENSIONS",
    "check_currency",
    "money",
    "money_export",
    "money_summary",
    "money_table",
]

logger = logging.getLogger(__name__)

#: The export's money measures, in the account's currency.
MONEY: tuple[str, ...] = ("billing", "cost", "profit")
#: What money can be rolled up by (clients are Beebole's companies).
MONEY_DIMENSIONS: tuple[str, ...] = ("company", "project", "subproject", "person", "task")
_ALIASES = {"client": "company", "customer": "company", "people": "person"}
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_currency(currency: Any) -> str | None:
    """A currency code (``"EUR"``), upper-cased, or None (amounts shown without one).

    >>> check_currency("eur")
    'EUR'
    """
    if currency is None:
        return None
    if isinstance(currency, str) and _CURRENCY.fullmatch(currency.strip().upper()):
        return currency.strip().upper()
    raise ValidationError(
        f"currency={shown(currency)} is not a currency code; give three letters such as "
        "'USD', 'EUR' or 'GBP' (the currency of the account's reports), or None"
    )


def _dims(by: Any) -> list[str]:
    values = [by] if isinstance(by, str) else list(by) if isinstance(by, list | tuple) else [by]
    out = []
    for value in values:
        dim = _ALIASES.get(value, value) if isinstance(value, str) else value
        if dim not in MONEY_DIMENSIONS:
            raise ValidationError(
                f"unknown by={shown(value)}; valid choices are: {', '.join(MONEY_DIMENSIONS)} "
                "(client = company), or a list of them"
            )
        out.append(dim)
    if not out:
        raise ValidationError(f"by={shown(by)} names no dimension; give e.g. 'project'")
    return list(dict.fromkeys(out))


def money_export(
    period: Any = None,
    *,
    start: Any = None,
    end: Any = None,
    by: Any = ("company", "project", "person"),
    freq: str | None = None,
    names: bool = True,
    status: Any = None,
    client: Any = None,
    dry_run: bool = False,
) -> Any:
    """Load hours, billing, cost and profit, aggregated by ``by`` (and the period).

    One ``time_entry.export`` job (``show="work"``: absences carry no money)
    with the keys ``<dim>Id`` (and ``<dim>`` names unless ``names=False``),
    ``month`` or ``week`` when ``freq`` asks, and ``hours``, ``billing``,
    ``cost``, ``profit``: one row per combination, a few KB per hundred rows.

    Parameters
    ----------
    period, start, end
        The period (``"2026-11"``, ``"2026-Q4"``, ``"last-month"``...), or
        its first and last days.
    by
        Dimensions of :data:`MONEY_DIMENSIONS` to keep apart (the finest
        grain :func:`money_table` can later roll up).
    freq
        None (the whole period), ``"W"`` (the export's ``week``), or ``"M"``,
        ``"Q"``, ``"Y"`` (its ``month``, rolled up by :func:`money_table`).
    names
        Ask the export for names too (more bytes); without them, give the
        entity frames to :func:`money_table`.
    status
        Status code(s) or label(s) to count (default: every status).
    client
        The client (default: the default client).
    dry_run
        Return the :class:`~beebole_pandas.load.estimate.Estimate` of the
        export (requests, KB, whether it fits today) and load nothing.

    Returns
    -------
    DataFrame
        The export's typed frame; ``attrs["beebole_money"]`` records the period.

    Examples
    --------
    >>> raw = money_export("2026-11", freq="M")                       # doctest: +SKIP
    """
    first, last = report_range(start, end, period)
    if first is None or last is None:
        raise ValidationError("money needs a period (period='2026-11') or both start and end")
    step = check_freq(freq) if freq is not None else None
    if step == "D":
        raise ValidationError(
            "freq='D' is not offered for money (the export has weeks and months); "
            "valid choices are: W, M, Q, Y, or None"
        )
    dims = _dims(by)
    keys = [k for d in dims for k in ((f"{d}Id", d) if names else (f"{d}Id",))]
    keys += ["week"] if step == "W" else ["month"] if step else []
    keys += ["hours", *MONEY]
    from ..load.export import export

    raw = export(
        day_text(first),
        day_text(last),
        keys=keys,
        show="work",
        status=status,
        client=client,
        dry_run=dry_run,
    )
    if dry_run:
        return raw  # the estimate
    raw.attrs["beebole_money"] = {"start": day_text(first), "end": day_text(last), "by": dims}
    return raw


def _periods(raw: pd.DataFrame, step: str) -> pd.Series:
    """The first day of each row's period, from the export's ``week`` or ``month``."""
    if "week" in raw.columns:
        days = pd.to_datetime(raw["week"], errors="coerce")
    elif "month" in raw.columns:
        text = raw["month"].astype("string")
        days = pd.to_datetime(text, format="%Y-%m", errors="coerce")
        if days.isna().any() and text.notna().any():
            days = days.fillna(pd.to_datetime(text, errors="coerce", format="mixed"))
    else:
        raise SchemaError(
            f"freq={step!r} needs the export's 'week' or 'month' column; load it with "
            f"money_export(..., freq={step!r})"
        )
    if step == "W" and "week" not in raw.columns:
        raise SchemaError("freq='W' needs the export's 'week' column: money_export(freq='W')")
    return period_start(days.astype("datetime64[ns]"), step)


@keyed
def money_table(
    raw: pd.DataFrame,
    *,
    by: Any = "project",
    freq: str | None = None,
    currency: str | None = None,
    companies: Frame = None,
    projects: Frame = None,
    people: Frame = None,
) -> pd.DataFrame:
    """Roll an export's money up by ``by`` (and period): hours, billing, cost, profit.

    Pure: nothing is loaded. ``raw`` is what :func:`money_export` returns
    (any export frame with ``hours``, ``billing``, ``cost``, ``profit`` and
    the ``<dim>_id``/``<dim>_xid`` columns of ``by`` will do).

    Parameters
    ----------
    raw
        The export frame.
    by
        One of :data:`MONEY_DIMENSIONS` (``"client"`` is ``"company"``) or a list.
    freq
        None (one row per ``by`` value), or ``"W"``, ``"M"``, ``"Q"``, ``"Y"``.
    currency
        The account's currency code, recorded in ``attrs`` and shown by the
        HTML and Excel outputs (the amounts are not converted).
    companies, projects, people
        Names the export did not carry (``money_export(names=False)``).

    Returns
    -------
    DataFrame
        ``<dim>_id, <dim>_xid, <dim>_key, <dim>_name`` per dimension,
        ``[period, partial]``, ``hours``, ``billing``, ``cost``, ``profit``,
        ``margin`` (profit / billing, ``<NA>`` without billing),
        ``billing_share`` (of the table's billing) and ``hourly_billing``
        (billing / hours); sorted by billing, largest first.
        ``attrs["beebole_report"]`` holds ``currency`` and the period.

    Examples
    --------
    >>> money_table(raw, by="company", currency="USD")[["company_name", "profit"]]  # doctest: +SKIP
    """
    dims = _dims(by)
    step = check_freq(freq) if freq is not None else None
    currency = check_currency(currency)
    needed = ["hours", *MONEY, *(f"{d}_{s}" for d in dims for s in ("id", "xid"))]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise SchemaError(
            f"the export lacks the column(s) {', '.join(missing)}; load it with "
            f"money_export(period, by={dims!r})"
        )
    frame = raw.reset_index(drop=True).copy()
    for dim in dims:
        if f"{dim}_name" not in frame.columns:
            frame[f"{dim}_name"] = pd.array([pd.NA] * len(frame), dtype="string")
    frame["period"] = _periods(frame, step) if step else pd.Timestamp(0)
    contexts = {"company": companies, "project": projects, "person": people}
    values = {m: frame[m] for m in ("hours", *MONEY)}
    out = sum_by(frame, dims, values, contexts=contexts, period=True)
    info_src = raw.attrs.get("beebole_money", {}) if isinstance(raw.attrs, dict) else {}
    first, last = info_src.get("start"), info_src.get("end")
    span = (pd.Timestamp(first), pd.Timestamp(last)) if first and last else None
    if step:
        out.insert(
            out.columns.get_loc("period") + 1, "partial", partial_mask(out["period"], step, span)
        )
    else:
        out = out.drop(columns="period")
    billing = out["billing"].astype("Float64")
    out["margin"] = out["profit"] / billing.where(billing != 0)
    total = float(billing.sum()) if len(out) else 0.0
    out["billing_share"] = billing / total if total else pd.array([pd.NA] * len(out), "Float64")
    out["hourly_billing"] = billing / out["hours"].where(out["hours"] > 0)
    floats = ["hours", *MONEY, "margin", "billing_share", "hourly_billing"]
    out = out.astype({c: "Float64" for c in floats})
    order = [*(["period"] if step else []), "billing"]
    out = out.sort_values(order, ascending=[True] * (len(order) - 1) + [False], ignore_index=True)
    partial = (
        sorted({period_label(p, step) for p in out.loc[out["partial"].to_numpy(bool), "period"]})
        if step and len(out)
        else []
    )
    out.attrs["beebole_report"] = {
        "report": "money",
        "by": dims,
        "freq": step,
        "currency": currency,
        "start": first,
        "end": last,
        "period": range_text(first, last) if span else None,
        "partial_periods": partial,
        "empty": len(out) == 0,
        "totals": {m: float(out[m].sum()) for m in ("hours", *MONEY)},
    }
    return out


def money(
    period: Any = None,
    *,
    start: Any = None,
    end: Any = None,
    by: Any = "project",
    freq: str | None = None,
    currency: str | None = None,
    status: Any = None,
    client: Any = None,
    companies: Frame = None,
    projects: Frame = None,
    people: Frame = None,
    dry_run: bool = False,
) -> Any:
    """Billing, cost and profit of a period by client, project or person: load and roll up.

    :func:`money_export` then :func:`money_table` (see both); the names come
    from the export unless the entity frames of ``by`` are all given.
    ``dry_run=True`` returns the export's estimate and loads nothing.

    Examples
    --------
    >>> money("2026-11", by="client", currency="USD")                  # doctest: +SKIP
    >>> money(period="2026-Q4", by=["project", "person"], freq="M")    # doctest: +SKIP
    """
    dims = _dims(by)
    given = {"company": companies, "project": projects, "person": people}
    names = not all(given.get(d) is not None for d in dims)
    raw = money_export(
        period,
        start=start,
        end=end,
        by=dims,
        freq=freq,
        names=names,
        status=status,
        client=client,
        dry_run=dry_run,
    )
    if dry_run:
        return raw
    return money_table(
        raw,
        by=dims,
        freq=freq,
        currency=currency,
        companies=companies,
        projects=projects,
        people=people,
    )


def money_summary(table: pd.DataFrame) -> dict[str, float]:
    """Totals of a money table: hours, billing, cost, profit and the margin.

    >>> money_summary(pd.DataFrame({"hours": [2.0], "billing": [200.0], "cost": [150.0],
    ...                             "profit": [50.0]}))["margin"]
    0.25
    """
    sums = {m: float(np.nansum(table[m].astype(float))) for m in ("hours", *MONEY)}
    sums["margin"] = sums["profit"] / sums["billing"] if sums["billing"] else float("nan")
    return sums


def __dir__() -> list[str]:
    return sorted(__all__)
