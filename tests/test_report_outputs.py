"""The report command's outputs: one self-contained HTML file, CSVs Excel reads, xlsx."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from beebole_pandas import cli
from beebole_pandas.reports.formats import column_kind, rounded_for_csv, shown_value


@pytest.fixture(scope="module")
def written(demo_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    mp = pytest.MonkeyPatch()
    mp.setenv("BEEBOLE_TOKEN", demo_server.token)
    mp.delenv("BEEBOLE_URL", raising=False)
    try:
        code = cli.main(
            "report",
            ["--month", "2026-11", "--url", demo_server.url, "--xlsx", "--html", "--out",
             str(out), "--cache-dir", str(out / "cache"), "--currency", "usd"],
        )  # fmt: skip
    finally:
        mp.undo()
    assert code == 0
    return out


def test_the_html_is_one_file_with_nothing_outside(written: Path, demo_server: Any) -> None:
    page = (written / "report.html").read_text(encoding="utf-8")
    images = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", page)
    assert len(images) >= 9
    assert all(src.startswith("data:image/png;base64,") for src in images)
    assert all(len(src) > 20_000 for src in images)  # real charts, not placeholders
    assert not re.search(r"<(link|script|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"\b(src|href)=\"(?!data:|#)", page), "a reference to another file"
    assert not re.search(r"url\(", page)
    assert demo_server.token not in page and demo_server.url not in page
    # Ratios as percentages, money with the currency.
    assert re.search(r"<td>\d+\.\d %</td>", page)
    assert re.search(r"<td>[\d,]+\.\d\d USD</td>", page)
    assert "Billing, cost and profit per client" in page
    assert "Per project: 2026-11 against 2026-10" in page
    assert "Timesheets to chase, per person and week" in page


def test_csvs_have_a_byte_order_mark_and_rounded_ratios(written: Path) -> None:
    for path in written.glob("*.csv"):
        assert path.read_bytes()[:3] == b"\xef\xbb\xbf", path.name
    util = pd.read_csv(written / "utilisation.csv", encoding="utf-8-sig")
    assert util.columns[0] == "person_id"
    decimals = util["utilisation"].dropna().astype(str).str.partition(".")[2].str.len()
    assert (decimals <= 4).all()
    people = pd.read_csv(written / "money_by_person.csv", encoding="utf-8-sig")
    assert (
        "Léa Martin" in set(people["person_name"])
        or people["person_name"].str.contains("[éèç]").any()
    )
    chase = pd.read_csv(written / "missing_submissions.csv", encoding="utf-8-sig")
    assert set(chase["week"]) <= {"2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16",
                                  "2026-11-23", "2026-11-30"}  # fmt: skip
    assert (written / "report.xlsx").stat().st_size > 50_000


def test_kinds_and_rounding() -> None:
    assert [column_kind(c) for c in ("utilisation", "billing", "hours", "2026-Q4", "entries")] == [
        "ratio",
        "money",
        "hours",
        "hours",
        "count",
    ]
    assert shown_value(0.98, "ratio") == "98.0 %" and shown_value(10, "money", "EUR") == "10.00 EUR"
    mixed = pd.DataFrame(
        {"measure": ["hours", "margin"], "current": pd.array([7.123456, 0.123456], "Float64")}
    )
    assert rounded_for_csv(mixed)["current"].tolist() == [7.12, 0.1235]


def test_demo_takes_a_period_and_the_output_flags(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="not a period"):
        cli._period_range(None, "2026-13")
    assert cli._period_range(None, "2026-Q4")[:2] == ("2026-10-01", "2026-12-31")
    assert cli._period_range("2026-09", None) == ("2026-09-01", "2026-09-30", "2026-09")
