"""Honest reports: the issue's Monday-morning scenarios, replayed against the demo sandbox.

Each test reproduces one numbered problem of the issue exactly as a new analyst
met it, and checks the figures against sums computed in plain Python from the
server's own raw JSON (``requests.post``), never from the package's frames:

5. the budget burn of November counted November only (Compliance Audit at
   12.6 % of its budget, 124.6 % with the hours before November);
6. ``timesheet()`` put a ``Total`` row in the data (``ts["total"].sum()`` was
   twice the hours) and the CSV files held it;
8. a month without data gave empty reports and charts without a word; partial
   first and last weeks were not marked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests

import beebole_pandas as bb
from beebole_pandas import cli, plotting, reports

NOVEMBER = ("2026-11-01", "2026-11-30")
OCTOBER = ("2026-10-01", "2026-10-31")
DECEMBER = ("2026-12-01", "2026-12-31")  # the demo seed's time ends on 2026-11-30
REPORTS_LOGGER = "beebole_pandas.reports"


def _post(server: Any, service: str, **params: Any) -> dict[str, Any]:
    body = requests.post(
        server.url, json={"service": service, **params}, auth=(server.token, "x"), timeout=30
    ).json()
    assert body["status"] == "ok", body
    return body


def _ref(obj: dict[str, Any]) -> dict[str, Any]:
    return {"xid": obj["xid"]} if obj.get("xid") else {"id": obj["id"]}


def _raw_entries(server: Any, start: str, end: str) -> list[dict[str, Any]]:
    """Every time entry of [start, end], one time_entry.list per person."""
    entries: list[dict[str, Any]] = []
    for company in _post(server, "company.list")["companies"]:
        for person in _post(server, "person.list", company=_ref(company))["people"]:
            listed = _post(
                server, "time_entry.list", person=_ref(person), **{"from": start, "to": end}
            )
            entries += listed["timeEntries"]
    return entries


def _raw_projects(server: Any) -> list[dict[str, Any]]:
    projects: list[dict[str, Any]] = []
    for company in _post(server, "company.list")["companies"]:
        projects += _post(server, "project.list", company=_ref(company))["projects"]
    return projects


@pytest.fixture
def analyst(demo_server: Any, tmp_path: Path) -> Iterator[Any]:
    """The analyst's session: ``bb.connect(token, url=...)``, the default client."""
    client = bb.connect(demo_server.token, url=demo_server.url, cache_dir=tmp_path / "cache")
    yield client
    bb.disconnect()


# -- 5. Burn understated ---------------------------------------------------------------------


def test_5_burn_counts_the_hours_before_the_period(
    demo_server: Any, analyst: Any, caplog: pytest.LogCaptureFixture
) -> None:
    entries = bb.time_entries(*NOVEMBER)
    projects = bb.projects()
    before = demo_server.stats()
    with caplog.at_level(logging.INFO, logger=REPORTS_LOGGER):
        burn = entries.beebole.project_burn(projects)
    after = demo_server.stats()

    raw = [p for p in _raw_projects(demo_server) if p["name"] == "Compliance Audit"]
    (audit,) = raw
    lifetime = sum(
        e["hours"]
        for e in _raw_entries(demo_server, "2000-01-01", NOVEMBER[1])
        if (e.get("project") or {}).get("id") == audit["id"]
    )
    november = sum(
        e["hours"]
        for e in _raw_entries(demo_server, *NOVEMBER)
        if (e.get("project") or {}).get("id") == audit["id"]
    )
    last = burn[burn["project_name"] == "Compliance Audit"].sort_values("period").iloc[-1]
    # The issue: 12.6 % (November alone); the hours before November alone are 112 %.
    assert november / audit["budget"] == pytest.approx(0.126, abs=0.001)
    assert (lifetime - november) / audit["budget"] == pytest.approx(1.12, abs=0.001)
    assert last["cumulative_hours"] == pytest.approx(lifetime)
    assert last["budget_used"] == pytest.approx(lifetime / audit["budget"])
    assert last["budget_used"] > 1.12

    # It says what it counts: a column, the attrs and the log.
    info = burn.attrs["beebole_report"]
    assert info["covers"] == "project life"
    assert set(burn["cumulative_since"]) == {reports.HISTORY_START}
    assert "whole life" in info["note"] and "one aggregated export" in info["note"]
    assert any("aggregated export" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    # One aggregated export (a start and its polls), a few hundred bytes, in the budget.
    spent = {
        s: after["by_service"].get(s, 0) - before["by_service"].get(s, 0)
        for s in after["by_service"]
    }
    assert spent.get("time_entry.export") == 1
    assert after["requests"] - before["requests"] <= 4
    assert after["bytes"] - before["bytes"] < 2048


def test_5_burn_without_a_client_says_it_counts_the_period_only(
    demo_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = bb.connect(
        demo_server.token, url=demo_server.url, cache_dir=tmp_path / "c", set_default=False
    )
    try:
        entries = bb.time_entries(*NOVEMBER, client=client)
        projects = bb.projects(client=client)
    finally:
        client.close()
    # No default client, none given: the hours before November cannot be fetched.
    with caplog.at_level(logging.WARNING, logger=REPORTS_LOGGER):
        burn = reports.project_burn(entries, projects)
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("NOT counted" in m and "understated" in m and "client=" in m for m in said), said
    assert burn.attrs["beebole_report"]["covers"] == "period only"
    first = pd.Timestamp(entries["date"].min())
    assert set(burn["cumulative_since"]) == {first}
    audit = burn[burn["project_name"] == "Compliance Audit"].sort_values("period").iloc[-1]
    assert audit["budget_used"] == pytest.approx(0.126, abs=0.001)  # the period's share


def test_5_burn_offline_says_it_could_not_fetch(
    demo_server: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = bb.connect(
        demo_server.token, url=demo_server.url, cache_dir=tmp_path / "c", set_default=False
    )
    try:
        entries = bb.time_entries(*NOVEMBER, client=client)
        projects = bb.projects(client=client)
        client.offline = True
        sent = demo_server.stats()["requests"]
        with caplog.at_level(logging.WARNING, logger=REPORTS_LOGGER):
            burn = reports.project_burn(entries, projects, client=client)
        assert demo_server.stats()["requests"] == sent
    finally:
        client.close()
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "NOT counted" in said and "offline" in said
    assert burn.attrs["beebole_report"]["covers"] == "period only"


# -- 6. Totals counted twice -----------------------------------------------------------------


def test_6_timesheet_holds_no_total_row(demo_server: Any, analyst: Any) -> None:
    entries = bb.time_entries(*NOVEMBER)
    hours = sum(e["hours"] for e in _raw_entries(demo_server, *NOVEMBER))
    assert hours == pytest.approx(8448.0)

    ts = entries.beebole.timesheet()
    weeks = [c for c in ts.columns if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(c))]
    assert "total" not in ts.columns and "Total" not in ts.columns
    assert "Total" not in set(ts["person_name"])
    assert ts[weeks].to_numpy().sum() == pytest.approx(hours)  # was 16,896

    # Totals on request, like pivot_table(margins=True).
    shown = entries.beebole.timesheet(margins=True)
    assert list(shown.columns) == [*ts.columns, "Total"]
    assert shown.iloc[-1]["person_name"] == "Total" and pd.isna(shown.iloc[-1]["person_id"])
    assert shown.iloc[-1]["Total"] == pytest.approx(hours)
    assert shown.iloc[:-1]["Total"].sum() == pytest.approx(hours)
    pd.testing.assert_frame_equal(shown.iloc[:-1].drop(columns="Total"), ts)
    tidy = entries.beebole.timesheet(pivot=False)
    assert tidy["hours"].sum() == pytest.approx(hours)


def test_6_report_csv_files_hold_data_rows_only(
    demo_server: Any, analyst: Any, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    path, _, _ = cli.run_report(analyst, *NOVEMBER, out, title="November")
    raw = _raw_entries(demo_server, *NOVEMBER)
    hours = sum(e["hours"] for e in raw)
    for name in ("timesheet", "timesheet_by_project"):
        table = pd.read_csv(out / f"{name}.csv")
        periods = [c for c in table.columns if c[:2] == "20"]
        assert not table.filter(like="_name").isin(["Total"]).any().any(), name
        assert not {"total", "Total"} & set(table.columns), name
        assert table[periods].to_numpy().sum() == pytest.approx(hours), name
    # The page still shows the totals where readers look for them.
    page = path.read_text(encoding="utf-8")
    assert page.count("<td>Total</td>") == 2
    assert page.count(f"<td>{hours:,.2f}</td>") >= 2


# -- 8. A month without data, partial periods -----------------------------------------------


def test_8_reports_on_a_month_without_data_warn(
    demo_server: Any, analyst: Any, caplog: pytest.LogCaptureFixture
) -> None:
    assert _raw_entries(demo_server, *DECEMBER) == []
    december = bb.time_entries(*DECEMBER)
    projects = bb.projects()
    calls = {
        "timesheet": lambda: reports.timesheet(december),
        "utilisation": lambda: reports.utilisation(december),
        "overtime": lambda: reports.overtime(december),
        "absence_summary": lambda: reports.absence_summary(december),
        "project_burn": lambda: reports.project_burn(december, projects),
        "approval_status": lambda: reports.approval_status(december),
        "missing_submissions": lambda: reports.missing_submissions(december, week="2026-12-07"),
    }
    for name, call in calls.items():
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger=REPORTS_LOGGER):
            table = call()
        assert len(table) == 0
        said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(said) == 1, (name, said)
        assert said[0].startswith(f"{name}: no time entries at all"), said
        if name != "missing_submissions":
            assert "2026-12-01 to 2026-12-31" in said[0]
            assert table.attrs["beebole_report"]["empty"] is True

    # A frame with data, asked about a month it does not hold: it says where the data is.
    november = bb.time_entries(*NOVEMBER)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=REPORTS_LOGGER):
        table = reports.timesheet(november, start=DECEMBER[0], end=DECEMBER[1])
    assert len(table) == 0
    (said,) = [r.getMessage() for r in caplog.records]
    assert "no time entries for 2026-12-01 to 2026-12-31" in said
    assert "the entries given run from 2026-11-02 to 2026-11-30" in said
    # A month with data says nothing.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=REPORTS_LOGGER):
        reports.timesheet(november, start=NOVEMBER[0], end=NOVEMBER[1])
    assert not caplog.records


def test_8_charts_of_a_month_without_data_say_so(analyst: Any) -> None:
    december = bb.time_entries(*DECEMBER)
    projects = bb.projects()
    figures = {
        "timesheet": plotting.plot_timesheet(reports.timesheet(december)),
        "utilisation": plotting.plot_utilisation(reports.utilisation(december)),
        "overtime": plotting.plot_overtime(reports.overtime(december)),
        "absences": plotting.plot_absences(reports.absence_summary(december)),
        "project_burn": plotting.plot_project_burn(reports.project_burn(december, projects)),
        "approval_status": plotting.plot_approval_status(reports.approval_status(december)),
    }
    for name, fig in figures.items():
        (ax,) = fig.axes
        texts = [t.get_text() for t in ax.texts]
        assert texts[0] == "no data for 2026-12-01 to 2026-12-31", (name, texts)
        assert not ax.axison, name  # a figure that says so, no empty axes
        # No ticks that would mean nothing (0 h .. 1 h, dates of another year).
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == [], name


def test_8_partial_first_and_last_weeks_are_marked(demo_server: Any, analyst: Any) -> None:
    entries = bb.time_entries(*OCTOBER)
    projects = bb.projects()
    cut = {"start": OCTOBER[0], "end": OCTOBER[1]}
    # October runs Thursday 1 to Saturday 31: the weeks of 28 September and 26 October
    # are cut; the three weeks between are whole.
    partial = {pd.Timestamp("2026-09-28"), pd.Timestamp("2026-10-26")}
    tables = {
        "timesheet": reports.timesheet(entries, pivot=False, **cut),
        "utilisation": reports.utilisation(entries, freq="W", **cut),
        "overtime": reports.overtime(entries, **cut),
        "approval_status": reports.approval_status(entries, **cut),
        "project_burn": reports.project_burn(entries, projects, **cut),
    }
    for name, table in tables.items():
        assert str(table["partial"].dtype) == "boolean", name
        marked = set(table.loc[table["partial"].to_numpy(dtype=bool), "period"])
        assert marked == partial, name
        assert set(table["period"]) - partial, name
        assert table.attrs["beebole_report"]["partial_periods"] == ["2026-09-28", "2026-10-26"]
    # The pivot form keeps its columns plain and says it in attrs.
    pivot = reports.timesheet(entries, **cut)
    assert pivot.attrs["beebole_report"]["partial_periods"] == ["2026-09-28", "2026-10-26"]
    # The hours of a partial week are those of its days inside October.
    raw = _raw_entries(demo_server, "2026-09-28", "2026-10-04")
    inside = sum(e["hours"] for e in raw if e["date"] >= "2026-10-01")
    assert pivot["2026-09-28"].sum() == pytest.approx(inside) and inside < sum(
        e["hours"] for e in raw
    )
    # A whole month is not partial; a month cut by the range is.
    months = reports.timesheet(entries, freq="M", pivot=False, **cut)
    assert not months["partial"].any()
    assert reports.timesheet(entries, freq="M", pivot=False, start="2026-10-05")["partial"].all()

    # The charts say it: hatched bars labelled "(partial)", hollow burn points.
    legend = plotting.plot_timesheet(pivot).axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [
        "2026-09-28 (partial)",
        "2026-10-05",
        "2026-10-12",
        "2026-10-19",
        "2026-10-26 (partial)",
    ]
    assert "partial" in legend.get_title().get_text()
    over = plotting.plot_overtime(tables["overtime"]).axes[0].get_legend()
    assert any(t.get_text().endswith("(partial)") for t in over.get_texts())
    burn = plotting.plot_project_burn(tables["project_burn"]).axes[0]
    assert "partial" in burn.get_xlabel()


def test_8_the_report_of_an_empty_month_says_it_once(
    demo_server: Any, analyst: Any, tmp_path: Path
) -> None:
    import io

    stream = io.StringIO()
    cli.run_report(analyst, *DECEMBER, tmp_path / "r", title="December", stream=stream)
    said = stream.getvalue()
    assert (
        said.count("warning: timesheet: no time entries at all for 2026-12-01 to 2026-12-31") == 1
    )
    assert "warning: utilisation: no time entries" not in said  # one line per cause
