"""Edits happen or are reported: the problems an analyst met, each reproduced.

One test (or a few) per numbered problem of the issue "Tried as a new analyst
would": 2. moving an entry to another date; 3. edits that vanished; 8. results
people can read. Each runs against a demo sandbox of its own.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from push_support import load_people, push_until_ok, writes

import beebole_pandas as bb
from beebole_pandas.writeback import push as bp

THOMAS = 1017  # Thomas Lambert: an 8 h draft on 2026-11-10 (entry 116290)
AMELIA = 1004  # Amelia Hughes
START, END = "2026-11-01", "2026-11-30"


@pytest.fixture
def client(fresh_server):
    # A short backoff keeps the read retries of the fault tests fast.
    return bb.connect(fresh_server.token, url=fresh_server.url, backoff=0.01)


def entries_of(client, person: int, start: str = START, end: str = END) -> pd.DataFrame:
    return bb.time_entries(start, end, person=person, client=client, refresh=True)


# -- 2. moving an entry to another date -------------------------------------------------


def test_moving_a_draft_to_the_next_day_moves_it(fresh_server, client):
    # The scenario: the 8 h draft of 2026-11-10, loaded with its day,
    # moved to 2026-11-11. It planned "invalid: not found ... drop its id".
    day = entries_of(client, THOMAS, "2026-11-10", "2026-11-10")
    frame = day[day["status"].eq("draft") & day["hours"].eq(8.0)].copy()
    assert len(frame) == 1
    ident = int(frame["id"].iloc[0])
    before = entries_of(client, THOMAS, "2026-11-10", "2026-11-11")
    frame["date"] = pd.Timestamp("2026-11-11")

    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["update"]
    assert plan["changes"].iloc[0] == "date: '2026-11-10' → '2026-11-11'"
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    assert result.ok, result.errors
    assert writes(fresh_server) == {"time_entry.update": 1}

    after = entries_of(client, THOMAS, "2026-11-10", "2026-11-11")
    assert sorted(after["id"]) == sorted(before["id"])  # nothing duplicated, nothing lost
    assert after.set_index("id").loc[ident, "date"] == pd.Timestamp("2026-11-11")
    per_day = after.groupby("date")["hours"].sum()
    old = before.groupby("date")["hours"].sum()
    assert per_day.get(pd.Timestamp("2026-11-10"), 0) == old[pd.Timestamp("2026-11-10")] - 8
    assert per_day[pd.Timestamp("2026-11-11")] == old[pd.Timestamp("2026-11-11")] + 8
    assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}


def test_a_row_sliced_from_a_month_moves_weeks_away(fresh_server, client):
    # One row of everyone's month, moved outside the weeks it is read around.
    month = bb.time_entries(START, END, client=client, refresh=True)
    row = month.index[month["id"].eq(116290)]
    frame = month.loc[row].copy()
    frame["date"] = pd.Timestamp("2026-11-27")
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["update"], plan["reason"].tolist()
    assert bp.push(frame, client=client, progress=False).ok
    # Read back per person: the sandbox's export still dates a moved entry by
    # its old start time (stime), which time_entry.update leaves as it was.
    after = entries_of(client, THOMAS)
    assert sorted(after["id"]) == sorted(month.loc[month["person_id"].eq(THOMAS), "id"])
    assert after.set_index("id").loc[116290, "date"] == pd.Timestamp("2026-11-27")


def test_an_entry_not_found_is_not_advised_to_be_logged_twice(fresh_server, client):
    # Without the loaders' record of the period, push cannot know the old date:
    # the row is refused, and the reason no longer says to drop the id (which
    # created a second entry, while the first one stayed).
    day = entries_of(client, THOMAS, "2026-11-10", "2026-11-10")
    frame = day[day["id"].eq(116290)].copy()
    frame.attrs = {}
    frame["date"] = pd.Timestamp("2026-11-27")
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid"]
    reason = plan["reason"].iloc[0]
    assert "drop its id to create it again" not in reason
    assert "116290" in reason and "twice" in reason


def test_deleting_a_row_whose_date_was_edited_deletes_its_entry(fresh_server, client):
    # It was "missing: already deleted" (ok), while the entry stayed on its old date.
    day = entries_of(client, THOMAS, "2026-11-10", "2026-11-10")
    frame = day[day["id"].eq(116290)].copy()
    frame["date"] = pd.Timestamp("2026-11-27")
    result = bp.delete(frame, client=client, progress=False)
    assert result["action"].tolist() == ["delete"] and result.ok
    assert 116290 not in set(entries_of(client, THOMAS)["id"])


@pytest.mark.parametrize("kind", ["http500", "lost_response"])
def test_moves_under_faults_converge_without_duplicates(fresh_server, client, kind):
    month = entries_of(client, AMELIA)
    drafts = month.index[month["status"].eq("draft")][:6]
    assert len(drafts) == 6
    frame = month.loc[drafts].copy()  # only the moved rows: their old dates are not read
    targets = [pd.Timestamp(f"2026-11-{d:02d}") for d in (2, 3, 4, 5, 6, 30)]
    frame["date"] = targets
    result, failures = push_until_ok(
        fresh_server, frame, client, kind, attempts=30, probability=0.35, seed=11, workers=3
    )
    assert sum(fresh_server.stats()["faults"].values()) > 0
    assert failures > 0 and result.ok

    after = entries_of(client, AMELIA)
    assert sorted(after["id"]) == sorted(month["id"])  # nothing duplicated, nothing lost
    dates = after.set_index("id")["date"]
    assert dates.loc[frame["id"]].tolist() == targets
    assert after["hours"].sum() == pytest.approx(month["hours"].sum())
    assert set(bp.plan(frame, client=client)["action"]) == {"unchanged"}


# -- 3. edits that vanished ---------------------------------------------------------------


def test_a_project_name_edit_moves_the_entry_to_that_project(fresh_server, client):
    month = bb.time_entries(START, END, client=client, refresh=True)
    pick = month["status"].eq("draft") & month["project_name"].eq("Internal Tools")
    row = month.index[pick & month["task_name"].eq("Design")][0]
    frame = month.loc[[row]].copy()
    frame["project_name"] = "Analytics Dashboard"  # ids left as they were
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["update"], plan["reason"].tolist()
    assert plan["changes"].iloc[0] == "entity: project xid 'P-INT-TOOLS' → project id 3008"
    assert bp.push(frame, client=client, progress=False).ok
    after = bb.time_entries(START, END, client=client, refresh=True).set_index("id")
    moved = after.loc[frame["id"].iloc[0]]
    assert (moved["project_id"], moved["project_name"]) == (3008, "Analytics Dashboard")
    assert moved["company_name"] == "Globex Corporation"


def test_a_person_name_edit_moves_the_entry_to_that_person(fresh_server, client):
    month = entries_of(client, AMELIA)
    row = month.index[month["status"].eq("draft")][0]
    frame = month.copy()
    frame.loc[row, "person_name"] = "Thomas Lambert"
    plan = bp.plan(frame, client=client)
    assert plan.loc[row, "action"] == "update"
    assert plan.loc[row, "changes"] == f"person: id {AMELIA} → id {THOMAS}"
    assert set(plan.drop(index=row)["action"]) == {"unchanged"}
    assert bp.push(frame, client=client, progress=False).ok
    theirs = entries_of(client, THOMAS)
    assert month.loc[row, "id"] in set(theirs["id"])


def test_unknown_and_ambiguous_names_are_invalid_per_row(fresh_server, client):
    # A second "Recruiting" project, in another company: the name is now ambiguous.
    twin = pd.DataFrame(
        {
            "xid": pd.array(["P-TWIN"], dtype="string"),
            "name": pd.array(["Recruiting"], dtype="string"),
            "company_id": pd.array([104], dtype="Int64"),
        }
    )
    assert bp.push(twin, entity="project", client=client, progress=False).ok
    month = entries_of(client, AMELIA)
    row = month.index[month["status"].eq("draft")][:3]
    frame = month.loc[row].copy()
    frame["project_name"] = ["No Such Project", "Recruiting", "Recruiting"]
    # The names are the rows' only references to their project and subproject.
    for column in ("project_id", "project_xid", "subproject_id", "subproject_xid"):
        frame[column] = pd.NA
    frame["subproject_name"] = pd.NA
    # The third row names its company: that picks one of the two.
    frame["company_id"] = pd.array([None, None, 101], dtype="Int64")
    frame["company_xid"] = pd.array([None] * 3, dtype="string")
    frame["company_name"] = pd.array([None] * 3, dtype="string")
    frame["task_id"] = pd.array([7007] * 3, dtype="Int64")  # Sales
    frame["task_xid"] = pd.array([None] * 3, dtype="string")
    frame["task_name"] = pd.array([None] * 3, dtype="string")
    fresh_server.reset_stats()
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid", "invalid", "update"], plan["reason"].tolist()
    assert (
        plan["reason"]
        .iloc[0]
        .startswith("project_name 'No Such Project' names no project; valid names include: ")
    )
    assert plan["reason"].iloc[1] == (
        "project_name 'Recruiting' is ambiguous: it names 2 projects (id 3003, xid 'P-TWIN'); "
        "set project_id or project_xid instead"
    )
    assert "→ project id 3003" in plan["changes"].iloc[2]
    result = bp.push(frame, client=client, progress=False)
    assert result["status"].tolist() == ["error", "error", "ok"]


def test_a_name_nobody_has_next_to_a_kept_id_is_a_warning(fresh_server, client):
    # The person was renamed since the entries were loaded (or the name is a
    # typo): the id the server shows is kept, and a warning names the rows.
    month = entries_of(client, AMELIA)
    people = load_people(client)
    renamed = people[people["id"].eq(AMELIA)].copy()
    renamed["name"] = "Amelia Hughes-Smith"
    assert bp.push(renamed, client=client, progress=False).ok
    frame = month.copy()
    row = month.index[month["status"].eq("draft")][0]
    frame.loc[row, "hours"] = 0.5
    with pytest.warns(UserWarning, match="person_name 'Amelia Hughes' on rows 0, 1, 2, 3, 4 and"):
        result = bp.push(frame, client=client, progress=False)
    assert result.ok
    assert result.loc[row, "action"] == "update"
    assert result.loc[row, "label"].startswith("2026-11-17 Amelia Hughes-Smith: ")


def test_missing_values_in_required_fields_are_invalid(fresh_server, client):
    projects = bb.projects(client=client, refresh=True)
    frame = projects.copy()
    frame["name"] = frame["name"].astype(object)
    frame.loc[frame.index[0], "name"] = np.nan
    plan = bp.plan(frame, client=client)
    assert plan.loc[frame.index[0], "action"] == "invalid"
    assert plan.loc[frame.index[0], "reason"].startswith("name is missing (nan)")
    assert set(plan.drop(index=frame.index[0])["action"]) == {"unchanged"}

    people = load_people(client)
    frame = people.copy()
    frame["name"] = frame["name"].astype(object)
    frame.loc[frame.index[0], "name"] = None
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    assert result.loc[frame.index[0], "action"] == "invalid"
    assert result.loc[frame.index[0], "message"].startswith("name is missing (None)")
    assert writes(fresh_server) == {}


def test_an_xid_set_on_a_row_with_only_an_id_is_refused_with_a_reason(fresh_server, client):
    people = load_people(client)
    row = people.index[people["xid"].isna()][0]
    frame = people.loc[[row]].copy()
    frame["xid"] = "E-NEW-XID"
    plan = bp.plan(frame, client=client)
    assert plan["action"].tolist() == ["invalid"]
    assert (
        plan["reason"]
        .iloc[0]
        .startswith(f"xid 'E-NEW-XID' cannot be given to person {frame['id'].iloc[0]}: ")
    )


def test_tz_aware_dates_are_refused_not_shifted(fresh_server, client):
    month = entries_of(client, AMELIA)
    frame = month.copy()
    frame["date"] = frame["date"].dt.tz_localize("Europe/Paris")
    fresh_server.reset_stats()
    result = bp.push(frame, client=client, progress=False)
    assert set(result["action"]) == {"invalid"}
    assert result["message"].str.contains("date: .*the API has no time zones").all()
    assert writes(fresh_server) == {}
    assert entries_of(client, AMELIA)["date"].tolist() == month["date"].tolist()


def test_bytes_are_refused_not_written_as_their_repr(fresh_server, client):
    people = load_people(client)
    frame = people.head(2).copy()
    frame["name"] = frame["name"].astype(object)
    frame.loc[frame.index[0], "name"] = "Zoë".encode("utf-16")
    result = bp.push(frame, client=client, progress=False)
    assert result["action"].tolist() == ["invalid", "unchanged"]
    assert result["message"].iloc[0].startswith("name: b'\\xff\\xfe")
    assert "is not text" in result["message"].iloc[0]
    assert not load_people(client)["name"].str.startswith("b'").any()


def test_new_entries_given_by_names_are_created(fresh_server, client):
    new = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-11-20", "2026-11-20"]),
            "person_name": ["Thomas Lambert", "Amelia Hughes"],
            "project_name": ["Website Redesign", "Recruiting"],
            "subproject_name": ["Discovery", None],
            "task_name": ["Meetings", "Sales"],
            "hours": [1.5, 2.0],
            "comment": ["by name 1", "by name 2"],
        }
    )
    plan = bp.plan(new, client=client)
    assert plan["action"].tolist() == ["create", "create"], plan["reason"].tolist()
    assert bp.push(new, client=client, progress=False).ok
    everyone = bb.time_entries("2026-11-20", "2026-11-20", client=client, refresh=True)
    made = everyone[everyone["comment"].str.startswith("by name", na=False)].set_index("comment")
    assert made.loc["by name 1", ["person_id", "subproject_id", "task_xid"]].tolist() == [
        THOMAS,
        5003,
        "T-MEET",
    ]
    assert made.loc["by name 2", ["person_id", "project_id", "task_id"]].tolist() == [
        AMELIA,
        3003,
        7007,
    ]
    # Again: matched to the entries the first push created, nothing more.
    assert set(bp.plan(new, client=client)["action"]) == {"unchanged"}


def test_a_missing_value_where_the_server_has_one_is_reported(fresh_server, client):
    people = load_people(client)
    frame = people.copy()
    row = frame.index[frame["email"].notna()][0]
    frame.loc[row, "email"] = pd.NA
    with pytest.warns(UserWarning, match=r"1 row\(s\) have a missing value where the server has"):
        plan = bp.plan(frame, client=client)
    assert "email" in plan.warnings[0] and "''" in plan.warnings[0]


def test_derived_key_columns_are_ignored(fresh_server, client):
    people = load_people(client)
    frame = people.assign(
        key=people["xid"].fillna(people["id"].astype("string")),
        company_key=people["company_xid"].fillna(people["company_id"].astype("string")),
    )
    frame.loc[frame.index[0], "key"] = "edited"  # read-only: never a diff
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plan = bp.plan(frame, client=client)
    assert set(plan["action"]) == {"unchanged"} and not plan.warnings
    twice = pd.concat([frame, frame[["key"]]], axis=1)  # push never reads it: no harm
    assert set(bp.plan(twice, client=client)["action"]) == {"unchanged"}


# -- 8. results people can read ---------------------------------------------------------


def test_plan_and_push_results_carry_the_rows_label(fresh_server, client):
    people = load_people(client)
    plan = bp.plan(people.head(3), client=client)
    assert plan["label"].tolist() == people["name"].head(3).tolist()
    day = entries_of(client, THOMAS, "2026-11-10", "2026-11-10")
    frame = day[day["id"].eq(116290)].copy()
    frame["hours"] = 7.0
    result = bp.push(frame, client=client, progress=False)
    assert result["label"].tolist() == ["2026-11-10 Thomas Lambert: Wayne Enterprises (Sales), 7 h"]


def test_the_summary_counts_rows_written_unchanged_and_failed(fresh_server, client):
    people = load_people(client)
    frame = people.head(12).copy()
    frame.loc[frame.index[:2], "email"] = ["one@example.com", "two@example.com"]
    result = bp.push(frame, client=client, progress=False)
    assert "; 2 written, 10 unchanged, 0 failed; 2 requests sent in " in result.summary
    frame.loc[frame.index[2], "name"] = ""  # a required name emptied: refused
    result = bp.push(frame, client=client, progress=False)
    assert "; 0 written, 11 unchanged, 1 failed; 0 requests sent in " in result.summary


def test_the_progress_bar_stays_at_100_percent(fresh_server, client, monkeypatch):
    import sys

    out = io.StringIO()
    monkeypatch.setattr(sys, "stderr", out)
    people = load_people(client)
    frame = people.head(3).copy()
    frame["email"] = ["a@example.com", "b@example.com", "c@example.com"]
    assert bp.push(frame, client=client, progress=True).ok
    last = out.getvalue().rstrip("\n").split("\r")[-1]
    assert "100%" in last and "3/3" in last


def test_a_moved_entry_shows_at_its_new_date_in_the_export_too(fresh_server):
    # The sandbox dates exported entries by their start time: a move must carry it along.
    client = bb.connect(fresh_server.token, url=fresh_server.url, set_default=False)
    month = ("2026-11-01", "2026-11-30")
    everyone = bb.time_entries(*month, client=client)  # the export path
    draft = everyone.index[(everyone["status"] == "draft") & (everyone["date"] < "2026-11-28")][0]
    moved = everyone.loc[[draft]].copy()
    moved["date"] = pd.Timestamp("2026-11-28")
    from beebole_pandas.writeback import push as bp

    assert bp.push(moved, client=client, progress=False).ok
    again = bb.time_entries(*month, client=client, refresh=True).set_index("id")
    assert again.loc[everyone.loc[draft, "id"], "date"] == pd.Timestamp("2026-11-28")
    assert len(again) == len(everyone)
    client.close()
