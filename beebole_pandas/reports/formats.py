"""How a report's columns are shown: hours, money, percentages, dates.

One rule for the HTML page, the Excel workbook and the CSV files: a column's
*kind* comes from its name (``billing`` is money, ``utilisation`` a ratio,
``hours`` hours, a period label like ``2026-10-05`` hours of a timesheet
pivot); in a comparison (a ``measure`` column) the kind of each row's
``current``/``previous``/``difference`` is its measure's.

>>> column_kind("billable_share"), column_kind("profit"), column_kind("2026-10")
('ratio', 'money', 'hours')
>>> shown_value(0.9812, "ratio"), shown_value(1234.5, "money", "EUR")
('98.1 %', '1,234.50 EUR')
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = [
    "KINDS",
    "RATIO_COLUMNS",
    "column_kind",
    "excel_format",
    "rounded_for_csv",
    "row_kinds",
    "shown_value",
]

#: The kinds of column, as :func:`column_kind` names them.
KINDS: tuple[str, ...] = ("hours", "money", "ratio", "days", "count", "date", "number", "text")
#: Report columns that are ratios (shown as %), besides ``*_share``, ``*_pct``, ``*_ratio``.
RATIO_COLUMNS: frozenset[str] = frozenset(
    {
        "utilisation",
        "billable_share",
        "billable_utilisation",
        "budget_used",
        "margin",
        "billing_share",
        "change_pct",
    }
)
_MONEY = {
    "billing",
    "cost",
    "profit",
    "cumulative_cost",
    "budget_cost",
    "hourly_rate",
    "hourly_billing",
    "hourly_cost",
}
_COUNTS = {"entries", "unsubmitted_entries", "people"}
_PERIOD = re.compile(r"\d{4}(-\d{2}(-\d{2})?|-Q[1-4])?( \(partial\))?")
#: Columns of a comparison whose kind is that of the row's ``measure``.
COMPARED = ("current", "previous", "difference")


def column_kind(name: Any, values: pd.Series | None = None) -> str:
    """The kind of a column: one of :data:`KINDS`.

    >>> column_kind("worked_hours"), column_kind("days"), column_kind("entries")
    ('hours', 'days', 'count')
    """
    text = str(name)
    if values is not None and pd.api.types.is_datetime64_any_dtype(values.dtype):
        return "date"
    if values is not None and not pd.api.types.is_numeric_dtype(values.dtype):
        return "text"
    if values is not None and pd.api.types.is_bool_dtype(values.dtype):
        return "text"
    if text in RATIO_COLUMNS or text.endswith(("_share", "_pct", "_ratio")):
        return "ratio"
    if text in _MONEY or text.endswith(("_cost", "_billing", "_profit")):
        return "money"
    if text in _COUNTS or text.endswith("_count"):
        return "count"
    if text == "days" or text.endswith("_days"):
        return "days"
    if "hours" in text or text in ("threshold", "Total") or _PERIOD.fullmatch(text):
        return "hours"
    if text.endswith(("_id", "_xid", "_key")):
        return "text"
    return "number"


def row_kinds(frame: pd.DataFrame, column: Any) -> list[str]:
    """The kind of each cell of ``column``: per row for a comparison's values."""
    if column in COMPARED and "measure" in frame.columns:
        return [column_kind(m) for m in frame["measure"].astype(str)]
    kind = column_kind(column, frame[column])
    return [kind] * len(frame)


def shown_value(value: Any, kind: str, currency: str | None = None) -> str:
    """A cell as text for the page: ``"98.1 %"``, ``"1,234.50 USD"``, ``"7.50"``; ``""`` for NA.

    >>> shown_value(pd.NA, "hours"), shown_value(3, "count"), shown_value(2.5, "days")
    ('', '3', '2.50')
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "text" or isinstance(value, str):
        return str(value)
    number = float(value)
    if kind == "ratio":
        return f"{100 * number:,.1f} %"
    if kind == "money":
        return f"{number:,.2f} {currency}" if currency else f"{number:,.2f}"
    if kind == "count":
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def excel_format(kind: str, currency: str | None = None) -> str | None:
    """The Excel number format of a kind (None: leave the cell as it is).

    >>> excel_format("ratio"), excel_format("money", "EUR")
    ('0.0%', '#,##0.00 "EUR"')
    """
    if kind == "ratio":
        return "0.0%"
    if kind == "money":
        return f'#,##0.00 "{currency}"' if currency else "#,##0.00"
    if kind in ("hours", "days", "number"):
        return "#,##0.00"
    if kind == "count":
        return "#,##0"
    if kind == "date":
        return "yyyy-mm-dd"
    return None


def rounded_for_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with ratios rounded to 4 decimals and hours, days and money to 2.

    >>> rounded_for_csv(pd.DataFrame({"utilisation": [0.981234], "hours": [7.123]})).iloc[0].tolist()
    [0.9812, 7.12]
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        kinds = row_kinds(out, column)
        if len(set(kinds)) > 1:  # a comparison: hours and ratios in one column
            ratio = pd.Series([k == "ratio" for k in kinds], index=out.index)
            out[column] = values.round(2).where(~ratio, values.round(4))
        else:
            digits = 4 if kinds and kinds[0] == "ratio" else 2
            out[column] = values.round(digits)
    return out


def __dir__() -> list[str]:
    return sorted(__all__)
