"""Comparisons: a report against the previous period or a year before, checked by hand."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas.errors import SchemaError, ValidationError
from beebole_pandas.reports import comparison as c


def _hours_by_person(server: Any, start: str, end: str) -> dict[str, float]:
    rows = server.backend.store.all(
        "SELECT COALESCE(pe.xid, CAST(pe.id AS TEXT)) AS k, SUM(te.hours) AS h FROM time_entry te "
        "JOIN person pe ON pe.id = te.person WHERE te.date BETWEEN ? AND ? GROUP BY k",
        (start, end),
    )
    return defaultdict(float, {r["k"]: r["h"] for r in rows})


@pytest.mark.parametrize("account", ["default", "us", "fr"])
def test_timesheet_against_the_previous_month(demo_server: Any, account: str) -> None:
    bb.connect(demo_server.tokens[account], url=demo_server.url)
    entries = bb.time_entries("2026-10-01", "2026-11-30")
    table = c.compare_report("timesheet", entries, "2026-11")
    assert table.attrs["beebole_report"]["current"] == "2026-11"
    assert table.attrs["beebole_report"]["previous"] == "2026-10"
    now = _hours_by_person(demo_server, "2026-11-01", "2026-11-30")
    then = _hours_by_person(demo_server, "2026-10-01", "2026-10-31")
    hours = table[table["measure"] == "hours"]
    assert set(hours["person_key"]) == set(now) | set(then)
    for row in hours.to_dict("records"):
        key = row["person_key"]
        assert row["current"] == pytest.approx(now[key])
        assert row["previous"] == pytest.approx(then[key])
        assert row["difference"] == pytest.approx(now[key] - then[key])
        if then[key]:
            assert row["change_pct"] == pytest.approx((now[key] - then[key]) / then[key])


def test_money_a_year_before_and_ratios(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    table = c.compare_money("2026-11", against="year", by="client", currency="USD")
    info = table.attrs["beebole_report"]
    assert (info["current"], info["previous"]) == ("2026-11", "2025-11")
    # The demo's data start in December 2025: a year before, nothing.
    billing = table[table["measure"] == "billing"]
    assert (billing["previous"] == 0).all() and billing["change_pct"].isna().all()
    assert set(info["measures"]) >= {"hours", "billing", "cost", "profit", "margin"}
    entries = bb.time_entries("2026-10-01", "2026-11-30")
    util = c.compare_report("utilisation", entries, "2026-11", people=bb.people())
    ratio = util[util["measure"] == "utilisation"]
    assert len(ratio) >= 45 and ratio["current"].notna().all()


def test_compare_by_hand_and_bad_input() -> None:
    now = pd.DataFrame({"project_key": ["A", "B"], "hours": [110.0, 5.0], "margin": [0.2, 0.1]})
    then = pd.DataFrame({"project_key": ["A", "C"], "hours": [100.0, 8.0], "margin": [0.1, 0.3]})
    out = c.compare(now, then, labels=("2026-11", "2026-10"))
    hours = out[out["measure"] == "hours"].set_index("project_key")
    assert hours.loc["A", "change_pct"] == pytest.approx(0.1)
    assert hours.loc["B", "previous"] == 0 and pd.isna(hours.loc["B", "change_pct"])
    assert hours.loc["C", "current"] == 0 and hours.loc["C", "change_pct"] == -1
    margin = out[out["measure"] == "margin"].set_index("project_key")
    assert pd.isna(margin.loc["B", "previous"])  # a ratio is not 0 where it is missing
    assert margin.loc["A", "difference"] == pytest.approx(0.1)
    with pytest.raises(SchemaError, match="cannot match"):
        c.compare(now, then, on=["person_key"])
    with pytest.raises(ValidationError, match=r"unknown report 'burnout'.*timesheet"):
        c.compare_report("burnout", pd.DataFrame(), "2026-11")
