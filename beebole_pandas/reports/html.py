"""Write a set of report sections: ``report.html``, ``report.xlsx``, a CSV and a PNG each.

``report.html`` is one self-contained file: the charts are embedded as
``data:`` URIs and nothing is loaded from elsewhere (no stylesheet, script or
image link), so it can be mailed alone. Numbers are shown by kind (hours,
money with the currency, percentages: :mod:`.formats`). The CSV files carry a
byte-order mark (``utf-8-sig``), so that Excel reads "Léa" right, and rounded
ratios; ``report.xlsx`` (``xlsx=True``, :mod:`.excel`) has one formatted sheet
per report with its chart. Nothing in them comes from outside the frames:
every string is HTML-escaped, and no token or URL is ever written.

>>> from beebole_pandas.reports.html import Section, write_report
>>> write_report("out", "October 2026", [Section("timesheet", "Timesheet", frame)])  # doctest: +SKIP
PosixPath('out/report.html')
"""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .excel import section_png
from .formats import rounded_for_csv, row_kinds, shown_value
from .tools import add_keys

__all__ = ["Section", "write_report"]

logger = logging.getLogger(__name__)

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 1200px; color: #222; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } .meta { color: #666; margin-top: 0; }
nav a { margin-right: 1rem; }
section { margin-top: 2.5rem; border-top: 1px solid #ddd; padding-top: 1rem; }
table { border-collapse: collapse; font-size: 12px; margin: .5rem 0; }
th, td { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: right; white-space: nowrap; }
th { background: #f6f6f6; position: sticky; top: 0; }
td:first-child, th:first-child { text-align: left; }
.table-wrap { max-height: 480px; overflow: auto; border: 1px solid #eee; }
img { max-width: 100%; height: auto; }
.note { color: #555; font-size: 14px; }
"""


@dataclass
class Section:
    """One report of the page.

    Parameters
    ----------
    slug
        File stem for the CSV and PNG (``"timesheet"`` → ``timesheet.csv``).
    title
        Heading shown in the page.
    table
        The full report, written to ``<slug>.csv``.
    display
        What the page shows (default: ``table``); e.g. a pivot or the rows
        that matter, when the full table is long.
    figure
        A matplotlib Figure, saved to ``<slug>.png`` and shown above the table.
    note
        A sentence explaining how to read the section.
    files
        What :func:`write_report` wrote for it (set by it).
    png
        The chart's PNG bytes (rendered once from ``figure`` when needed).
    """

    slug: str
    title: str
    table: pd.DataFrame
    display: pd.DataFrame | None = None
    figure: Any = None
    note: str = ""
    files: list[str] = field(default_factory=list)
    png: bytes | None = None


def _html_table(frame: pd.DataFrame, currency: str | None = None) -> str:
    """The frame as an HTML table: names first, dates as days, hours with 2 decimals,
    money with the currency, ratios as percentages."""
    names = [c for c in frame.columns if str(c).endswith("_name")]
    # A row has an id or an xid, never both: the key shows every row's entity,
    # where an id column would be blank for the entities that have an xid.
    hidden = {
        f"{str(c)[: -len('_key')]}_{part}"
        for c in frame.columns
        if str(c).endswith("_key")
        for part in ("id", "xid")
    }
    shown = frame[names + [c for c in frame.columns if c not in names and c not in hidden]]
    cells = {}
    for column in shown.columns:
        kinds = row_kinds(shown, column)
        cells[column] = [
            shown_value(v, k, currency)
            for v, k in zip(shown[column].astype(object).tolist(), kinds, strict=True)
        ]
    return pd.DataFrame(cells, columns=shown.columns).to_html(index=False, border=0, escape=True)


def _currency(section: Section, currency: str | None) -> str | None:
    info = section.table.attrs.get("beebole_report", {})
    return currency or (info.get("currency") if isinstance(info, dict) else None)


def write_report(
    out_dir: str | Path,
    title: str,
    sections: Sequence[Section],
    *,
    meta: str = "",
    dpi: int = 100,
    html_page: bool = True,
    xlsx: bool = False,
    csv: bool = True,
    png: bool = True,
    currency: str | None = None,
) -> Path:
    """Write ``report.html`` (and ``report.xlsx``) plus ``<slug>.csv`` and ``<slug>.png``.

    Parameters
    ----------
    out_dir
        Created if missing; existing files of the same names are replaced.
    title
        The page title.
    sections
        The reports, in page order.
    meta
        A line under the title (period, sizes, how it was produced).
    dpi
        Resolution of the charts.
    html_page
        Write ``report.html``, one self-contained file (charts embedded).
    xlsx
        Write ``report.xlsx`` (:func:`beebole_pandas.reports.excel.write_excel`).
    csv
        Write ``<slug>.csv`` per section (UTF-8 with a byte-order mark, ratios
        rounded to 4 decimals, hours and money to 2).
    png
        Write ``<slug>.png`` per chart beside (for slides; the page does not need them).
    currency
        The account's currency code, shown beside amounts (default: each
        table's ``attrs["beebole_report"]["currency"]``).

    Returns
    -------
    Path
        The path of ``report.html``, else of ``report.xlsx``, else the folder.

    Examples
    --------
    >>> write_report("out", "Demo", [Section("hours", "Hours", frame)], xlsx=True)   # doctest: +SKIP
    """
    from .finance import check_currency

    currency = check_currency(currency)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(meta)}</p>' if meta else "",
        "<nav>"
        + "".join(f'<a href="#{html.escape(s.slug)}">{html.escape(s.title)}</a>' for s in sections)
        + "</nav>",
    ]
    for section in sections:
        section.files = []
        money = _currency(section, currency)
        if csv:
            csv_name = f"{section.slug}.csv"
            rounded_for_csv(add_keys(section.table.copy())).to_csv(
                out / csv_name, index=False, date_format="%Y-%m-%d", encoding="utf-8-sig"
            )
            section.files.append(csv_name)
        parts.append(f'<section id="{html.escape(section.slug)}">')
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        image = section_png(section, dpi) if section.figure is not None or section.png else None
        if image is not None:
            if png:
                png_name = f"{section.slug}.png"
                (out / png_name).write_bytes(image)
                section.files.append(png_name)
            data = base64.b64encode(image).decode("ascii")
            parts.append(
                f'<img src="data:image/png;base64,{data}" alt="{html.escape(section.title)}">'
            )
        display = section.display if section.display is not None else section.table
        parts.append(
            f'<div class="table-wrap">{_html_table(add_keys(display.copy()), money)}</div>'
        )
        where = [f"{section.slug}.csv"] if csv else []
        where += ["the sheet of report.xlsx"] if xlsx else []
        said = f" ({' and '.join(where)})" if where else ""
        parts.append(
            f'<p class="note">Full table: {len(section.table)} rows{html.escape(said)}</p></section>'
        )
    parts.append("</body></html>")
    path = out
    if xlsx:
        from .excel import write_excel

        path = write_excel(out / "report.xlsx", sections, title=title, meta=meta, currency=currency)
    if html_page:
        path = out / "report.html"
        path.write_text("\n".join(p for p in parts if p), encoding="utf-8")
    logger.info("wrote %s with %d sections", path, len(sections))
    return path
