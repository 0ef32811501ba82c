"""Reports against the demo sandbox: every figure is checked against sums computed
independently, in plain Python, from the server's own raw JSON (requests.post on
time_entry.list per person, the entity lists), never from the package's frames."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import requests

from beebole_pandas import reports
from beebole_pandas.errors import SchemaError, ValidationError

START, END = "2026-10-01", "2026-11-15"


def _post(server: Any, service: str, **params: Any) -> dict[str, Any]:
    response = requests.post(
        server.url, json={"service": service, **params}, auth=(server.token, "x"), timeout=30
    )
    body = response.json()
    assert body["status"] == "ok", body
    return body


def _key(ref: dict[str, Any] | None) -> str:
    """The reports' key convention: the xid, else '#id', else '' (no reference)."""
    if not ref:
        return ""
    return ref["xid"] if ref.get("xid") else f"#{ref['id']}"


def _ref(obj: dict[str, Any]) -> dict[str, Any]:
    return {"xid": obj["xid"]} if obj.get("xid") else {"id": obj["id"]}


def _row_key(row: Any, dim: str) -> str:
    xid, ident = row[f"{dim}_xid"], row[f"{dim}_id"]
    return xid if not pd.isna(xid) else ("" if pd.isna(ident) else f"#{ident}")


def _monday(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return (d - dt.timedelta(days=d.weekday())).isoformat()


class Raw:
    """The demo account as the server sends it, plus the entries of [START, END]."""

    def __init__(self, server: Any) -> None:
        self.companies = _post(server, "company.list")["companies"]
        self.people: list[dict[str, Any]] = []
        self.projects: list[dict[str, Any]] = []
        for company in self.companies:
            self.people += _post(server, "person.list", company=_ref(company))["people"]
            self.projects += _post(server, "project.list", company=_ref(company))["projects"]
        self.subprojects: list[dict[str, Any]] = []
        for project in self.projects:
            self.subprojects += _post(server, "subproject.list", project=_ref(project))[
                "subprojects"
            ]
        self.entries: list[dict[str, Any]] = []
        for person in self.people:
            rows = _post(
                server, "time_entry.list", person=_ref(person), **{"from": START, "to": END}
            )
            for row in rows["timeEntries"]:
                self.entries.append({**row, "_person": _key(person)})
        self.project_of = {_key(s): _key(s["project"]) for s in self.subprojects}
        self.company_of = {_key(p): _key(p["company"]) for p in self.projects}
        self.customers = {_key(c) for c in self.companies if not c.get("corporate")}

    def project(self, entry: dict[str, Any]) -> str:
        if entry.get("project"):
            return _key(entry["project"])
        if entry.get("subproject"):
            return self.project_of[_key(entry["subproject"])]
        return ""

    def company(self, entry: dict[str, Any]) -> str:
        if entry.get("company"):
            return _key(entry["company"])
        project = self.project(entry)
        return self.company_of.get(project, "")

    def sums(self, key_fn: Any, value_fn: Any = lambda e: e["hours"]) -> dict[Any, float]:
        out: dict[Any, float] = defaultdict(float)
        for entry in self.entries:
            key = key_fn(entry)
            if key is not None:
                out[key] += value_fn(entry)
        return dict(out)


@pytest.fixture(scope="module")
def data(demo_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    import beebole_pandas as bb

    client = bb.connect(
        demo_server.token,
        url=demo_server.url,
        set_default=False,
        cache_dir=tmp_path_factory.mktemp("reports-cache"),
    )
    try:
        frames = {
            "entries": bb.time_entries(START, END, client=client),
            "people": bb.people(client=client),
            "projects": bb.projects(client=client),
            "subprojects": bb.subprojects(client=client),
            "companies": bb.companies(client=client),
            "absences": bb.absences(client=client),
            "schedule": bb.export(
                START, END, keys=["personId", "workHours"], show="work", client=client
            ),
        }
    finally:
        client.close()
    yield {"raw": Raw(demo_server), **frames}


def _ctx(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data[k] for k in ("people", "projects", "subprojects")}


def test_raw_data_is_substantial(data: dict[str, Any]) -> None:
    raw = data["raw"]
    assert len(raw.people) >= 40 and len(raw.entries) > 1000
    assert len(data["entries"]) == len(raw.entries)
    assert {e["status"] for e in raw.entries} >= {"d", "s", "r"}
    assert any(e.get("absence") for e in raw.entries)


def test_timesheet_weekly_pivot(data: dict[str, Any]) -> None:
    raw = data["raw"]
    plain = reports.timesheet(data["entries"], freq="W", people=data["people"])
    table = reports.timesheet(data["entries"], freq="W", people=data["people"], margins=True)
    expected = raw.sums(lambda e: (e["_person"], _monday(e["date"])))
    weeks = sorted({w for _, w in expected})
    assert [c for c in table.columns if c[:2] == "20"] == weeks
    # The data holds no total; margins=True adds the last row and the last column.
    pd.testing.assert_frame_equal(plain, table.iloc[:-1].drop(columns="Total"))
    body = table[table["person_name"] != "Total"]
    assert len(body) == len(plain) == len({p for p, _ in expected})
    for row in body.to_dict("records"):
        person = _row_key(row, "person")
        for week in weeks:
            assert row[week] == pytest.approx(expected.get((person, week), 0.0))
        assert row["Total"] == pytest.approx(
            sum(v for (p, _), v in expected.items() if p == person)
        )
    total = table[table["person_name"] == "Total"].iloc[0]
    assert pd.isna(total["person_id"]) and pd.isna(total["person_xid"])
    assert total["Total"] == pytest.approx(sum(e["hours"] for e in raw.entries))
    assert plain[weeks].sum().sum() == pytest.approx(sum(e["hours"] for e in raw.entries))
    names = {_key(p): p["name"] for p in raw.people}
    assert all(names[_row_key(r, "person")] == r["person_name"] for r in body.to_dict("records"))
    assert str(table["person_id"].dtype) == "Int64" and str(table["Total"].dtype) == "Float64"


def test_timesheet_by_project_monthly_and_tidy_daily(data: dict[str, Any]) -> None:
    raw = data["raw"]
    table = reports.timesheet(data["entries"], by="project", freq="M", **_ctx(data))
    expected = raw.sums(lambda e: (raw.project(e), e["date"][:7]))
    body = table
    assert "Total" not in set(table["project_name"]) and "total" not in table.columns
    for row in body.to_dict("records"):
        project = _row_key(row, "project")
        for month in ("2026-10", "2026-11"):
            assert row[month] == pytest.approx(expected.get((project, month), 0.0)), row
    assert len(body) == len({p for p, _ in expected})

    tidy = reports.timesheet(data["entries"], by=["person", "task"], freq="D", pivot=False)
    daily = raw.sums(lambda e: (e["_person"], _key(e.get("task")), e["date"]))
    got = {
        (_row_key(r, "person"), _row_key(r, "task"), r["period"].strftime("%Y-%m-%d")): r["hours"]
        for r in tidy.to_dict("records")
    }
    assert got.keys() == daily.keys()
    assert all(got[k] == pytest.approx(v) for k, v in daily.items())


def _weekdays(start: str, end: str) -> int:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return sum((first + dt.timedelta(days=i)).weekday() < 5 for i in range((last - first).days + 1))


def test_utilisation(data: dict[str, Any]) -> None:
    raw = data["raw"]
    table = reports.utilisation(
        data["entries"], companies=data["companies"], start=START, end=END, **_ctx(data)
    )
    worked = raw.sums(lambda e: None if e.get("absence") else e["_person"])
    absent = raw.sums(lambda e: e["_person"] if e.get("absence") else None)
    billable = raw.sums(
        lambda e: e["_person"] if not e.get("absence") and raw.company(e) in raw.customers else None
    )
    expected_hours = 8.0 * _weekdays(START, END)
    active = {_key(p) for p in raw.people if p.get("active", True)}
    assert {_row_key(r, "person") for r in table.to_dict("records")} == active | set(worked)
    assert 0 < sum(billable.values()) < sum(worked.values())
    for row in table.to_dict("records"):
        person = _row_key(row, "person")
        assert row["expected_hours"] == expected_hours
        assert row["worked_hours"] == pytest.approx(worked.get(person, 0.0))
        assert row["absence_hours"] == pytest.approx(absent.get(person, 0.0))
        assert row["billable_hours"] == pytest.approx(billable.get(person, 0.0))
        assert row["utilisation"] == pytest.approx(worked.get(person, 0.0) / expected_hours)
        if worked.get(person):
            assert row["billable_share"] == pytest.approx(
                billable.get(person, 0.0) / worked[person]
            )


def test_utilisation_without_companies_is_na_and_mapping_schedule(data: dict[str, Any]) -> None:
    entries = data["entries"]
    first = entries.iloc[0]
    who = first["person_name"]
    table = reports.utilisation(
        entries, expected_hours_per_day={who: 4.0}, freq="W", start="2026-10-05", end="2026-10-18"
    )
    assert table["billable_hours"].isna().all()
    mine = table[table["person_name"] == who]
    assert list(mine["expected_hours"]) == [20.0, 20.0]
    assert set(table[table["person_name"] != who]["expected_hours"]) == {40.0}


def test_overtime(data: dict[str, Any]) -> None:
    raw = data["raw"]
    weekly = raw.sums(lambda e: (e["_person"], _monday(e["date"])))
    table = reports.overtime(data["entries"], freq="W")
    assert len(table) == len(weekly)
    assert (table["overtime_hours"] > 0).sum() > 0
    for row in table.to_dict("records"):
        hours = weekly[(_row_key(row, "person"), row["period"].strftime("%Y-%m-%d"))]
        assert row["hours"] == pytest.approx(hours)
        assert row["threshold"] == 40.0
        assert row["overtime_hours"] == pytest.approx(max(0.0, hours - 40.0))
    daily = reports.overtime(data["entries"], freq="D", threshold=9.0, include_absences=False)
    worked = raw.sums(lambda e: None if e.get("absence") else (e["_person"], e["date"]))
    over = {k: v - 9.0 for k, v in worked.items() if v > 9.0}
    got = {
        (_row_key(r, "person"), r["period"].strftime("%Y-%m-%d")): r["overtime_hours"]
        for r in daily.to_dict("records")
        if r["overtime_hours"] > 0
    }
    assert got.keys() == over.keys()
    assert all(got[k] == pytest.approx(v) for k, v in over.items())


def test_overtime_and_utilisation_agree_on_a_cut_week(data: dict[str, Any]) -> None:
    # October starts on a Thursday: its share of the week of 2026-09-28 is two weekdays.
    raw, week = data["raw"], pd.Timestamp("2026-09-28")
    cut = {"start": "2026-10-01", "end": "2026-10-31", "freq": "W"}
    over = reports.overtime(data["entries"], **cut)
    util = reports.utilisation(data["entries"], **cut)
    first = over[over["period"] == week]
    expected = util[util["period"] == week].set_index(["person_id", "person_xid"])
    assert len(first) > 10
    worked = raw.sums(lambda e: e["_person"] if "2026-10-01" <= e["date"] <= "2026-10-04" else None)
    for row in first.to_dict("records"):
        assert row["threshold"] == 16.0
        assert (
            row["threshold"] == expected.loc[(row["person_id"], row["person_xid"])].expected_hours
        )
        hours = worked[_row_key(row, "person")]
        assert row["overtime_hours"] == pytest.approx(max(0.0, hours - 16.0))
    assert (first["overtime_hours"] > 0).any()
    # Whole weeks inside the range keep the full threshold.
    assert set(over.loc[over["period"] == pd.Timestamp("2026-10-05"), "threshold"]) == {40.0}


def test_absence_summary(data: dict[str, Any]) -> None:
    raw = data["raw"]
    table = reports.absence_summary(
        data["entries"], hours_per_day=8.0, people=data["people"], absences=data["absences"]
    )
    hours = raw.sums(lambda e: (e["_person"], _key(e["absence"])) if e.get("absence") else None)
    counts = raw.sums(
        lambda e: (e["_person"], _key(e["absence"])) if e.get("absence") else None, lambda e: 1
    )
    got = {(_row_key(r, "person"), _row_key(r, "absence")): r for r in table.to_dict("records")}
    assert got.keys() == hours.keys() and len(got) > 3
    for key, row in got.items():
        assert row["hours"] == pytest.approx(hours[key])
        assert row["days"] == pytest.approx(hours[key] / 8.0)
        assert row["entries"] == counts[key]
    assert not table["absence_name"].str.startswith("#").any()
    assert str(table["entries"].dtype) == "Int64"


def test_project_burn(data: dict[str, Any]) -> None:
    raw = data["raw"]
    burn = reports.project_burn(
        data["entries"], data["projects"], freq="W", subprojects=data["subprojects"]
    )
    weekly = raw.sums(lambda e: (raw.project(e), _monday(e["date"])) if raw.project(e) else None)
    projects = {_key(p): p for p in raw.projects}
    weeks = sorted({w for _, w in weekly})
    assert len(burn) == len({p for p, _ in weekly}) * len(weeks)
    budgets_seen = 0
    for project, rows in burn.groupby("project_name"):
        rows = rows.sort_values("period")
        key = _row_key(rows.iloc[0], "project")
        running = 0.0
        for row in rows.to_dict("records"):
            running += weekly.get((key, row["period"].strftime("%Y-%m-%d")), 0.0)
            assert row["cumulative_hours"] == pytest.approx(running), project
            budget, rate = projects[key].get("budget"), projects[key].get("hourlyRate")
            if budget:
                budgets_seen += 1
                assert row["budget_used"] == pytest.approx(running / budget)
                assert row["remaining_hours"] == pytest.approx(budget - running)
            else:
                assert pd.isna(row["budget_hours"])
            if rate:
                assert row["cumulative_cost"] == pytest.approx(running * rate)
            else:
                assert pd.isna(row["cost"])
    assert budgets_seen > 0
    key = next(iter(projects))
    carried = reports.project_burn(
        data["entries"],
        data["projects"],
        subprojects=data["subprojects"],
        prior_hours={key.lstrip("#") if key.startswith("#") else key: 100.0},
    )
    diff = carried["cumulative_hours"] - burn["cumulative_hours"]
    assert set(diff.round(6)) <= {0.0, 100.0} and (diff == 100.0).any()


def test_approval_status_and_missing_submissions(data: dict[str, Any]) -> None:
    raw = data["raw"]
    labels = {"d": "draft", "s": "submitted", "a": "approved", "r": "rejected", "l": "locked"}
    table = reports.approval_status(data["entries"], freq="W", people=data["people"])
    hours = raw.sums(lambda e: (e["_person"], _monday(e["date"]), labels[e["status"]]))
    counts = raw.sums(
        lambda e: (e["_person"], _monday(e["date"]), labels[e["status"]]), lambda e: 1
    )
    got = {
        (_row_key(r, "person"), r["period"].strftime("%Y-%m-%d"), r["status"]): r
        for r in table.to_dict("records")
    }
    assert got.keys() == hours.keys()
    for key, row in got.items():
        assert row["hours"] == pytest.approx(hours[key]) and row["entries"] == counts[key]
    assert list(table["status"].cat.categories) == reports.STATUS_ORDER

    # as_of 2026-11-11 (a Wednesday): the last full week is 2026-11-02 .. 2026-11-08.
    missing = reports.missing_submissions(
        data["entries"], as_of="2026-11-11", people=data["people"]
    )
    week = [e for e in raw.entries if "2026-11-02" <= e["date"] <= "2026-11-08"]
    pending = {e["_person"] for e in week if e["status"] in ("d", "r")}
    silent = {_key(p) for p in raw.people if p.get("active", True)} - {e["_person"] for e in week}
    assert {_row_key(r, "person") for r in missing.to_dict("records")} == pending | silent
    assert pending, "the demo's recent weeks should have drafts"
    assert set(missing["week"]) == {pd.Timestamp("2026-11-02")}
    same = reports.missing_submissions(data["entries"], week="2026-11-05", people=data["people"])
    pd.testing.assert_frame_equal(same, missing)


def test_empty_frames_keep_columns_and_dtypes(data: dict[str, Any]) -> None:
    entries, empty = data["entries"], data["entries"].iloc[:0]
    calls = [
        lambda f: reports.timesheet(f, pivot=False),
        lambda f: reports.utilisation(f),
        lambda f: reports.overtime(f),
        lambda f: reports.absence_summary(f),
        lambda f: reports.project_burn(f, data["projects"]),
        lambda f: reports.approval_status(f),
    ]
    for call in calls:
        full, none = call(entries), call(empty)
        assert len(none) == 0
        assert none.dtypes.astype(str).to_dict() == full.dtypes.astype(str).to_dict()


def test_bad_arguments_name_the_choices(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match=r"'H'.*D, W, M, Q, Y"):
        reports.timesheet(data["entries"], freq="H")
    with pytest.raises(ValidationError, match=r"'team'.*person, company, project"):
        reports.timesheet(data["entries"], by="team")
    with pytest.raises(SchemaError, match=r"missing column.*hours"):
        reports.overtime(data["entries"].drop(columns="hours"))
    with pytest.raises(ValidationError, match="hours_per_day"):
        reports.absence_summary(data["entries"], hours_per_day=0)


def test_billable_can_be_given_explicitly(data: dict[str, Any]) -> None:
    raw, entries = data["raw"], data["entries"]
    by_companies = reports.utilisation(entries, companies=data["companies"], **_ctx(data))
    customers = [c["name"] for c in raw.companies if not c.get("corporate")]
    by_names = reports.utilisation(entries, billable=customers, **_ctx(data))
    pd.testing.assert_frame_equal(by_names, by_companies)
    # A mask aligned with the frame's own index, even a shuffled one.
    shuffled = entries.sample(frac=1.0, random_state=1)
    mask = shuffled["company_name"].isin(customers).fillna(False)
    by_mask = reports.utilisation(shuffled, billable=mask, **_ctx(data))
    pd.testing.assert_frame_equal(by_mask, by_companies)
    internal = reports.utilisation(
        entries, billable=lambda f: f["project_name"] == "Internal Tools", **_ctx(data)
    )
    expected = raw.sums(
        lambda e: e["_person"] if (e.get("project") or {}).get("name") == "Internal Tools" else None
    )
    got = {_row_key(r, "person"): r["billable_hours"] for r in internal.to_dict("records")}
    assert sum(expected.values()) > 0
    assert all(got[k] == pytest.approx(v) for k, v in expected.items())


def test_reports_never_change_the_input(data: dict[str, Any]) -> None:
    entries = data["entries"]
    before = entries.copy()
    reports.timesheet(entries, by="project", **_ctx(data))
    reports.utilisation(entries, companies=data["companies"], people=data["people"])
    reports.project_burn(entries, data["projects"], subprojects=data["subprojects"])
    reports.approval_status(entries)
    reports.missing_submissions(entries, people=data["people"], as_of="2026-11-11")
    pd.testing.assert_frame_equal(entries, before)


def test_utilisation_follows_the_accounts_schedule(data: dict[str, Any]) -> None:
    entries, schedule = data["entries"], data["schedule"]
    plain = reports.utilisation(entries, start=START, end=END)
    # The account's work calendar (workHours of the export) wins over the weekday rule.
    same = reports.utilisation(entries, schedule=schedule, start=START, end=END)
    scheduled = dict(zip(schedule["person_id"], schedule["work_hours"], strict=True))
    for row in same.to_dict("records"):
        if scheduled.get(row["person_id"], 0) > 0:
            assert row["expected_hours"] == pytest.approx(scheduled[row["person_id"]])
    # Where the schedule says something, it wins.
    part_time = schedule.head(3).assign(work_hours=100.0)
    table = reports.utilisation(entries, schedule=part_time, start=START, end=END)
    keys = {_row_key(r, "person") for r in part_time.to_dict("records")}
    for row, base in zip(table.to_dict("records"), plain.to_dict("records"), strict=True):
        if _row_key(row, "person") in keys:
            assert row["expected_hours"] == 100.0
            assert row["utilisation"] == pytest.approx(row["worked_hours"] / 100.0)
        else:
            assert row["expected_hours"] == base["expected_hours"]
