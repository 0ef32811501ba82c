"""report.xlsx: one formatted sheet per report, opened back with openpyxl."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from beebole_pandas import cli
from beebole_pandas.api import client as client_module
from beebole_pandas.reports.excel import sheet_name, write_excel
from beebole_pandas.reports.html import Section

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def workbook(demo_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    out = tmp_path_factory.mktemp("xlsx")
    client = client_module.connect(
        demo_server.token, url=demo_server.url, cache_dir=out / "cache", set_default=False
    )
    try:
        path, _data, sections = cli.run_report(
            client, "2026-10-01", "2026-10-31", out, title="October", xlsx=True,
            html=False, currency="USD", stream=io.StringIO(),
        )  # fmt: skip
    finally:
        client.close()
    assert path == out / "report.xlsx" and not (out / "report.html").exists()
    return openpyxl.load_workbook(path), sections


def _header(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


def _format_of(ws: Any, column: str) -> set[str]:
    j = _header(ws).index(column) + 1
    return {ws.cell(row=i, column=j).number_format for i in range(2, ws.max_row + 1)
            if ws.cell(row=i, column=j).value is not None}  # fmt: skip


def test_a_sheet_per_report_with_header_filter_and_frozen_row(workbook: Any) -> None:
    book, sections = workbook
    assert book.sheetnames[0] == "About"
    assert len(book.sheetnames) == len(sections) + 1
    for section in sections:
        ws = book[sheet_name(section.title)]
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        header = ws[1]
        assert all(c.font.bold for c in header) and header[0].fill.fgColor.rgb.endswith("1F4E79")
        assert ws.max_row == len(section.table) + 1
        widths = [ws.column_dimensions[c.column_letter].width for c in header]
        assert all(w and w >= len(str(c.value)) for w, c in zip(widths, header, strict=True))


def test_number_formats_by_kind(workbook: Any) -> None:
    book, sections = workbook
    titles = {s.slug: sheet_name(s.title) for s in sections}
    util = book[titles["utilisation"]]
    assert _format_of(util, "utilisation") == {"0.0%"}
    assert _format_of(util, "worked_hours") == {"#,##0.00"}
    money = book[titles["money_by_client"]]
    assert _format_of(money, "billing") == {'#,##0.00 "USD"'}
    assert _format_of(money, "margin") == {"0.0%"}
    chase = book[titles["missing_submissions"]]
    assert _format_of(chase, "week") == {"yyyy-mm-dd"}
    weekly = book[titles["timesheet"]]
    assert _format_of(weekly, "2026-10-05") == {"#,##0.00"}
    versus = book[titles["comparison"]]
    header = _header(versus)
    kinds = {
        versus.cell(row=i, column=header.index("measure") + 1).value: versus.cell(
            row=i, column=header.index("current") + 1
        ).number_format
        for i in range(2, versus.max_row + 1)
    }
    assert kinds["billing"] == '#,##0.00 "USD"' and kinds["margin"] == "0.0%"
    assert kinds["hours"] == "#,##0.00"


def test_charts_are_pictures_and_values_are_the_tables(workbook: Any) -> None:
    book, sections = workbook
    for section in sections:
        ws = book[sheet_name(section.title)]
        assert len(ws._images) == (1 if section.figure is not None else 0), section.slug
    weekly = next(s for s in sections if s.slug == "timesheet")
    ws = book[sheet_name(weekly.title)]
    j = _header(ws).index("2026-10-05") + 1
    column = [ws.cell(row=i, column=j).value for i in range(2, ws.max_row + 1)]
    assert sum(column) == pytest.approx(float(weekly.table["2026-10-05"].sum()))


def test_sheet_names_and_pandas_to_excel(tmp_path: Path) -> None:
    taken: set[str] = set()
    assert sheet_name("A" * 40, taken) == "A" * 31
    assert sheet_name("A" * 40, taken) == "A" * 27 + " (2)"
    frame = pd.DataFrame({"person_name": ["Léa"], "hours": pd.array([7.5], dtype="Float64")})
    frame.to_excel(tmp_path / "plain.xlsx", index=False)  # an Excel writer is installed
    path = write_excel(tmp_path / "one.xlsx", [Section("t", "Hours: [week]?", frame)])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["About", "Hours   week"]
    assert book["Hours   week"]["A2"].value == "Léa"
