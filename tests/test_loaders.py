"""Every loader against the demo sandbox: columns, dtypes, and the rows the server holds
(the truth is read from the sandbox's own store, never through the loaders)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import schema
from beebole_pandas.errors import NotFound, ValidationError

MONTH = ("2026-10-01", "2026-10-31")

DTYPES = {
    "Int64": pd.Int64Dtype(),
    "Float64": pd.Float64Dtype(),
    "boolean": pd.BooleanDtype(),
    "string": pd.StringDtype(),
    "datetime64[ns]": np.dtype("datetime64[ns]"),
    "status": pd.CategoricalDtype(list(schema.STATUS_CODES)),
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
    assert 1 <= spent <= 5
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
    assert first["status"].astype(str).tolist() == [r["status"] for r in truth]
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
        ["s", "a"]
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
        assert list(frame.columns[:3]) == [f"{entity}_id", f"{entity}_xid", f"{entity}_name"]


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
        assert len(tasks) == len(
            rows(server, "SELECT * FROM specific_task WHERE kind=?", (entity,))
        )
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
    assert cost(lambda: bb.time_entries(*MONTH)) <= 5
    assert cost(lambda: bb.time_entries(*MONTH)) == 0
    assert 1 <= cost(lambda: bb.time_entries(*MONTH, refresh=True)) <= 5
