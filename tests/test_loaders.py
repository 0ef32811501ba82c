"""Every loader against the demo sandbox: columns, dtypes, and the rows the server holds
(the truth is read from the sandbox's own store, never through the loaders)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import schema
from beebole_pandas.errors import NotFound, ValidationError
from beebole_pandas.load import time_entries as loaders

MONTH = ("2026-10-01", "2026-10-31")
DATA = Path(__file__).parent / "data"

DTYPES = {
    "Int64": pd.Int64Dtype(),
    "Float64": pd.Float64Dtype(),
    "boolean": pd.BooleanDtype(),
    "string": pd.StringDtype(),
    "datetime64[ns]": np.dtype("datetime64[ns]"),
    "status": pd.CategoricalDtype(list(schema.STATUS_ORDER), ordered=True),
}

TABLES = {
    "company": "company",
    "person": "person",
    "project": "project",
    "subproject": "subproject",
    "task": "task",
    "absence": "absence",
    "group": "grp",
    "custom_field": "custom_field",
}
LOADERS: dict[str, Callable[..., pd.DataFrame]] = {
    "company": bb.companies,
    "person": bb.people,
    "project": bb.projects,
    "subproject": bb.subprojects,
    "task": bb.tasks,
    "absence": bb.absences,
    "group": bb.groups,
    "custom_field": bb.custom_fields,
}


@pytest.fixture
def server(demo_server: Any) -> Any:
    bb.connect(demo_server.token, url=demo_server.url)
    return demo_server


def rows(server: Any, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
    return server.backend.store.all(sql, params)


def list_requests(server: Any) -> int:
    """What the entity lists that name a time entry's references cost: company.list;
    person, task and absence lists per company; project.list per company with
    projects; subproject.list per project with subprojects (a parent whose
    list says it has none is not asked)."""
    companies = len(rows(server, "SELECT id FROM company"))
    with_projects = len(rows(server, "SELECT DISTINCT company FROM project"))
    with_subprojects = len(rows(server, "SELECT DISTINCT project FROM subproject"))
    return 1 + 3 * companies + with_projects + with_subprojects


def ref(row: Any, id_col: str = "id", xid_col: str = "xid") -> tuple[str, Any]:
    return ("xid", row[xid_col]) if row[xid_col] else ("id", row[id_col])


def frame_refs(frame: pd.DataFrame, prefix: str = "") -> list[tuple[str, Any]]:
    ids = frame[f"{prefix}id"].astype(object).tolist()
    xids = frame[f"{prefix}xid"].astype(object).tolist()
    return [("xid", x) if x is not pd.NA else ("id", i) for i, x in zip(ids, xids, strict=True)]


def assert_schema(entity: str, frame: pd.DataFrame) -> None:
    spec = schema.entity(entity)
    assert list(frame.columns) == spec.columns
    assert {c: frame[c].dtype for c in frame.columns} == {
        c: DTYPES[d] for c, d in spec.dtypes.items()
    }


@pytest.mark.parametrize("entity", list(LOADERS))
def test_every_entity_loader_returns_what_the_server_holds(server: Any, entity: str) -> None:
    frame = LOADERS[entity]()
    assert_schema(entity, frame)
    truth = rows(server, f"SELECT id, xid, name FROM {TABLES[entity]}")
    assert len(frame) == len(truth) > 0
    assert sorted(zip(frame_refs(frame), frame["name"], strict=True)) == sorted(
        (ref(r), r["name"]) for r in truth
    )
    # one list mixes rows addressed by id and by xid; each row has exactly one
    assert frame["id"].notna().any() and frame["xid"].notna().any()
    assert (frame["id"].isna() ^ frame["xid"].isna()).all()
    assert frame.attrs["beebole"]["entity"] == entity


def test_references_and_values_match_the_store(server: Any) -> None:
    projects = bb.projects()
    truth = {
        ref(r): r
        for r in rows(
            server,
            "SELECT p.*, c.xid AS cxid, c.id AS cid FROM project p JOIN company c ON c.id=p.company",
        )
    }
    for key, row in zip(frame_refs(projects), projects.itertuples(), strict=True):
        expected = truth[key]
        company = (
            ("xid", row.company_xid) if row.company_xid is not pd.NA else ("id", row.company_id)
        )
        assert company == ref(expected, "cid", "cxid")
        assert (row.start_date if row.start_date is not pd.NaT else None) == (
            pd.Timestamp(expected["start_date"]) if expected["start_date"] else None
        )
        assert (None if row.budget is pd.NA else row.budget) == expected["budget"]
        assert row.active == bool(expected["active"])


def test_groups_are_the_flattened_tree(server: Any) -> None:
    frame = bb.groups()
    by_key = dict(zip(frame_refs(frame), frame.itertuples(), strict=True))
    truth = {r["id"]: r for r in rows(server, "SELECT * FROM grp")}

    def path(gid: int) -> list[str]:
        parent = truth[gid]["parent"]
        return [*(path(parent) if parent else []), truth[gid]["name"]]

    for gid, r in truth.items():
        row = by_key[ref(r)]
        assert row.path == "/".join(path(gid))
        assert row.depth == len(path(gid)) - 1
        assert row.groups_count == sum(1 for g in truth.values() if g["parent"] == gid)
        if r["parent"]:
            parent = truth[r["parent"]]
            got = ("xid", row.parent_xid) if row.parent_xid is not pd.NA else ("id", row.parent_id)
            assert got == ref(parent)
        else:
            assert row.parent_id is pd.NA and row.parent_xid is pd.NA
    assert "Country/France" in set(frame["path"])


def test_scopes_by_name_xid_id_and_list(server: Any) -> None:
    count = {
        r["company"]: r["n"]
        for r in rows(server, "SELECT company, count(*) AS n FROM person GROUP BY company")
    }
    assert len(bb.people(company="Beebole Demo Corp")) == count[101]
    assert len(bb.people(company="beebole demo corp")) == count[101]  # case-insensitive names
    assert len(bb.people(company=101)) == count[101]
    both = bb.people(company=["Beebole Demo Corp", 102, 101])
    assert len(both) == count[101] + count[102]
    assert set(both["company_id"]) == {101, 102}
    subs = bb.subprojects(project="P-UMB-PORTAL")
    truth = rows(
        server,
        "SELECT s.id FROM subproject s JOIN project p ON p.id=s.project WHERE p.xid='P-UMB-PORTAL'",
    )
    assert len(subs) == len(truth) > 0
    assert set(subs["project_xid"]) == {"P-UMB-PORTAL"}


def test_empty_results_keep_the_columns_and_dtypes(server: Any) -> None:
    nobody = rows(
        server,
        "SELECT c.id FROM company c WHERE NOT EXISTS (SELECT 1 FROM person p WHERE p.company=c.id)",
    )
    assert nobody, "the demo seed has a company without people"
    empty = bb.people(company=nobody[0]["id"])
    assert len(empty) == 0
    assert empty.dtypes.to_dict() == bb.people().dtypes.to_dict()
    assert bb.people(company=[]).dtypes.to_dict() == bb.people().dtypes.to_dict()


def test_an_unknown_name_lists_valid_names(server: Any) -> None:
    with pytest.raises(
        NotFound, match=r"no company has the xid or name 'Nope Inc'.*'Acme Industries'"
    ):
        bb.people(company="Nope Inc")
    with pytest.raises(ValidationError, match="not an id"):
        bb.projects(company=3.5)


def test_an_ambiguous_name_lists_the_matches(fresh_server: Any) -> None:
    client = bb.connect(fresh_server.token, url=fresh_server.url)
    client.call("project.create", project={"name": "Mobile App", "company": {"id": 101}})
    with pytest.raises(
        ValidationError, match=r"'Mobile App' is ambiguous: it matches 2 project rows.*id"
    ):
        bb.subprojects(project="Mobile App")


# -- time entries ---------------------------------------------------------------------------


def entries_in(
    server: Any, start: str, end: str, where: str = "", params: tuple[Any, ...] = ()
) -> list[Any]:
    return rows(
        server,
        "SELECT te.*, pe.xid AS pxid FROM time_entry te JOIN person pe ON pe.id=te.person "
        f"WHERE te.date BETWEEN ? AND ? {where} ORDER BY te.date, te.id",
        (start, end, *params),
    )


def test_a_month_for_everyone_costs_at_most_5_requests_then_none(server: Any) -> None:
    before = server.stats()
    first = bb.time_entries(*MONTH)
    middle = server.stats()
    second = bb.time_entries(*MONTH)
    after = server.stats()
    spent = middle["requests"] - before["requests"]
    # One export job (at most 5 requests with its probe and polls) and the
    # entity lists its names come from (cached for every later load).
    assert 1 <= spent <= 5 + list_requests(server)
    assert middle["by_service"].get("time_entry.list", 0) == before["by_service"].get(
        "time_entry.list", 0
    )
    assert after["requests"] == middle["requests"]
    pd.testing.assert_frame_equal(first, second)

    assert_schema("time_entry", first)
    truth = entries_in(server, *MONTH)
    assert len(first) == len(truth) > 0
    assert first["id"].tolist() == [r["id"] for r in truth]
    assert first["date"].tolist() == [pd.Timestamp(r["date"]) for r in truth]
    assert first["hours"].tolist() == pytest.approx([r["hours"] for r in truth])
    assert first["status"].astype(str).tolist() == [
        schema.STATUS_LABELS[r["status"]] for r in truth
    ]
    assert frame_refs(first, "person_") == [ref(r, "person", "pxid") for r in truth]
    assert first["person_xid"].notna().any() and first["person_id"].notna().any()


def test_one_person_uses_time_entry_list_with_the_same_frame(server: Any) -> None:
    everyone = bb.time_entries(*MONTH)
    name = "Léa Martin"
    before = server.stats()["by_service"]
    mine = bb.time_entries(*MONTH, person=name)
    after = server.stats()["by_service"]
    assert after.get("time_entry.list", 0) - before.get("time_entry.list", 0) == 1
    assert after.get("time_entry.export", 0) == before.get("time_entry.export", 0)
    expected = everyone[everyone["person_name"] == name].reset_index(drop=True)
    assert len(mine) > 0
    pd.testing.assert_frame_equal(mine, expected)


def test_time_entry_filters(server: Any) -> None:
    everyone = bb.time_entries(*MONTH)
    initech = bb.time_entries(*MONTH, company="Initech")
    pd.testing.assert_frame_equal(
        initech,
        everyone[(everyone["company_xid"] == "C-INIT").fillna(False)].reset_index(drop=True),
    )
    portal = bb.time_entries(*MONTH, project="P-UMB-PORTAL", status=["s", "approved"])
    keep = (everyone["project_xid"] == "P-UMB-PORTAL").fillna(False) & everyone["status"].isin(
        ["submitted", "approved"]
    )
    pd.testing.assert_frame_equal(portal, everyone[keep.to_numpy(bool)].reset_index(drop=True))
    assert len(portal) > 0
    many = sorted(set(everyone["person_name"].dropna()))[
        :7
    ]  # more than PER_PERSON_LIMIT: one export
    group = bb.time_entries(*MONTH, person=many)
    pd.testing.assert_frame_equal(
        group, everyone[everyone["person_name"].isin(many).to_numpy(bool)].reset_index(drop=True)
    )
    with pytest.raises(ValidationError, match="unknown status 'done'"):
        bb.time_entries(*MONTH, status="done")


def test_no_time_entries_keeps_the_dtypes(server: Any) -> None:
    empty = bb.time_entries("2001-01-01", "2001-01-31")
    single = bb.time_entries("2001-01-01", "2001-01-31", person=1008)
    assert len(empty) == len(single) == 0
    assert_schema("time_entry", empty)
    assert_schema("time_entry", single)


# -- relationships ------------------------------------------------------------------------------


def test_custom_field_values(server: Any) -> None:
    for entity in ("person", "company", "project"):
        frame = bb.custom_field_values(entity)
        truth = rows(server, "SELECT eid, cf, value FROM cf_value WHERE kind=?", (entity,))
        values = frame[frame["value"].notna()]
        assert len(values) == len(truth), entity
        assert sorted(values["value"]) == sorted(r["value"] for r in truth)
        assert list(frame.columns[:4]) == [
            f"{entity}_id",
            f"{entity}_xid",
            f"{entity}_key",
            f"{entity}_name",
        ]


def test_group_assignments(server: Any) -> None:
    frame = bb.group_assignments()
    assert len(frame) == len(rows(server, "SELECT * FROM group_assign"))
    people = bb.group_assignments("person")
    truth = rows(
        server,
        "SELECT g.name AS g, p.name AS p FROM group_assign ga JOIN grp g ON g.id=ga.gid "
        "JOIN person p ON p.id=ga.eid WHERE ga.kind='person'",
    )
    assert sorted(zip(people["group_name"], people["entity_name"], strict=True)) == sorted(
        (r["g"], r["p"]) for r in truth
    )
    assert set(people["entity"]) == {"person"}


def test_members_managers_specific_tasks_and_leaders(server: Any) -> None:
    for entity in ("company", "project", "subproject"):
        frame = bb.members(entity)
        n = len(rows(server, "SELECT * FROM member WHERE kind=?", (entity,))) + len(
            rows(server, "SELECT * FROM member_group WHERE kind=?", (entity,))
        )
        assert len(frame) == n, entity
        tasks = bb.specific_tasks(entity)
        linked = rows(server, "SELECT * FROM specific_task WHERE kind=?", (entity,))
        owners = rows(server, f"SELECT id, xid, st_disabled FROM {entity}")
        without = {r["id"] for r in owners} - {r["eid"] for r in linked}
        # One row per specific task, plus one (task columns <NA>) per entity with none.
        assert len(tasks) == len(linked) + len(without), entity
        assert tasks["task_id"].isna().sum() + tasks["task_xid"].isna().sum() >= len(without)
        disabled = {ref(r): bool(r["st_disabled"]) for r in owners}
        shown = dict(
            zip(frame_refs(tasks, f"{entity}_"), tasks["disabled"].astype(bool), strict=True)
        )
        assert shown == disabled, entity
    managers = bb.project_managers()
    truth = rows(
        server,
        "SELECT p.name AS p, pe.name AS m FROM manager m JOIN project p ON p.id=m.project "
        "JOIN person pe ON pe.id=m.person",
    )
    assert sorted(zip(managers["project_name"], managers["person_name"], strict=True)) == sorted(
        (r["p"], r["m"]) for r in truth
    )
    leaders = bb.team_leaders()
    truth = rows(
        server,
        "SELECT p.name AS p, l.name AS l FROM leader x JOIN person p ON p.id=x.person "
        "JOIN person l ON l.id=x.leader",
    )
    assert sorted(zip(leaders["person_name"], leaders["leader_name"], strict=True)) == sorted(
        (r["p"], r["l"]) for r in truth
    )
    assert leaders["leader_id"].dtype == "Int64"


def test_loaders_are_cached_and_refresh_bypasses_the_cache(server: Any) -> None:
    def cost(action: Callable[[], Any]) -> int:
        before = server.stats()["requests"]
        action()
        return int(server.stats()["requests"] - before)

    n_companies = len(rows(server, "SELECT id FROM company"))
    assert cost(bb.people) == 1 + n_companies  # company.list, then person.list per company
    assert cost(bb.people) == 0
    assert cost(lambda: bb.people(refresh=True)) == 1 + n_companies
    # The people are cached already: the other lists and the export job remain.
    assert cost(lambda: bb.time_entries(*MONTH)) <= 5 + list_requests(server) - (1 + n_companies)
    assert cost(lambda: bb.time_entries(*MONTH)) == 0
    # refresh=True refreshes the entries (the size probe and the export: a job
    # each, created then polled), not the lists their names come from.
    assert 1 <= cost(lambda: bb.time_entries(*MONTH, refresh=True)) <= 8


# -- references as rows show them, and the export-or-list rule ------------------------------------


def test_a_company_with_an_xid_named_by_its_numeric_id(server: Any) -> None:
    """An entity with an xid shows in rows by its xid only: a numeric-id filter must still match."""
    cid = rows(server, "SELECT id FROM company WHERE xid='C-INIT'")[0]["id"]
    everyone = bb.time_entries(*MONTH)
    expected = everyone[(everyone["company_xid"] == "C-INIT").fillna(False).to_numpy(bool)]
    expected = expected.reset_index(drop=True)
    assert len(expected) == len(entries_in(server, *MONTH, "AND te.company=?", (cid,))) > 0
    pd.testing.assert_frame_equal(bb.time_entries(*MONTH, company=cid), expected)
    pd.testing.assert_frame_equal(bb.time_entries(*MONTH, company="C-INIT"), expected)
    # The per-person path filters here, not on the server: same answer either way.
    two = [
        r["person"]
        for r in rows(
            server,
            "SELECT person, count(*) n FROM time_entry WHERE company=? AND date BETWEEN ? AND ? "
            "GROUP BY person ORDER BY n DESC LIMIT 2",
            (cid, *MONTH),
        )
    ]
    theirs = [r["id"] for r in entries_in(server, *MONTH, "AND te.person IN (?, ?)", tuple(two))]
    mine = expected[expected["id"].isin(theirs).to_numpy(bool)].reset_index(drop=True)
    assert len(mine) > 0
    for company in (cid, "C-INIT", [cid, 101]):
        got = bb.time_entries(*MONTH, person=two, company=company)
        got = got[(got["company_xid"] == "C-INIT").fillna(False).to_numpy(bool)]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), mine)


def test_many_people_by_id_including_one_with_an_xid_on_both_paths(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    everyone_ids = [r["id"] for r in rows(server, "SELECT id FROM person ORDER BY id")]
    named = everyone_ids[:30]
    with_xid = rows(server, "SELECT id, xid FROM person WHERE id=?", (1007,))[0]
    assert with_xid["xid"] and with_xid["id"] in named
    assert loaders.use_export(None, named, *MONTH)
    before = server.stats()["by_service"]
    exported = bb.time_entries(*MONTH, person=named)
    gets = server.stats()["by_service"].get("person.get", 0) - before.get("person.get", 0)
    # Only the ids the people list does not show (people with an xid) are looked up.
    assert (
        1
        <= gets
        <= sum(
            1 for r in rows(server, "SELECT id, xid FROM person") if r["xid"] and r["id"] in named
        )
    )
    monkeypatch.setattr(loaders, "use_export", lambda *args: False)
    listed = bb.time_entries(*MONTH, person=named)
    truth = entries_in(
        server, *MONTH, f"AND te.person IN ({','.join('?' * len(named))})", tuple(named)
    )
    assert len(exported) == len(truth)
    assert (exported["person_xid"] == with_xid["xid"]).sum() > 0
    pd.testing.assert_frame_equal(exported, listed)


def test_a_few_people_are_listed_when_that_costs_fewer_bytes(
    server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    half_year = ("2026-01-01", "2026-06-30")
    six = [1001, 1002, 1004, 1005, 1006, 1007]
    assert not loaders.use_export(None, six, *half_year)
    assert loaders.use_export(None, None, *half_year)
    assert not loaders.use_export(None, six[:2], "2026-01-01", "2026-01-01")

    def spend(**kwargs: Any) -> tuple[pd.DataFrame, int]:
        before = server.stats()["bytes"]
        frame = bb.time_entries(*half_year, person=six, refresh=True, **kwargs)
        return frame, int(server.stats()["bytes"] - before)

    listed, listed_bytes = spend()
    monkeypatch.setattr(loaders, "use_export", lambda *args: True)
    exported, exported_bytes = spend()
    pd.testing.assert_frame_equal(listed, exported)
    assert listed_bytes < exported_bytes


class DocumentedShape:
    """The real client, with time_entry.list rows cut to the reference's shape:
    no ``person`` and no parents (documented-examples.json, "List Time Entries")."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def call(self, service: str, /, **params: Any) -> dict[str, Any]:
        answer = self.client.call(service, **params)
        if service != "time_entry.list":
            return answer
        cut = []
        for row in answer.get("timeEntries") or []:
            row = {k: v for k, v in row.items() if k != "person"}
            for child, parents in (
                ("subproject", ("project", "company")),
                ("project", ("company",)),
            ):
                if child in row:
                    for parent in parents:
                        row.pop(parent, None)
            cut.append(row)
        return {**answer, "timeEntries": cut}


def test_documented_list_rows_get_their_person_and_parents(server: Any) -> None:
    documented = json.loads((DATA / "documented-examples.json").read_text())
    example = next(e for e in documented if e["request"].get("service") == "time_entry.list")
    row = example["responses"][0]["timeEntries"][0]
    assert "subproject" in row and not {"person", "project", "company"} & set(row)

    client = bb.get_client()
    cut = DocumentedShape(client)
    raw = cut.call("time_entry.list", person={"id": 1008}, **{"from": MONTH[0], "to": MONTH[1]})
    assert raw["timeEntries"] and not any("person" in r for r in raw["timeEntries"])
    assert any("subproject" in r and "project" not in r for r in raw["timeEntries"])
    for person in (1008, "E-0043", 1043):
        full = loaders.person_entries(client, person, *MONTH)
        filled = loaders.person_entries(cut, person, *MONTH)
        assert len(full) > 0 and full["subproject_id"].notna().any()
        work = full[full["absence_id"].isna() & full["absence_xid"].isna()]
        assert full["person_name"].notna().all()
        assert work[["project_name", "company_name"]].notna().all().all()
        pd.testing.assert_frame_equal(filled, full)
    cid = rows(server, "SELECT id FROM company WHERE xid='C-ACME'")[0]["id"]
    people = [
        r["person"]
        for r in rows(
            server,
            "SELECT person, count(*) n FROM time_entry WHERE company=? AND date BETWEEN ? AND ? "
            "AND subproject IS NOT NULL GROUP BY person ORDER BY n DESC LIMIT 3",
            (cid, *MONTH),
        )
    ]
    for company in (cid, "C-ACME"):
        kwargs = {"person": people, "company": company}
        expected = bb.time_entries(*MONTH, **kwargs)
        assert len(expected) > 0
        pd.testing.assert_frame_equal(bb.time_entries(*MONTH, client=cut, **kwargs), expected)
