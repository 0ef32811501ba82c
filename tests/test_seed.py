"""The seeds as plain data: determinism, integrity, the time-entry rules, statuses, size.

These tests check :func:`beebole_pandas.sandbox.seed.build` against the rules
of ``docs/internals.md`` with their own implementation of those rules; they
need no server.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import time
from typing import Any

import pytest

from beebole_pandas.sandbox.seed import build
from beebole_pandas.sandbox.seeddata import SeedData

START = dt.date(2025, 12, 1)
END = dt.date(2026, 11, 30)
ENTITY_FIELDS = ("company", "project", "subproject", "absence")
KINDS = (
    "companies", "groups", "people", "projects", "subprojects", "tasks", "absences",
    "custom_fields",
)  # fmt: skip


@pytest.fixture(scope="module")
def demo() -> SeedData:
    started = time.perf_counter()
    data = build("demo")
    print(f"\nbuild('demo'): {time.perf_counter() - started:.3f} s, "
          f"{len(data.time_entries)} time entries")  # fmt: skip
    return data


@pytest.fixture(scope="module")
def small() -> SeedData:
    started = time.perf_counter()
    data = build("demo", people=200, months=2)
    print(f"\nbuild('demo', people=200, months=2): {time.perf_counter() - started:.3f} s, "
          f"{len(data.time_entries)} time entries")  # fmt: skip
    return data


def by_id(rows: list[Any]) -> dict[int, Any]:
    return {r["id"]: r for r in rows}


def available_tasks(data: SeedData, field: str, eid: int) -> set[int]:
    """The tasks available on an entity, per docs/internals.md, computed from scratch."""
    companies, projects, subprojects = (
        by_id(data.companies),
        by_id(data.projects),
        by_id(data.subprojects),
    )
    specific_of: dict[tuple[str, int], list[int]] = {}
    for kind, rows in (("company", data.companies), ("project", data.projects),
                       ("subproject", data.subprojects)):  # fmt: skip
        for row in rows:
            specific_of[kind, row["id"]] = row.get("specific_tasks", [])
    specific = {t for ids in specific_of.values() for t in ids}
    active = {t["id"] for t in data.tasks if t["active"]}
    general = active - specific
    entity = {"company": companies, "project": projects, "subproject": subprojects}[field][eid]
    if entity.get("specific_tasks_disabled"):
        return general
    chain = [(field, eid)]
    if field == "subproject":
        chain.append(("project", entity["project"]))
        chain.append(("company", projects[entity["project"]]["company"]))
    elif field == "project":
        chain.append(("company", entity["company"]))
    return general | {t for key in chain for t in specific_of[key] if t in active}


def entity_of(entry: dict[str, Any]) -> tuple[str, int]:
    present = [f for f in ENTITY_FIELDS if entry.get(f) is not None]
    assert len(present) == 1, entry
    return present[0], entry[present[0]]


# -- names, determinism ---------------------------------------------------------------


def test_unknown_seed_name_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match=r"'nope'.*'empty'.*'demo'"):
        build("nope")


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"people": 3}, "people=3"), ({"months": -1}, "months=-1"), ({"people": "50"}, "people"),
])  # fmt: skip
def test_out_of_range_sizes_are_refused(kwargs: dict[str, Any], word: str) -> None:
    with pytest.raises(ValueError, match=re.escape(word)):
        build("demo", **kwargs)


def test_same_arguments_give_identical_data(demo: SeedData) -> None:
    again = build("demo")
    assert again == demo
    assert build("empty") == build("empty")
    assert build("demo", people=20, months=1) == build("demo", people=20, months=1)


def test_tokens_are_deterministic_distinct_hex(demo: SeedData) -> None:
    tokens = [a["token"] for a in demo.accounts]
    assert all(re.fullmatch(r"[0-9a-f]{32}", t) for t in tokens)
    assert len(set(tokens)) == len(tokens)
    assert not set(tokens) & {a["token"] for a in build("empty").accounts}
    assert tokens == [a["token"] for a in build("demo", people=20, months=1).accounts]


# -- accounts and entities --------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty", "demo"])
def test_every_seed_has_the_four_accounts(name: str) -> None:
    data = build(name, months=1) if name == "demo" else build(name)
    people = by_id(data.people)
    accounts = {a["role"]: a for a in data.accounts}
    assert set(accounts) == {"admin", "employee", "admin_fr", "disabled"}
    assert people[accounts["admin"]["person"]]["userGroup"] == "admin"
    assert accounts["admin"]["locale"] == "en"
    assert people[accounts["admin_fr"]["person"]]["userGroup"] == "admin"
    assert accounts["admin_fr"]["locale"] == "fr"
    assert people[accounts["employee"]["person"]]["userGroup"] == "employee"
    assert accounts["employee"]["api_enabled"] and not accounts["disabled"]["api_enabled"]
    assert len({a["person"] for a in data.accounts}) == 4


def test_empty_seed_holds_only_the_basics() -> None:
    data = build("empty")
    assert [c["corporate"] for c in data.companies] == [True]
    assert len(data.people) == 4
    assert data.custom_fields and not any(f.get("values") for f in data.custom_fields)
    for kind in ("groups", "projects", "subprojects", "tasks", "absences", "time_entries"):
        assert getattr(data, kind) == [], kind
    check_references(data)


def check_references(data: SeedData) -> None:
    """Every reference points at an existing entity of the right kind."""
    ids = {kind: set(by_id(getattr(data, kind))) for kind in KINDS}
    for kind in KINDS:
        rows = getattr(data, kind)
        assert len(ids[kind]) == len(rows), f"duplicate ids in {kind}"
        assert all(isinstance(i, int) and i > 0 for i in ids[kind])
    refs = {"groups": "groups", "members": "people", "member_groups": "groups",
            "specific_tasks": "tasks", "managers": "people", "leaders": "people"}  # fmt: skip
    for kind in ("companies", "people", "projects", "subprojects", "tasks", "absences"):
        for row in getattr(data, kind):
            for member, target in refs.items():
                assert set(row.get(member, [])) <= ids[target], (kind, row["id"], member)
    for kind in ("people", "projects", "tasks", "absences"):
        assert {r["company"] for r in getattr(data, kind)} <= ids["companies"], kind
    assert {s["project"] for s in data.subprojects} <= ids["projects"]
    assert {g["parent"] for g in data.groups} - {None} <= ids["groups"]
    assert {a["person"] for a in data.accounts} <= ids["people"]
    kind_ids = {"company": ids["companies"], "person": ids["people"],
                "project": ids["projects"], "subproject": ids["subprojects"]}  # fmt: skip
    for field in data.custom_fields:
        for kind, eid, value in field.get("values", []):
            assert eid in kind_ids[kind] and isinstance(value, str), (field["name"], kind, eid)
    entry_ids = set()
    for e in data.time_entries:
        assert e["person"] in ids["people"]
        field, eid = entity_of(e)
        target = {"company": "companies", "project": "projects", "subproject": "subprojects",
                  "absence": "absences"}[field]  # fmt: skip
        assert eid in ids[target], e
        assert e.get("task") is None or e["task"] in ids["tasks"], e
        entry_ids.add(e["id"])
    assert len(entry_ids) == len(data.time_entries)


def test_demo_references_are_consistent(demo: SeedData, small: SeedData) -> None:
    check_references(demo)
    check_references(small)


def test_demo_shape(demo: SeedData) -> None:
    companies = demo.companies
    corporate = [c for c in companies if c["corporate"]]
    assert len(corporate) == 2 and 5 <= len(companies) - 2 <= 8
    assert len(demo.people) == 50
    groups = by_id(demo.groups)
    roots = {g["name"]: g["id"] for g in demo.groups if g["parent"] is None}
    assert set(roots) == {"Country", "Team"}
    children = collections.defaultdict(set)
    for g in demo.groups:
        if g["parent"] is not None:
            children[groups[g["parent"]]["name"]].add(g["name"])
    assert {"France", "Spain", "United States", "United Kingdom"} <= children["Country"]
    assert {"Engineering", "Design", "Sales", "Support", "Management"} <= children["Team"]
    people = by_id(demo.people)
    team_leaders: dict[int, int] = {}
    for p in demo.people:
        parents = [groups[g]["parent"] for g in p["groups"]]
        assert sorted(parents) == sorted(roots.values()), p["name"]  # one country, one team
        assert p["hourlyCost"] > 0
        if p["userGroup"] == "leader":
            team = next(g for g in p["groups"] if groups[g]["parent"] == roots["Team"])
            team_leaders[team] = p["id"]
    assert len(team_leaders) == 5
    for p in demo.people:
        if p["userGroup"] == "employee":
            team = next(g for g in p["groups"] if groups[g]["parent"] == roots["Team"])
            assert p["leaders"] == [team_leaders[team]], p["name"]
    assert len({p["name"] for p in demo.people}) == 50
    assert all(people[m]["userGroup"] in ("admin", "leader") for pr in demo.projects
               for m in pr.get("managers", []))  # fmt: skip
    # some projects are leaves, some have subprojects; rates, budgets, start dates
    with_subs = {s["project"] for s in demo.subprojects}
    assert with_subs and set(by_id(demo.projects)) - with_subs
    customer_ids = {c["id"] for c in companies if not c["corporate"]}
    billed = [p for p in demo.projects if p["company"] in customer_ids]
    assert all(p["hourlyRate"] for p in billed) and any(p.get("budget") for p in billed)
    assert any(p["startDate"] for p in demo.projects)
    assert {a["name"] for a in demo.absences} >= {
        "Vacation",
        "Sick leave",
        "Public holiday",
        "Training",
    }
    assert all(a["company"] == corporate[0]["id"] for a in demo.absences)
    specific = {t for rows in (demo.companies, demo.projects, demo.subprojects)
                for r in rows for t in r.get("specific_tasks", [])}  # fmt: skip
    general = {t["name"] for t in demo.tasks if t["id"] not in specific}
    assert {"Development", "Meetings", "Design", "Support", "Administration"} <= general
    assert specific
    valued = {f["name"]: f.get("values", []) for f in demo.custom_fields}
    assert valued["Industry"] and valued["Location"] and valued["Cost center"]


@pytest.mark.parametrize("kind", KINDS)
def test_xids_unique_and_on_part_of_each_kind(demo: SeedData, kind: str) -> None:
    rows = getattr(demo, kind)
    xids = [r["xid"] for r in rows if r["xid"] is not None]
    assert len(xids) == len(set(xids))
    assert 0 < len(xids) < len(rows), kind
    assert all(isinstance(x, str) and x for x in xids)


def test_known_xids(demo: SeedData) -> None:
    assert "C-ACME" in {c["xid"] for c in demo.companies}
    person_xids = [p["xid"] for p in demo.people if p["xid"]]
    assert all(re.fullmatch(r"E-\d{4}", x) for x in person_xids)
    assert any(p["xid"] and p["xid"].startswith("P-") for p in demo.projects)


# -- time entries ---------------------------------------------------------------------------


def check_entry_rules(data: SeedData) -> None:
    companies, projects = by_id(data.companies), by_id(data.projects)
    subprojects, absences = by_id(data.subprojects), by_id(data.absences)
    active_projects = collections.Counter(p["company"] for p in data.projects if p["active"])
    active_subs = collections.Counter(s["project"] for s in data.subprojects if s["active"])
    cache: dict[tuple[str, int], set[int]] = {}
    for e in data.time_entries:
        assert 0 <= e["hours"] <= 24 and isinstance(e["hours"], float), e
        field, eid = entity_of(e)
        if field == "absence":
            assert e.get("task") is None, e
            assert absences[eid]["active"]
            continue
        if field == "company":
            assert active_projects[eid] == 0 and companies[eid]["active"], e
        elif field == "project":
            assert active_subs[eid] == 0 and projects[eid]["active"], e
        else:
            assert subprojects[eid]["active"], e
        project = (
            eid
            if field == "project"
            else subprojects[eid]["project"]
            if field == "subproject"
            else None
        )
        if project is not None:  # no time on a project before it starts
            assert e["date"] >= (projects[project]["startDate"] or ""), e
        if (field, eid) not in cache:
            cache[field, eid] = available_tasks(data, field, eid)
        allowed = cache[field, eid]
        if allowed:
            assert e.get("task") in allowed, (e, allowed)
        else:
            assert e.get("task") is None, e


def test_every_entry_obeys_the_time_entry_rules(demo: SeedData, small: SeedData) -> None:
    check_entry_rules(demo)
    check_entry_rules(small)


@pytest.mark.parametrize("breakage", ["non-leaf", "no task", "task on absence", "hours"])
def test_the_rule_checker_catches_broken_entries(breakage: str) -> None:
    data = build("demo", people=9, months=1)
    work = next(e for e in data.time_entries if e.get("task"))
    absence = next(e for e in data.time_entries if e.get("absence"))
    parent_of = {s["id"]: s["project"] for s in data.subprojects}
    if breakage == "non-leaf":
        sub = next(e for e in data.time_entries if e.get("subproject"))
        sub["project"] = parent_of[sub.pop("subproject")]  # type: ignore[misc]
    elif breakage == "no task":
        del work["task"]
    elif breakage == "task on absence":
        absence["task"] = work["task"]
    else:
        work["hours"] = 25.0
    with pytest.raises(AssertionError):
        check_entry_rules(data)


def test_entries_cover_weekdays_of_the_period_for_everyone(demo: SeedData) -> None:
    dates = {e["date"] for e in demo.time_entries}
    weekdays = {(START + dt.timedelta(days=i)).isoformat() for i in range((END - START).days + 1)
                if (START + dt.timedelta(days=i)).weekday() < 5}  # fmt: skip
    assert dates == weekdays
    per_person = collections.defaultdict(set)
    for e in demo.time_entries:
        per_person[e["person"]].add(e["date"])
    assert set(per_person) == {p["id"] for p in demo.people}
    assert all(days == weekdays for days in per_person.values())


def test_a_realistic_mix_of_hours(demo: SeedData) -> None:
    absence_name = {a["id"]: a["name"] for a in demo.absences}
    daily: dict[tuple[int, str], float] = collections.defaultdict(float)
    per_day: collections.Counter[tuple[int, str]] = collections.Counter()
    used = collections.Counter()
    fields = collections.Counter()
    for e in demo.time_entries:
        daily[e["person"], e["date"]] += e["hours"]
        per_day[e["person"], e["date"]] += 1
        field, eid = entity_of(e)
        fields[field] += 1
        if field == "absence":
            used[absence_name[eid]] += 1
        assert e["stime"].startswith(e["date"] + " ") and re.fullmatch(
            r"\d{4}-\d\d-\d\d \d\d:\d\d:00", e["stime"]
        )
    totals = list(daily.values())
    assert min(totals) >= 4 and max(totals) <= 11
    overtime = sum(t >= 9 for t in totals) / len(totals)
    assert 0.03 < overtime < 0.2
    assert set(per_day.values()) == {1, 2, 3}
    assert set(used) == {"Vacation", "Sick leave", "Public holiday", "Training"}
    assert all(fields[f] > 0 for f in ENTITY_FIELDS)
    with_comment = sum(1 for e in demo.time_entries if e.get("comment"))
    assert 0.02 < with_comment / len(demo.time_entries) < 0.3


def test_statuses_by_period(demo: SeedData) -> None:
    by_period: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    late_people: dict[int, set[str]] = collections.defaultdict(set)
    for e in demo.time_entries:
        day = e["date"]
        if day < "2026-07-01":
            period = "locked"
        elif day < "2026-08-01":
            period = "locking"
        elif day < "2026-10-01":
            period = "approved"
        elif day < "2026-11-10":
            period = "submitted"
        elif day < "2026-11-17":
            period = "last week"
            late_people[e["person"]].add(e["status"])
        else:
            period = "draft"
        by_period[period][e["status"]] += 1
        assert (e["status"] == "r") == bool(e.get("memo")), e
    assert set(by_period["locked"]) == {"l"}
    assert set(by_period["locking"]) == {"l", "a"}
    assert by_period["locking"]["l"] > by_period["locking"]["a"]
    assert set(by_period["approved"]) == {"a"}
    submitted = by_period["submitted"]
    assert set(submitted) == {"s", "r"} and submitted["r"] < 0.15 * submitted["s"]
    assert set(by_period["draft"]) == {"d"}
    not_submitted = [p for p, statuses in late_people.items() if statuses == {"d"}]
    assert 1 <= len(not_submitted) <= 5
    assert sum(statuses <= {"s", "r"} for statuses in late_people.values()) >= 40


def test_size_knob(small: SeedData) -> None:
    assert len(small.people) == 200
    dates = sorted({e["date"] for e in small.time_entries})
    assert dates[0] == "2025-12-01" and dates[-1] == "2026-01-30"
    assert {d[:7] for d in dates} == {"2025-12", "2026-01"}
    assert {e["person"] for e in small.time_entries} == {p["id"] for p in small.people}
    assert len(small.companies) > len(build("demo", months=0).companies)
    assert build("demo", people=9, months=0).time_entries == []
    assert len(build("demo", people=9, months=1).people) == 9


def test_store_loads_the_seeds(demo: SeedData) -> None:
    from beebole_pandas.sandbox.store import Store

    for data in (demo, build("empty")):
        store = Store()
        try:
            store.load(data)
            assert store.count("time_entry") == len(data.time_entries)
            assert store.count("person") == len(data.people)
            assert store.count("project") == len(data.projects)
        finally:
            store.close()


def ref_of(rows: list[Any], eid: int) -> dict[str, Any]:
    row = next(r for r in rows if r["id"] == eid)
    return {"xid": row["xid"]} if row["xid"] else {"id": eid}


def test_backend_accepts_the_demo_entries(demo: SeedData) -> None:
    """The sandbox's own rule checks agree with the seed: time_entry.get_tasks offers
    every task the seed used, and a sample of entries can be created again as they are."""
    import random

    from beebole_pandas.sandbox.backend import Backend

    backend = Backend("demo")
    try:
        employee = next(a for a in demo.accounts if a["role"] == "employee")
        listing = {
            "service": "time_entry.list",
            "person": ref_of(demo.people, employee["person"]),
            "from": "2026-10-01",
            "to": "2026-10-31",
        }
        answer = backend.handle(backend.authenticate(employee["token"]), listing)
        expected = [
            e for e in demo.time_entries
            if e["person"] == employee["person"] and e["date"][:7] == "2026-10"
        ]  # fmt: skip
        assert answer["status"] == "ok" and len(answer["timeEntries"]) == len(expected)

        admin = backend.authenticate(backend.tokens["admin"])
        kinds = {
            "company": demo.companies,
            "project": demo.projects,
            "subproject": demo.subprojects,
            "absence": demo.absences,
        }
        used: dict[tuple[str, int], set[int]] = collections.defaultdict(set)
        for e in demo.time_entries:
            field, eid = entity_of(e)
            if field != "absence":
                used[field, eid].add(e["task"])
        task_ids = {t["xid"]: t["id"] for t in demo.tasks if t["xid"]}
        for (field, eid), tasks in used.items():
            request = {"service": "time_entry.get_tasks", "date": "2026-06-01"}
            answer = backend.handle(admin, {**request, field: ref_of(kinds[field], eid)})
            assert answer["status"] == "ok", answer
            offered = {t.get("id") or task_ids[t["xid"]] for t in answer["tasks"]}
            assert tasks <= offered, (field, eid)

        for e in random.Random(7).sample(demo.time_entries, 150):
            field, eid = entity_of(e)
            create: dict[str, Any] = {
                "service": "time_entry.create",
                "date": e["date"],
                "hours": e["hours"],
                "person": ref_of(demo.people, e["person"]),
                field: ref_of(kinds[field], eid),
            }
            if e.get("task"):
                create["task"] = ref_of(demo.tasks, e["task"])
            answer = backend.handle(admin, create)
            assert answer["status"] == "ok", (answer, create)
    finally:
        backend.close()
