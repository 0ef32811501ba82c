"""``report.xlsx``: one formatted sheet per report, with its chart.

Each sheet holds one report's full table: a bold, shaded header row that
stays in view (frozen), an autofilter over the table, number formats by
column kind (hours ``#,##0.00``, money with the currency, ratios ``0.0%``,
dates ``yyyy-mm-dd``: :mod:`.formats`), column widths that fit the content,
and the report's chart as a picture to the right of the table. A first
sheet, *About*, says what the workbook holds. openpyxl is imported inside.

>>> from beebole_pandas.reports.excel import write_excel
>>> write_excel("report.xlsx", sections, title="November 2026", currency="USD")  # doctest: +SKIP
PosixPath('report.xlsx')
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .formats import excel_format, row_kinds
from .tools import add_keys

__all__ = ["section_png", "sheet_name", "write_excel"]

logger = logging.getLogger(__name__)

_HEADER_FILL = "1F4E79"
_MAX_WIDTH = 48
_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, taken: set[str] | None = None) -> str:
    """A valid, unique sheet name: at most 31 characters, none of ``[]:*?/\\``.

    >>> sheet_name("Hours/project: 2026?")
    'Hours project  2026'
    """
    name = _BAD.sub(" ", text).strip("' ")[:31].strip() or "Sheet"
    taken = taken if taken is not None else set()
    base, n = name, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def _cell_value(value: Any) -> Any:
    """A pandas value as something openpyxl writes: NA -> empty, Timestamp -> datetime."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if not isinstance(value, str) and pd.isna(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _write_table(ws: Any, frame: pd.DataFrame, currency: str | None) -> int:
    """Write ``frame`` at A1 with its formats; returns the number of columns."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    line = Border(bottom=Side(style="thin", color="999999"))
    columns = [str(c) for c in frame.columns]
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=name)
        cell.font, cell.fill, cell.border = header_font, header_fill, line
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=False)
    for j, column in enumerate(frame.columns, start=1):
        kinds = row_kinds(frame, column)
        values = frame[column].astype(object).tolist()
        width = len(str(column))
        for i, (value, kind) in enumerate(zip(values, kinds, strict=True), start=2):
            cell = ws.cell(row=i, column=j, value=_cell_value(value))
            number_format = excel_format(kind, currency)
            if number_format and cell.value is not None:
                cell.number_format = number_format
            width = max(width, _width(cell.value, kind, currency))
        ws.column_dimensions[get_column_letter(j)].width = min(_MAX_WIDTH, width + 2)
    ws.freeze_panes = "A2"
    if columns:
        last = get_column_letter(len(columns))
        ws.auto_filter.ref = f"A1:{last}{max(1, len(frame) + 1)}"
    ws.row_dimensions[1].height = 20
    return len(columns)


def _width(value: Any, kind: str, currency: str | None) -> int:
    if value is None:
        return 0
    if kind == "date":
        return 10
    if isinstance(value, float | int) and kind in ("hours", "money", "days", "number", "ratio"):
        extra = len(currency) + 1 if kind == "money" and currency else 0
        return len(f"{value:,.2f}") + extra
    return len(str(value))


def _add_picture(ws: Any, png: bytes, column: int) -> None:
    """The chart as a picture, its top left corner in row 2 of ``column``."""
    from openpyxl.drawing.image import Image
    from openpyxl.utils import get_column_letter

    picture = Image(io.BytesIO(png))
    # Shown at 60 % of its pixels: a 1000 px wide chart fits a laptop screen beside the table.
    picture.width, picture.height = int(picture.width * 0.6), int(picture.height * 0.6)
    ws.add_image(picture, f"{get_column_letter(column)}2")


def write_excel(
    path: str | Path,
    sections: Sequence[Any],
    *,
    title: str = "Timesheet report",
    meta: str = "",
    currency: str | None = None,
) -> Path:
    """Write the sections of a report to one workbook.

    Parameters
    ----------
    path
        The ``.xlsx`` file (replaced if it exists; its folder is created).
    sections
        :class:`beebole_pandas.reports.html.Section` objects: each ``table``
        becomes a sheet named after its ``title``, with its ``figure`` (or
        the PNG bytes in ``png``) beside it.
    title, meta
        The first lines of the *About* sheet.
    currency
        The account's currency code, written in the money formats
        (default: each table's ``attrs["beebole_report"]["currency"]``).

    Returns
    -------
    Path

    Examples
    --------
    >>> write_excel("out/report.xlsx", sections, currency="EUR")   # doctest: +SKIP
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .finance import check_currency

    currency = check_currency(currency)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    about = book.active
    about.title = "About"
    about["A1"] = title
    about["A1"].font = Font(bold=True, size=14)
    about["A2"] = meta
    about["A4"], about["B4"], about["C4"] = "Sheet", "Report", "How to read it"
    for cell in about[4]:
        cell.font = Font(bold=True)
    taken = {"about"}
    for n, section in enumerate(sections, start=5):
        name = sheet_name(section.title, taken)
        ws = book.create_sheet(name)
        table = add_keys(section.table.copy())
        info = table.attrs.get("beebole_report", {}) if isinstance(table.attrs, dict) else {}
        money = currency or (info.get("currency") if isinstance(info, dict) else None)
        width = _write_table(ws, table, money)
        png = section_png(section)
        if png is not None:
            _add_picture(ws, png, width + 2)
        about.cell(row=n, column=1, value=name).hyperlink = f"#'{name}'!A1"
        about.cell(row=n, column=2, value=section.title)
        about.cell(row=n, column=3, value=section.note)
    about.column_dimensions["A"].width = 32
    about.column_dimensions["B"].width = 40
    about.column_dimensions["C"].width = 100
    book.save(out)
    logger.info("wrote %s with %d sheets", out, len(sections) + 1)
    return out


def section_png(section: Any, dpi: int = 100) -> bytes | None:
    """The PNG of a section's chart, rendered once and kept on the section."""
    png = getattr(section, "png", None)
    if png is None and getattr(section, "figure", None) is not None:
        buffer = io.BytesIO()
        section.figure.savefig(buffer, format="png", dpi=dpi)
        png = buffer.getvalue()
        section.png = png
    return png


def __dir__() -> list[str]:
    return sorted(__all__)
