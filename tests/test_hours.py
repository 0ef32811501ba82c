"""bb.hours: aggregated hours from an aggregated export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb

MONTH = ("2026-10-01", "2026-10-31")


def _client(server: Any, tmp_path: Path) -> Any:
    return bb.connect(
        server.token, url=server.url, cache_dir=tmp_path, daily_requests=10**9, daily_kb=10**9
    )


def test_hours_by_person_week_project_equal_the_entries_summed(
    demo_server: Any, tmp_path: Path
) -> None:
    client = _client(demo_server, tmp_path)
    entries = bb.time_entries(*MONTH, client=client)
    before = demo_server.stats()
    table = bb.hours(*MONTH, by=["person", "week", "project"], client=client)
    after = demo_server.stats()
    assert after["by_service"]["time_entry.export"] - before["by_service"]["time_entry.export"] == 1
    week = entries["date"] - pd.to_timedelta(entries["date"].dt.day_of_week, unit="D")
    expected = (
        entries.assign(week=week)
        .groupby(["person_key", "week", "project_key"], dropna=False)["hours"]
        .sum()
    )
    got = table.set_index(["person_key", "week", "project_key"])["hours"]
    assert len(got) == len(expected)
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index(), check_names=False, check_index_type=False
    )
    assert table["person_name"].notna().all()
    assert str(table["week"].dtype) == "datetime64[ns]"
    assert table.columns.tolist()[:4] == ["person_id", "person_xid", "person_key", "person_name"]
    assert (after["bytes"] - before["bytes"]) < 0.25 * len(entries) * 58


def test_hours_by_month_with_measures_and_without_names(demo_server: Any, tmp_path: Path) -> None:
    client = _client(demo_server, tmp_path)
    table = bb.hours(
        "2026-01-01", "2026-03-31", by=["month", "company"], measures=["hours", "cost"],
        names=False, client=client,
    )  # fmt: skip
    assert {"month", "company_id", "company_key", "hours", "cost"} <= set(table.columns)
    assert "company_name" not in table.columns
    assert set(table["month"]) == {"2026-01", "2026-02", "2026-03"}
    with pytest.raises(bb.ValidationError, match="not a dimension"):
        bb.hours(*MONTH, by=["planet"], client=client)
    with pytest.raises(bb.ValidationError, match="not an export measure"):
        bb.hours(*MONTH, measures=["person"], client=client)


def test_hours_dry_run_sends_no_export_of_hours(demo_server: Any, tmp_path: Path) -> None:
    client = _client(demo_server, tmp_path)
    est = bb.hours(*MONTH, client=client, dry_run=True)
    assert isinstance(est, bb.Estimate) and est.kb > 0 and est.fits


def test_hours_take_a_period_alone(demo_server: Any, tmp_path: Path) -> None:
    client = _client(demo_server, tmp_path)
    by_days = bb.hours("2026-10-01", "2026-10-31", by="person", client=client)
    pd.testing.assert_frame_equal(bb.hours("2026-10", by="person", client=client), by_days)
    quarter = bb.hours("2026-Q4", by="month", names=False, client=client)
    assert quarter["month"].astype(str).str[:7].tolist() == ["2026-10", "2026-11"]


def test_entries_and_exports_take_a_period_alone(demo_server: Any, tmp_path: Path) -> None:
    client = _client(demo_server, tmp_path)
    pd.testing.assert_frame_equal(
        bb.time_entries("2026-10", client=client),
        bb.time_entries("2026-10-01", "2026-10-31", client=client),
    )
    keys = ["personId", "hours"]
    pd.testing.assert_frame_equal(
        bb.export("2026-Q4", keys=keys, client=client),
        bb.export("2026-10-01", "2026-12-31", keys=keys, client=client),
    )
