"""plan() and push() against the sandbox: exact plans, exact server state, no waste."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from push_support import load_people, writes

import beebole_pandas as bb
from beebole_pandas.errors import PushError, SchemaError
from beebole_pandas.writeback import push as bp
from beebole_pandas.writeback.validate import detect_entity


@pytest.fixture
def client(fresh_server):
    return bb.connect(fresh_server.token, url=fresh_server.url)


def keyed(frame: pd.DataFrame) -> pd.DataFrame:
    key = frame["xid"].astype("object").where(frame["xid"].notna(), frame["id"].astype("object"))
    return frame.set_index(key.astype(str)).sort_index()


def new_people(company_id: int, xids: list[str | None], **columns) -> pd.DataFrame:
    n = len(xids)
    data = {
        "id": pd.array([None] * n, dtype="Int64"),
        "xid": pd.array(xids, dtype="string"),
        "name": pd.array([f"New Person {x or i}" for i, x in enumerate(xids)], dtype="string"),
        "email": pd.array([f"new{i}@example.com" for i in range(n)], dtype="string"),
        "user_group": pd.array(["employee"] * n, dtype="string"),
        "company_id": pd.array([company_id] * n, dtype="Int64"),
        "company_xid": pd.array([None] * n, dtype="string"),
        "active": pd.array([True] * n, dtype="boolean"),
    }
    data.update(columns)
    return pd.DataFrame(data)


def corporate_id(people: pd.DataFrame) -> int:
    return int(people["company_id"].dropna().mode().iloc[0])


def edited_people(people: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Edits, additions and invalid rows with known counts."""
    frame = people.copy()
    with_id = frame.index[frame["id"].notna()]
    frame.loc[with_id[0], "name"] = "Renamed Zero"
    frame.loc[with_id[1], "email"] = "changed.one@example.com"
    frame.loc[with_id[2], "active"] = not bool(frame.loc[with_id[2], "active"])
    # One row with two changes: one update and one activate/deactivate request.
    frame.loc[with_id[3], "name"] = "Renamed Three"
    frame.loc[with_id[3], "active"] = not bool(frame.loc[with_id[3], "active"])
    # Invalid: a company that does not exist.
    frame.loc[with_id[4], "company_id"] = 99999
    frame.loc[with_id[4], "company_xid"] = pd.NA
    company = corporate_id(people)
    additions = new_people(company, ["NEW-A", "NEW-B", "DUP", "DUP"])
    additions.loc[1, "active"] = False  # create then deactivate: two requests
    missing_name = new_people(company, ["NEW-NONAME"])
    missing_name["name"] = pd.array([None], dtype="string")
    frame = pd.concat([frame, additions, missing_name], ignore_index=True)
    counts = {"update": 4, "create": 2, "invalid": 4, "unchanged": len(people) - 5}
    return frame, counts


def test_plan_counts_a_mix_exactly_and_sends_only_reads(fresh_server, client):
    people = load_people(client)
    frame, counts = edited_people(people)
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan["action"].value_counts().to_dict() == counts
    assert list(plan.index) == list(frame.index)
    assert writes(fresh_server) == {}
    assert plan.reads == fresh_server.stats()["requests"]
    # name+active on one row is 2 requests, the inactive creation 2 as well.
    assert plan.requests == 1 + 1 + 1 + 2 + 1 + 2
    assert plan.fits and plan.requests_left is not None
    renamed = plan.loc[plan["changes"].str.contains("Renamed Zero", na=False)]
    assert len(renamed) == 1 and "name: " in renamed["changes"].iloc[0]
    assert " → 'Renamed Zero'" in renamed["changes"].iloc[0]
    reasons = plan.loc[plan["action"] == "invalid", "reason"].tolist()
    assert any("unknown company_id 99999" in r for r in reasons)
    assert sum("duplicate xid 'DUP'" in r for r in reasons) == 2
    assert any("name is missing" in r for r in reasons)
    assert "plan push person" in plan.summary and "fits in" in plan.summary
    assert plan.summary in plan._repr_html_()


def test_push_leaves_exactly_the_intended_state(fresh_server, client):
    people = load_people(client)
    frame, _ = edited_people(people)
    before = frame.copy()
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    pd.testing.assert_frame_equal(frame, before)  # never mutates the input
    assert list(result.index) == list(frame.index)
    assert result["status"].value_counts().to_dict() == {"ok": len(frame) - 4, "error": 4}
    assert result.requests == 8
    assert sum(writes(fresh_server).values()) == 8
    created = result[result["action"] == "create"]
    assert set(created["xid"]) == {"NEW-A", "NEW-B"}

    after = keyed(load_people(client))
    valid = result["action"] != "invalid"
    intended = keyed(frame[valid])
    # Invalid rows stay as they were on the server.
    invalid_existing = frame[(result["action"] == "invalid") & frame["id"].notna()]
    intended = pd.concat([intended, keyed(people[people["id"].isin(invalid_existing["id"])])])
    columns = ["name", "email", "user_group", "active", "company_id", "company_xid"]
    assert sorted(after.index) == sorted(intended.index)
    pd.testing.assert_frame_equal(
        after.loc[sorted(intended.index), columns],
        intended.loc[sorted(intended.index), columns],
        check_dtype=False,
    )


def test_unchanged_frame_costs_no_writes(fresh_server, client):
    people = load_people(client)
    fresh_server.reset_stats()
    result = bp.push(people, client=client, progress=False)
    assert result.ok and result.requests == 0
    assert set(result["action"]) == {"unchanged"}
    assert writes(fresh_server) == {}


def test_pushing_again_creates_no_duplicates(fresh_server, client):
    people = load_people(client)
    frame = pd.concat(
        [people, new_people(corporate_id(people), ["TWICE-1", "TWICE-2"])], ignore_index=True
    )
    first = bp.push(frame, client=client, progress=False)
    assert first.ok and (first["action"] == "create").sum() == 2
    fresh_server.reset_stats()
    second = bp.push(frame, client=client, progress=False)
    assert second.ok and set(second["action"]) == {"unchanged"}
    assert writes(fresh_server) == {}
    after = load_people(client)
    assert len(after) == len(people) + 2
    assert after["xid"].value_counts().max() == 1


def test_missing_reference_is_reported_and_not_sent(fresh_server, client):
    people = load_people(client)
    frame = new_people(corporate_id(people), ["REF-1", "REF-2"])
    frame.loc[0, "company_id"] = pd.NA
    frame.loc[0, "company_xid"] = "NO-SUCH-COMPANY"
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    assert result["status"].tolist() == ["error", "ok"]
    assert result.loc[0, "message"] == (
        "unknown company_xid 'NO-SUCH-COMPANY': no such company on the server"
    )
    assert writes(fresh_server) == {"person.create": 1}


def test_duplicate_xid_rows_are_invalid_and_others_still_go(fresh_server, client):
    people = load_people(client)
    frame = new_people(corporate_id(people), ["SAME", "OTHER", "SAME"])
    result = bp.push(frame, client=client, progress=False)
    assert result["status"].tolist() == ["error", "ok", "error"]
    assert result.loc[0, "message"].startswith("duplicate xid 'SAME': rows 0, 2 of the frame")
    assert "SAME" not in set(load_people(client)["xid"].dropna())


def test_update_of_an_unknown_id_is_invalid(fresh_server, client):
    people = load_people(client)
    frame = people.head(1).copy()
    frame["id"] = pd.array([987654], dtype="Int64")
    frame["xid"] = pd.array([None], dtype="string")
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid"]
    assert plan["reason"].iloc[0].startswith("no person with id 987654 on the server")


def test_budget_refusal_gives_the_numbers_and_sends_nothing(fresh_server, client, tmp_path):
    people = load_people(client)
    frame = people.copy()
    ids = frame.index[frame["id"].notna()][:8]
    frame.loc[ids, "name"] = [f"Budget {i}" for i in range(8)]
    reads = bp.plan(frame, client=client).reads

    def small_client(name: str):
        # Its own meter: reading the plan, then 3 requests left.
        return bb.connect(
            fresh_server.token,
            url=fresh_server.url,
            daily_requests=reads + 3,
            cache_dir=tmp_path / name,
            set_default=False,  # keep `client` open: connecting a default closes the previous one
        )

    fresh_server.reset_stats()
    with pytest.raises(PushError) as caught:
        bp.push(frame, client=small_client("refused"), progress=False)
    assert caught.value.message.startswith(
        f"push needs 8 write requests but only 3 are left in today's budget (the plan itself read {reads})"
    )
    assert "wait for the reset at " in caught.value.message and " UTC" in caught.value.message
    assert "send_what_fits=True" in caught.value.message
    assert writes(fresh_server) == {}

    fits = bp.push(frame, client=small_client("fits"), progress=False, send_what_fits=True)
    # The rows that fit are the first ones, in input order.
    assert fits.loc[ids, "status"].tolist() == ["ok"] * 3 + ["skipped"] * 5
    assert fits.loc[ids[3:], "message"].str.contains("budget").all()
    assert writes(fresh_server) == {"person.update": 3}
    after = keyed(load_people(client))
    assert (after["name"].str.startswith("Budget ")).sum() == 3


def test_rows_without_keys_are_created_with_a_warning(fresh_server, client):
    people = load_people(client)
    frame = new_people(corporate_id(people), [None])
    with pytest.warns(UserWarning, match="neither id nor xid.*give them an xid"):
        result = bp.push(frame, client=client, progress=False)
    assert result.ok and result["id"].notna().all()


def test_unknown_columns_warn_and_are_ignored(fresh_server, client):
    people = load_people(client)
    frame = people.assign(notes="my own column")
    fresh_server.reset_stats()
    with pytest.warns(UserWarning, match="ignoring 1 column.*notes"):
        plan = bp.plan(frame, client=client)
    assert set(plan["action"]) == {"unchanged"}


def test_bad_types_are_reported_per_row(fresh_server, client):
    people = load_people(client)
    frame = people.head(2).astype({"active": "object"})
    frame.loc[frame.index[0], "active"] = "sometimes"
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid", "unchanged"]
    assert plan["reason"].iloc[0] == "active: 'sometimes' is not True or False"


def test_dry_run_sends_nothing(fresh_server, client):
    people = load_people(client)
    frame = people.copy()
    frame.loc[frame.index[0], "name"] = "Dry"
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, dry_run=True)
    assert writes(fresh_server) == {}
    assert result.loc[frame.index[0], "status"] == "skipped"
    assert result.loc[frame.index[0], "message"].startswith("dry run: would update name:")
    assert "dry run" in result.summary


def test_projects_round_trip_dates_and_numbers(fresh_server, client):
    projects = bb.projects(client=client, refresh=True)
    frame = projects.copy()
    first = frame.index[0]
    frame.loc[first, "start_date"] = pd.Timestamp("2026-01-15")
    frame.loc[first, "description"] = "new description"
    plan = bp.plan(frame, client=client)
    assert plan.loc[first, "changes"].count("→") == 2
    assert bp.push(frame, client=client, progress=False).ok
    after = keyed(bb.projects(client=client, refresh=True))
    row = keyed(frame).loc[keyed(frame.loc[[first]]).index[0]]
    key = keyed(frame.loc[[first]]).index[0]
    assert after.loc[key, "start_date"] == pd.Timestamp("2026-01-15")
    assert after.loc[key, "description"] == row["description"]
    assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}


def test_entity_detection():
    assert detect_entity(pd.DataFrame(columns=["id", "name", "corporate"])).name == "company"
    assert detect_entity(pd.DataFrame(columns=["date", "hours", "person_id"])).name == "time_entry"
    with pytest.raises(
        SchemaError, match=r"fit 'person', 'project', 'task' or 'absence'; pass entity="
    ):
        detect_entity(pd.DataFrame(columns=["id", "xid", "name", "company_id", "active"]))
    assert detect_entity(pd.DataFrame(columns=["id", "name"]), "absence").name == "absence"
    with pytest.raises(SchemaError, match="none of its columns"):
        detect_entity(pd.DataFrame(columns=["foo"]))


def test_custom_fields_cannot_be_pushed(fresh_server, client):
    frame = pd.DataFrame({"id": [1], "name": ["x"], "available_for": ["Person"]})
    with pytest.raises(PushError, match="custom_field rows cannot be written"):
        bp.push(frame, client=client)


def test_result_frame_renders(fresh_server, client):
    people = load_people(client)
    frame = pd.concat(
        [people.head(3), new_people(corporate_id(people), ["HTML-1"])], ignore_index=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = bp.push(frame, client=client, progress=False)
    assert result.summary == (
        f"push person: 4 rows: 1 create, 3 unchanged; 1 written, 3 unchanged, 0 failed; "
        f"1 request sent in {result.seconds:.1f} s"
    )
    html = result._repr_html_()
    assert result.summary in html and "HTML-1" in html
    assert repr(result).startswith(result.summary)
    # Slices are plain frames.
    assert type(result[result["status"] == "ok"]) is pd.DataFrame


def test_groups_rename_create_and_delete(fresh_server, client):
    groups = bb.groups(client=client, refresh=True)
    frame = groups.copy()
    root = frame.index[frame["depth"] == 0][0]
    frame.loc[root, "name"] = "Renamed Root"
    parent = frame.loc[[root]]
    child = pd.DataFrame(
        {
            "xid": pd.array(["G-NEW"], dtype="string"),
            "name": pd.array(["New Team"], dtype="string"),
            "parent_id": parent["id"].array,
            "parent_xid": parent["xid"].array,
        }
    )
    frame = pd.concat([frame, child], ignore_index=True)
    plan = bp.plan(frame, client=client, entity="group")
    assert plan["action"].value_counts().to_dict() == {
        "unchanged": len(groups) - 1,
        "update": 1,
        "create": 1,
    }
    assert bp.push(frame, client=client, progress=False).ok
    after = bb.groups(client=client, refresh=True)
    assert len(after) == len(groups) + 1
    new = after[after["xid"] == "G-NEW"].iloc[0]
    assert new["path"] == "Renamed Root/New Team"
    assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}
    gone = bp.delete(after[after["xid"] == "G-NEW"], client=client, progress=False)
    assert gone.ok and gone["action"].tolist() == ["delete"]
    assert "G-NEW" not in set(bb.groups(client=client, refresh=True)["xid"].dropna())


def test_moving_a_person_to_another_company_is_an_update(fresh_server, client):
    people = load_people(client)
    companies = bb.companies(client=client, refresh=True)
    person = people[people["id"].notna()].head(1).copy()
    here = person["company_id"].iloc[0], person["company_xid"].iloc[0]
    other = companies[
        (companies["id"].astype("object") != here[0])
        & (companies["xid"].astype("object") != here[1])
    ].iloc[0]
    person["company_id"] = pd.array([other["id"]], dtype="Int64")
    person["company_xid"] = pd.array([other["xid"]], dtype="string")
    plan = bp.plan(person, client=client)
    assert plan["action"].tolist() == ["update"]
    assert plan["changes"].iloc[0].startswith("company_")
    assert bp.push(person, client=client, progress=False).ok
    after = load_people(client)
    moved = after.set_index("id").loc[person["id"].iloc[0]]
    expected = other["xid"] if pd.notna(other["xid"]) else other["id"]
    assert (
        moved["company_xid"] if pd.notna(moved["company_xid"]) else moved["company_id"]
    ) == expected
    assert len(after) == len(people)


def test_empty_frame_reads_nothing(fresh_server, client):
    empty = load_people(client).head(0)
    fresh_server.reset_stats()
    result = bp.push(empty, client=client)
    assert len(result) == 0 and result.ok
    assert fresh_server.stats()["requests"] == 0


def test_progress_bar_and_sequential_workers(fresh_server, client, capsys):
    people = load_people(client)
    frame = people.copy()
    frame.loc[frame.index[:3], "name"] = ["P1", "P2", "P3"]
    result = bp.push(frame, client=client, workers=1, progress=True)
    assert result.ok and result.requests == 3
    assert "push person" in capsys.readouterr().err


def test_new_subgroups_wait_for_their_new_parents(fresh_server, client):
    groups = bb.groups(client=client, refresh=True)
    names = ["Region", "Country", "City", "District"]
    chain = pd.DataFrame(
        {
            "xid": pd.array([f"W-{n}" for n in names], dtype="string"),
            "name": pd.array(names, dtype="string"),
            "parent_xid": pd.array([None] + [f"W-{n}" for n in names[:-1]], dtype="string"),
        }
    ).iloc[::-1]  # children first in the frame: the waves must reorder the sends
    result = bp.push(chain, entity="group", client=client, workers=8, progress=False)
    assert result.ok, result.errors
    after = bb.groups(client=client, refresh=True)
    assert len(after) == len(groups) + 4
    assert after.loc[after["xid"] == "W-District", "path"].iloc[0] == "Region/Country/City/District"


def test_a_reference_id_edited_next_to_its_xid_is_invalid(fresh_server, client):
    projects = bb.projects(client=client, refresh=True)
    frame = projects[projects["xid"] == "P-ACME-ERP"].copy()
    assert frame["company_xid"].tolist() == ["C-ACME"]
    frame["company_id"] = 101
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid"]
    assert plan["reason"].iloc[0] == (
        "company_id 101 and company_xid 'C-ACME' are both set but the server has xid 'C-ACME': "
        "set only one of them (clear company_xid to use company_id 101, or clear company_id "
        "to use company_xid 'C-ACME')"
    )
    frame["company_xid"] = pd.NA
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["update"]
    assert plan["changes"].iloc[0] == "company_id: xid 'C-ACME' → id 101"


def test_a_group_under_an_unknown_parent_is_invalid(fresh_server, client):
    groups = bb.groups(client=client, refresh=True)
    frame = groups.head(3).copy()
    frame["id"] = pd.array([None] * 3, dtype="Int64")
    frame["xid"] = pd.array(["G-NEW", "G-CHILD", "G-ORPHAN"], dtype="string")
    frame["parent_id"] = pd.array([201, None, None], dtype="Int64")
    frame["parent_xid"] = pd.array([None, "G-NEW", "G-NOPE"], dtype="string")
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["create", "create", "invalid"]
    assert plan["reason"].iloc[2] == (
        "unknown parent_xid 'G-NOPE': no such group on the server or among the frame's new rows"
    )
    assert fresh_server.stats()["by_service"] == {"group.tree": 1}


def test_a_new_xid_is_asked_for_rather_than_listing_every_company(fresh_server, client):
    people = bb.people(client=client, refresh=True)
    new = people.head(1).copy()
    new["id"] = pd.array([None], dtype="Int64")
    new["xid"] = pd.array(["E-NEW-1"], dtype="string")
    new["email"] = "new.person@example.com"
    fresh_server.reset_stats()
    plan = bp.plan(new, client=client)
    assert plan["action"].tolist() == ["create"]
    # One company's list and one get, not the people of all 8 companies.
    assert fresh_server.stats()["by_service"] == {
        "company.list": 1,
        "person.list": 1,
        "person.get": 1,
    }
    assert plan.reads == 3
    # A row that moved to a company it does not name is found by that get.
    moved = people.head(1).copy()
    other = int(
        people.loc[people["company_id"] != moved["company_id"].iloc[0], "company_id"]
        .dropna()
        .iloc[0]
    )
    moved["company_id"] = other
    moved["company_xid"] = pd.NA
    fresh_server.reset_stats()
    plan = bp.plan(moved, client=client)
    assert plan["action"].tolist() == ["update"]
    assert fresh_server.stats()["by_service"]["person.get"] == 1
