"""Write a set of report sections to a directory: ``report.html``, one CSV and one PNG each.

The HTML file is self-contained apart from the PNG files beside it (plain
``<img src="timesheet.png">``), so the directory can be zipped, mailed or
served as is. Nothing in it comes from outside the frames: every string is
HTML-escaped, and no token or URL is ever written.

>>> from beebole_pandas.reports.html import Section, write_report
>>> write_report("out", "October 2026", [Section("timesheet", "Timesheet", frame)])  # doctest: +SKIP
PosixPath('out/report.html')
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

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
    """

    slug: str
    title: str
    table: pd.DataFrame
    display: pd.DataFrame | None = None
    figure: Any = None
    note: str = ""
    files: list[str] = field(default_factory=list)


def _html_table(frame: pd.DataFrame) -> str:
    """The frame as an HTML table: names first, dates as days, numbers with 2 decimals."""
    names = [c for c in frame.columns if str(c).endswith("_name")]
    # A row has an id or an xid, never both: the key shows every row's entity,
    # where an id column would be blank for the entities that have an xid.
    hidden = {
        f"{str(c)[: -len('_key')]}_{part}"
        for c in frame.columns
        if str(c).endswith("_key")
        for part in ("id", "xid")
    }
    shown = frame[names + [c for c in frame.columns if c not in names and c not in hidden]].copy()
    for column in shown.columns:
        values = shown[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(values):
            text = values.astype(float).map(lambda v: f"{v:,.2f}")
        else:
            text = values.astype(object).astype(str)
        shown[column] = text.astype(object).where(values.notna().to_numpy(), "")
    return shown.to_html(index=False, border=0, escape=True)


def write_report(
    out_dir: str | Path,
    title: str,
    sections: Sequence[Section],
    *,
    meta: str = "",
    dpi: int = 100,
) -> Path:
    """Write ``report.html`` plus ``<slug>.csv`` and ``<slug>.png`` per section.

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
        Resolution of the PNG files.

    Returns
    -------
    Path
        The path of ``report.html``.

    Examples
    --------
    >>> write_report("out", "Demo", [Section("hours", "Hours", frame)])   # doctest: +SKIP
    """
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
        csv_name = f"{section.slug}.csv"
        add_keys(section.table.copy()).to_csv(out / csv_name, index=False, date_format="%Y-%m-%d")
        section.files = [csv_name]
        parts.append(f'<section id="{html.escape(section.slug)}">')
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.note:
            parts.append(f'<p class="note">{html.escape(section.note)}</p>')
        if section.figure is not None:
            png_name = f"{section.slug}.png"
            section.figure.savefig(out / png_name, dpi=dpi)
            section.files.append(png_name)
            parts.append(f'<img src="{html.escape(png_name)}" alt="{html.escape(section.title)}">')
        display = section.display if section.display is not None else section.table
        parts.append(f'<div class="table-wrap">{_html_table(add_keys(display.copy()))}</div>')
        parts.append(
            f'<p class="note">Full table: <a href="{html.escape(csv_name)}">{html.escape(csv_name)}</a>'
            f" ({len(section.table)} rows)</p></section>"
        )
    parts.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(p for p in parts if p), encoding="utf-8")
    logger.info("wrote %s with %d sections", path, len(sections))
    return path
