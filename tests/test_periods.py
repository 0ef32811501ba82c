"""Periods: every spelling, relative names against an injected today, loaders and reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import periods, reports
from beebole_pandas.errors import ValidationError
from beebole_pandas.load.scopes import period

TODAY = "2026-12-03"  # a Thursday


@pytest.mark.parametrize(
    ("value", "first", "last", "label"),
    [
        ("2026-11", "2026-11-01", "2026-11-30", "2026-11"),
        ("2026-Q4", "2026-10-01", "2026-12-31", "2026-Q4"),
        ("2026q1", "2026-01-01", "2026-03-31", "2026-Q1"),
        ("2026", "2026-01-01", "2026-12-31", "2026"),
        ("2026-W45", "2026-11-02", "2026-11-08", "2026-W45"),
        ("2026-11-05", "2026-11-05", "2026-11-05", "2026-11-05"),
        (dt.date(2026, 11, 5), "2026-11-05", "2026-11-05", "2026-11-05"),
        (pd.Period("2026-11", freq="M"), "2026-11-01", "2026-11-30", "2026-11"),
        (pd.Period("2026Q4", freq="Q"), "2026-10-01", "2026-12-31", "2026-Q4"),
        (pd.Period("2026", freq="Y"), "2026-01-01", "2026-12-31", "2026"),
        ("today", TODAY, TODAY, TODAY),
        ("yesterday", "2026-12-02", "2026-12-02", "2026-12-02"),
        ("this-week", "2026-11-30", "2026-12-06", "2026-W49"),
        ("last-week", "2026-11-23", "2026-11-29", "2026-W48"),
        ("next week", "2026-12-07", "2026-12-13", "2026-W50"),
        ("this-month", "2026-12-01", "2026-12-31", "2026-12"),
        ("last-month", "2026-11-01", "2026-11-30", "2026-11"),
        ("last_quarter", "2026-07-01", "2026-09-30", "2026-Q3"),
        ("this-year", "2026-01-01", "2026-12-31", "2026"),
        ("last-year", "2025-01-01", "2025-12-31", "2025"),
    ],
)
def test_every_spelling(value: Any, first: str, last: str, label: str) -> None:
    found = periods.span(value, today=TODAY)
    assert found.iso() == (first, last)
    assert found.label == label


def test_ranges_shifts_and_freqs() -> None:
    assert periods.span("2026-10", "2026-Q4").iso() == ("2026-10-01", "2026-12-31")
    # A range of whole months is that period, so it compares as one.
    assert periods.span("2026-10-01", "2026-10-31").label == "2026-10"
    assert periods.shift("2026-11").label == "2026-10"
    assert periods.shift("2026-01").label == "2025-12"
    assert periods.shift("2026-Q1").label == "2025-Q4"
    assert periods.shift("2026-11", "year").label == "2025-11"
    assert periods.shift("2026-W45", "year").label == "2025-W45"
    assert periods.shift(periods.span("2026-11-10", "2026-11-16")).iso() == (
        "2026-11-03",
        "2026-11-09",
    )
    assert [periods.freq_of(f) for f in ("D", "week", "MS", "quarter", "A", "y")] == list("DWMQYY")
    now = periods.span("2026-12")
    assert now.is_partial(TODAY) and not periods.span("2026-11").is_partial(TODAY)
    assert now.clip(TODAY).iso() == ("2026-12-01", TODAY)


@pytest.mark.parametrize("bad", ["2026-13", "last-fortnight", "Q4", 2026, None, "2026-W60"])
def test_bad_periods_name_the_value_and_the_spellings(bad: Any) -> None:
    with pytest.raises(ValidationError, match=r"not a period.*'YYYY-MM'.*last-month"):
        periods.span(bad)


def test_bad_freq_and_reversed_range() -> None:
    with pytest.raises(ValidationError, match=r"'H'.*D, W, M, Q, Y"):
        periods.freq_of("H")
    with pytest.raises(ValidationError, match="before start"):
        periods.span("2026-12", "2026-11")
    with pytest.raises(ValidationError, match="previous, year"):
        periods.shift("2026-11", "decade")


def test_the_loaders_period_argument() -> None:
    assert period("2026-11") == ("2026-11-01", "2026-11-30")
    assert period("2026-11-05") == ("2026-11-05", "2026-11-05")
    assert period("2026-Q4", "2027") == ("2026-10-01", "2027-12-31")
    assert period("2026-10-01", "2026-11") == ("2026-10-01", "2026-11-30")
    assert period("last-month", today=TODAY) == ("2026-11-01", "2026-11-30")
    assert period(pd.Period("2026-11", freq="M")) == ("2026-11-01", "2026-11-30")
    with pytest.raises(ValidationError, match=r"start='soon'.*'2026-Q4'"):
        period("soon")


def test_reports_take_a_period(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    entries = bb.time_entries("2026-09-01", "2026-11-30")
    by_days = reports.timesheet(entries, start="2026-10-01", end="2026-10-31", pivot=False)
    for spelling in ("2026-10", pd.Period("2026-10", freq="M"), periods.span("2026-10")):
        same = reports.timesheet(entries, period=spelling, pivot=False)
        pd.testing.assert_frame_equal(same, by_days)
    # A period as start covers the whole period.
    pd.testing.assert_frame_equal(reports.timesheet(entries, start="2026-10", pivot=False), by_days)
    quarterly = reports.timesheet(entries, period="2026-Q4", freq="Q")
    assert [c for c in quarterly.columns if c.startswith("2026")] == ["2026-Q4"]
    assert quarterly["2026-Q4"].sum() == pytest.approx(
        entries.loc[entries["date"] >= "2026-10-01", "hours"].sum()
    )
    yearly = reports.timesheet(entries, freq="Y", pivot=False)
    assert yearly["period"].unique().tolist() == [pd.Timestamp("2026-01-01")]
    assert yearly["partial"].all()  # September to November of 2026 only
    util = reports.utilisation(entries, period="2026-Q3", freq="M")
    assert util["period"].max() == pd.Timestamp("2026-09-01")
    with pytest.raises(ValidationError, match=r"period=.*or start/end, not both"):
        reports.overtime(entries, period="2026-10", start="2026-10-01")
