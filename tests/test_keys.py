"""One join key: every entity frame and every reference has a ``key`` column
(the xid where the entity has one, else the id, as a string), so joins are
right whatever mix of ids and xids an account uses."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import beebole_pandas as bb
from beebole_pandas import schema


@pytest.fixture
def client(demo_server: Any) -> bb.Client:
    return bb.connect(demo_server.token, url=demo_server.url)


def test_a_join_on_keys_is_exact_where_a_join_on_ids_multiplies_rows(client: bb.Client) -> None:
    companies, projects = bb.companies(), bb.projects()
    # the exact case: a row has an id or an xid, never both, and pandas
    # pairs <NA> with <NA>: 12 projects became 20 rows
    by_id = projects.merge(companies, left_on="company_id", right_on="id")
    by_key = projects.merge(companies, left_on="company_key", right_on="key", validate="m:1")
    assert len(by_id) > len(projects)
    assert len(by_key) == len(projects)
    assert by_key["name_y"].notna().all()  # every project found its company's name
    for frame in (companies, projects):
        expected = frame["xid"].where(frame["xid"].notna(), frame["id"].astype("string"))
        pd.testing.assert_series_equal(frame["key"], expected, check_names=False)


def test_every_frame_and_reference_has_its_key(client: bb.Client) -> None:
    for name, spec in schema.ENTITIES.items():
        refs = {f.ref for f in spec.fields if f.ref}
        assert "key" in spec.columns, name
        assert {f"{r}_key" for r in refs} <= set(spec.columns), name
    entries = bb.time_entries("2026-10-01", "2026-10-31")
    listed = bb.time_entries("2026-10-01", "2026-10-31", person=[1001, "E-0003"])
    for frame in (entries, listed):
        for ref in ("person", "project", "company", "task", "subproject", "absence"):
            has = frame[f"{ref}_id"].notna() | frame[f"{ref}_xid"].notna()
            assert (frame[f"{ref}_key"].notna() == has).all(), ref
        assert frame["key"].tolist() == frame["id"].astype("string").tolist()
    people = bb.people()
    joined = entries.merge(people, left_on="person_key", right_on="key", validate="m:1")
    assert len(joined) == len(entries)  # every entry finds its person, once
    members = bb.members("project")
    assert {"project_key", "member_key"} <= set(members.columns)
    assert members["member_key"].notna().all()


def test_scopes_accept_keys(client: bb.Client) -> None:
    people = bb.people()
    plain = people[people["xid"].isna()].iloc[0]
    # a key is the id (as text) of an entity without xid, or the xid
    assert bb.people(company=str(plain["company_id"])).equals(
        bb.people(company=int(plain["company_id"]))
    )
    by_key = bb.time_entries("2026-10-01", "2026-10-31", person=[plain["key"]])
    by_id = bb.time_entries("2026-10-01", "2026-10-31", person=[int(plain["id"])])
    pd.testing.assert_frame_equal(by_key, by_id)
    assert len(by_key) > 0


def test_an_empty_frame_has_the_key_columns() -> None:
    empty = bb.to_frame("project", [])
    assert list(empty.columns) == schema.entity("project").columns
    assert str(empty["key"].dtype) == "string" and str(empty["company_key"].dtype) == "string"


def test_reports_and_their_files_show_every_entity_by_its_key(
    client: bb.Client, tmp_path: Any
) -> None:
    import io

    from beebole_pandas import cli, reports

    entries = bb.time_entries("2026-10-01", "2026-10-31")
    table = reports.timesheet(entries)
    assert table["person_key"].notna().all() and table["person_id"].isna().any()
    people = bb.people()
    assert len(table.merge(people, left_on="person_key", right_on="key", validate="1:1")) == len(
        table
    )
    path, _, _ = cli.run_report(
        client, "2026-10-01", "2026-10-31", tmp_path, title="t", stream=io.StringIO()
    )
    page = path.read_text()
    # the HTML shows the key, not an id column that is blank for entities with an xid
    assert "person_key" in page and "<th>person_id</th>" not in page
    with_xid = sorted(set(entries["person_xid"].dropna()))
    assert with_xid and all(xid in page for xid in with_xid)
    csv = pd.read_csv(tmp_path / "timesheet.csv", dtype=str)
    assert csv["person_key"].notna().all()
