"""The sandbox follows Beebole's own documentation (the pages are named per test).

Literal mode (api.mdx and api/*.mdx, every documented request replayed),
then the documented corrections: reporting.mdx (export columns),
work-schedules.mdx, time-off.mdx, api/person.mdx, api/project.mdx,
api/time.mdx.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from test_sandbox_replay import Replayer, _account, _examples, _matches

from beebole_pandas import sandbox

# -- literal mode (api.mdx, api/*.mdx) ------------------------------------------------------

#: Documented answers without ``status`` (custom-field.mdx, group.mdx, time.mdx).
NO_STATUS = {"custom_field.list", "group.tree", "time_entry.get_entities", "time_entry.get_tasks"}


def _allowed(documented: list[dict[str, Any]]) -> Any:
    """The union of the documented answers' shapes: member -> shape (None for a value)."""

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            out: dict[str, Any] = {}
            for item in value:
                out = merge(out, shape(item))
            return ["list", out]
        return None

    def merge(a: Any, b: Any) -> Any:
        if isinstance(a, list) and isinstance(b, list):
            return ["list", merge(a[1], b[1])]
        if isinstance(a, dict) and isinstance(b, dict):
            return {**a, **b, **{k: merge(a[k], b[k]) for k in a.keys() & b.keys()}}
        return a if a is not None else b

    total: Any = {}
    for answer in documented:
        total = merge(total, shape(answer))
    return total


def _extra_members(actual: Any, allowed: Any, path: str = "") -> list[str]:
    """Members of ``actual`` that the documented shape does not have (recursively).

    ``xid`` counts as documented wherever ``id`` is (api.mdx, "External ids":
    "replace id with xid in all requests and responses"); a time entry's leaf
    may be a company, project or absence where the example shows a subproject
    (time.mdx: "company.id, project.id, subproject.id or absence.id").
    """
    if isinstance(allowed, list) and allowed and allowed[0] == "list":
        if not isinstance(actual, list) or not allowed[1]:
            return []
        return [
            p
            for n, row in enumerate(actual)
            for p in _extra_members(row, allowed[1], f"{path}[{n}]")
        ]
    if not isinstance(allowed, dict) or not isinstance(actual, dict):
        return []
    extra = []
    for key, value in actual.items():
        shape = allowed.get(key)
        if key not in allowed:
            if key == "xid" and "id" in allowed:
                continue
            if (
                key in ("company", "project", "absence")
                and "subproject" in allowed
                and "task" in allowed
            ):
                shape = allowed["subproject"]
            else:
                extra.append(f"{path}.{key}")
                continue
        extra += _extra_members(value, shape, f"{path}.{key}")
    return extra


def test_literal_mode_answers_exactly_the_documented_shapes() -> None:
    """Every documented request replayed (api.mdx, api/*.mdx): the literal answer's members
    are a subset of the documented example's, recursively, and ``status`` is present
    exactly where the reference shows it."""
    seed, ids = _account()
    problems: list[str] = []
    checked: set[str] = set()
    with sandbox.serve(seed=seed, daily_requests=10**6, daily_kb=10**6, export_delay=0.05,
                       literal=True) as server:  # fmt: skip
        assert server.literal
        replay = Replayer(server.url, server.tokens["admin"], ids)
        for ex in _examples():
            req, documented = ex["request"], ex["responses"]
            service = req["service"]
            body = replay.translate(req)
            answer = replay.post(body)
            if service == "time_entry.get_job_info":
                deadline = time.monotonic() + 5
                while (
                    answer.get("job", {}).get("status") == "running" and time.monotonic() < deadline
                ):
                    time.sleep(0.02)
                    answer = replay.post(body)
            if not documented:  # api.mdx's "absence.list" shows a request only
                continue
            title = f"{ex['title']} ({service})"
            if "message" in answer or answer.get("status") == "error":
                problems.append(f"{title}: {answer}")
                continue
            has_status = all("status" in d for d in documented)
            if ("status" in answer) != has_status:
                problems.append(f"{title}: status {'missing' if has_status else 'present'}")
            if service in NO_STATUS:
                assert not has_status, service
            extra = _extra_members(answer, _allowed(documented))
            if extra:
                problems.append(f"{title}: undocumented members {extra}")
            # nothing documented is lost either (but a documented value may be absent: a
            # list documented with rows, a custom field without value)
            if service.endswith(".custom_fields"):
                documented = [{**d, "customFields": [*d["customFields"], {"id": 0, "name": ""}]}
                              for d in documented]  # fmt: skip
            if all(_matches({"status": "ok", **answer}, {"status": "ok", **d}) for d in documented):
                problems.append(f"{title}: lacks documented members: {answer}")
            replay.learn(service, ex["responses"], answer)
            checked.add(service)
    assert not problems, "\n".join(problems)
    assert checked >= NO_STATUS and len(checked) >= 110


@pytest.fixture(scope="module")
def literal_demo() -> Iterator[Any]:
    with sandbox.serve(seed="demo", months=2, literal=True, export_delay=0.0,
                       daily_requests=10**6, daily_kb=10**6) as server:  # fmt: skip
        yield server


def call(server: Any, account: str = "default", **body: Any) -> dict[str, Any]:
    answer = requests.post(server.url, json=body, auth=(server.tokens[account], "x"), timeout=30)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def export(server: Any, keys: list[str], account: str = "default", **extra: Any) -> Any:
    body = {"service": "time_entry.export", "keys": keys, **extra}
    job = call(server, account, **body)
    assert job.get("status") == "ok", job
    for _ in range(500):
        info = call(server, account, service="time_entry.get_job_info", id=job["job"]["id"])
        if info["job"]["status"] == "done":
            return info["job"]["result"]
        time.sleep(0.02)
    raise AssertionError("the export never finished")


def test_literal_projects_and_people_hide_undocumented_members(literal_demo: Any) -> None:
    """api/project.mdx and api/person.mdx show no budget, hourlyRate, hourlyCost, workHours."""
    projects = call(literal_demo, service="project.list")["projects"]
    people = call(literal_demo, service="person.list")["people"]
    assert projects and people
    assert not {"budget", "hourlyRate"} & {k for p in projects for k in p}
    assert not {"hourlyCost", "workHours"} & {k for p in people for k in p}
    assert "groups" in call(literal_demo, service="group.tree")
    assert "status" not in call(literal_demo, service="group.tree")
    assert call(literal_demo, service="nope.nope")["status"] == "error"  # errors keep status


def test_literal_time_entries_name_only_their_leaf(literal_demo: Any) -> None:
    """api/time.mdx: an entry shows the entity it is logged on (and its task), no ancestors."""
    entries = call(literal_demo, service="time_entry.list", person={"id": 1001},
                   **{"from": "2025-12-01", "to": "2025-12-31"})["timeEntries"]  # fmt: skip
    assert entries
    for entry in entries:
        leaves = [k for k in ("company", "project", "subproject", "absence") if k in entry]
        assert len(leaves) == 1, entry
        assert "person" not in entry


def test_literal_array_export_is_the_localised_text(literal_demo: Any) -> None:
    """time-export.mdx: the service wraps the in-app export module, whose output follows
    the account's settings (settings.mdx, "Localization")."""
    rows = export(literal_demo, ["to", "hours"], account="fr", outputFormat="array",
                  person={"id": 1001}, **{"from": "2025-12-01", "to": "2025-12-05"})  # fmt: skip
    assert rows[0] == ["Date", "Heures"]
    assert all(isinstance(c, str) for r in rows[1:] for c in r)
    assert rows[1][0].endswith("/12/2025") and "," in rows[1][1]


def test_literal_flag_on_the_command_line() -> None:
    from beebole_pandas.sandbox.cli import build_parser

    assert build_parser().parse_args(["--literal"]).literal is True
    assert build_parser().parse_args([]).literal is False


def _today() -> dt.date:
    return dt.date.today()


# -- documented corrections ------------------------------------------------------------------

DEC = {"from": "2025-12-01", "to": "2025-12-31"}


@pytest.fixture(scope="module")
def demo() -> Iterator[Any]:
    with sandbox.serve(seed="demo", months=2, export_delay=0.0,
                       daily_requests=10**6, daily_kb=10**6) as server:  # fmt: skip
        yield server


def test_export_columns_follow_reporting_mdx(demo: Any) -> None:
    """reporting.mdx, "Data available in the Reports module": activity, billable split,
    billable ratio (%), utilisation (%), rates as averages of the row, "Is working"."""
    keys = ["person", "activity", "billableSplit", "hours", "billingRatio", "billability",
            "hourlyCost", "cost", "hourlyRate", "billing", "isAtWork"]  # fmt: skip
    rows = export(demo, keys, outputFormat="array", **DEC)[1:]
    assert rows
    for _person, activity, split, hours, ratio, util, hcost, cost, hrate, billing, at_work in rows:
        assert split in ("billable", "non-billable") and isinstance(activity, str)
        assert ratio == pytest.approx(100.0 if split == "billable" else 0.0)
        assert 0.0 <= util <= 100.0 and isinstance(at_work, bool)  # open clock records
        assert hcost == pytest.approx(cost / hours, abs=1e-3)
        assert hrate == pytest.approx(billing / hours, abs=1e-3)
    assert any(" / " in r[1] for r in rows)  # company / project (/ subproject)


def test_days_and_business_days_follow_the_schedule(demo: Any) -> None:
    """work-schedules.mdx and reporting.mdx: days need the hours per day; business days are
    the range's days minus weekends and holidays, business hours follow each person's
    schedule (the account's, or an individual one: part-timers); remaining = business -
    worked."""
    keys = ["personId", "hours", "inDays", "workDays", "workHours", "remWorkHours"]
    part_time = {
        r["id"]: r["work_hours"]
        for r in demo.backend.store.all("SELECT id, work_hours FROM person WHERE work_hours <> 8")
    }
    assert part_time  # the demo has part-timers (6 h a day)
    for account, per_day in (("default", 8.0), ("fr", 7.0)):
        rows = export(demo, keys, account=account, outputFormat="array", **DEC)[1:]
        assert {r[0] for r in rows} & set(part_time)
        # December 2025: 23 weekdays, minus Christmas (American and French holidays alike)
        for person, hours, days, work_days, work_hours, remaining in rows:
            day = part_time.get(person, per_day)
            assert days == pytest.approx(hours / per_day)  # days use the account's hours
            assert (work_days, work_hours) == (22.0, 22 * day)
            assert remaining == pytest.approx(22 * day - hours)


def test_literal_times_only_for_entries_with_times_and_week_numbers(literal_demo: Any) -> None:
    """reporting.mdx: "Time Start" only "when using the daily view", "Week: the week number"."""
    call(
        literal_demo,
        service="time_entry.create",
        absence={"id": 8001},
        date="2025-12-08",
        hours=1.0,
    )  # fmt: skip  — logged as a duration, without times
    rows = export(literal_demo, ["eventId", "to", "stime", "week"], outputFormat="array",
                  **{"from": "2025-12-08", "to": "2025-12-08"})[1:]  # fmt: skip
    assert {r[3] for r in rows} == {"50"}  # ISO week 50 of 2025
    assert any(r[2] == "" for r in rows) and any(r[2].startswith("2025-12-08 ") for r in rows)


def test_project_start_date_defaults_to_the_first_of_the_month(demo: Any) -> None:
    """api/project.mdx: "startDate": optional, default 1st current month."""
    made = call(demo, service="project.create", project={"name": "Docs", "company": {"id": 101}})
    project = call(demo, service="project.get", id=made["id"])["project"]
    assert project["startDate"] == _today().replace(day=1).isoformat()


def test_absence_entry_ignores_task(demo: Any) -> None:
    """api/time.mdx: on an absence "tasks don't matter in this case"."""
    answer = call(demo, service="time_entry.create", absence={"id": 8001}, task={"id": 7001},
                  date="2025-12-13", hours=2.0)  # fmt: skip
    assert answer["status"] == "ok", answer
    assert "task" not in answer["timeEntry"] and "absence" in answer["timeEntry"]


@pytest.mark.parametrize("group", ["admin", "contractor", "employee", "pm", "leader"])
def test_user_groups_are_the_documented_ones(demo: Any, group: str) -> None:
    """api/person.mdx: permitted userGroup values admin, contractor, employee, pm, leader."""
    made = call(demo, service="person.create", person={
        "name": f"Doc {group}", "email": f"doc.{group}@example.com",
        "company": {"id": 101}, "userGroup": group})  # fmt: skip
    assert made["status"] == "ok", made
    assert call(demo, service="person.get", id=made["id"])["person"]["userGroup"] == group


def test_leaders_by_id_xid_email_or_name(demo: Any) -> None:
    """api/person.mdx: team leaders are found by id, xid, email or name (in that priority)."""
    leader = call(demo, service="person.get", id=1003)["person"]
    for ref in ({"id": 1003}, {"email": leader["email"].upper()}, {"name": leader["name"]},
                {"id": 1003, "name": "nobody", "email": "no@x"}):  # fmt: skip
        made = call(demo, service="person.create", person={
            "name": "Led", "company": {"id": 101}, "leaders": [ref]})  # fmt: skip
        assert made["status"] == "ok", (ref, made)
        leaders = call(demo, service="person.leaders", id=made["id"])["leaders"]
        assert [p["name"] for p in leaders] == [leader["name"]]
    missing = call(demo, service="person.create", person={
        "name": "Led", "company": {"id": 101}, "leaders": [{"email": "no@where"}]})  # fmt: skip
    assert missing["status"] == "error" and "no@where" in missing["message"]
