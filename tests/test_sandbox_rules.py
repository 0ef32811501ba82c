"""The sandbox's rules over HTTP: request checking, xid, time entries, workflow, permissions, groups.

Every test runs on a small explicit account (below) so that each expectation
can be read off the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from beebole_pandas.sandbox.seeddata import SeedData

ADMIN, EMPLOYEE, LEADER, OTHER = 1, 2, 3, 4


def small_account() -> SeedData:
    """Acme (corporate, with project 12) and two customers: Leafco (no projects, xid C2)
    and Cust with project 10 (subprojects 100, 101) and project 11 (no subprojects, xid P11).
    Tasks: 1 general, 2 specific to project 10, 3 inactive. Employee 2 is led by 3."""

    def person(i: int, name: str, group: str, **extra: Any) -> Any:
        return {
            "id": i,
            "xid": None,
            "name": name,
            "email": f"{name.lower()}@example.com",
            "company": 1,
            "userGroup": group,
            "active": True,
            **extra,
        }

    def account(role: str, person: int, locale: str = "en", enabled: bool = True) -> Any:
        return {
            "role": role,
            "token": f"tok-{role}",
            "person": person,
            "locale": locale,
            "api_enabled": enabled,
        }

    return SeedData(
        name="rules",
        accounts=[
            account("admin", ADMIN),
            account("employee", EMPLOYEE),
            account("leader", LEADER),
            account("other", OTHER),
            account("admin_fr", ADMIN, "fr"),
            account("disabled", OTHER, enabled=False),
        ],
        companies=[
            {"id": 1, "xid": None, "name": "Acme", "corporate": True, "active": True},
            {"id": 2, "xid": "C2", "name": "Leafco", "corporate": False, "active": True},
            {"id": 3, "xid": None, "name": "Cust", "corporate": False, "active": True},
        ],
        groups=[
            {"id": 1, "xid": None, "name": "France", "parent": None},
            {"id": 2, "xid": "G2", "name": "Paris", "parent": 1},
        ],
        people=[
            person(ADMIN, "Ann", "admin"),
            person(EMPLOYEE, "Bob", "employee", leaders=[LEADER], groups=[2]),
            person(LEADER, "Lea", "leader"),
            person(OTHER, "Dan", "employee", xid="P-DAN"),
        ],
        projects=[
            {
                "id": 10,
                "xid": None,
                "name": "Dev",
                "company": 3,
                "startDate": "2026-01-01",
                "description": None,
                "active": True,
                "specific_tasks": [2],
            },
            {
                "id": 11,
                "xid": "P11",
                "name": "Support",
                "company": 3,
                "startDate": None,
                "description": None,
                "active": True,
            },
            {
                "id": 12,
                "xid": None,
                "name": "Internal",
                "company": 1,
                "startDate": None,
                "description": None,
                "active": True,
            },
        ],
        subprojects=[
            {"id": 100, "xid": "S100", "name": "Proto", "project": 10, "active": True},
            {"id": 101, "xid": None, "name": "Release", "project": 10, "active": True},
        ],
        tasks=[
            {"id": 1, "xid": None, "name": "General", "company": 1, "active": True},
            {"id": 2, "xid": None, "name": "Design", "company": 1, "active": True},
            {"id": 3, "xid": None, "name": "Old", "company": 1, "active": False},
        ],
        absences=[{"id": 1, "xid": None, "name": "Holiday", "company": 1, "active": True}],
        custom_fields=[
            {
                "id": 1,
                "xid": None,
                "name": "Industry",
                "availableFor": "Company - Customer",
                "values": [("company", 3, "Retail")],
            },
            {"id": 2, "xid": "CF2", "name": "Site", "availableFor": "Person"},
        ],
        time_entries=[
            {
                "id": 1,
                "person": EMPLOYEE,
                "date": "2026-03-02",
                "hours": 8.0,
                "status": "d",
                "subproject": 100,
                "task": 1,
            },
            {
                "id": 2,
                "person": EMPLOYEE,
                "date": "2026-03-03",
                "hours": 7.5,
                "status": "r",
                "project": 11,
                "task": 1,
                "memo": "too much",
            },
            {
                "id": 3,
                "person": EMPLOYEE,
                "date": "2026-03-04",
                "hours": 8.0,
                "status": "a",
                "absence": 1,
            },
            {
                "id": 4,
                "person": EMPLOYEE,
                "date": "2026-03-05",
                "hours": 4.0,
                "status": "l",
                "subproject": 101,
                "task": 2,
            },
            {
                "id": 5,
                "person": OTHER,
                "date": "2026-03-02",
                "hours": 6.0,
                "status": "d",
                "company": 2,
                "task": 1,
            },
        ],
    )


class Api:
    """Plain HTTP calls to a sandbox, as a given account."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.session = requests.Session()

    def raw(self, body: Any, role: str = "admin") -> dict[str, Any]:
        answer = self.session.post(
            self.server.url, json=body, auth=(self.server.tokens[role], "x"), timeout=10
        )
        assert answer.status_code == 200, answer.text
        return answer.json()  # type: ignore[no-any-return]

    def __call__(self, service: str, role: str = "admin", **params: Any) -> dict[str, Any]:
        return self.raw({"service": service, **params}, role)

    def ok(self, service: str, role: str = "admin", **params: Any) -> dict[str, Any]:
        answer = self(service, role, **params)
        assert answer["status"] == "ok", answer
        return answer

    def error(self, service: str, role: str = "admin", **params: Any) -> str:
        answer = self(service, role, **params)
        assert answer["status"] == "error", answer
        return str(answer["message"])

    def entry(self, entry_id: int, date: str) -> dict[str, Any]:
        return self.ok("time_entry.get", id=entry_id, date=date)["timeEntry"]  # type: ignore[no-any-return]


@pytest.fixture
def api() -> Iterator[Api]:
    from beebole_pandas import sandbox

    with sandbox.serve(seed=small_account(), daily_requests=10**6, daily_kb=10**6) as server:
        yield Api(server)


# -- request checking -------------------------------------------------------------------------


def test_bad_requests_name_the_problem(api: Api) -> None:
    assert "JSON object" in api.raw([1, 2])["message"]
    assert api.raw({"id": 1})["message"] == "missing member 'service'"
    assert "'service' must be a string" in api.raw({"service": 3})["message"]
    assert api.error("foo.bar") == "unknown service 'foo.bar'"
    assert "missing member 'id'" in api.error("company.get")
    assert "'id' must be an integer" in api.error("company.get", id="1")
    assert api.error("company.get", id=999) == "company 999 not found"
    assert "missing member 'company.name'" in api.error("company.create", company={})
    assert "'project.company' must be an object" in api.error(
        "project.create", project={"name": "x", "company": 3}
    )
    assert "'project.startDate' must be a date" in api.error(
        "project.create", project={"name": "x", "company": {"id": 3}, "startDate": "13/10/2017"}
    )
    assert "'person.userGroup' must be one of admin, leader, employee" in api.error(
        "person.update", person={"id": 2, "userGroup": "boss"}
    )


def test_auth_messages() -> None:
    from beebole_pandas.sandbox.backend import AuthFailure, Backend

    backend = Backend(small_account())
    with pytest.raises(AuthFailure, match="invalid token"):
        backend.authenticate("nope")
    with pytest.raises(AuthFailure, match="API access is disabled"):
        backend.authenticate(backend.tokens["disabled"])
    assert backend.authenticate(backend.tokens["admin_fr"]).locale == "fr"
    assert len(backend.services) == 116
    assert backend.is_write("time_entry.create") and not backend.is_write("company.list")
    backend.close()


def test_failed_write_leaves_nothing_behind(api: Api) -> None:
    before = len(api.ok("person.list")["people"])
    api.error("person.create", person={"name": "X", "company": {"id": 1}, "leaders": [{"id": 99}]})
    assert len(api.ok("person.list")["people"]) == before


# -- xid (README decision 4) ------------------------------------------------------------------


def test_create_with_xid_answers_xid_and_hides_id(api: Api) -> None:
    assert api.ok("company.create", company={"xid": "X1", "name": "Xco"}) == {
        "status": "ok",
        "xid": "X1",
    }
    company = api.ok("company.get", xid="X1")["company"]
    assert company["xid"] == "X1" and "id" not in company and company["name"] == "Xco"
    rows = {r.get("xid") or r["id"]: r for r in api.ok("company.list")["companies"]}
    assert "id" not in rows["X1"] and rows[1]["id"] == 1 and "xid" not in rows[1]


def test_nested_references_show_xid(api: Api) -> None:
    project = api.ok("project.get", xid="P11")["project"]
    assert project["company"] == {"id": 3}
    sub = api.ok("subproject.get", xid="S100")["subproject"]
    assert sub["project"] == {"id": 10}
    api.ok("project.create", project={"name": "On leafco", "company": {"xid": "C2"}, "xid": "PX"})
    assert api.ok("project.get", xid="PX")["project"]["company"] == {"xid": "C2"}
    entry = api.ok(
        "time_entry.create", subproject={"xid": "S100"}, task={"id": 1}, date="2026-03-09", hours=1
    )
    assert entry["timeEntry"]["subproject"] == {"xid": "S100", "name": "Proto", "active": True}
    dan = api.ok(
        "time_entry.list", person={"xid": "P-DAN"}, **{"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert dan["timeEntries"][0]["person"] == {"xid": "P-DAN", "name": "Dan"}
    assert dan["timeEntries"][0]["company"] == {"xid": "C2", "name": "Leafco", "active": True}


def test_references_by_xid_are_accepted_everywhere(api: Api) -> None:
    assert [p["name"] for p in api.ok("project.list", company={"id": 3})["projects"]] == [
        "Dev",
        "Support",
    ]
    api.ok("company.add_group", xid="C2", group={"xid": "G2"})
    assert api.ok("group.list", company={"xid": "C2"})["groups"] == [
        {"xid": "G2", "name": "Paris", "groups": {"count": 0}, "parent": {"id": 1}}
    ]
    api.ok("project.attach_member", xid="P11", person={"xid": "P-DAN"})
    assert api.ok("project.members", xid="P11")["members"] == [{"name": "Dan", "xid": "P-DAN"}]
    api.ok("project.update", project={"xid": "P11", "name": "Support 2"})
    api.ok("project.deactivate", xid="P11")
    got = api.ok("project.get", xid="P11")["project"]
    assert got["name"] == "Support 2" and got["active"] is False


def test_duplicate_xid_is_refused(api: Api) -> None:
    message = api.error("company.create", company={"xid": "C2", "name": "Again"})
    assert "'C2'" in message and "duplicate xid" in message
    message = api.error("group.create", group={"xid": "G2", "name": "Again"})
    assert "'G2'" in message


def test_unknown_xid_is_not_found(api: Api) -> None:
    assert api.error("company.get", xid="C9") == "company xid 'C9' not found"
    assert "project xid 'nope' not found" in api.error(
        "time_entry.create", project={"xid": "nope"}, date="2026-03-09", hours=1
    )


def test_messages_name_xid_entities_by_xid_never_by_internal_id(api: Api) -> None:
    # README decision 4: an entity with an xid never shows its internal id, in errors neither
    api.ok("project.create", project={"name": "Leaf work", "company": {"xid": "C2"}})
    assert api.error(
        "time_entry.create", company={"xid": "C2"}, task={"id": 1}, date=DAY, hours=1
    ) == (
        "company xid 'C2' has active projects: log time on one of them "
        "(time_entry.get_entities lists them)"
    )
    assert api.error(
        "time_entry.create", company={"xid": "C2"}, project={"id": 12}, date=DAY, hours=1
    ).startswith("'company' xid 'C2' is not the company of project 12")
    api.ok("absence.create", absence={"xid": "A-OFF", "name": "Off", "company": {"id": 1}})
    api.ok("absence.deactivate", xid="A-OFF")
    assert api.error("time_entry.create", absence={"xid": "A-OFF"}, date=DAY, hours=1) == (
        "absence xid 'A-OFF' is inactive: time cannot be logged on it"
    )
    api.ok("task.create", task={"xid": "T-X", "name": "Extra", "company": {"id": 1}})
    api.ok("project.attach_specific_task", id=10, task={"xid": "T-X"})
    assert (
        api.error(
            "time_entry.create", project={"xid": "P11"}, task={"xid": "T-X"}, date=DAY, hours=1
        )
        == "'task' xid 'T-X' is not available for project xid 'P11'; available tasks: 1"
    )
    assert api.error(
        "time_entry.create", subproject={"xid": "S100"}, task={"id": 3}, date=DAY, hours=1
    ) == ("'task' 3 is not available for subproject xid 'S100'; available tasks: 1, 2, xid 'T-X'")
    assert (
        api.error("company.set_custom_field_value", id=3, customField={"xid": "CF2", "value": "x"})
        == "custom field xid 'CF2' is available for 'Person', not for a company"
    )
    assert api.error("group.delete", xid="G2") == (
        "group xid 'G2' has 0 subgroup(s) and 1 assignment(s); send 'force': true to delete it anyway"
    )
    assert api.error("group.update", group={"id": 1, "parent": {"xid": "G2"}}) == (
        "'group.parent': group xid 'G2' is this group or one of its subgroups"
    )


def test_an_xid_entity_addressed_by_id_answers_with_its_xid(api: Api) -> None:
    # Still accepted (clients that kept the numeric id work on), but the id is never shown.
    assert api.ok("project.get", id=11)["project"]["xid"] == "P11"
    assert "id" not in api.ok("project.get", id=11)["project"]
    assert api.ok("project.list", company={"id": 2})["projects"] == []


def test_id_and_xid_together_are_refused(api: Api) -> None:
    both = "give either 'id' or 'xid', not both"
    assert api.error("company.get", id=3, xid="C2") == both
    assert api.error("company.get", id=2, xid="C2") == both  # even when they agree
    assert api.error("project.list", company={"id": 3, "xid": "C2"}) == f"'company': {both}"
    assert api.error("project.update", project={"id": 10, "xid": "P11", "name": "x"}) == (
        f"'project': {both}"
    )
    assert (
        api.error(
            "time_entry.create",
            subproject={"id": 101, "xid": "S100"},
            task={"id": 1},
            date=DAY,
            hours=1,
        )
        == f"'subproject': {both}"
    )
    assert api.ok("project.get", id=10)["project"]["name"] == "Dev"  # nothing was renamed


# -- time-entry rules -------------------------------------------------------------------------

DAY = "2026-03-10"


def test_entry_object_names_person_and_ancestors(api: Api) -> None:
    entry = api.entry(1, "2026-03-02")
    assert entry["person"] == {"id": EMPLOYEE, "name": "Bob"}
    assert entry["company"] == {"id": 3, "name": "Cust", "active": True}
    assert entry["project"] == {"id": 10, "name": "Dev", "active": True}
    assert entry["task"] == {"id": 1, "name": "General", "active": True}
    assert entry["hours"] == 8.0 and isinstance(entry["hours"], float) and entry["status"] == "d"


def test_only_leaves_take_time(api: Api) -> None:
    assert "active projects" in api.error(
        "time_entry.create", company={"id": 3}, task={"id": 1}, date=DAY, hours=1
    )
    assert "active subprojects" in api.error(
        "time_entry.create", project={"id": 10}, task={"id": 1}, date=DAY, hours=1
    )
    api.ok("subproject.deactivate", id=100)
    api.ok("subproject.deactivate", id=101)
    entry = api.ok("time_entry.create", project={"id": 10}, task={"id": 1}, date=DAY, hours=1)[
        "timeEntry"
    ]
    assert entry["project"]["id"] == 10 and "subproject" not in entry
    assert "inactive" in api.error(
        "time_entry.create", subproject={"id": 100}, task={"id": 1}, date=DAY, hours=1
    )


def test_a_task_is_required_when_tasks_exist(api: Api) -> None:
    message = api.error("time_entry.create", company={"xid": "C2"}, date=DAY, hours=2)
    assert "missing member 'task'" in message


def test_tasks_available_follow_specific_tasks(api: Api) -> None:
    def names(**where: Any) -> list[str]:
        return [t["name"] for t in api.ok("time_entry.get_tasks", date=DAY, **where)["tasks"]]

    assert names(subproject={"id": 100}) == ["Design", "General"]  # specific to its project
    assert names(project={"id": 11}) == ["General"]
    message = api.error("time_entry.create", project={"id": 11}, task={"id": 2}, date=DAY, hours=1)
    assert "'task' 2 is not available for project xid 'P11'" in message
    api.ok("time_entry.create", subproject={"id": 100}, task={"id": 2}, date=DAY, hours=1)
    api.ok("subproject.disable_specific_tasks", id=100)
    assert names(subproject={"id": 100}) == ["General"]
    assert "not available" in api.error(
        "time_entry.create", subproject={"id": 100}, task={"id": 2}, date=DAY, hours=1
    )
    assert "not available" in api.error(
        "time_entry.create", project={"id": 11}, task={"id": 3}, date=DAY, hours=1
    )


def test_task_refused_when_there_are_none(api: Api) -> None:
    api.ok("task.deactivate", id=1)
    assert api.ok("time_entry.get_tasks", project={"id": 11}, date=DAY)["tasks"] == []
    api.ok("time_entry.create", project={"id": 11}, date=DAY, hours=1)
    assert "'task' is not allowed" in api.error(
        "time_entry.create", project={"id": 11}, task={"id": 1}, date=DAY, hours=1
    )


def test_absences_take_no_task(api: Api) -> None:
    entry = api.ok("time_entry.create", absence={"id": 1}, date=DAY, hours=8)["timeEntry"]
    assert entry["absence"]["name"] == "Holiday" and "task" not in entry and "company" not in entry
    # help/legacy/api/time.mdx: on an absence "tasks don't matter": the task is ignored.
    other = api.ok(
        "time_entry.create", absence={"id": 1}, task={"id": 1}, date="2026-03-03", hours=8
    )["timeEntry"]
    assert "task" not in other and other["absence"]["name"] == "Holiday"
    assert "not both" in api.error(
        "time_entry.create", absence={"id": 1}, project={"id": 11}, date=DAY, hours=8
    )


def test_hours_and_dates_are_checked(api: Api) -> None:
    base: dict[str, Any] = {"project": {"id": 11}, "task": {"id": 1}, "date": DAY}
    for hours in (-1, 24.5):
        assert "between 0 and 24" in api.error("time_entry.create", **base, hours=hours)
    assert "'hours' must be a number" in api.error("time_entry.create", **base, hours="8")
    assert "missing member 'hours'" in api.error("time_entry.create", **base)
    for hours in (0, 24):
        api.ok("time_entry.create", **base, hours=hours)
    assert "'date' must be a date" in api.error(
        "time_entry.create", project={"id": 11}, task={"id": 1}, date="2026-02-30", hours=1
    )
    assert "one of 'company', 'project'" in api.error("time_entry.create", date=DAY, hours=1)


def test_badly_formed_dates_are_refused_in_every_date_member(api: Api) -> None:
    # date.fromisoformat alone takes ISO week dates and compact forms of ten characters
    for bad in ("2026-W11-2", "2026W112  ", "20260310  "):
        assert f"'date' must be a date YYYY-MM-DD, not {bad!r}" in api.error(
            "time_entry.create", project={"id": 11}, task={"id": 1}, date=bad, hours=1
        )
        assert "'project.startDate' must be a date" in api.error(
            "project.create", project={"name": "x", "company": {"id": 3}, "startDate": bad}
        )
        assert "'from' must be a date" in api.error(
            "time_entry.list", person={"id": EMPLOYEE}, **{"from": bad, "to": DAY}
        )
        assert "'to' must be a date" in api.error(
            "time_entry.submit", person={"id": EMPLOYEE}, **{"from": DAY, "to": bad}
        )
        assert "'to' must be a date" in api.error(
            "time_entry.export", keys=["hours"], **{"from": DAY, "to": bad}
        )
        assert "'date' must be a date" in api.error(
            "time_entry.get_tasks", project={"id": 11}, date=bad
        )
    assert [p["name"] for p in api.ok("project.list", company={"id": 3})["projects"]] == [
        "Dev",
        "Support",
    ]


def test_values_python_cannot_store_are_refused_cleanly(api: Api) -> None:
    base: dict[str, Any] = {"project": {"id": 11}, "task": {"id": 1}, "date": DAY}
    assert api.error("time_entry.create", **base, hours=10**400) == "'hours' is out of range"
    assert api.error("person.update", person={"id": 2, "workHours": -(10**400)}) == (
        "'person.workHours' is out of range"
    )
    assert api.error("company.create", company={"name": "\ud800"}) == (
        "'company.name' is not valid UTF-8 text"
    )
    assert api.error("time_entry.create", **base, hours=1, comment="a\udfffb") == (
        "'comment' is not valid UTF-8 text"
    )
    assert api.error("company.get", xid="\ud800") == "'xid' is not valid UTF-8 text"
    assert (
        api.error("company.set_custom_field_value", id=3, customField={"id": 1, "value": "\ud800"})
        == "'customField.value' is not valid UTF-8 text"
    )


def test_ancestors_given_must_agree(api: Api) -> None:
    ok = api.ok(
        "time_entry.create",
        company={"id": 3},
        project={"id": 10},
        subproject={"id": 100},
        task={"id": 1},
        date=DAY,
        hours=1,
    )
    assert ok["timeEntry"]["subproject"]["xid"] == "S100"
    message = api.error(
        "time_entry.create",
        project={"id": 11},
        subproject={"id": 100},
        task={"id": 1},
        date=DAY,
        hours=1,
    )
    # P11 and S100 have xids: messages name them by xid, never by internal id
    assert message == "'project' xid 'P11' is not the project of subproject xid 'S100'"


def test_update_replaces_content_and_frozen_entries_refuse(api: Api) -> None:
    updated = api.ok(
        "time_entry.update",
        id=1,
        project={"xid": "P11"},
        task={"id": 1},
        date="2026-03-06",
        hours=3,
        comment="moved",
    )
    entry = updated["timeEntry"]
    assert (entry["date"], entry["hours"], entry["comment"], entry["project"]["xid"]) == (
        "2026-03-06",
        3.0,
        "moved",
        "P11",
    )
    assert "subproject" not in entry
    for entry_id, date, label in ((3, "2026-03-04", "approved"), (4, "2026-03-05", "locked")):
        message = api.error("time_entry.update", id=entry_id, absence={"id": 1}, date=date, hours=1)
        assert label in message and "cannot be changed" in message
        assert "cannot be deleted" in api.error("time_entry.delete", id=entry_id, date=date)


def test_get_and_delete_need_the_right_date(api: Api) -> None:
    assert (
        api.error("time_entry.get", id=1, date="2026-03-03")
        == "time entry 1 not found on 2026-03-03"
    )
    assert api.error("time_entry.get", id=99, date="2026-03-03") == "time entry 99 not found"
    assert "missing member 'date'" in api.error("time_entry.delete", id=1)
    api.ok("time_entry.delete", id=1, date="2026-03-02")
    assert "not found" in api.error("time_entry.get", id=1, date="2026-03-02")


# -- workflow ---------------------------------------------------------------------------------

MARCH: dict[str, Any] = {"from": "2026-03-01", "to": "2026-03-31"}


def statuses(api: Api, person: int = EMPLOYEE) -> dict[int, str]:
    rows = api.ok("time_entry.list", person={"id": person}, **MARCH)["timeEntries"]
    return {r["id"]: r["status"] for r in rows}


def test_workflow_by_person_range(api: Api) -> None:
    assert statuses(api) == {1: "d", 2: "r", 3: "a", 4: "l"}
    assert api.ok("time_entry.submit", "employee", **MARCH)["count"] == 2  # own person by default
    assert statuses(api) == {1: "s", 2: "s", 3: "a", 4: "l"}
    api.ok(
        "time_entry.reject",
        person={"id": EMPLOYEE},
        memo="wrong project",
        **{"from": "2026-03-02", "to": "2026-03-02"},
    )
    assert api.entry(1, "2026-03-02")["memo"] == "wrong project"
    api.ok("time_entry.approve", person={"id": EMPLOYEE}, **MARCH)
    assert statuses(api) == {1: "r", 2: "a", 3: "a", 4: "l"}
    api.ok("time_entry.lock", person={"id": EMPLOYEE}, **MARCH)
    assert statuses(api) == {1: "r", 2: "l", 3: "l", 4: "l"}
    api.ok("time_entry.unlock", person={"id": EMPLOYEE}, **MARCH)
    assert statuses(api) == {1: "r", 2: "a", 3: "a", 4: "a"}
    assert statuses(api, OTHER) == {5: "d"}  # another person's entries are left alone


def test_workflow_by_entry(api: Api) -> None:
    api.ok("time_entry.submit", id=1, date="2026-03-02")
    api.ok("time_entry.approve", id=1, date="2026-03-02")
    api.ok("time_entry.lock", id=1, date="2026-03-02")
    assert api.entry(1, "2026-03-02")["status"] == "l"
    message = api.error("time_entry.approve", id=1, date="2026-03-02")
    assert "is locked" in message and "submitted" in message
    api.ok("time_entry.unlock", id=1, date="2026-03-02")
    assert api.entry(1, "2026-03-02")["status"] == "a"
    assert "not found on" in api.error("time_entry.submit", id=2, date="2026-03-02")


# -- permissions ------------------------------------------------------------------------------


def test_employee_reads_entities(api: Api) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("company.list", {}),
        ("person.list", {"company": {"id": 1}}),
        ("project.get", {"id": 10}),
        ("subproject.list", {"project": {"id": 10}}),
        ("task.list", {}),
        ("absence.list", {}),
        ("group.tree", {}),
        ("custom_field.list", {}),
        ("company.groups", {"id": 1}),
        ("time_entry.get_entities", {"company": {"id": 3}, "date": DAY}),
        ("time_entry.get_tasks", {"project": {"id": 11}, "date": DAY}),
    ]
    for service, params in cases:
        api.ok(service, "employee", **params)


def test_employee_writes_nothing_but_own_entries(api: Api) -> None:
    cases: list[tuple[str, dict[str, Any]]] = [
        ("company.create", {"company": {"name": "x"}}),
        ("project.update", {"project": {"id": 10, "name": "x"}}),
        ("person.deactivate", {"id": OTHER}),
        ("group.delete", {"id": 2}),
        ("time_entry.approve", {"person": {"id": EMPLOYEE}, **MARCH}),
        ("time_entry.lock", {"person": {"id": EMPLOYEE}, **MARCH}),
        ("time_entry.export", {"keys": ["hours"], **MARCH}),
        ("time_entry.list", {"person": {"id": OTHER}, **MARCH}),
        (
            "time_entry.create",
            {
                "person": {"id": OTHER},
                "project": {"id": 11},
                "task": {"id": 1},
                "date": DAY,
                "hours": 1,
            },
        ),
        ("time_entry.delete", {"id": 5, "date": "2026-03-02"}),
    ]
    for service, params in cases:
        message = api.error(service, "employee", **params)
        assert message.startswith("permission denied") and service in message, message
    mine = api.ok(
        "time_entry.create", "employee", project={"id": 11}, task={"id": 1}, date=DAY, hours=2
    )
    assert mine["timeEntry"]["person"]["id"] == EMPLOYEE
    entry_id = mine["timeEntry"]["id"]
    api.ok(
        "time_entry.update",
        "employee",
        id=entry_id,
        project={"id": 11},
        task={"id": 1},
        date=DAY,
        hours=3,
    )
    assert len(api.ok("time_entry.list", "employee", **MARCH)["timeEntries"]) == 5
    api.ok("time_entry.submit", "employee", id=entry_id, date=DAY)
    api.ok("time_entry.delete", "employee", id=entry_id, date=DAY)


def test_admin_logs_for_anyone(api: Api) -> None:
    entry = api.ok(
        "time_entry.create",
        person={"xid": "P-DAN"},
        project={"id": 11},
        task={"id": 1},
        date=DAY,
        hours=2,
    )
    assert entry["timeEntry"]["person"] == {"xid": "P-DAN", "name": "Dan"}
    moved = api.ok(
        "time_entry.update",
        id=entry["timeEntry"]["id"],
        person={"id": EMPLOYEE},
        project={"id": 11},
        task={"id": 1},
        date=DAY,
        hours=2,
    )
    assert moved["timeEntry"]["person"]["id"] == EMPLOYEE


def test_leader_reads_and_approves_the_team(api: Api) -> None:
    api.ok("time_entry.submit", "employee", **MARCH)
    assert (
        len(api.ok("time_entry.list", "leader", person={"id": EMPLOYEE}, **MARCH)["timeEntries"])
        == 4
    )
    api.ok("time_entry.approve", "leader", person={"id": EMPLOYEE}, **MARCH)
    assert statuses(api) == {1: "a", 2: "a", 3: "a", 4: "l"}
    assert "permission denied" in api.error(
        "time_entry.list", "leader", person={"id": OTHER}, **MARCH
    )
    assert "permission denied" in api.error(
        "time_entry.lock", "leader", person={"id": EMPLOYEE}, **MARCH
    )
    assert "permission denied" in api.error(
        "time_entry.update", "leader", id=1, project={"id": 11}, task={"id": 1}, date=DAY, hours=1
    )


# -- groups -----------------------------------------------------------------------------------


def test_groups_crud_tree_and_assignments(api: Api) -> None:
    new = api.ok("group.create", group={"name": "Lyon", "parent": {"id": 1}})["id"]
    assert api.ok("group.get", id=new)["group"] == {
        "id": new,
        "name": "Lyon",
        "parent": {"id": 1},
        "groups": {"count": 0},
    }
    api.ok("group.update", group={"id": new, "name": "Lyon 2"})
    tree = api.ok("group.tree")["groups"]
    assert [g["name"] for g in tree] == ["France"]
    assert [g["name"] for g in tree[0]["groups"]] == ["Lyon 2", "Paris"]
    assert "subgroups" in api.error("group.update", group={"id": 1, "parent": {"id": new}})
    api.ok("person.add_group", id=OTHER, group={"id": new})
    api.ok("project.add_group", id=10, group={"id": new})
    assignments = api.ok("group.assignments", id=new)
    assert [p["name"] for p in assignments["people"]] == ["Dan"]
    assert assignments["people"][0]["email"] == "dan@example.com"
    assert [p["name"] for p in assignments["projects"]] == ["Dev"] and assignments[
        "companies"
    ] == []
    assert [g["name"] for g in api.ok("person.groups", xid="P-DAN")["groups"]] == ["Lyon 2"]
    message = api.error("group.delete", id=new)
    assert "2 assignment(s)" in message and "force" in message
    assert "2 subgroup(s)" in api.error("group.delete", id=1)
    api.ok("group.delete", id=new, force=True)
    assert api.ok("person.groups", xid="P-DAN")["groups"] == []
    assert "not found" in api.error("group.get", id=new)


def test_links_specific_tasks_members_managers_custom_fields(api: Api) -> None:
    api.ok("company.attach_specific_task", xid="C2", task={"id": 1})
    got = api.ok("company.specific_tasks", xid="C2")
    assert got["disabled"] is False and got["specificTasks"] == [
        {"name": "General", "id": 1, "active": True}
    ]
    api.ok("company.disable_specific_tasks", xid="C2")
    assert api.ok("company.specific_tasks", xid="C2")["disabled"] is True
    api.ok("project.attach_manager", id=10, person={"id": LEADER})
    assert api.ok("project.managers", id=10)["members"] == [
        {"name": "Lea", "id": LEADER, "email": "lea@example.com", "active": True}
    ]
    api.ok("project.detach_manager", id=10, person={"id": LEADER})
    assert api.ok("project.managers", id=10)["members"] == []
    api.ok("subproject.attach_member", id=100, group={"xid": "G2"})
    assert api.ok("subproject.members", id=100) == {
        "status": "ok",
        "members": [],
        "groups": [{"name": "Paris", "xid": "G2"}],
    }
    leaders = api.ok("person.leaders", id=EMPLOYEE)["leaders"]
    assert [(p["name"], p["userGroup"]) for p in leaders] == [("Lea", "leader")]
    assert api.ok("person.get", id=EMPLOYEE)["person"]["leaders"] == {"count": 1}


def test_custom_field_values(api: Api) -> None:
    assert api.ok("company.custom_fields", id=3)["customFields"] == [
        {"id": 1, "name": "Industry", "value": "Retail"}
    ]
    api.ok("company.set_custom_field_value", xid="C2", customField={"id": 1, "value": "Transport"})
    assert api.ok("company.custom_fields", xid="C2")["customFields"][0]["value"] == "Transport"
    api.ok("company.clear_custom_field_value", xid="C2", customField={"id": 1})
    assert api.ok("company.custom_fields", xid="C2")["customFields"] == [
        {"id": 1, "name": "Industry"}
    ]
    api.ok("person.set_custom_field_value", id=OTHER, customField={"xid": "CF2", "value": "Lyon"})
    assert api.ok("person.custom_fields", xid="P-DAN")["customFields"] == [
        {"xid": "CF2", "name": "Site", "value": "Lyon"}
    ]
    assert "not for a company" in api.error(
        "company.set_custom_field_value", id=3, customField={"xid": "CF2", "value": "x"}
    )
    assert "missing member 'value'" in api.error(
        "company.set_custom_field_value", id=3, customField={"id": 1}
    )
    fields = api.ok("custom_field.list", "employee")["customFields"]
    assert fields == [
        {"id": 1, "name": "Industry", "availableFor": "Company - Customer"},
        {"xid": "CF2", "name": "Site", "availableFor": "Person"},
    ]


def test_state_persists_in_a_database_file(tmp_path: Any) -> None:
    from beebole_pandas.sandbox.backend import Backend

    path = str(tmp_path / "sandbox.db")
    first = Backend(small_account(), db=path)
    admin = first.authenticate(first.tokens["admin"])
    assert (
        first.handle(admin, {"service": "company.create", "company": {"name": "Kept", "xid": "K"}})[
            "status"
        ]
        == "ok"
    )
    first.close()
    again = Backend("no-such-seed-needed", db=path)  # an account already in the file is reused
    admin = again.authenticate(again.tokens["admin"])
    assert again.handle(admin, {"service": "company.get", "xid": "K"})["company"]["name"] == "Kept"
    again.close()


def test_handle_never_raises() -> None:
    from beebole_pandas.sandbox.backend import Backend

    backend = Backend(small_account())
    admin = backend.authenticate(backend.tokens["admin"])
    backend.store.conn.close()  # whatever breaks inside becomes a status error
    answer = backend.handle(admin, {"service": "company.list"})
    assert answer["status"] == "error" and answer["message"].startswith("internal sandbox error: ")
    for body in (None, "text", 3.5, {"service": None}, {"service": "company.get", "id": 2**80}):
        assert backend.handle(admin, body)["status"] == "error"


def test_every_answer_is_a_new_dict() -> None:
    from beebole_pandas.sandbox.backend import Backend

    backend = Backend(small_account())
    admin = backend.authenticate(backend.tokens["admin"])
    first = backend.handle(admin, {"service": "company.deactivate", "id": 3})
    first["note"] = "changed by a caller"
    assert backend.handle(admin, {"service": "company.activate", "id": 3}) == {"status": "ok"}
    backend.close()
