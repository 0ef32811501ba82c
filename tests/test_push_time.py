"""Time entries: plan, push and re-run, frozen entries, the workflow, delete."""

from __future__ import annotations

import pandas as pd
import pytest
from push_support import load_people, writes

import beebole_pandas as bb
from beebole_pandas.errors import PushError, SchemaError
from beebole_pandas.writeback import push as bp

PERSON = 1004
START, END = "2026-11-01", "2026-11-30"


@pytest.fixture
def client(fresh_server):
    return bb.connect(fresh_server.token, url=fresh_server.url)


def load_entries(client, start: str = START, end: str = END) -> pd.DataFrame:
    return bb.time_entries(start, end, person=PERSON, client=client, refresh=True)


def test_time_entries_plan_push_and_rerun(fresh_server, client):
    entries = load_entries(client)
    drafts = entries.index[entries["status"] == "draft"]
    assert len(drafts) >= 2
    frame = entries.copy()
    frame.loc[drafts[0], "hours"] = 1.25
    frame.loc[drafts[1], "comment"] = "fixed comment"
    new = entries.loc[[drafts[0], drafts[0], drafts[0]]].copy()
    new["id"] = pd.array([None] * 3, dtype="Int64")
    new["hours"] = [0.5, 31.0, 2.0]
    new["comment"] = ["added by push", "too many hours", "no target"]
    for ref in ("company", "project", "subproject", "absence"):
        new.iloc[2, new.columns.get_loc(f"{ref}_id")] = pd.NA
        new.iloc[2, new.columns.get_loc(f"{ref}_xid")] = pd.NA
        new.iloc[2, new.columns.get_loc(f"{ref}_name")] = pd.NA  # names are references too
    frame = pd.concat([frame, new], ignore_index=True)
    plan = bp.plan(frame, client=client)
    assert plan["action"].value_counts().to_dict() == {
        "unchanged": len(entries) - 2,
        "update": 2,
        "create": 1,
        "invalid": 2,
    }
    reasons = plan.loc[plan["action"] == "invalid", "reason"].tolist()
    assert reasons[0] == "hours 31.0 is outside [0, 24]"
    assert reasons[1].startswith("nothing to log time on: set one of company_id")

    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    assert writes(fresh_server) == {"time_entry.update": 2, "time_entry.create": 1}
    created_id = result.loc[result["action"] == "create", "id"].iloc[0]
    assert pd.notna(created_id)

    after = load_entries(client).set_index("id")
    assert after.loc[entries.loc[drafts[0], "id"], "hours"] == 1.25
    assert after.loc[entries.loc[drafts[1], "id"], "comment"] == "fixed comment"
    assert after.loc[created_id, "comment"] == "added by push"
    assert len(after) == len(entries) + 1

    # Again: the new row (still without id) is matched to the entry it created.
    fresh_server.reset_stats()
    again = bp.push(frame, client=client, progress=False)
    assert writes(fresh_server) == {}
    assert again.loc[len(entries), "action"] == "unchanged"
    assert again.loc[len(entries), "id"] == created_id
    assert again.loc[len(entries), "message"] == f"already on the server as entry {created_id}"
    assert len(load_entries(client)) == len(entries) + 1


def test_identical_new_entries_are_each_created_once(fresh_server, client):
    entries = load_entries(client)
    draft = entries.index[entries["status"] == "draft"][0]
    twins = entries.loc[[draft, draft]].copy()
    twins["id"] = pd.array([None, None], dtype="Int64")
    twins["comment"] = "twin"
    first = bp.push(twins, client=client, progress=False)
    assert first["action"].tolist() == ["create", "create"]
    second = bp.push(twins, client=client, progress=False)
    assert second["action"].tolist() == ["unchanged", "unchanged"]
    assert set(second["id"]) == set(first["id"]) and len(set(first["id"])) == 2
    assert (load_entries(client)["comment"] == "twin").sum() == 2


def test_approved_and_locked_entries_get_a_clear_error(fresh_server, client):
    entries = load_entries(client, "2026-06-01", "2026-09-30")
    frozen = entries[entries["status"].isin(["approved", "locked"])]
    assert {"approved", "locked"} <= set(frozen["status"])
    approved = frozen.index[frozen["status"] == "approved"][0]
    locked = frozen.index[frozen["status"] == "locked"][0]
    frame = entries.loc[[approved, locked]].copy()
    frame["hours"] = 0.25
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    assert result["status"].tolist() == ["error", "error"]
    entry, day = frame.loc[approved, "id"], frame.loc[approved, "date"].strftime("%Y-%m-%d")
    assert result.loc[approved, "message"] == (
        f"time entry {entry} on {day} is approved: approved entries cannot be changed; "
        "have it rejected first"
    )
    assert (
        "is locked: locked entries cannot be changed; unlock it first"
        in result.loc[locked, "message"]
    )
    assert writes(fresh_server) == {}


def test_workflow_moves_the_frames_people_over_its_dates(fresh_server, client):
    entries = load_entries(client)
    drafts = (entries["status"] == "draft").sum()
    assert drafts > 0
    submitted = entries.beebole.submit(client=client)
    assert submitted["status"].tolist() == ["ok"] and submitted.requests == 1
    assert submitted.loc[0, "from"] == entries["date"].min()
    assert (load_entries(client)["status"] == "draft").sum() == 0
    entries.beebole.approve(client=client)
    statuses = load_entries(client)["status"]
    assert set(statuses) == {"approved"}
    entries.beebole.lock(client=client)
    assert set(load_entries(client)["status"]) == {"locked"}
    entries.beebole.unlock(client=client)
    assert set(load_entries(client)["status"]) == {"approved"}
    with pytest.raises(SchemaError, match="reject needs a memo"):
        entries.beebole.reject(memo="", client=client)


def test_reject_sends_the_memo(fresh_server, client):
    entries = load_entries(client)
    submitted = entries[entries["status"] == "submitted"]
    assert len(submitted)
    result = submitted.beebole.reject(memo="Wrong project code", client=client)
    assert result.ok
    after = load_entries(client).set_index("id")
    assert set(after.loc[submitted["id"], "status"]) == {"rejected"}
    memo = fresh_server.backend.store.scalar(
        "SELECT memo FROM time_entry WHERE id=?", (int(submitted["id"].iloc[0]),)
    )
    assert memo == "Wrong project code"


def test_delete_is_explicit_has_a_dry_run_and_can_run_again(fresh_server, client):
    entries = load_entries(client)
    doomed = entries[entries["status"] == "draft"].head(2)
    fresh_server.reset_stats()
    dry = bp.delete(doomed, client=client, dry_run=True)
    assert dry["action"].tolist() == ["delete", "delete"] and dry.requests == 2
    assert writes(fresh_server) == {}
    done = doomed.beebole.delete(client=client, progress=False)
    assert done.ok and writes(fresh_server) == {"time_entry.delete": 2}
    assert not load_entries(client)["id"].isin(doomed["id"]).any()
    again = doomed.beebole.delete(client=client, progress=False)
    assert again.ok and again["action"].tolist() == ["missing", "missing"]
    with pytest.raises(PushError, match="cannot delete a person; deactivate it instead"):
        load_people(client).beebole.delete(client=client)


def test_push_never_deletes(fresh_server, client):
    entries = load_entries(client)
    fresh_server.reset_stats()
    assert bp.push(entries.head(3), client=client, progress=False).ok
    assert writes(fresh_server) == {}
    assert len(load_entries(client)) == len(entries)


def test_status_edits_are_not_pushed_and_say_how(fresh_server, client):
    entries = load_entries(client)
    frame = entries.head(2).copy()
    frame.loc[frame.index[0], "status"] = (
        "approved" if frame["status"].iloc[0] != "approved" else "draft"
    )
    with pytest.warns(
        UserWarning, match=r"1 row\(s\) have a status other.*submit\(\), approve\(\)"
    ):
        plan = bp.plan(frame, client=client)
    assert set(plan["action"]) == {"unchanged"}


def test_time_entry_values_are_validated(fresh_server, client):
    entries = load_entries(client)
    frame = entries.head(3).astype({"date": "object", "hours": "object"})
    frame["id"] = pd.array([None] * 3, dtype="Int64")
    frame.loc[frame.index[0], "date"] = "2026-02-30"
    frame.loc[frame.index[1], "hours"] = "7,5"
    frame.loc[frame.index[2], "person_id"] = 99999
    frame.loc[frame.index[2], "person_xid"] = pd.NA
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid"] * 3
    assert plan["reason"].tolist() == [
        "date: '2026-02-30' is not a date (YYYY-MM-DD)",
        "hours: '7,5' is not a number",
        "unknown person id 99999: no such person on the server",
    ]


def test_cached_reads_see_the_push(fresh_server, client):
    people = bb.people(client=client)  # cached from here on
    frame = people.copy()
    frame.loc[frame.index[0], "name"] = "Seen After Push"
    before = frame.copy()
    assert bp.push(frame, client=client, progress=False).ok
    pd.testing.assert_frame_equal(frame, before)
    assert "Seen After Push" in set(bb.people(client=client)["name"])

    entries = bb.time_entries(START, END, person=PERSON, client=client)
    edited = entries.copy()
    draft = edited.index[edited["status"] == "draft"][0]
    edited.loc[draft, "hours"] = 0.1
    snapshot = edited.copy()
    assert bp.push(edited, client=client, progress=False).ok
    pd.testing.assert_frame_equal(edited, snapshot)
    cached = bb.time_entries(START, END, person=PERSON, client=client).set_index("id")
    assert cached.loc[edited.loc[draft, "id"], "hours"] == 0.1


def test_with_ids_lets_new_rows_be_edited_and_pushed_again(fresh_server, client):
    entries = load_entries(client)
    new = entries.iloc[[0]].copy()
    new["id"] = pd.array([None], dtype="Int64")
    new["comment"] = "edited later"
    frame = pd.concat([entries, new], ignore_index=True)
    result = bp.push(frame, client=client, progress=False)
    frame = result.with_ids(frame)
    assert frame["id"].notna().all() and frame["id"].iloc[-1] == result["id"].iloc[-1]
    frame.loc[frame.index[-1], "hours"] = 6.5
    second = bp.push(frame, client=client, progress=False)
    assert second["action"].iloc[-1] == "update"
    after = load_entries(client)
    assert len(after) == len(entries) + 1
    assert after.loc[after["comment"] == "edited later", "hours"].tolist() == [6.5]
    with pytest.raises(ValueError, match="needs the frame that was pushed"):
        result.with_ids(entries)


def test_many_people_are_read_with_an_export_not_one_list_each(fresh_server, client):
    entries = bb.time_entries("2026-11-02", "2026-11-06", client=client, refresh=True)
    people = (
        entries["person_id"]
        .astype("object")
        .where(entries["person_id"].notna(), entries["person_xid"].astype("object"))
    )
    assert people.nunique() > 20
    frame = entries.copy()
    editable = frame.index[
        frame["status"].isin(["draft", "submitted", "rejected"]) & (frame["hours"] != 0.75)
    ][:2]
    assert len(editable) == 2
    frame.loc[editable, "hours"] = 0.75
    stranger = frame.iloc[[0]].copy()
    stranger["id"] = pd.array([None], dtype="Int64")
    stranger["person_id"] = pd.array([99999], dtype="Int64")
    stranger["person_xid"] = pd.array([None], dtype="string")
    frame = pd.concat([frame, stranger], ignore_index=True)
    bb.people(client=client)  # the head count use_export() weighs the export with (cached)
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan.reads == fresh_server.stats()["requests"] <= 8
    assert "time_entry.list" in fresh_server.stats()["by_service"]  # only for the stranger
    assert plan["action"].value_counts().to_dict() == {
        "unchanged": len(entries) - 2,
        "update": 2,
        "invalid": 1,
    }
    assert plan["reason"].iloc[-1] == "unknown person id 99999: no such person on the server"


def test_an_entry_moved_to_another_person_is_an_update(fresh_server, client):
    entries = bb.time_entries("2026-11-02", "2026-11-06", client=client, refresh=True)
    ids = entries["person_id"].dropna().unique()
    frame = entries.copy()
    row = frame.index[
        frame["status"].isin(["draft", "submitted", "rejected"]) & frame["person_id"].eq(ids[0])
    ][0]
    frame.loc[row, "person_id"] = ids[1]
    plan = bp.plan(frame, client=client)
    assert plan.loc[row, "action"] == "update"
    assert plan.loc[row, "changes"] == f"person: id {ids[0]} → id {ids[1]}"
    assert bp.push(frame, client=client, progress=False).ok
    after = bb.time_entries("2026-11-02", "2026-11-06", client=client, refresh=True)
    assert after.set_index("id").loc[frame.loc[row, "id"], "person_id"] == ids[1]
    assert len(after) == len(entries)


def october_entry(client, ident: int) -> pd.DataFrame:
    """One entry of the demo's October, loaded as a user would (by its person)."""
    person = 1002  # the demo's entry 114358 (subproject 5001 under project 3002)
    entries = bb.time_entries("2026-10-01", "2026-10-31", person=person, client=client)
    return entries[entries["id"] == ident].copy()


def test_a_changed_project_under_a_kept_subproject_is_invalid(fresh_server, client):
    frame = october_entry(client, 114358)
    assert frame["subproject_id"].iloc[0] == 5001 and frame["project_id"].iloc[0] == 3002
    frame["project_id"] = 3009
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid"]
    assert plan["reason"].iloc[0] == (
        "project changed from id 3002 to id 3009 but the entry is logged on subproject id "
        "5001: clear subproject_id/subproject_xid to log it on the project"
    )
    # Doing what the reason says logs the entry on the project.
    frame["subproject_id"] = pd.array([None], dtype="Int64")
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["update"]
    assert plan["changes"].iloc[0] == "entity: subproject id 5001 → project id 3009"


def test_a_reference_whose_id_and_xid_disagree_is_invalid(fresh_server, client):
    entries = load_entries(client)
    row = entries.index[entries["task_xid"].notna() & entries["status"].eq("draft")][0]
    frame = entries.loc[[row]].copy()
    xid = frame["task_xid"].iloc[0]
    frame["task_id"] = 7006  # a task without xid: the row now names two tasks
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid"]
    assert plan["reason"].iloc[0] == (
        f"task_id 7006 and task_xid {xid!r} are both set but the server has xid {xid!r}: "
        f"set only one of them (clear task_xid to use task_id 7006, or clear task_id to use "
        f"task_xid {xid!r})"
    )


def test_an_update_without_some_columns_keeps_the_servers_values(fresh_server, client):
    entries = load_entries(client)
    drafts = entries[entries["status"].eq("draft") & entries["task_id"].notna()].head(2)
    assert len(drafts) == 2
    kept = ["id", "date", "person_id", "person_xid", "company_id", "company_xid"]
    kept += ["project_id", "project_xid", "subproject_id", "subproject_xid", "hours", "comment"]
    frame = drafts[kept].copy()
    frame["hours"] = 3.5
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["update", "update"]
    assert set(plan["changes"]) == {f"hours: {h} → 3.5" for h in drafts["hours"]}
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    assert result["status"].tolist() == ["ok", "ok"]
    assert writes(fresh_server) == {"time_entry.update": 2}
    after = load_entries(client).set_index("id").loc[drafts["id"]]
    assert after["hours"].tolist() == [3.5, 3.5]
    assert after["task_id"].tolist() == drafts["task_id"].tolist()


def test_unknown_references_are_invalid_before_anything_is_sent(fresh_server, client):
    entries = load_entries(client)
    new = entries[entries["absence_id"].isna() & entries["absence_xid"].isna()].head(1).copy()
    assert len(new) == 1
    new["id"] = pd.array([None], dtype="Int64")
    new["subproject_id"] = pd.array([None], dtype="Int64")
    new["subproject_xid"] = pd.array([None], dtype="string")
    new["project_id"] = 999999
    new["project_xid"] = pd.NA
    new["task_id"] = 999998
    new["task_xid"] = pd.NA
    fresh_server.reset_stats()
    plan = bp.plan(new, client=client)
    assert plan["action"].tolist() == ["invalid"]
    assert plan["reason"].iloc[0] == (
        "unknown project_id 999999: no such project on the server; "
        "unknown task_id 999998: no such task on the server"
    )
    by_service = fresh_server.stats()["by_service"]
    assert by_service == {"time_entry.list": 1, "project.get": 1, "task.get": 1}
    assert plan.reads == 3
    result = bp.push(new, client=client, progress=False)
    assert result["status"].tolist() == ["error"]
    assert writes(fresh_server) == {}
    # References the server's entries show are not asked about again.
    fresh_server.reset_stats()
    assert set(bp.plan(entries, client=client)["action"]) == {"unchanged"}
    assert fresh_server.stats()["by_service"] == {"time_entry.list": 1}


def test_far_apart_dates_are_read_around_them_only(fresh_server, client):
    first = bb.time_entries("2025-12-01", "2025-12-05", client=client)
    last = bb.time_entries("2026-11-23", "2026-11-27", client=client)
    pick = first["person_id"].dropna().unique()[:7]
    frame = pd.concat(
        [
            first[first["person_id"].isin(pick)].groupby("person_id").head(1),
            last[last["person_id"].isin(pick)].groupby("person_id").head(1),
        ],
        ignore_index=True,
    )
    assert len(frame) == 14 and frame["person_id"].nunique() == 7
    bb.people(client=client)  # the head count use_export() weighs the export with (cached)
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert set(plan["action"]) == {"unchanged"}
    stats = fresh_server.stats()
    # The year between the two weeks is not read (it was 1475 KB in 4 requests):
    # one list per person and week.
    assert stats["by_service"] == {"time_entry.list": 14}
    assert plan.reads == stats["requests"] and stats["bytes"] < 30 * 1024, stats
