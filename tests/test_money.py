"""Money: billing, cost and profit from the export, checked against the sandbox's store."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas.errors import SchemaError, ValidationError
from beebole_pandas.reports import finance as m

MONTH = ("2026-10-01", "2026-10-31")


def _truth(server: Any, start: str, end: str) -> dict[str, dict[str, dict[str, float]]]:
    """Hours, billing and cost per project, person and company, summed from the store's rows."""
    rows = server.backend.store.all(
        "SELECT te.hours, te.person, te.project, te.company, pr.company AS pcompany, "
        "pr.hourly_rate, pe.hourly_cost FROM time_entry te JOIN person pe ON pe.id = te.person "
        "LEFT JOIN project pr ON pr.id = te.project "
        "WHERE te.absence IS NULL AND te.date BETWEEN ? AND ?",
        (start, end),
    )
    out: dict[str, dict[str, dict[str, float]]] = {
        d: defaultdict(lambda: defaultdict(float)) for d in ("project", "person", "company")
    }
    for r in rows:
        billing = r["hours"] * (r["hourly_rate"] or 0.0)
        cost = r["hours"] * (r["hourly_cost"] or 0.0)
        company = r["company"] if r["company"] is not None else r["pcompany"]
        for dim, key in (("project", r["project"]), ("person", r["person"]), ("company", company)):
            sums = out[dim][str(key)]
            sums["hours"] += r["hours"]
            sums["billing"] += billing
            sums["cost"] += cost
    return out


def _ids(server: Any, dim: str) -> dict[str, str]:
    """Store id -> the key the frames use (the xid where there is one, else the id)."""
    rows = server.backend.store.all(f"SELECT id, xid FROM {dim}")
    return {str(r["id"]): (r["xid"] or str(r["id"])) for r in rows}


@pytest.mark.parametrize("account", ["default", "us", "fr"])
def test_money_matches_the_store(demo_server: Any, account: str) -> None:
    tokens = demo_server.tokens
    if account not in tokens:
        pytest.skip(f"the sandbox has no {account!r} account yet")
    bb.connect(tokens[account], url=demo_server.url)
    truth = _truth(demo_server, *MONTH)
    raw = m.money_export(start=MONTH[0], end=MONTH[1])
    for dim in ("project", "person", "company"):
        table = m.money_table(raw, by=dim, currency="USD")
        keys = _ids(demo_server, dim)
        expected = {keys.get(k, k): v for k, v in truth[dim].items() if k != "None"}
        got = {r[f"{dim}_key"]: r for r in table.to_dict("records") if r[f"{dim}_key"]}
        assert set(expected) <= set(got) | {"None"}
        for key, sums in expected.items():
            row = got[key]
            assert row["hours"] == pytest.approx(sums["hours"])
            assert row["billing"] == pytest.approx(sums["billing"])
            assert row["cost"] == pytest.approx(sums["cost"])
            assert row["profit"] == pytest.approx(sums["billing"] - sums["cost"])
        total_billing = sum(v["billing"] for v in truth[dim].values())
        assert table["billing"].sum() == pytest.approx(total_billing)
        assert table["billing_share"].sum() == pytest.approx(1.0)
        billed = table[table["billing"] > 0]
        assert (billed["margin"] == billed["profit"] / billed["billing"]).all()
        assert table.attrs["beebole_report"]["currency"] == "USD"


def test_money_per_period_adds_up_and_marks_partial_weeks(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    whole = m.money("2026-10", by="project")
    weekly = m.money("2026-10", by="project", freq="W")
    monthly = m.money("2026-Q4", by="client", freq="M")
    assert weekly["billing"].sum() == pytest.approx(whole["billing"].sum())
    assert weekly["period"].min() == pd.Timestamp("2026-09-28")
    assert weekly.loc[weekly["period"] == pd.Timestamp("2026-09-28"), "partial"].all()
    assert not weekly.loc[weekly["period"] == pd.Timestamp("2026-10-05"), "partial"].any()
    october = monthly[monthly["period"] == pd.Timestamp("2026-10-01")]
    assert october["billing"].sum() == pytest.approx(whole["billing"].sum())
    quarterly = m.money("2026-Q4", by="company", freq="Q")
    assert set(quarterly["period"]) == {pd.Timestamp("2026-10-01")}
    assert quarterly["profit"].sum() == pytest.approx(monthly["profit"].sum())


def test_money_names_come_from_the_frames_when_not_exported(demo_server: Any) -> None:
    bb.connect(demo_server.token, url=demo_server.url)
    raw = m.money_export("2026-10", names=False)
    assert "project_name" not in raw.columns
    table = m.money_table(raw, by="project", projects=bb.projects())
    assert table["project_name"].notna().all()
    named = m.money("2026-10", by="project")
    assert sorted(table["project_name"]) == sorted(named["project_name"])


def test_money_arguments_name_the_choices() -> None:
    with pytest.raises(ValidationError, match=r"'team'.*company, project"):
        m.money_table(pd.DataFrame(), by="team")
    with pytest.raises(ValidationError, match=r"currency=.euro.*three letters"):
        m.check_currency("euro")
    with pytest.raises(SchemaError, match="billing"):
        m.money_table(pd.DataFrame({"hours": [1.0]}), by="project")
    with pytest.raises(ValidationError, match="freq='D'"):
        m.money_export("2026-10", freq="D")
    assert (
        m.money_summary(
            pd.DataFrame({"hours": [1.0], "billing": [0.0], "cost": [5.0], "profit": [-5.0]})
        )["profit"]
        == -5.0
    )
